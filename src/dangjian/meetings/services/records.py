"""会议与出席: who should attend, recording a meeting and its attendance, make-up study, minutes.

Each action (do_*) re-checks scope, enforces the rules, runs in one transaction and writes the audit trail.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.notify import notify
from dangjian.core.scope import path_in_scope
from dangjian.orgs.models import LEADERSHIP_TITLES, OrgKind, PartyStatus, Person, PositionTitle
from dangjian.orgs.services import current_positions

from ..models import (
    Attendance,
    AttendanceStatus,
    Audience,
    Meeting,
    MeetingStatus,
    Topic,
)

COMMITTEE_TITLES = (PositionTitle.BRANCH_SECRETARY, PositionTitle.BRANCH_DEPUTY, PositionTitle.ORGANIZATION,
                    PositionTitle.PUBLICITY, PositionTitle.DISCIPLINE)
def require_change(actor, org_path: str, what: str) -> None:
    if not path_in_scope(actor, "meeting.change", org_path):
        raise PermissionDenied(f"无权{what}")



# ---- who should attend --------------------------------------------------------------------------

def _current_positions(org_path: str, titles, on: dt.date):
    return current_positions(titles, on).filter(org_path=org_path)


def group_members(org_path: str, on: dt.date) -> list[Person]:
    """党组成员 on a day: current secretary, members and discipline head of the 党组 (principal first)."""
    rows = _current_positions(org_path, LEADERSHIP_TITLES, on).select_related("person").order_by("title", "id")
    seen, out = set(), []
    for p in sorted(rows, key=lambda r: LEADERSHIP_TITLES.index(r.title)):
        if p.person_id not in seen:
            seen.add(p.person_id)
            out.append(p.person)
    return out


def principal_of(org_path: str, on: dt.date) -> Person | None:
    row = _current_positions(org_path, [PositionTitle.SECRETARY], on).select_related("person").first()
    return row.person if row else None


def expected_people(meeting: Meeting) -> list[Person]:
    org, audience = meeting.org, meeting.kind.audience
    if audience == Audience.GROUP:
        return group_members(org.path, meeting.date)
    if audience == Audience.COMMITTEE:
        rows = _current_positions(org.path, COMMITTEE_TITLES, meeting.date).select_related("person")
        return list({r.person_id: r.person for r in rows}.values())
    people = Person.objects.filter(is_active=True)
    if audience == Audience.PARTY:
        # A 党小组's members are not recorded apart from its branch: the branch's members attend.
        base = org.path[: -org.steplen] if org.kind == OrgKind.CELL else org.path
        return list(people.filter(branch_path__pathprefix=base,
                                  party_status__in=[PartyStatus.FULL, PartyStatus.PROBATIONARY]).order_by("id"))
    return list(people.filter(Q(org_path__pathprefix=org.path) | Q(branch_path__pathprefix=org.path)).order_by("id"))


# ---- meetings -----------------------------------------------------------------------------------

def _validate_meeting(meeting: Meeting, *, date_changed: bool) -> None:
    errors = {}
    if meeting.start_time and meeting.end_time and meeting.end_time <= meeting.start_time:
        errors["end_time"] = "结束时间须晚于开始时间"
    today = timezone.localdate()
    if meeting.status == MeetingStatus.PLANNED and meeting.date and meeting.date < today and date_changed:
        errors["status"] = "会议日期已过，不能登记为“计划召开”：已开的会请登记为“已召开”"
    if meeting.status == MeetingStatus.HELD and meeting.date and meeting.date > today:
        errors["status"] = "会议日期在今天之后，不能登记为“已召开”"
    if meeting.study_form and not meeting.kind.is_study:
        errors["study_form"] = f"“{meeting.kind}”不是学习类会议，不填学习形式"
    if errors:
        raise ValidationError(errors)


def attendance_rows(meeting: Meeting, people) -> list[Attendance]:
    return [Attendance(meeting=meeting, person=p, org=meeting.org, org_path=meeting.org_path, year=meeting.date.year)
            for p in people]


def do_create_meeting(meeting: Meeting, *, actor) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org.path, f"在“{meeting.org}”登记会议")
        _validate_meeting(meeting, date_changed=True)
        meeting.signin_nonce = secrets.token_hex(4)
        audit.save_audited(meeting, actor=actor, action="meeting.create")
        Attendance.objects.bulk_create(attendance_rows(meeting, expected_people(meeting)))
    return meeting


def do_update_meeting(meeting: Meeting, *, actor, expected_version: int | None) -> Meeting:
    with transaction.atomic():
        stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
        require_change(actor, stored.org_path, f"修改“{stored}”")
        require_change(actor, meeting.org.path, f"把会议移到“{meeting.org}”")
        _validate_meeting(meeting, date_changed=stored.date != meeting.date or stored.status != meeting.status)
        audit.save_audited(meeting, actor=actor, action="meeting.update", expected_version=expected_version)
        if stored.date.year != meeting.date.year or stored.org_id != meeting.org_id:
            for model in (Attendance, Topic):
                for row in model.objects.filter(meeting=meeting):
                    row.year, row.org, row.org_path = meeting.date.year, meeting.org, meeting.org_path
                    row.save(update_fields=["year", "org", "org_path"])
    return meeting


def study_hours(meeting: Meeting) -> Decimal:
    return Decimal(str(meeting.hours)) if meeting.kind.is_study else Decimal(0)


def do_mark_attendance(meeting: Meeting, person_id: int, status: str, *, actor, reason: str = "") -> Attendance:
    """The recorder enters one person's attendance (出席 / 请假 with reason / 缺席)."""
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"登记“{meeting}”的出席情况")
        row = Attendance.objects.select_for_update().filter(meeting=meeting, person_id=person_id).first()
        if row is None:
            raise ValidationError({"person": "此人不在本次会议的应到人员名单中"})
        if status not in AttendanceStatus.values or status == AttendanceStatus.EXPECTED:
            raise ValidationError({"status": "出席情况应为出席、请假或缺席"})
        if status == AttendanceStatus.LEAVE and not reason.strip():
            raise ValidationError({"reason": "请假须填写请假事由"})
        if status == AttendanceStatus.PRESENT and meeting.date > timezone.localdate():
            raise ValidationError({"status": "会议尚未召开，不能登记出席"})
        row.status, row.reason = status, reason.strip()[:200] if status == AttendanceStatus.LEAVE else ""
        # Marking by hand records no sign-in time (the moment of data entry is not when anyone arrived); a QR
        # sign-in already on the row keeps its time.
        if status != AttendanceStatus.PRESENT or not row.via_qr:
            row.signed_in_at, row.via_qr = None, False
        row.hours = study_hours(meeting) if status == AttendanceStatus.PRESENT else Decimal(0)
        row.makeup_required = meeting.status == MeetingStatus.HELD and meeting.kind.is_study and \
            status != AttendanceStatus.PRESENT
        audit.save_audited(row, actor=actor, action="meeting.attendance")
    return row


def do_close_meeting(meeting: Meeting, *, actor, expected_version: int | None = None) -> Meeting:
    """登记为已召开: whoever has not signed in is absent; study absentees get a make-up study task."""
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"登记“{meeting}”已召开")
        if meeting.date > timezone.localdate():
            raise ValidationError({"status": "会议日期在今天之后，不能登记为“已召开”"})
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError({"status": "会议已取消"})
        meeting.status = MeetingStatus.HELD
        audit.save_audited(meeting, actor=actor, action="meeting.close", expected_version=expected_version)
        missing = []
        for row in Attendance.objects.select_for_update(of=("self",)).filter(meeting=meeting).exclude(
                status=AttendanceStatus.PRESENT).select_related("person__user"):
            if row.status == AttendanceStatus.EXPECTED:
                row.status = AttendanceStatus.ABSENT
            row.makeup_required = meeting.kind.is_study
            audit.save_audited(row, actor=actor, action="meeting.attendance")
            if row.makeup_required:
                missing.append(row)
        for row in missing:
            notify(row.person, f"请补学：{meeting}", f"您未参加{meeting.kind}（{meeting.date:%Y-%m-%d}），请完成补学后登记。",
                   link="/meetings/my/", category="meetings")
    return meeting


def do_cancel_meeting(meeting: Meeting, *, actor) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"取消“{meeting}”")
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError({"status": "只有“计划召开”的会议可以取消"})
        meeting.status = MeetingStatus.CANCELLED
        audit.save_audited(meeting, actor=actor, action="meeting.cancel")
    return meeting


def do_complete_makeup(row: Attendance, note: str, *, actor) -> Attendance:
    """补学: done by the absentee themselves, or entered by someone who may change the meeting."""
    with transaction.atomic():
        row = lock_row(Attendance, row.pk, "meeting__kind", "person")
        own = row.person.user_id == actor.pk
        if not own:
            require_change(actor, row.org_path, f"登记{row.person}的补学")
        if not row.makeup_required:
            raise ValidationError({"makeup_note": "本次会议无须补学"})
        if row.makeup_done_on:
            raise ValidationError({"makeup_note": f"已于{row.makeup_done_on:%Y-%m-%d}完成补学"})
        if len(note.strip()) < 10:
            raise ValidationError({"makeup_note": "补学情况至少写10个字（学习了什么、怎么学的）"})
        row.makeup_done_on, row.makeup_note = timezone.localdate(), note.strip()
        row.hours = study_hours(row.meeting)
        audit.save_audited(row, actor=actor, action="meeting.makeup")
    return row


def do_save_minutes(meeting: Meeting, minutes: str, *, actor, expected_version: int | None) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"填写“{meeting}”的会议记录")
        meeting.minutes = minutes
        audit.save_audited(meeting, actor=actor, action="meeting.minutes", expected_version=expected_version)
    return meeting
