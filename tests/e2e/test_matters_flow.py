"""事项督办 in the browser: one problem from 登记 to 已销号, each step by the person entitled to it;
screenshots of the main pages at desktop and phone width."""

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


def act(page, label, fill=None):
    """Open the step's panel, fill its fields, confirm; the page reloads with the result message."""
    panel = page.locator("details.step", has=page.locator(f"summary:text-is('{label}')"))
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for selector, value in (fill or {}).items():
        panel.locator(selector).fill(value)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()


def open_matter(page, url, title):
    page.goto(url)
    page.click(f"text={title}")
    page.wait_for_selector(f"h1:has-text('{title}')")


def test_a_problem_goes_from_registration_to_closure_in_the_browser(pages):
    from dangjian.accounts.models import User

    title = "浏览器测试：会议文件过多过长"
    owner, leader = User.objects.get(username="kezhang").person, User.objects.get(username="banzi").person

    page = pages.login("dangwu")
    page.goto("/matters/")
    shot(page, "matters-list-desktop")
    page.click("text=登记整改问题")
    page.fill("#id_title", title)
    page.select_option("#id_org", label="办公室")
    page.select_option("#id_owner", str(owner.pk))
    page.select_option("#id_responsible_leader", str(leader.pk))
    page.click("button:text('保存')")
    page.wait_for_selector(f"h1:has-text('{title}')")
    assert page.locator(".flow li.now").inner_text() == "登记"
    act(page, "交办/分办")
    assert "已交办/分办" in page.locator(".messages").inner_text()

    page = pages.login("kezhang")
    open_matter(page, "/matters/?q=浏览器测试", title)
    act(page, "接收并开始办理")
    act(page, "办结，提请销号")  # nothing filled: the browser holds the form back (the server refuses too)
    assert page.locator(".flow li.now").inner_text() == "办理中"
    act(page, "办结，提请销号", {"textarea[name=completion_statement]": "已制定会议文件精简办法并执行",
                             "textarea[name=evidence]": "《会议文件精简办法》1份"})
    assert page.locator(".flow li.now").inner_text() == "办结待审"

    page = pages.login("banzi")
    open_matter(page, "/matters/?status=pending&mine=leader", title)
    act(page, "审批销号（备案）")
    assert page.locator(".flow li.now").inner_text() == "已销号"
    assert "销号备案〔" in page.content()
    shot(page, "matter-detail-desktop")
    for name, url in (("board", "/matters/board/"), ("ledger", "/matters/ledger/"), ("figures", "/matters/figures/"),
                      ("lists", "/matters/lists/")):
        page.goto(url)
        shot(page, f"matters-{name}-desktop")

    phone = pages.login("banzi", width=375, height=812)
    for name, url in (("list", "/matters/"), ("board", "/matters/board/"), ("ledger", "/matters/ledger/")):
        phone.goto(url)
        shot(phone, f"matters-{name}-375")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, name
    open_matter(phone, "/matters/?q=浏览器测试", title)
    shot(phone, "matter-detail-375")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
