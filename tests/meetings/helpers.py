"""Building blocks for the meetings tests: real services on the demo agency."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dangjian.core import workdays
from dangjian.meetings.models import AttendanceStatus, Meeting, MeetingKind, MeetingStatus, Topic
from dangjian.meetings.services import decisions, records
from dangjian.orgs.models import Org


def dangwu(demo):
    return demo["users"]["dangwu"]


def group_meeting(demo, *, days_ago=3, leave=(), kind="party_group", org_code="SXX-DZ", status=MeetingStatus.HELD):
    org = Org.objects.get(code=org_code)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    meeting = records.do_create_meeting(Meeting(
        org=org, kind=MeetingKind.objects.get(code=kind), title="测试会议", date=day, start_time=dt.time(9),
        end_time=dt.time(11), place="会议室", status=status), actor=dangwu(demo))
    if day > timezone.localdate():
        return meeting
    for a in meeting.attendance.all():
        if a.person_id in leave:
            records.do_mark_attendance(meeting, a.person_id, AttendanceStatus.LEAVE, actor=dangwu(demo), reason="出差")
        else:
            records.do_mark_attendance(meeting, a.person_id, AttendanceStatus.PRESENT, actor=dangwu(demo))
    return meeting


def add_topic(demo, meeting, category="fund", amount="100", sent=None, title="关于使用专项资金的议题"):
    sent = sent or workdays.add_workdays(meeting.date, -2).date
    return decisions.do_add_topic(Topic(meeting=meeting, title=title, category=category,
                                       amount=Decimal(amount) if amount else None, materials_sent_on=sent),
                                 actor=dangwu(demo))


def members(meeting):
    """党组成员, principal (secretary) first."""
    return records.group_members(meeting.org_path, meeting.date)


def votes(people, principal, *, principal_first=False, stances=None):
    others = [p for p in people if p.pk != principal.pk]
    order = [principal, *others] if principal_first else [*others, principal]
    stances = stances or {}
    return [decisions.Vote(p.pk, i, stances.get(p.pk, "agree"), stances.get(f"r{p.pk}", "理由充分" if
            stances.get(p.pk, "agree") != "agree" else "")) for i, p in enumerate(order, start=1)]


PLAN_DAY = dt.date(2021, 1, 15)  # the demo's rolling year of 三会一课, laid down as of this day, covers 2020


def branch_plan_2020() -> None:
    """The demo's 三会一课 plan (with its deliberate gaps) for the twelve months of 2020, so that a
    compliance check sees the same records whatever the day the suite runs."""
    import random

    from dangjian.meetings import demo as meetings_demo

    branches = list(Org.objects.filter(code__in=["SXX-ZB1", "SXX-ZB2", "SXX-ZB3"]).order_by("code"))
    kinds = {k.code: k for k in MeetingKind.objects.all()}
    meetings_demo.branch_meetings(branches, kinds, PLAN_DAY, random.Random(2020))
