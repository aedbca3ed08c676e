"""QR sign-in: a time-limited signed code, each person once; expired, reused and void codes refused."""

import time

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.meetings.models import Attendance, AttendanceStatus, MeetingStatus
from dangjian.meetings.services import qr_signin, records
from dangjian.orgs.models import Person

from .helpers import dangwu, group_meeting

pytestmark = pytest.mark.django_db


class _OldSigner(signing.TimestampSigner):
    """Signs as if the code had been shown an hour ago (the real signer, with an older clock)."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 3600)


def _planned_study(demo):
    import datetime as dt

    from django.utils import timezone

    from dangjian.meetings.models import Meeting, MeetingKind
    from dangjian.orgs.models import Org

    return records.do_create_meeting(Meeting(
        org=Org.objects.get(code="SXX"), kind=MeetingKind.objects.get(code="study_day"), title="集中学习", place="会议室",
        date=timezone.localdate(), start_time=dt.time(14, 30), end_time=dt.time(17)), actor=dangwu(demo))


def test_a_member_signs_in_once_by_scanning_the_code(demo, client_for):
    meeting = _planned_study(demo)
    token = qr_signin.signin_token(meeting)
    client = client_for("dangyuan")
    page = client.get(reverse("meetings:signin", args=[token]))
    assert page.status_code == 200 and "签到（" in page.content.decode()
    response = client.post(reverse("meetings:signin", args=[token]))
    assert "签到成功" in response.content.decode()
    row = Attendance.objects.get(meeting=meeting, person__user__username="dangyuan")
    assert row.status == AttendanceStatus.PRESENT and row.via_qr and row.hours == 2.5
    again = client.post(reverse("meetings:signin", args=[token]))
    assert again.status_code == 400 and "每人只能签到一次" in again.content.decode()
    assert AuditEvent.objects.filter(action="meeting.signin", target_id=str(row.pk)).count() == 1


def test_an_expired_code_is_refused(demo):
    meeting = _planned_study(demo)
    old = _OldSigner(salt=qr_signin.SIGNIN_SALT).sign(f"{meeting.pk}:{meeting.signin_nonce}")
    with pytest.raises(ValidationError) as exc:
        qr_signin.do_signin(old, actor=demo["users"]["dangyuan"])
    assert "签到码已过期（有效期 30 分钟）" in exc.value.messages[0]
    assert not Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT).exists()


def test_a_forged_or_rotated_code_is_refused(demo):
    meeting = _planned_study(demo)
    token = qr_signin.signin_token(meeting)
    with pytest.raises(ValidationError, match="签到码无效"):
        qr_signin.do_signin(token[:-2] + "xx", actor=demo["users"]["dangyuan"])
    qr_signin.do_rotate_signin(meeting, actor=dangwu(demo))
    with pytest.raises(ValidationError, match="签到码已作废"):
        qr_signin.do_signin(token, actor=demo["users"]["dangyuan"])


def test_someone_not_expected_cannot_sign_in(demo):
    meeting = group_meeting(demo, status=MeetingStatus.PLANNED, days_ago=0)  # 党组会议: members only
    with pytest.raises(ValidationError, match="不在本次会议的应到人员名单中"):
        qr_signin.do_signin(qr_signin.signin_token(meeting), actor=demo["users"]["dangyuan"])


def test_the_qr_code_is_an_svg_made_on_the_server_for_the_recorder_only(demo, client_for):
    meeting = _planned_study(demo)
    response = client_for("dangwu").get(reverse("meetings:qr", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") or b"<svg" in response.content[:300]
    # an attendee sees the meeting (their own) but may not show its code
    assert client_for("dangyuan").get(reverse("meetings:qr", args=[meeting.pk])).status_code == 403
    assert client_for("jijian").get(reverse("meetings:qr", args=[meeting.pk])).status_code == 403


def test_signin_through_the_api(demo, client_for):
    meeting = _planned_study(demo)
    client = client_for("dangyuan")
    csrf = client.get("/meetings/my/").cookies.get("csrftoken")
    headers = {"X-CSRFToken": csrf.value} if csrf else {}
    ok = client.post("/api/v1/meetings/signin", {"token": qr_signin.signin_token(meeting)},
                     content_type="application/json", headers=headers)
    assert ok.status_code == 200, ok.content
    person = Person.objects.get(user__username="dangyuan")
    assert ok.json()["person_id"] == person.pk
    again = client.post("/api/v1/meetings/signin", {"token": qr_signin.signin_token(meeting)},
                        content_type="application/json", headers=headers)
    assert again.status_code == 422 and "每人只能签到一次" in str(again.json())
