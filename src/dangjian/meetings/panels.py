"""Home-page figures of 会议学习 (core.panels.HOME_PANELS)."""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from dangjian.core.panels import Figure
from dangjian.core.scope import has_capability

from .models import Attendance, AttendanceStatus, Meeting, MeetingStatus, Outcome, Topic


def my_panel(user) -> list[Figure]:
    if getattr(user, "person", None) is None:
        return []
    year = timezone.localdate().year
    mine = Attendance.objects.visible_to(user).filter(person__user=user)
    agg = mine.aggregate(
        hours=Sum("hours", filter=Q(year=year, meeting__kind__is_study=True)),
        attended=Count("id", filter=Q(meeting__date__year=year, meeting__status=MeetingStatus.HELD,
                                      status=AttendanceStatus.PRESENT)),
        makeups=Count("id", filter=Q(makeup_required=True, makeup_done_on__isnull=True)),
        upcoming=Count("id", filter=Q(meeting__date__gte=timezone.localdate(), meeting__status="planned")))
    return [
        Figure("待参加的会议", agg["upcoming"], "/meetings/my/"),
        Figure(f"{year}年本人出席会议", agg["attended"], "/meetings/my/"),
        Figure("待补学", agg["makeups"], "/meetings/my/", alert=bool(agg["makeups"])),
        Figure(f"{year}年学习时长（小时）", agg["hours"] or 0, "/meetings/my/"),
    ]


def scope_panel(user) -> list[Figure]:
    if not has_capability(user, "meeting.view"):
        return []
    year = timezone.localdate().year
    # the meetings held this year that the user sees: their scope's, and those they were expected at or attended
    meetings = Meeting.objects.visible_to(user).filter(date__year=year, status=MeetingStatus.HELD).count()
    undecided = Topic.objects.visible_to(user).filter(year=year).exclude(category="").filter(
        outcome__in=[Outcome.PENDING, Outcome.DEFERRED]).count()
    return [
        Figure(f"{year}年已召开会议", meetings, "/meetings/"),
        Figure("“三重一大”未决事项", undecided, "/meetings/ledger/", alert=bool(undecided)),
        Figure("三会一课缺项", "查看", "/meetings/compliance/"),
    ]
