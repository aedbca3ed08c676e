"""Browser test: the principal is refused 财务科, another member takes it, a letter is drafted,
generated and downloaded; screenshots of the main pages at desktop and phone width."""

import datetime as dt
import io
from pathlib import Path

from django.utils import timezone

from .conftest import shot

MAIN_PAGES = (("matrix", "/duties/"), ("letters", "/duties/letters/"), ("rules", "/duties/rules/"),
              ("group", "/duties/group/"), ("conflicts", "/duties/conflicts/"))


def _assign(page, base, person, org, kind="leadership"):
    page.goto(f"{base}/duties/assign/")
    page.select_option("select[name=person]", label=person)
    page.select_option("select[name=kind]", kind)
    page.select_option("select[name=org]", label=org)
    page.click("form.card button[type=submit]")


def test_refused_principal_then_another_member_then_a_letter(pages):
    from docx import Document

    from dangjian.core.forms_base import person_label as label
    from dangjian.duties.models import Duty, DutyKind
    from dangjian.orgs.models import Person

    page, base = pages.login("dangwu"), ""
    page.on("dialog", lambda dialog: dialog.accept())  # the 终止 button asks for confirmation
    secretary = Duty.objects.current().get(kind=DutyKind.PRIMARY).person
    banzi = Person.objects.select_related("org").get(user__username="banzi")

    # 财务科's current overseer hands over: end the duty from the matrix page
    page.goto(f"{base}/duties/")
    row = page.locator("tr", has=page.locator("td", has_text="财务科")).filter(has_text="领导责任")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    row.locator("input[name=end_date]").fill(yesterday)
    row.locator("button", has_text="终止").click()
    page.wait_for_selector(".messages .msg-success")

    # the principal leader is refused, with the rule named
    _assign(page, base, label(secretary), "财务科")
    error = page.locator(".field.has-error .error, .errors").first.inner_text()
    assert "四个不直接分管" in error and "财务" in error
    shot(page, "duties-refusal")

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
    shot(page, "duties-letter")
    with page.expect_download() as info:
        page.click("text=生成责任状（Word）")
    download = info.value
    assert download.suggested_filename == f"{year}年度党建工作责任状-{banzi.name}.docx"
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{year}年度党建工作责任状" in text and banzi.name in text
    assert [r.cells[1].text for r in doc.tables[0].rows[1:]] == ["落实周四集中学习日制度", "督促分管科室“三会一课”"]



def test_main_pages_at_desktop_and_phone_width(pages):
    for width, suffix in ((1280, "desktop"), (375, "phone")):
        page = pages.login("dangwu", width=width)
        for name, url in MAIN_PAGES:
            page.goto(url)
            assert page.locator("h1").count() == 1
            shot(page, f"duties-{name}-{suffix}")
    # a section head on a phone: their own letter and tasks
    page = pages.login("kezhang", width=375)
    page.goto("/duties/letters/")
    shot(page, "duties-letters-kezhang-phone")
    assert page.locator("table.data").first.locator("tbody tr").count() == 1
