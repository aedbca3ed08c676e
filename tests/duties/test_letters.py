"""责任状: drafting, tasks and their refusals, the .docx read back, signing, progress and conflicts."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from dangjian.core.audit import ConflictError
from dangjian.core.models import AuditEvent
from dangjian.duties import letters
from dangjian.duties.models import LetterKind, LetterTask, ResponsibilityLetter, TaskStatus
from dangjian.orgs.models import Person
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NEXT = TODAY.year + 1
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _draft(agency, person=None, year=NEXT):
    """A letter for next year (the demo holds this year's)."""
    return letters.do_create_letter(year, person or agency["kezhang"], actor=agency["users"]["dangwu"])


def _task(letter, owner, weight, **kw):
    return LetterTask(letter=letter, title=kw.get("title", "落实周四集中学习日"), target="全年不少于40次",
                      owner=owner, deadline=kw.get("deadline", dt.date(letter.year, 12, 31)), weight=weight)


def _full(agency, letter):
    actor = agency["users"]["dangwu"]
    for w in (40, 35, 25):
        letters.do_save_task(_task(letter, letter.counterpart, w, title=f"任务{w}"), actor=actor)
    return letter


def test_a_section_head_letter_belongs_to_the_section_with_default_responsibilities(agency):
    letter = _draft(agency)
    assert letter.kind == LetterKind.SECTION_HEAD and letter.org == agency["office"]
    assert letter.secretary == agency["secretary"] and "具体责任" in letter.responsibilities
    leader_letter = _draft(agency, agency["banzi"])
    assert leader_letter.kind == LetterKind.LEADER and leader_letter.org == agency["root"]


def test_it_refuses_a_second_letter_the_secretary_as_counterpart_and_someone_without_duties(agency):
    actor = agency["users"]["dangwu"]
    _draft(agency)
    with pytest.raises(ValidationError, match="不能重复起草"):
        _draft(agency)
    with pytest.raises(ValidationError, match="甲方"):
        letters.do_create_letter(NEXT, agency["secretary"], actor=actor)
    member = Person.objects.get(user__username="dangyuan")
    with pytest.raises(ValidationError, match="没有分管或具体责任"):
        letters.do_create_letter(NEXT, member, actor=actor)


def test_weights_must_not_exceed_100_and_must_sum_to_100_to_sign(agency):
    actor = agency["users"]["dangwu"]
    letter = _draft(agency)
    letters.do_save_task(_task(letter, letter.counterpart, 60), actor=actor)
    before = LetterTask.objects.count()
    with pytest.raises(ValidationError) as exc:
        letters.do_save_task(_task(letter, letter.counterpart, 50), actor=actor)
    assert "权重合计为100" in exc.value.message_dict["weight"][0] and "最多 40" in exc.value.message_dict["weight"][0]
    assert LetterTask.objects.count() == before
    with pytest.raises(ValidationError, match="当前合计为 60"):
        letters.do_sign_letter(letter, actor=actor, signed_on=TODAY)
    with pytest.raises(ValidationError, match="当前合计为 60"):
        letters.letter_document(letter)
    letter.refresh_from_db()
    assert not letter.is_signed


def test_a_task_owner_must_be_within_the_letters_scope(agency):
    letter = _draft(agency)
    outsider = Person.objects.filter(org=agency["finance"]).first()
    with pytest.raises(ValidationError) as exc:
        letters.do_save_task(_task(letter, outsider, 20), actor=agency["users"]["dangwu"])
    assert "责任范围" in exc.value.message_dict["owner"][0]
    colleague = Person.objects.filter(org=agency["office"], duties__isnull=True).first()
    with pytest.raises(ValidationError):  # the secretary works in 办公室 but answers upwards
        letters.do_save_task(_task(letter, agency["secretary"], 20), actor=agency["users"]["dangwu"])
    letters.do_save_task(_task(letter, colleague, 20), actor=agency["users"]["dangwu"])
    # a leader's letter reaches the staff of the sections they oversee
    leader_letter = _draft(agency, agency["banzi"])
    hr = Person.objects.filter(org=agency["personnel"], duties__isnull=True).first()
    letters.do_save_task(_task(leader_letter, hr, 20), actor=agency["users"]["dangwu"])
    with pytest.raises(ValidationError):
        letters.do_save_task(_task(leader_letter, outsider, 20), actor=agency["users"]["dangwu"])


def test_the_letter_docx_reads_back_with_parties_tasks_and_signatures(agency):
    letter = _full(agency, _draft(agency))
    response = login("dangwu").get(f"/duties/letters/{letter.pk}/docx/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{NEXT}年度党建工作责任状" in text
    assert f"甲方：市XX党组书记　{agency['secretary'].name}" in text
    assert f"乙方：办公室负责人　{agency['kezhang'].name}" in text
    assert "一、年度党建工作任务" in text and "二、责任内容" in text
    signing = doc.tables[1]  # side by side, so that the date line does not wrap
    assert [c.paragraphs[0].text for c in signing.rows[0].cells] == ["甲方（签字）：", "乙方（签字）："]
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "任务", "量化目标", "责任人", "完成时限", "权重"]
    assert [r.cells[5].text for r in table.rows[1:]] == ["40", "35", "25"]
    assert table.rows[1].cells[4].text == f"{NEXT}年12月31日"
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert AuditEvent.objects.filter(action="letter.export", target_id=str(letter.pk)).exists()


def test_signing_records_who_when_and_the_scan_once_only(agency, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    letter = _full(agency, _draft(agency, year=TODAY.year + 1))
    client = login("dangwu")
    bad = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf")
    client.post(f"/duties/letters/{letter.pk}/sign/", {"signed_on": TODAY.isoformat(), "scan": bad})
    letter.refresh_from_db()
    assert not letter.is_signed
    scan = SimpleUploadedFile("签字件.pdf", PDF)
    response = client.post(f"/duties/letters/{letter.pk}/sign/", {"signed_on": TODAY.isoformat(), "scan": scan})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.signed_on == TODAY and letter.signed_recorded_by == agency["users"]["dangwu"]
    assert letter.scan.endswith(".pdf") and (tmp_path / letter.scan).exists()
    download = client.get(f"/duties/letters/{letter.pk}/scan/")
    assert b"".join(download.streaming_content) == PDF
    with pytest.raises(ValidationError) as exc:
        letters.do_sign_letter(letter, actor=agency["users"]["dangwu"], signed_on=TODAY)
    assert "不能重复签订" in exc.value.message_dict["signed_on"][0]
    with pytest.raises(ValidationError, match="不能再修改"):
        letters.do_save_task(_task(letter, letter.counterpart, 1), actor=agency["users"]["dangwu"])
    # the scan is not served to someone outside the letter's scope
    assert login("zhibu").get(f"/duties/letters/{letter.pk}/scan/").status_code == 404


def test_the_owner_reports_progress_and_a_stale_report_conflicts(agency):
    task = _full(agency, _draft(agency)).tasks.first()
    version = task.version
    client = login("kezhang")
    response = client.post(f"/duties/tasks/{task.pk}/", {"status": "in_progress", "note": "已召开专题会",
                                                          "evidence": "会议纪要", "loaded_version": version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and "会议纪要" in task.evidence
    count = task.progress.count()
    stale = client.post(f"/duties/tasks/{task.pk}/", {"status": "done", "note": "完成", "evidence": "x",
                                                      "loaded_version": version})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    assert task.progress.count() == count
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    with pytest.raises(ConflictError):
        letters.do_report_progress(task, actor=agency["kezhang"].user, note="n", status="done", evidence="e",
                                   expected_version=version)


def test_done_needs_evidence_and_others_may_not_report(agency):
    task = _full(agency, _draft(agency)).tasks.first()
    with pytest.raises(ValidationError) as exc:
        letters.do_report_progress(task, actor=agency["users"]["dangwu"], note="完成", status="done")
    assert "佐证" in exc.value.message_dict["evidence"][0]
    with pytest.raises(PermissionDenied):
        letters.do_report_progress(task, actor=agency["users"]["jijian"], note="完成", status="in_progress")


def test_overdue_tasks_stand_out_in_the_year_view(agency, django_assert_num_queries):
    overdue = LetterTask.objects.overdue()
    assert overdue.exists()
    client = login("dangwu")
    page = client.get("/duties/letters/?state=overdue").content.decode()
    assert 'class="overdue"' in page and "逾期" in page
    assert page.count('class="overdue"') == min(overdue.count(), 50)
    client.get("/duties/letters/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/duties/letters/")
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(f"/duties/letters/?year={TODAY.year}&state=in_progress")


def test_the_year_view_filters_by_leader_and_section(agency):
    client = login("dangwu")
    page = client.get(f"/duties/letters/?leader={agency['banzi'].pk}").content.decode()
    assert agency["kezhang"].name in page  # the head of a section banzi oversees
    finance_head = ResponsibilityLetter.objects.get(year=TODAY.year, org=agency["finance"]).counterpart
    assert f">{finance_head.name}</a>" not in page
    page = client.get(f"/duties/letters/?section={agency['finance'].pk}").content.decode()
    assert f">{finance_head.name}</a>" in page and f">{agency['kezhang'].name}</a>" not in page
