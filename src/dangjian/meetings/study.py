"""集中学习日 (the seed's "每个周四下午"): generated from the schedule rules on the official calendar,
and study hours per person per year."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dangjian.core import audit, rules, workdays

from .models import STUDY_DAY, Attendance, AttendanceStatus, Meeting, MeetingKind, StudyForm, StudyTopic
from .services import _attendance_rows, expected_people, require_change

FORMS = [StudyForm.LEADER, StudyForm.DISCUSSION, StudyForm.EXPERT, StudyForm.LECTURE]


def _time(key: str) -> dt.time:
    raw = rules.get(key)
    try:
        return dt.time.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(f"规则“{rules.rule(key).label}”应为 14:30 这样的时间") from exc


def study_dates(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """The study days in [start, end] and the ones skipped because they fall on an official holiday.

    The weekday comes from the rule; a day that the official calendar makes a working day counts.
    """
    weekday = rules.get("meetings.study_weekday") - 1
    day = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    held, skipped = [], []
    while day <= end:
        (held if workdays.is_workday(day) else skipped).append(day)
        day += dt.timedelta(days=7)
    return held, skipped


def do_generate_study_days(org, year: int, *, actor, start: dt.date | None = None) -> tuple[int, list[dt.date]]:
    """Create the year's study-day meetings for ``org`` (idempotent: existing days are kept).

    Days before ``start`` (default: today) are not created as planned meetings — they are history.
    Returns how many were created and the holiday days skipped.
    """
    require_change(actor, org.path, f"为“{org}”安排集中学习日")
    kind = MeetingKind.objects.get(code=STUDY_DAY)
    begin = max(dt.date(year, 1, 1), start or timezone.localdate())
    dates, skipped = study_dates(begin, dt.date(year, 12, 31))
    starts, ends = _time("meetings.study_start"), _time("meetings.study_end")
    with transaction.atomic():
        existing = set(Meeting.objects.filter(org=org, kind=kind, date__year=year).values_list("date", flat=True))
        topics = {t.month: t for t in StudyTopic.objects.filter(plan__org=org, plan__year=year).order_by("-id")}
        new = [
            Meeting(org=org, org_path=org.path, kind=kind, title=f"集中学习日（{d.month}月{d.day}日）", date=d,
                    start_time=starts, end_time=ends, place="机关会议室", study_form=FORMS[i % len(FORMS)],
                    study_topic=topics.get(d.month), signin_nonce=secrets.token_hex(4))
            for i, d in enumerate(dates) if d not in existing
        ]
        Meeting.objects.bulk_create(new)
        if new:
            people = expected_people(new[0])
            Attendance.objects.bulk_create(row for m in new for row in _attendance_rows(m, people))
        audit.record("meeting.generate_study_days", actor=actor, target=org, after={
            "year": year, "created": [str(m.date) for m in new], "skipped_holidays": [str(d) for d in skipped]},
            message=f"生成{year}年集中学习日 {len(new)} 次，节假日顺延取消 {len(skipped)} 次")
    return len(new), skipped


def hours_by_person(year: int, visible_attendance):
    """Study hours per person for a year: one grouped query over the visible attendance rows."""
    return (visible_attendance.filter(year=year, meeting__kind__is_study=True)
            .values("person_id", "person__name")
            .annotate(hours=Sum("hours"),
                      present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
                      missed=Count("id", filter=Q(status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LEAVE])),
                      makeup_open=Count("id", filter=Q(makeup_required=True, makeup_done_on__isnull=True)))
            .order_by("-hours", "person__name"))
