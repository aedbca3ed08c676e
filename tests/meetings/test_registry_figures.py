"""The 会议学习 figures of the registry (meetings/figures.py) equal the demo records counted by hand."""

import datetime as dt
import random

import pytest

from dangjian.accounts.models import RoleAssignment
from dangjian.core.figures import FigureScope, Period, get, values_for
from dangjian.core.scope import scope_roots
from dangjian.meetings import demo as meetings_demo
from dangjian.meetings.models import Activity, Attendance, Meeting, MeetingKind, Opinion, Topic
from dangjian.orgs.models import Org, OrgKind
from tests.conftest import freeze_today, signed_in

from .helpers import PLAN_DAY, branch_plan_2020

pytestmark = pytest.mark.django_db


def _scope(demo, code: str, period: Period) -> FigureScope:
    return FigureScope((demo["orgs"][code].path,), period)


def _values(scope, *keys):
    return {k.removeprefix("meetings."): v for k, v in values_for(keys, scope).items()}


def test_gaps_count_the_branches_with_a_missing_meeting_in_blocks_that_ended(demo, monkeypatch):
    branch_plan_2020()  # meetings.demo.GAPS: 第三党支部 May committee and August theme day, 第二党支部 Q2 lecture
    freeze_today(monkeypatch, PLAN_DAY)
    branches = Org.objects.filter(path__startswith=demo["orgs"]["SXX"].path, kind=OrgKind.BRANCH, is_active=True)
    year = _values(_scope(demo, "SXX", Period.year(2020)), "meetings.three_one.gaps", "meetings.three_one.gap_rate")
    assert year["three_one.gaps"].count == 2
    assert (year["three_one.gap_rate"].count, year["three_one.gap_rate"].total) == (2, branches.count())
    assert set(get("meetings.three_one.gaps").records(_scope(demo, "SXX", Period.year(2020)))
               .values_list("code", flat=True)) == {"SXX-ZB2", "SXX-ZB3"}
    # May: only the monthly committee meeting's block ended then (the lecture's quarter ends in June)
    may = get("meetings.three_one.gaps").records(_scope(demo, "SXX", Period.month(2020, 5)))
    assert list(may.values_list("code", flat=True)) == ["SXX-ZB3"]
    assert get("meetings.three_one.gaps").evaluate(_scope(demo, "SXX-ZB1", Period.year(2020))).count == 0


def test_meetings_and_study_figures_equal_the_records_counted_by_hand(demo, frozen_today):
    month = Period.month(frozen_today.year, 10)
    root = demo["orgs"]["SXX"].path
    meetings = [m for m in Meeting.objects.select_related("kind")
                if m.status == "held" and month.start <= m.date <= month.end and m.org_path.startswith(root)]
    rows = [a for a in Attendance.objects.select_related("meeting__kind")
            if a.meeting in meetings and a.meeting.kind.is_study]
    got = _values(_scope(demo, "SXX", month), "meetings.held", "meetings.study.sessions", "meetings.study.hours",
                  "meetings.study.attendance_rate")
    assert got["held"].count == len(meetings) > 0
    assert got["study.sessions"].count == sum(1 for m in meetings if m.kind.is_study) > 0
    assert got["study.hours"].count == sum(a.hours for a in rows) > 0
    rate = got["study.attendance_rate"]
    assert (rate.count, rate.total) == (sum(1 for a in rows if a.status == "present"), len(rows))


def test_decision_figures_read_the_rule_check_and_the_principal_speaking_last(demo, frozen_today):
    decided = Topic.objects.exclude(category="").filter(outcome__in=["passed", "rejected"])
    year = Period.year(decided.first().decided_at.year)
    keys = ("meetings.decisions.count", "meetings.decisions.compliance_rate", "meetings.decisions.pending")
    got = _values(_scope(demo, "SXX", year), *keys)
    # the demo's 党组会议: 120万元 fund and the 财务科科长 appointment decided; the 综合楼 investment deferred and
    # the 85万元 fund (a 大额资金 by the rule) on the agenda of the coming meeting
    assert got["decisions.count"].count == 2 and got["decisions.compliance_rate"].display == "100.0%"
    assert got["decisions.pending"].count == 2 == Topic.objects.exclude(category="").filter(
        outcome__in=["", "deferred"]).count()
    # the principal's stance recorded first on one topic: that decision no longer counts as compliant
    topic = decided.filter(category="fund").first()
    principal = Opinion.objects.get(topic=topic, is_principal=True)
    Opinion.objects.filter(pk=principal.pk).update(order=0)
    assert _values(_scope(demo, "SXX", year), *keys)["decisions.compliance_rate"].display == "50.0%"
    # nothing of the 党组 counts under a branch
    assert _values(_scope(demo, "SXX-ZB2", year), *keys)["decisions.count"].count == 0


def test_activity_figures_count_activities_distinct_units_and_participations(demo):
    red = Activity.objects.get(kind="red")
    got = _values(_scope(demo, "SXX", Period.year(red.date.year)), "meetings.activities.count",
                  "meetings.activities.units", "meetings.activities.people")
    activities = [a for a in Activity.objects.prefetch_related("units", "participants")
                  if a.date.year == red.date.year]
    assert got["activities.count"].count == len(activities)
    assert got["activities.units"].count == len({u.pk for a in activities for u in a.units.all()}) == 4
    assert got["activities.people"].count == sum(len(a.participants.all()) for a in activities) > 0


def test_the_home_panels_show_the_registry_figures_with_links(demo, frozen_today):
    html = signed_in(demo["users"]["dangyuan"]).get("/").content.decode()
    for key in ("meetings.mine.upcoming", "meetings.mine.attended", "meetings.mine.study_hours"):
        assert f"/figures/{key}/" in html
    mine = FigureScope((), Period.year(frozen_today.year), demo["users"]["dangyuan"].person.pk)
    rows = Attendance.objects.filter(person=mine.person_id, meeting__date__year=frozen_today.year,
                                     meeting__kind__is_study=True, meeting__status="held")
    assert get("meetings.mine.study_hours").evaluate(mine).count == sum(a.hours for a in rows) > 0
    assert get("meetings.mine.makeups").evaluate(mine).count == Attendance.objects.filter(
        person=mine.person_id, makeup_required=True, makeup_done_on__isnull=True).count()


def test_module_pages_show_the_registry_figures_and_link_them(demo, monkeypatch):
    # a year the demo's dated grants cover, with the demo's 三会一课 plan (and its gaps in two branches) laid down
    year = RoleAssignment.objects.order_by("valid_from").first().valid_from.year + 1
    day = freeze_today(monkeypatch, dt.date(year + 1, 1, 15))
    branches = list(Org.objects.filter(code__in=["SXX-ZB1", "SXX-ZB2", "SXX-ZB3"]).order_by("code"))
    meetings_demo.branch_meetings(branches, {k.code: k for k in MeetingKind.objects.all()}, day, random.Random(year))
    user = demo["users"]["dangwu"]
    client = signed_in(user)
    response = client.get(f"/meetings/compliance/?year={year}")
    scope = FigureScope(tuple(scope_roots(user, "meeting.view")), Period.year(year))
    assert response.context["gap_branches"] == get("meetings.three_one.gaps").evaluate(scope).count == 2
    assert f"/figures/meetings.three_one.gaps/?period={year}" in response.content.decode()
    for url, key in ((f"/meetings/study/?year={year}", "meetings.study.hours"),
                     (f"/meetings/ledger/?year={year}", "meetings.decisions.compliance_rate"),
                     ("/meetings/my/", "meetings.mine.makeups")):
        assert f"/figures/{key}/" in client.get(url).content.decode(), url
