"""会议附件: accepted kinds, disguised files refused before anything is written, scope-checked download,
removal only while the meeting is still planned."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import Workbook

from dangjian.core.models import AuditEvent
from dangjian.meetings.models import MeetingStatus

from .helpers import group_meeting

pytestmark = pytest.mark.django_db


def _docx() -> bytes:
    out = io.BytesIO()
    doc = Document()
    doc.add_paragraph("会议议程")
    doc.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


FILES = {
    "议程.pdf": b"%PDF-1.4\n%test\n" + b"0" * 200,
    "会议记录.docx": _docx(),
    "旧稿.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200,
    "签到表.xlsx": _xlsx(),
    "现场.jpg": b"\xff\xd8\xff\xe0" + b"0" * 200,
    "合影.png": b"\x89PNG\r\n\x1a\n" + b"0" * 200,
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(client, meeting, name, content):
    return client.post(reverse("meetings:attachment_add", args=[meeting.pk]),
                       {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_every_accepted_kind_is_stored_under_a_random_name_listed_and_downloaded(demo, client_for, media):
    meeting = group_meeting(demo, org_code="SXX-ZB2", kind="lecture")
    client = client_for("zhibu")
    for name, content in FILES.items():
        page = _upload(client, meeting, name, content).content.decode()
        assert f"已上传附件“{name}”" in page
    items = list(meeting.attachments.order_by("id"))
    assert [a.name for a in items] == list(FILES)
    for item, content in zip(items, FILES.values(), strict=True):
        assert item.size == len(content) and item.uploaded_by == demo["users"]["zhibu"]
        stored = item.file.name.rsplit("/", 1)[-1]
        assert stored.split(".")[0].isalnum() and len(stored.split(".")[0]) == 32  # random, not the user's name
        assert (media / item.file.name).read_bytes() == content
        event = AuditEvent.objects.filter(action="meeting.attachment", target_id=str(item.pk)).get()
        assert event.after["file"] == item.file.name and event.after["name"] == item.name
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "签到表.xlsx" in detail and "附件" in detail
    pdf = items[0]
    response = client.get(reverse("meetings:attachment", args=[pdf.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == FILES["议程.pdf"]
    assert "filename*=utf-8''%E8%AE%AE%E7%A8%8B.pdf" in response["Content-Disposition"]  # 议程.pdf
    assert AuditEvent.objects.filter(action="file.download", target_id=str(pdf.pk)).exists()


@pytest.mark.parametrize("name, content, message", [
    ("通知.pdf", b"MZ\x90\x00" + b"0" * 100, "文件内容：不是 PDF (.pdf)"),
    ("报告.docx", b"PK\x03\x04" + b"0" * 100, "文件内容：不是"),
    ("照片.png", b"\xff\xd8\xff\xe0" + b"0" * 100, "文件扩展名：与内容不符（内容是 JPEG 图片 (.jpg)）"),
    ("通知.pdf.exe", b"%PDF-1.4\n" + b"0" * 100, "文件名：不允许上传可执行文件或脚本"),
    ("网页.html", b"<html></html>", "文件名：不允许上传可执行文件或脚本"),
])
def test_a_disguised_file_is_refused_in_chinese_and_nothing_is_written(demo, client_for, media, name, content,
                                                                       message):
    meeting = group_meeting(demo, org_code="SXX-ZB2", kind="lecture")
    before = AuditEvent.objects.filter(action="upload.refused").count()
    page = _upload(client_for("zhibu"), meeting, name, content).content.decode()
    assert "附件未上传：" in page and message in page
    assert not meeting.attachments.exists() and not any(media.rglob("*.*"))
    refused = AuditEvent.objects.filter(action="upload.refused").order_by("-id")
    assert refused.count() == before + 1 and name[:20] in refused.first().message


def test_scope_another_branch_gets_404_and_a_viewer_cannot_upload(demo, client_for, media):
    meeting = group_meeting(demo, org_code="SXX-ZB1", kind="lecture")
    _upload(client_for("dangwu"), meeting, "议程.pdf", FILES["议程.pdf"])
    item = meeting.attachments.get()
    other = client_for("zhibu")  # secretary of 第二党支部
    assert other.get(reverse("meetings:attachment", args=[item.pk])).status_code == 404
    assert other.post(reverse("meetings:attachment_remove", args=[item.pk])).status_code == 404
    assert other.post(reverse("meetings:attachment_add", args=[meeting.pk]),
                      {"file": SimpleUploadedFile("x.pdf", FILES["议程.pdf"])}).status_code == 404
    viewer = client_for("jijian")  # sees every meeting, changes none
    assert viewer.get(reverse("meetings:attachment", args=[item.pk])).status_code == 200
    assert viewer.post(reverse("meetings:attachment_add", args=[meeting.pk]),
                       {"file": SimpleUploadedFile("x.pdf", FILES["议程.pdf"])}).status_code == 403
    assert viewer.post(reverse("meetings:attachment_remove", args=[item.pk])).status_code == 403
    assert meeting.attachments.count() == 1


def test_removal_only_while_planned_and_audited(demo, client_for, media, django_capture_on_commit_callbacks):
    planned = group_meeting(demo, org_code="SXX-ZB2", kind="lecture", days_ago=-2, status=MeetingStatus.PLANNED)
    client = client_for("zhibu")
    _upload(client, planned, "议程.pdf", FILES["议程.pdf"])
    item = planned.attachments.get()
    path = media / item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("meetings:attachment_remove", args=[item.pk]), follow=True).content.decode()
    assert "已删除附件“议程.pdf”" in page and not planned.attachments.exists()
    assert AuditEvent.objects.filter(action="meeting.attachment_remove", target_id=str(item.pk)).exists()
    assert not path.exists()

    held = group_meeting(demo, org_code="SXX-ZB2", kind="lecture")  # 已召开
    _upload(client, held, "会议记录.docx", FILES["会议记录.docx"])  # minutes can still be added after the meeting
    kept = held.attachments.get()
    page = client.post(reverse("meetings:attachment_remove", args=[kept.pk]), follow=True).content.decode()
    assert "附件未删除：会议已召开，附件已归档，不能再删除" in page and held.attachments.count() == 1


def test_a_cancelled_meeting_takes_no_attachments(demo, client_for, media):
    from dangjian.meetings.services import records

    meeting = group_meeting(demo, org_code="SXX-ZB2", kind="lecture", days_ago=-2, status=MeetingStatus.PLANNED)
    records.do_cancel_meeting(meeting, actor=demo["users"]["zhibu"])
    page = _upload(client_for("zhibu"), meeting, "议程.pdf", FILES["议程.pdf"]).content.decode()
    assert "附件未上传：会议已取消，不能上传附件" in page and not meeting.attachments.exists()


def test_the_minutes_list_the_attachments_as_an_official_document_does(demo, client_for, media):
    """GB/T 9704 附件说明: “附件：1.名称”, the next items aligned under it, no extension."""
    held = group_meeting(demo, org_code="SXX-ZB2", kind="lecture")
    client = client_for("zhibu")
    _upload(client, held, "议程.pdf", FILES["议程.pdf"])
    _upload(client, held, "会议记录.docx", FILES["会议记录.docx"])
    response = client.get(reverse("meetings:minutes_docx", args=[held.pk]))
    lines = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    first = lines.index("附件：1.议程")
    assert lines[first + 1] == "　　　2.会议记录"


def test_the_api_lists_and_serves_attachments_within_scope_and_logs_downloads(demo, client_for, media):
    from django.test import Client

    from dangjian.accounts.models import ApiToken

    meeting = group_meeting(demo, org_code="SXX-ZB1", kind="lecture")
    _upload(client_for("dangwu"), meeting, "议程.pdf", FILES["议程.pdf"])
    item = meeting.attachments.get()

    def api(username, url):
        token = ApiToken.issue(demo["users"][username], "测试")[1]
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(url)

    listed = api("jijian", f"/api/v1/meetings/meetings/{meeting.pk}/attachments").json()
    assert [(a["id"], a["name"], a["size"], a["uploaded_by"]) for a in listed] == [
        (item.pk, "议程.pdf", len(FILES["议程.pdf"]), demo["users"]["dangwu"].get_full_name())]
    response = api("jijian", f"/api/v1/meetings/attachments/{item.pk}/file")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == FILES["议程.pdf"]
    assert AuditEvent.objects.filter(action="file.download", target_id=str(item.pk),
                                     actor=demo["users"]["jijian"]).exists()
    # another branch's secretary: neither the list nor the file, as if they did not exist
    assert api("zhibu", f"/api/v1/meetings/meetings/{meeting.pk}/attachments").status_code == 404
    assert api("zhibu", f"/api/v1/meetings/attachments/{item.pk}/file").status_code == 404
