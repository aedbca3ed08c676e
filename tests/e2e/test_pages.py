"""The site's frame in the browser: styles at desktop and phone width (issue 11 item 19), the home page's
to-do list and a member's menu (item 21)."""

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


def style(page, selector, prop):
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def test_module_styles_hold_at_desktop_and_phone_width(pages):
    desk = pages.login("dangwu", width=1366, height=900)
    desk.goto("/matters/board/")
    shot(desk, "styles-board-1366")
    # An overdue date is red, its row marked: rules that an unclosed @media block once kept to phones.
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
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_home_with_the_to_do_list_and_a_members_menu_at_both_widths(pages):
    desk = pages.login("kezhang", width=1366, height=900)
    shot(desk, "home-kezhang-1366")
    assert desk.locator(".todo-day").count() == 2
    assert style(desk, ".todo-list li.overdue time", "color") == "rgb(198, 40, 40)"

    phone = pages.login("dangyuan", width=375, height=812)
    assert phone.locator(".todo-list li").count() >= 1
    phone.click("label.nav-toggle-label")
    assert phone.locator(".nav a").all_inner_texts() == ["首页", "我的整改台账", "我的会议学习"]
    shot(phone, "home-dangyuan-375")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_person_picker_is_searched_by_name_or_section_at_phone_width(pages):
    from dangjian.accounts.models import User

    zhong = User.objects.get(username="kezhang").person
    page = pages.login("dangwu", width=375, height=812)
    page.goto("/matters/new/")
    search = page.locator("select[name=owner]").locator("xpath=preceding-sibling::input[@type='search'][1]")
    search.fill(zhong.name)
    assert page.locator("select[name=owner]").input_value() == str(zhong.pk)  # the first match is chosen
    shown = page.locator("select[name=owner] option:not([hidden])").all_inner_texts()
    assert all(zhong.name in text for text in shown if not text.startswith("---")), shown
    search.fill(zhong.org.name)  # by section: everyone shown sits there
    shown = [t for t in page.locator("select[name=owner] option:not([hidden])").all_inner_texts()
             if not t.startswith("---")]
    assert shown and all(zhong.org.name in text for text in shown), shown
    shot(page, "person-picker-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
