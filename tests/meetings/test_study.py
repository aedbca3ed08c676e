"""Study days every Thursday afternoon on the official calendar; attendance, make-up study and hours."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core import rule_settings
from dangjian.core.models import Notification
from dangjian.meetings import study
from dangjian.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from dangjian.meetings.services import records
from dangjian.orgs.models import Org

from .helpers import dangwu

pytestmark = pytest.mark.django_db
D = dt.date


def test_it_skips_thursdays_that_are_official_holidays(db):
    held, skipped = study.study_dates(D(2026, 1, 1), D(2026, 12, 31))
    assert all(d.weekday() == 3 for d in held + skipped)
    assert D(2026, 1, 1) in skipped  # 元旦
    assert D(2026, 2, 19) in skipped  # 春节
    assert D(2026, 10, 1) in skipped  # 国庆
    assert D(2026, 10, 8) in held and D(2026, 9, 24) in held
    assert len(held) + len(skipped) == 53


def test_an_adjusted_working_day_counts_when_the_rule_moves_study_day(demo):
    rule_settings.set_rule("meetings.study_weekday", "7", actor=demo["users"]["admin"], reason="测试：周日")
    held, skipped = study.study_dates(D(2026, 1, 1), D(2026, 12, 31))
    assert held == [D(2026, 1, 4), D(2026, 9, 20)]  # the two Sundays worked in lieu (调休上班)
    assert len(skipped) == 50


def test_an_unknown_year_counts_monday_to_friday(db):
    held, skipped = study.study_dates(D(2031, 1, 1), D(2031, 1, 31))
    assert held == [D(2031, 1, 2), D(2031, 1, 9), D(2031, 1, 16), D(2031, 1, 23), D(2031, 1, 30)] and not skipped


def test_generating_study_days_is_idempotent_and_audited(demo):
    root = Org.objects.get(code="SXX")
    org = root.add_child(name="测试单位", kind="agency", code="T-STUDY")
    created, skipped = study.do_generate_study_days(org, 2026, actor=dangwu(demo), start=D(2026, 9, 1))
    assert created == 17 and skipped == [D(2026, 10, 1)]
    from dangjian.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="meeting.generate_study_days", target_id=str(org.pk)).count() == 1
    meetings = Meeting.objects.filter(org=org)
    assert {m.start_time for m in meetings} == {dt.time(14, 30)} and {m.end_time for m in meetings} == {dt.time(17)}
    assert {m.study_form for m in meetings} == {"leader", "discussion", "expert", "lecture"}
    assert study.do_generate_study_days(org, 2026, actor=dangwu(demo), start=D(2026, 9, 1))[0] == 0
    with pytest.raises(PermissionDenied):  # a branch secretary cannot schedule the agency's study days
        study.do_generate_study_days(root, 2027, actor=demo["users"]["zhibu"])


def test_absentees_get_a_make_up_task_that_stays_open_until_done(demo):
    meeting = records.do_create_meeting(Meeting(
        org=Org.objects.get(code="SXX"), kind=study.MeetingKind.objects.get(code="study_day"), title="集中学习",
        date=timezone.localdate(), start_time=dt.time(14, 30), end_time=dt.time(17)), actor=dangwu(demo))
    member = demo["users"]["dangyuan"].person
    others = list(meeting.attendance.exclude(person=member).values_list("person_id", flat=True))
    for pid in others[:-1]:
        records.do_mark_attendance(meeting, pid, AttendanceStatus.PRESENT, actor=dangwu(demo))
    with pytest.raises(ValidationError, match="请假须填写请假事由"):
        records.do_mark_attendance(meeting, others[-1], AttendanceStatus.LEAVE, actor=dangwu(demo))
    records.do_mark_attendance(meeting, others[-1], AttendanceStatus.LEAVE, actor=dangwu(demo), reason="出差")
    before = Notification.objects.filter(recipient=member.user).count()
    records.do_close_meeting(meeting, actor=dangwu(demo))
    row = Attendance.objects.get(meeting=meeting, person=member)
    assert row.status == AttendanceStatus.ABSENT and row.makeup_open and row.hours == 0
    assert Notification.objects.filter(recipient=member.user).count() == before + 1
    assert Attendance.objects.get(meeting=meeting, person_id=others[-1]).makeup_open  # leave: make-up too
    with pytest.raises(ValidationError, match="至少写10个字"):
        records.do_complete_makeup(row, "看了", actor=member.user)
    with pytest.raises(PermissionDenied):  # someone else without the right cannot tick it off
        records.do_complete_makeup(row, "自学了全部会议材料并写了笔记", actor=demo["users"]["kezhang"])

    def mine():
        return {r["person_id"]: r for r in study.hours_by_person(meeting.date.year, Attendance.objects.all())}[member.pk]

    before = mine()
    records.do_complete_makeup(row, "自学了全部会议材料并写了笔记", actor=member.user)
    row.refresh_from_db()
    assert not row.makeup_open and row.hours == 2.5
    after = mine()
    assert after["makeup_open"] == before["makeup_open"] - 1 and after["hours"] == before["hours"] + Decimal("2.5")


def test_a_meeting_in_the_past_cannot_be_entered_as_planned(demo):
    count = Meeting.objects.count()
    with pytest.raises(ValidationError) as exc:
        records.do_create_meeting(Meeting(
            org=Org.objects.get(code="SXX"), kind=study.MeetingKind.objects.get(code="study_day"), title="补录",
            date=timezone.localdate() - dt.timedelta(days=7), start_time=dt.time(14), end_time=dt.time(16),
            status=MeetingStatus.PLANNED), actor=dangwu(demo))
    assert "会议日期已过，不能登记为“计划召开”" in exc.value.message_dict["status"][0]
    assert Meeting.objects.count() == count and not Attendance.objects.filter(meeting__title="补录").exists()


def test_hours_per_person_is_one_query(demo, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(study.hours_by_person(timezone.localdate().year, Attendance.objects.all()))
    assert len(rows) >= 50 and all(r["hours"] >= 0 for r in rows)
