"""In the browser: one problem from 登记 to 已销号, each step by the person entitled to it; screenshots of the pages."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[1] / "e2e" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="未安装 Chromium")]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the test itself are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def login(page, base, username):
    from tests.conftest import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def logout(page):
    page.click("text=退出")


def act(page, label, fill=None):
    """Open the step's panel, fill its fields, confirm; the page reloads with the result message."""
    panel = page.locator("details.step", has=page.locator(f"summary:text-is('{label}')"))
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for selector, value in (fill or {}).items():
        panel.locator(selector).fill(value)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_problem_goes_from_registration_to_closure_in_the_browser(tx_demo, live_server, browser):
    from dangjian.accounts.models import User

    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    owner, leader = User.objects.get(username="kezhang").person, User.objects.get(username="banzi").person
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    login(page, base, "dangwu")
    page.goto(f"{base}/matters/")
    page.screenshot(path=str(SHOTS / "matters-list-desktop.png"), full_page=True)
    page.click("text=登记整改问题")
    page.fill("#id_title", "浏览器测试：会议文件过多过长")
    page.select_option("#id_org", label="办公室")
    page.select_option("#id_owner", label=owner.name)
    page.select_option("#id_responsible_leader", label=leader.name)
    page.click("button:text('保存')")
    page.wait_for_selector("h1:has-text('浏览器测试')")
    assert page.locator(".flow li.now").inner_text() == "登记"
    act(page, "交办/分办")
    assert "已交办/分办" in page.locator(".messages").inner_text()
    logout(page)

    login(page, base, "kezhang")
    page.goto(f"{base}/matters/?q=浏览器测试")
    page.click("text=浏览器测试：会议文件过多过长")
    act(page, "接收并开始办理")
    act(page, "办结，提请销号")  # nothing filled: the browser holds the form back (the server refuses too)
    assert page.locator(".flow li.now").inner_text() == "办理中"
    act(page, "办结，提请销号", {"textarea[name=completion_statement]": "已制定会议文件精简办法并执行",
                             "textarea[name=evidence]": "《会议文件精简办法》1份"})
    assert page.locator(".flow li.now").inner_text() == "办结待审"
    logout(page)

    login(page, base, "banzi")
    page.goto(f"{base}/matters/?status=pending&mine=leader")
    page.click("text=浏览器测试：会议文件过多过长")
    act(page, "审批销号（备案）")
    assert page.locator(".flow li.now").inner_text() == "已销号"
    assert "销号备案〔" in page.content()
    page.screenshot(path=str(SHOTS / "matter-detail-desktop.png"), full_page=True)
    for name, url in (("board", "/matters/board/"), ("ledger", "/matters/ledger/"), ("figures", "/matters/figures/"),
                      ("list", "/matters/")):
        page.goto(base + url)
        page.screenshot(path=str(SHOTS / f"matters-{name}-desktop.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    login(phone, base, "banzi")
    for name, url in (("list", "/matters/"), ("board", "/matters/board/"), ("ledger", "/matters/ledger/")):
        phone.goto(base + url)
        phone.screenshot(path=str(SHOTS / f"matters-{name}-375.png"), full_page=True)
    phone.goto(base + "/matters/?q=浏览器测试")
    phone.click("text=浏览器测试：会议文件过多过长")
    phone.screenshot(path=str(SHOTS / "matter-detail-375.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
