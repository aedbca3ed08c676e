"""Browser test: the principal is refused 财务科, another member takes it, a letter is drafted,
generated and downloaded; screenshots of the main pages at desktop and phone width."""

import datetime as dt
import io
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent.parent / "e2e" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="未安装 Chromium"),
]


@pytest.fixture(scope="module")
def restore_demo(django_db_blocker):
    """Module scope, so it tears down after live_server's flush: the audit triggers and the demo
    agency are put back for the (non-transactional) tests that follow."""
    yield
    from django.test import override_settings

    from dangjian.orgs.demo import build_demo, demo_exists
    from tests.conftest import PASSWORD, audit_triggers

    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        audit_triggers(True)
        if not demo_exists():
            build_demo(PASSWORD)


@pytest.fixture
def browser_page():
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in its own.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="zh-CN")
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        yield page
        context.close()
        browser.close()


def _login(page, base, username):
    from tests.conftest import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, suffix in ((1280, "desktop"), (375, "phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 800})
        page.screenshot(path=str(SHOTS / f"duties-{name}-{suffix}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _assign(page, base, person, org, kind="leadership"):
    page.goto(f"{base}/duties/assign/")
    page.select_option("select[name=person]", label=person)
    page.select_option("select[name=kind]", kind)
    page.select_option("select[name=org]", label=org)
    page.click("form.card button[type=submit]")


def test_refused_principal_then_another_member_then_a_letter(restore_demo, tx_demo, live_server, browser_page):
    from docx import Document

    from dangjian.duties.forms import PersonChoice
    from dangjian.duties.models import Duty, DutyKind
    from dangjian.orgs.models import Person

    page, base = browser_page, live_server.url
    secretary = Duty.objects.current().get(kind=DutyKind.PRIMARY).person
    banzi = Person.objects.select_related("org").get(user__username="banzi")
    label = PersonChoice(queryset=Person.objects.none()).label_from_instance
    _login(page, base, "dangwu")

    # 财务科's current overseer hands over: end the duty from the matrix page
    page.goto(f"{base}/duties/")
    _shoot(page, "matrix")
    row = page.locator("tr", has=page.locator("td", has_text="财务科")).filter(has_text="领导责任")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    row.locator("input[name=end_date]").fill(yesterday)
    row.locator("button", has_text="终止").click()
    page.wait_for_selector(".messages .msg-success")

    # the principal leader is refused, with the rule named
    _assign(page, base, label(secretary), "财务科")
    error = page.locator(".field.has-error .error, .errors").first.inner_text()
    assert "四个不直接分管" in error and "财务" in error
    _shoot(page, "refusal")

    # another leadership member is accepted and shows in the matrix
    _assign(page, base, label(banzi), "财务科")
    page.wait_for_url(f"{base}/duties/")
    assert "已分配" in page.locator(".messages").inner_text()
    finance = page.locator("#domain-overseers").inner_text()
    assert f"财务科\t{banzi.name}" in finance

    # draft next year's letter for that member, decompose tasks, generate and download the .docx
    page.goto(f"{base}/duties/letters/new/")
    year = str(int(page.input_value("input[name=year]")) + 1)
    page.fill("input[name=year]", year)
    page.select_option("select[name=counterpart]", label=label(banzi))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#task-form")
    for title, weight in (("落实周四集中学习日制度", "60"), ("督促分管科室“三会一课”", "40")):
        page.fill("#task-form input[name=title]", title)
        page.fill("#task-form input[name=target]", "全年不少于40次")
        page.select_option("#task-form select[name=owner]", label=label(banzi))
        page.fill("#task-form input[name=weight]", weight)
        page.click("#task-form button[type=submit]")
        page.wait_for_selector(".messages .msg-success")
    _shoot(page, "letter")
    with page.expect_download() as info:
        page.click("text=生成责任状（Word）")
    download = info.value
    assert download.suggested_filename == f"{year}年度党建工作责任状-{banzi.name}.docx"
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{year}年度党建工作责任状" in text and banzi.name in text
    assert [r.cells[1].text for r in doc.tables[0].rows[1:]] == ["落实周四集中学习日制度", "督促分管科室“三会一课”"]

    for name, url in (("letters", "/duties/letters/"), ("rules", "/duties/rules/"), ("group", "/duties/group/"),
                      ("conflicts", "/duties/conflicts/")):
        page.goto(base + url)
        _shoot(page, name)
