"""三会一课 compliance: the gap report names each missing meeting, in a constant number of queries."""

import datetime as dt

import pytest

from dangjian.meetings import compliance
from dangjian.meetings.models import Meeting, MeetingKind, MeetingStatus
from dangjian.meetings.services import records
from dangjian.orgs.models import Org

from .helpers import PLAN_DAY, branch_plan_2020, dangwu

pytestmark = pytest.mark.django_db


def test_it_names_the_demo_gaps_and_nothing_else(demo):
    branch_plan_2020()
    root = Org.objects.get(code="SXX")
    branches, gaps, _held = compliance.gap_report(root.path, 2020, today=PLAN_DAY)
    assert [b[2] for b in branches] == ["第一党支部", "第二党支部", "第三党支部"]
    # meetings.demo.GAPS: the 第三党支部's May committee and August theme day, the 第二党支部's 党课 in
    # April–June (the quarter's one lecture is planned for April); everything else was held.
    assert {(g.branch, g.kind, g.period) for g in gaps} == {
        ("第三党支部", "支部委员会", "2020年5月"), ("第三党支部", "主题党日", "2020年8月"),
        ("第二党支部", "党课", "2020年第2季度")}


def test_a_fixed_year_with_nothing_held_lists_every_period(demo):
    root = Org.objects.get(code="SXX-ZB1")
    _b, gaps, _h = compliance.gap_report(root.path, 2020, today=dt.date(2021, 1, 1))
    kinds = {}
    for g in gaps:
        kinds[g.kind] = kinds.get(g.kind, 0) + 1
    assert kinds == {"支部党员大会": 4, "支部委员会": 12, "党小组会": 12, "党课": 4, "主题党日": 12}
    assert {g.period for g in gaps if g.kind == "党课"} == {f"2020年第{q}季度" for q in range(1, 5)}


def test_a_meeting_held_fills_its_gap_and_cell_meetings_count_for_the_branch(demo):
    branch = Org.objects.get(code="SXX-ZB1")
    cell = Org.objects.get(code="SXX-ZB1-XZ1")
    for org, code in ((branch, "lecture"), (cell, "cell")):
        records.do_create_meeting(Meeting(org=org, kind=MeetingKind.objects.get(code=code), title="补开",
                                           date=dt.date(2020, 5, 12), start_time=dt.time(9), end_time=dt.time(10),
                                           status=MeetingStatus.HELD), actor=dangwu(demo))
    _b, gaps, _h = compliance.gap_report(branch.path, 2020, today=dt.date(2021, 1, 1))
    periods = {(g.kind, g.period) for g in gaps}
    assert ("党课", "2020年第2季度") not in periods and ("党课", "2020年第1季度") in periods
    assert ("党小组会", "2020年5月") not in periods and ("党小组会", "2020年4月") in periods


def test_the_frequency_is_a_rule(demo):
    from dangjian.core import rule_settings

    rule_settings.set_rule("meetings.freq.lecture", "6", actor=demo["users"]["admin"], reason="半年一次")
    _b, gaps, _h = compliance.gap_report(Org.objects.get(code="SXX-ZB1").path, 2020, today=dt.date(2021, 1, 1))
    assert {g.period for g in gaps if g.kind == "党课"} == {"2020年上半年", "2020年下半年"}


def test_the_report_runs_in_constant_queries_whatever_the_number_of_branches(demo, django_assert_num_queries):
    root = Org.objects.get(code="SXX")
    compliance.requirements()  # warm the rule cache
    with django_assert_num_queries(3):
        compliance.gap_report(root.path, 2020, today=dt.date(2021, 1, 1))
    committee = Org.objects.get(code="SXX-JGDW")
    for i in range(5):
        committee.refresh_from_db()
        committee.add_child(name=f"新支部{i}", kind="branch", code=f"T-NEW{i}")
    with django_assert_num_queries(3):
        _b, gaps, _h = compliance.gap_report(root.path, 2020, today=dt.date(2021, 1, 1))
    assert sum(1 for g in gaps if g.branch == "新支部4") == 44


def test_each_calendar_cell_counts_the_meetings_held_in_its_month(demo):
    """Issue 11 item 23: the monthly counts sit under their own month's header and count the meetings held."""
    import re

    from django.conf import settings

    from tests.conftest import signed_in

    branch_plan_2020()
    page = signed_in(dangwu(demo)).get("/meetings/compliance/", {"year": 2020}).content.decode()
    table = page.split("召开日历")[1].split("</table>")[0]
    # the headers are aligned as the counts are (right), so each count sits under its own month, not beside the next
    header = re.findall(r'<th class="num">(\d+)月</th>', table)
    assert header == [str(m) for m in range(1, 13)]
    css = (settings.STATICFILES_DIRS[0] / "dangjian" / "app.css").read_text()
    assert re.search(r"table\.data th\.num\s*\{[^}]*text-align:\s*right", css)
    codes = [r.code for r in compliance.requirements()]
    for name, cells in re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", table, re.S):
        values = [0 if v == "·" else int(v) for v in re.findall(r'<td class="num">([^<]*)</td>', cells)]
        branch = Org.objects.get(name=name, code__startswith="SXX-ZB")
        held = Meeting.objects.filter(org_path__startswith=branch.path, status=MeetingStatus.HELD, date__year=2020,
                                      kind__code__in=codes)
        assert values == [held.filter(date__month=m).count() for m in range(1, 13)], name
        assert sum(values) > 12
