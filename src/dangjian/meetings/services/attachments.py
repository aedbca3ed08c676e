"""会议附件: files added to a meeting while it is planned, kept once it is held."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core import audit
from dangjian.core.uploads import random_name, validate_upload

from ..models import (
    Meeting,
    MeetingAttachment,
    MeetingStatus,
)
from .records import require_change

# ---- attachments -------------------------------------------------------------------------------

ATTACHMENT_KINDS = ("pdf", "docx", "doc", "xlsx", "jpg", "png")


def do_add_attachment(meeting: Meeting, upload, *, actor) -> MeetingAttachment:
    """会议附件: checked by content before the transaction (a refusal is a security event that a
    rollback must not lose), stored under a random name, the uploader's file name kept for display."""
    require_change(actor, meeting.org_path, f"为“{meeting}”上传附件")
    original = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    kind = validate_upload(upload, kinds=ATTACHMENT_KINDS, field="file", actor=actor)
    upload.name = random_name(kind)
    with transaction.atomic():
        stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if stored.status == MeetingStatus.CANCELLED:
            raise ValidationError({"file": "会议已取消，不能上传附件"})
        item = MeetingAttachment(meeting=stored, file=upload, name=original, size=upload.size, uploaded_by=actor,
                                 org_id=stored.org_id, org_path=stored.org_path)
        audit.save_audited(item, actor=actor, action="meeting.attachment", message=f"上传附件“{original}”")
    return item


def do_remove_attachment(item: MeetingAttachment, *, actor) -> None:
    """Only while the meeting is still 计划召开: once it is recorded as held (or cancelled) its papers
    are part of the record. The stored file is removed once the deletion has committed."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        require_change(actor, meeting.org_path, f"删除“{meeting}”的附件")
        item = MeetingAttachment.objects.select_for_update().get(pk=item.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError({"file": f"会议{meeting.get_status_display()}，附件已归档，不能再删除"})
        stored = item.file
        audit.delete_audited(item, actor=actor, action="meeting.attachment_remove")
        transaction.on_commit(lambda: stored.delete(save=False))
