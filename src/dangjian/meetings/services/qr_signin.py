"""扫码签到: the signed, expiring sign-in code shown at the meeting and the sign-in it allows."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, rule_settings

from ..models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from .records import require_change, study_hours

SIGNIN_SALT = "dangjian.meetings.signin"


# ---- QR sign-in ---------------------------------------------------------------------------------

def signin_token(meeting: Meeting) -> str:
    return signing.TimestampSigner(salt=SIGNIN_SALT).sign(f"{meeting.pk}:{meeting.signin_nonce}")


def meeting_for_token(token: str) -> Meeting:
    """The meeting a sign-in code belongs to, or ValidationError naming why it cannot be used."""
    minutes = rule_settings.get("meetings.signin_minutes")
    try:
        value = signing.TimestampSigner(salt=SIGNIN_SALT).unsign(token, max_age=dt.timedelta(minutes=minutes))
    except signing.SignatureExpired as exc:
        raise ValidationError(f"签到码已过期（有效期 {minutes} 分钟），请请记录人刷新二维码后重新扫码") from exc
    except signing.BadSignature as exc:
        raise ValidationError("签到码无效，请重新扫描会场的二维码") from exc
    pk, _, nonce = value.partition(":")
    meeting = Meeting.objects.select_related("kind", "org").filter(pk=pk).first()
    if meeting is None or meeting.signin_nonce != nonce:
        raise ValidationError("签到码已作废，请重新扫描会场的二维码")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("会议已取消，无须签到")
    return meeting


def do_signin(token: str, *, actor) -> Attendance:
    meeting = meeting_for_token(token)
    person = getattr(actor, "person", None)
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(meeting=meeting, person=person).first() \
            if person else None
        if row is None:
            raise ValidationError("您不在本次会议的应到人员名单中，如需参会请联系记录人")
        if row.status == AttendanceStatus.PRESENT:
            at = timezone.localtime(row.signed_in_at).strftime("%H:%M") if row.signed_in_at else ""
            raise ValidationError(f"您已于{at}签到，每人只能签到一次")
        row.status, row.reason, row.via_qr = AttendanceStatus.PRESENT, "", True
        row.signed_in_at = timezone.now()
        row.hours = study_hours(meeting)
        row.makeup_required = False
        audit.save_audited(row, actor=actor, action="meeting.signin", message="扫码签到")
    return row


def do_rotate_signin(meeting: Meeting, *, actor) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"刷新“{meeting}”的签到码")
        meeting.signin_nonce = secrets.token_hex(4)
        audit.save_audited(meeting, actor=actor, action="meeting.rotate_signin", message="已作废此前的签到码")
    return meeting
