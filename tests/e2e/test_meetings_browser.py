"""Browser test: a 大额资金 decision recorded end to end on a 党组会议, then the minutes downloaded.

Playwright drives Debian's Chromium against pytest-django's live server; screenshots of the main
pages at desktop and phone width go to tests/e2e/screenshots/ (git-ignored) to be looked at.
"""

import io
from pathlib import Path

from django.utils import timezone

from dangjian.core import workdays

from .conftest import shot as _shoot


def test_a_large_fund_decision_end_to_end(pages):
    from docx import Document

    from dangjian.meetings.models import Topic
    from dangjian.orgs.models import Org

    base = ""
    page = pages.login("dangwu")

    # 1. a 党组会议 held today
    page.goto(f"{base}/meetings/new/")
    page.select_option("select[name=kind]", label="党组会议")
    page.fill("input[name=title]", "党组会议（研究专项资金）")
    page.select_option("select[name=org]", str(Org.objects.get(code="SXX-DZ").pk))
    page.fill("input[name=date]", timezone.localdate().isoformat())
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=end_time]", "11:00")
    page.fill("input[name=place]", "党组会议室")
    page.select_option("select[name=status]", "held")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("h1:has-text('党组会议（研究专项资金）')")

    # 2. every member present (the recorder enters attendance row by row)
    rows = page.locator("#attendance ~ .table-wrap form.row-form")
    for i in range(rows.count()):
        form = page.locator("#attendance ~ .table-wrap form.row-form").nth(i)
        form.locator("select[name=status]").select_option("present")
        form.locator("button").click()
        page.wait_for_load_state()
    assert page.locator(".figure:has-text('出席') b").first.inner_text() == "5"

    # 3. the topic: 大额资金使用, materials sent two working days before
    sent = workdays.add_workdays(timezone.localdate(), -2).date.isoformat()
    page.fill("input[name=title]", "关于使用专项资金200万元的议题")
    page.select_option("select[name=category]", "fund")
    page.fill("input[name=amount]", "200")
    page.fill("input[name=materials_sent_on]", sent)
    page.click("button:has-text('添加议题')")
    page.click("a:has-text('记录决定')")
    _shoot(page, "decision-desktop")

    # 4. first with the principal speaking first: refused with the rule named
    principal_order = page.locator("tr:has(.badge:has-text('主要负责人')) input[type=number]")
    principal_order.fill("1")
    first_other = page.locator("tbody tr").first.locator("input[type=number]")
    first_other.fill("5")
    for select in page.locator("select[name^=stance_]").all():
        select.select_option("agree")
    page.fill("textarea[name=decision_text]", "同意使用专项资金200万元。")
    page.click("button:has-text('记录决定')")
    page.wait_for_selector(".errors")
    assert "不符合：主要负责人须末位表态" in page.locator(".errors").inner_text()

    # 5. recorded properly: principal last
    principal_order.fill("5")
    page.locator("tbody tr").first.locator("input[type=number]").fill("1")
    page.click("button:has-text('记录决定')")
    page.wait_for_selector(".messages")
    assert "已记录决定" in page.locator(".messages").inner_text()
    topic = Topic.objects.get(title="关于使用专项资金200万元的议题")
    assert topic.outcome == "passed" and topic.tally["agree"] == 5
    _shoot(page, "meeting-detail-desktop")

    # 6. the minutes, downloaded as .docx and read back
    with page.expect_download() as info:
        page.click("a:has-text('下载会议纪要')")
    path = info.value.path()
    doc = Document(io.BytesIO(Path(path).read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于使用专项资金200万元的议题〔大额资金使用〕" in text and "通过" in text
    assert doc.tables[0].rows[-1].cells[1].text.endswith("（主要负责人）")

    # the ledger and the audit log show both the decision and the refused attempt
    page.goto(f"{base}/meetings/ledger/?year={timezone.localdate().year}")
    assert "关于使用专项资金200万元的议题" in page.content()
    _shoot(page, "ledger-desktop")
    page.goto(f"{base}/audit/?q=专项资金")
    assert "meeting.decide_refused" in page.content() or "失败" in page.content()


def test_screenshots_of_the_main_pages(pages):
    from dangjian.meetings.models import Meeting, StudyPlan

    base = ""
    plan = StudyPlan.objects.order_by("id").first()
    year = timezone.localdate().year
    group = Meeting.objects.filter(kind__code="party_group", status="held").order_by("date").first()
    study = Meeting.objects.filter(kind__code="study_day", date__gte=timezone.localdate()).order_by("date").first()
    for width, suffix in ((1280, "desktop"), (375, "phone")):
        page = pages.login("dangwu", width=width, height=800)
        for name, url in [("list", "/meetings/"), ("compliance", f"/meetings/compliance/?year={year}"),
                          ("study", "/meetings/study/"), ("activities", "/meetings/activities/"),
                          ("group-meeting", f"/meetings/{group.pk}/"), ("study-day", f"/meetings/{study.pk}/"),
                          ("ledger", f"/meetings/ledger/?year={group.date.year}"),
                          ("kinds", "/meetings/kinds/"), ("kind-edit", f"/meetings/kinds/{group.kind_id}/edit/"),
                          ("plans", "/meetings/plans/"), ("plan-edit", f"/meetings/plans/{plan.pk}/edit/")]:
            response = page.goto(base + url)
            assert response.status == 200, url
            if width == 375:  # nothing wider than the phone, except inside scrolling tables
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= 375 + 1, f"{url} is {overflow}px wide at 375px"
            _shoot(page, f"{name}-{suffix}")
        # a cadre on the phone: sign-in page reached from the QR code, and their own page
    from dangjian.meetings.services import qr_signin

    phone = pages.login("dangyuan", width=375, height=740)
    phone.goto(f"{base}/meetings/signin/{qr_signin.signin_token(study)}/")
    phone.click("button:has-text('签到')")
    assert "签到成功" in phone.content()
    _shoot(phone, "signin-phone")
    phone.goto(f"{base}/meetings/my/")
    _shoot(phone, "my-phone")


def test_an_attachment_is_uploaded_on_a_phone_and_downloaded_under_its_name(pages, settings, tmp_path):
    from dangjian.meetings.models import Meeting

    settings.MEDIA_ROOT = tmp_path
    meeting = Meeting.objects.filter(kind__code="study_day", date__gte=timezone.localdate()).order_by("date").first()
    pdf = tmp_path / "学习材料.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%e2e\n" + b"0" * 500)
    page = pages.login("dangwu", width=375, height=800)
    page.goto(f"/meetings/{meeting.pk}/")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("button:has-text('上传')")
    assert "已上传附件“学习材料.pdf”" in page.content()
    page.wait_for_load_state("load")  # measure once the stylesheet applies, not the page half-loaded after the redirect
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    with page.expect_download() as info:
        page.click("a:has-text('学习材料.pdf')")
    assert info.value.suggested_filename == "学习材料.pdf"
    assert Path(info.value.path()).read_bytes() == pdf.read_bytes()
    _shoot(page, "attachment-phone")
