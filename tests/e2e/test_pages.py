"""The site's frame in the browser, in one test to spare the suite a demo restore per test: styles at
desktop and phone width (issue 11 item 19), the home page's to-do list and a member's menu (item 21),
and the search of a person picker (item 22)."""

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


def style(page, selector, prop):
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_styles_home_menu_and_person_picker_at_desktop_and_phone_width(pages):
    from dangjian.accounts.models import User

    # 19: an overdue date is red and its row marked at 1366 px: rules an unclosed @media block kept to phones
    desk = pages.login("dangwu", width=1366, height=900)
    desk.goto("/matters/board/")
    shot(desk, "styles-board-1366")
    assert style(desk, ".due-overdue", "color") == "rgb(198, 40, 40)"
    assert style(desk, "tr.row-overdue td:first-child", "border-left-color") == "rgb(198, 40, 40)"
    assert style(desk, ".nav", "display") == "flex"
    desk.goto("/meetings/")
    assert style(desk, ".subnav a.active", "background-color") == "rgb(183, 28, 28)"

    phone = pages.login("dangwu", width=375, height=812)
    phone.goto("/matters/board/")
    shot(phone, "styles-board-375")
    assert style(phone, ".due-overdue", "color") == "rgb(198, 40, 40)"
    assert style(phone, ".nav", "display") == "none"  # folded behind the menu toggle
    assert fits_phone(phone)

    # 22: the owner picker narrows to a name (the first match chosen), then to a section
    zhong = User.objects.get(username="kezhang").person
    phone.goto("/matters/new/")
    owner = phone.locator("select[name=owner]")
    search = owner.locator("xpath=preceding-sibling::input[@type='search'][1]")
    search.fill(zhong.name)
    assert owner.input_value() == str(zhong.pk)

    def shown():
        return [t for t in phone.locator("select[name=owner] option:not([hidden])").all_inner_texts()
                if not t.startswith("---")]

    assert shown() and all(zhong.name in text for text in shown()), shown()
    search.fill(zhong.org.name)
    assert shown() and all(zhong.org.name in text for text in shown()), shown()
    shot(phone, "person-picker-375")
    assert fits_phone(phone)

    # 21: a section head's home opens with today's and this week's to-dos, the overdue in red
    home = pages.login("kezhang", width=1366, height=900)
    shot(home, "home-kezhang-1366")
    assert home.locator(".todo-day").count() == 2
    assert style(home, ".todo-list li.overdue time", "color") == "rgb(198, 40, 40)"

    member = pages.login("dangyuan", width=375, height=812)
    assert member.locator(".todo-list li").count() >= 1
    member.click("label.nav-toggle-label")
    assert member.locator(".nav a").all_inner_texts() == ["首页", "我的整改台账", "我的会议学习", "我的谈话", "我的考评"]
    shot(member, "home-dangyuan-375")
    assert fits_phone(member)

    # 监督 (issue 13) at phone width: the discipline team's pages, with the demo's inspection and talks
    from dangjian.supervision.models import Inspection, Talk

    inspection = Inspection.objects.filter(findings__isnull=False).first()
    talk = Talk.objects.order_by("pk").first()
    jijian = pages.login("jijian", width=375, height=812)
    for url in ("/supervision/", "/supervision/talks/", f"/supervision/inspections/{inspection.pk}/",
                f"/supervision/plans/{inspection.plan_id}/inspections/new/", f"/supervision/talks/{talk.pk}/"):
        jijian.goto(url)
        assert jijian.locator("h1").count() == 1, url
        assert fits_phone(jijian), url
    shot(jijian, "supervision-talk-375")
    jijian.goto(f"/supervision/inspections/{inspection.pk}/")
    assert "已销号 1 / 共 2 个" in jijian.content()
