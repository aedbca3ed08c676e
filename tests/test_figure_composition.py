"""Composition (core/figures.py) and the generations of the values' cache (core/figure_cache.py): a high node's
value is its own records' and its children's, each kept under its own subtree's generation; it equals the value
read from the records for every figure, and a change below a node is seen at once there and above, while
the values of other subtrees stay cached."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dangjian.assessment.evaluation_models import Ballot, Evaluation, EvaluationRound, RoundStatus
from dangjian.core import figure_cache, figures, rule_settings, workdays
from dangjian.core.figures import FigureScope, Period
from dangjian.matters import services
from dangjian.matters.models import Matter, SavedFilter
from dangjian.meetings import compliance
from dangjian.meetings.figures import ComposedGaps
from dangjian.meetings.models import Attendance, CalendarFeed, Meeting, MeetingKind
from dangjian.meetings.services.records import attendance_rows
from dangjian.orgs.models import Org, OrgKind
from dangjian.reports import dashboards, tasks

NODES = ("SXX", "SXX-JGDW", "SXX-ZB2", "SXX-BGS")


@pytest.fixture
def composing(settings):
    """Values cached, and every node of the demo's tree above its 党小组 composed of its children."""
    settings.FIGURES_CACHE_SECONDS = 300
    settings.FIGURES_COMPOSE_DEPTH = 4


def _numbers(values: dict) -> dict:
    return {key: (v.count, v.total) for key, v in values.items()}


def _open(demo, code: str) -> int:
    scope = FigureScope((demo["orgs"][code].path,), Period.year(dt.date.today().year))
    return figures.get("matters.open").evaluate(scope).count


@pytest.mark.parametrize("year", [dt.date.today().year, dt.date.today().year - 1])
def test_every_composed_value_equals_the_value_read_from_its_records(demo, composing, settings, year):
    figs = [f for f in figures.REGISTRY.values() if not f.personal]
    period = Period.year(year)
    composed = [f for f in figs if figures.composes(f, FigureScope((demo["orgs"]["SXX"].path,), period))]
    assert len(composed) > 30 and figures.get("meetings.activities.units") not in composed  # distinct units
    for code in NODES:
        scope = FigureScope((demo["orgs"][code].path,), period)
        first = _numbers(figures.evaluate_many(figs, scope))  # composed, read into the cache
        again = _numbers(figures.evaluate_many(figs, scope))  # from the cache
        settings.FIGURES_CACHE_SECONDS = 0  # nothing kept: one aggregate over the subtree, one scan of its branches
        direct = _numbers(figures.evaluate_many(figs, scope))
        settings.FIGURES_CACHE_SECONDS = 300
        assert first == direct == again, code
    assert sum(v[0] for v in direct.values()) > 0


def test_a_change_is_seen_at_once_above_it_and_only_its_subtrees_are_read_again(demo, composing, committed):
    bgs, zb2 = demo["orgs"]["SXX-BGS"], demo["orgs"]["SXX-ZB2"]
    before = {code: _open(demo, code) for code in ("SXX", "SXX-BGS", "SXX-ZB2")}
    with committed():
        services.do_create_matter(Matter(kind="rectify", title="新的整改事项", org=bgs, received_on=dt.date.today()),
                                  actor=demo["users"]["dangwu"])
    with CaptureQueriesContext(connection) as ctx:
        assert _open(demo, "SXX") == before["SXX"] + 1
    read_again = " ".join(q["sql"] for q in ctx.captured_queries)
    assert bgs.path in read_again and zb2.path not in read_again  # the other sections' values stayed
    assert _open(demo, "SXX-BGS") == before["SXX-BGS"] + 1
    with CaptureQueriesContext(connection) as ctx:
        assert _open(demo, "SXX-ZB2") == before["SXX-ZB2"]
    assert ctx.captured_queries == []


def test_a_change_below_a_node_does_not_read_the_records_at_the_node_again(demo, composing, committed):
    """The records at a node are kept under a generation of their own: after a change in a 党小组, the province
    of the demo (SXX) and its 机关党委 (JGDW) read nothing; the branch above the 党小组 reads its own records and
    the 党小组's, in one query."""
    cell = demo["orgs"]["SXX-ZB2-XZ1"]
    tasks.warm_dashboards_daily.call_local()  # every composed node's parts kept, as each night
    before = _open(demo, "SXX")
    with committed():
        services.do_create_matter(Matter(kind="rectify", title="党小组的整改事项", org=cell,
                                         received_on=dt.date.today()), actor=demo["users"]["dangwu"])
    with CaptureQueriesContext(connection) as ctx:
        assert _open(demo, "SXX") == before + 1
    matters = [q["sql"] for q in ctx.captured_queries if "matters_matter" in q["sql"]]
    assert len(matters) == 1 and cell.path in matters[0]
    assert not any(f"= '{demo['orgs'][code].path}'" in matters[0] for code in ("SXX", "SXX-JGDW"))


def test_a_record_read_by_figures_elsewhere_drops_their_values(demo, composing, settings, committed):
    """An evaluation counts by its round's approval (figure_cache.depends): the round lies at the agency, the
    evaluations at each cadre's unit, whose values must drop when the round is approved."""
    rnd = EvaluationRound.objects.filter(evaluations__grade__gt="").exclude(status=RoundStatus.APPROVED).first() \
        or EvaluationRound.objects.filter(evaluations__grade__gt="").first()
    assert rnd is not None
    unit = Evaluation.objects.filter(round=rnd).exclude(org_path=rnd.org_path).exclude(grade="").first().org_path
    fig = figures.get("assessment.evaluations.excellent_share")
    scope = FigureScope((unit,), Period.year(dt.date.today().year))
    before = fig.evaluate(scope).total
    rnd.status = RoundStatus.OPEN if rnd.status == RoundStatus.APPROVED else RoundStatus.APPROVED
    rnd.approved_on = dt.date.today()
    with committed():
        rnd.save()
    kept = fig.evaluate(scope).total
    settings.FIGURES_CACHE_SECONDS = 0
    assert kept == fig.evaluate(scope).total != before


def test_a_record_moved_to_another_node_changes_both(demo, composing, committed):
    bgs, zb2 = demo["orgs"]["SXX-BGS"], demo["orgs"]["SXX-ZB2"]
    before = {code: _open(demo, code) for code in ("SXX", "SXX-BGS", "SXX-ZB2")}
    matter = Matter.objects.filter(org=bgs).exclude(status="closed").first()
    matter.org = zb2
    with committed():
        matter.save()
    assert {code: _open(demo, code) for code in before} == {
        "SXX": before["SXX"], "SXX-BGS": before["SXX-BGS"] - 1, "SXX-ZB2": before["SXX-ZB2"] + 1}


def _held(demo, code: str) -> int:
    scope = FigureScope((demo["orgs"][code].path,), Period.year(dt.date.today().year))
    return figures.get("meetings.held").evaluate(scope).count


def test_a_bulk_update_is_seen_at_once_in_the_nodes_its_rows_lie_in_and_above(demo, composing, committed):
    zb2, bgs = demo["orgs"]["SXX-ZB2"], demo["orgs"]["SXX-BGS"]
    before = {code: _held(demo, code) for code in ("SXX", "SXX-BGS", "SXX-ZB2", "SXX-CWK")}
    held = Meeting.objects.filter(status="held", date__year=dt.date.today().year)
    own = held.filter(org=zb2).count()  # the branch's own, not its 党小组's
    assert own > 0 and not zb2.path.startswith(demo["orgs"]["SXX-CWK"].path)
    # a bulk move (the path set by the update) changes the node the rows left and the one they went to
    with committed():
        assert held.filter(org=zb2).update(org=bgs, org_path=bgs.path) == own
    assert (_held(demo, "SXX-ZB2"), _held(demo, "SXX-BGS")) == (before["SXX-ZB2"] - own, before["SXX-BGS"] + own)
    assert _held(demo, "SXX") == before["SXX"]
    with CaptureQueriesContext(connection) as ctx:
        assert _held(demo, "SXX-CWK") == before["SXX-CWK"]  # a subtree it did not touch stays cached
    assert ctx.captured_queries == []
    with committed():
        planned = held.filter(org=bgs).update(status="planned")
    assert planned == before["SXX-BGS"] + own
    assert (_held(demo, "SXX"), _held(demo, "SXX-BGS")) == (before["SXX"] - planned, 0)


def test_a_bulk_update_of_a_record_read_elsewhere_drops_every_value(demo, composing, committed):
    """A matter is read by the findings and petitions it rectifies, wherever they lie (figure_cache.depends):
    changed in bulk, without the records at hand, it drops every value."""
    generation = figure_cache.generations()[None]
    with committed():
        Matter.objects.filter(org=demo["orgs"]["SXX-BGS"]).update(status="closed")
    assert figure_cache.generations()[None] != generation


def test_bulk_created_records_are_seen_at_once(demo, composing, committed):
    period = Period.year(dt.date.today().year)
    fig = figures.get("meetings.study.attendance_rate")  # its total: the attendance rows of study meetings held
    meeting = Meeting.objects.filter(kind__is_study=True, status="held", date__year=period.start.year,
                                     org__depth__gt=1).first()
    nodes = figure_cache.ancestors(meeting.org_path)
    before = {path: fig.evaluate(FigureScope((path,), period)).total for path in nodes}
    rows = list(meeting.attendance.order_by("pk")[:2])
    assert len(rows) == 2 and len(nodes) > 1
    with committed():
        Attendance.objects.filter(pk__in=[row.pk for row in rows]).delete()
    assert {path: fig.evaluate(FigureScope((path,), period)).total for path in nodes} == {
        path: n - 2 for path, n in before.items()}
    with committed():
        Attendance.objects.bulk_create(attendance_rows(meeting, [row.person for row in rows]))
    assert {path: fig.evaluate(FigureScope((path,), period)).total for path in nodes} == before


def test_a_transaction_that_changed_records_reads_them_and_keeps_no_value(demo, composing):
    """Its values hold changes no other process sees yet, and may be rolled back: none is kept."""
    before = _open(demo, "SXX-BGS")
    with transaction.atomic():
        Matter.objects.filter(org=demo["orgs"]["SXX-BGS"]).exclude(status="closed").update(status="closed")
        assert figure_cache.changing() and _open(demo, "SXX-BGS") == 0
        transaction.set_rollback(True)
    assert not figure_cache.changing()
    with CaptureQueriesContext(connection) as ctx:
        assert _open(demo, "SXX-BGS") == before  # the value kept before the change, not the rolled-back one
    assert ctx.captured_queries == []


def test_a_meeting_changed_below_a_branch_is_seen_at_once_in_the_gaps_above_it(demo, composing, settings, committed):
    """The branches with a 三会一课 gap are kept per subtree, as the values are: a branch's own part reads its
    党小组's meetings, and a change there starts the branch's generation too."""
    period = Period.year(dt.date.today().year)
    fig, zb2 = figures.get("meetings.three_one.gaps"), demo["orgs"]["SXX-ZB2"]
    codes = ("SXX", "SXX-JGDW", "SXX-ZB2")
    before = {code: fig.evaluate(FigureScope((demo["orgs"][code].path,), period)).count for code in codes}
    held = Meeting.objects.filter(org_path__startswith=zb2.path, status="held", date__year=period.start.year)
    assert held.exclude(org_path=zb2.path).exists()  # its 党小组's meetings count for it
    with committed():
        held.update(status="planned")
    after = {code: fig.evaluate(FigureScope((demo["orgs"][code].path,), period)).count for code in codes}
    settings.FIGURES_CACHE_SECONDS = 0
    assert after == {code: fig.evaluate(FigureScope((demo["orgs"][code].path,), period)).count for code in codes}
    assert after["SXX-ZB2"] == 1 and after["SXX"] == before["SXX"] + 1 - before["SXX-ZB2"]


def test_a_composed_node_s_gap_list_is_read_in_slices_equal_to_one_scan_of_its_subtree(demo, composing, committed):
    """A composed node keeps its branches with a gap as its own and each child subtree's count (ComposedGaps), so
    that a page reads only the subtrees it shows: every slice equals that slice of one scan of the subtree, before
    and after a change below it."""
    period = Period.year(dt.date.today().year)
    root = demo["orgs"]["SXX"]
    scope = FigureScope((root.path,), period)
    fig = figures.get("meetings.three_one.gaps")

    def check():
        found = compliance.branch_paths_with_gaps((root.path,), period.start, period.end)
        scanned = sorted(found, key=found.__getitem__)  # in path order
        listed = fig.listed_ids(scope)
        assert isinstance(listed.part, ComposedGaps)
        assert len(listed) == len(scanned) == fig.evaluate(scope).count
        for start in range(len(scanned) + 1):
            for stop in range(start, len(scanned) + 2):
                assert listed[start:stop] == scanned[start:stop]
        return scanned

    before = check()
    assert len(before) >= 2
    branch = Org.objects.filter(path__startswith=root.path, kind="branch").exclude(pk__in=before).first()
    with committed():  # a branch without a gap holds no meeting this year: it has one now
        Meeting.objects.filter(org_path__startswith=branch.path, status="held").update(status="planned")
    assert branch.pk in check()


def test_the_children_of_a_node_are_kept_until_the_tree_changes(demo, composing, committed):
    """figures.child_paths keeps a node's children under the global generation alone: a change to the records
    below leaves them kept, a node added (saved) or an org changed in bulk starts it."""
    root = demo["orgs"]["SXX"]
    before = figures.child_paths(root.path)
    with committed():
        Matter.objects.filter(org_path__startswith=root.path).first().save()
    with CaptureQueriesContext(connection) as ctx:
        assert figures.child_paths(root.path) == before
    assert ctx.captured_queries == []
    generation = figure_cache.generations()[None]
    with committed():
        Org.objects.filter(pk=root.pk).update(short_name="测试")
    assert figure_cache.generations()[None] != generation
    with committed():
        added = Org.objects.get(pk=root.pk).add_child(name="测试科室", kind=OrgKind.SECTION, code="SXX-CS")
    assert figures.child_paths(root.path) == sorted([*before, (added.path, False)])


def test_a_rule_or_a_holiday_schedule_changed_drops_every_value(demo, composing, settings, committed):
    """Values are kept a day: what a figure counts by (the 三会一课 frequencies, the working days) drops them too,
    when its change commits; the transaction making it reads past the values."""
    scope = FigureScope((demo["orgs"]["SXX"].path,), Period.year(dt.date.today().year))
    figs = [figures.get("meetings.three_one.gaps"), figures.get("matters.due_soon")]

    def kept_and_read():
        kept = _numbers(figures.evaluate_many(figs, scope))
        settings.FIGURES_CACHE_SECONDS = 0
        read = _numbers(figures.evaluate_many(figs, scope))
        settings.FIGURES_CACHE_SECONDS = 300
        return kept, read

    before, _ = kept_and_read()
    with committed():
        rule_settings.set_rule("meetings.freq.lecture", "1", actor=None, reason="测试")
        kept, read = kept_and_read()
        assert kept == read != before  # more branches miss a 党课 due every month
    kept, read = kept_and_read()
    assert kept == read != before
    generation = figure_cache.generations()[None]
    with committed():
        workdays.set_year_schedule(2026, [(dt.date.today() + dt.timedelta(days=1), "holiday", "测试假日")],
                                   actor=demo["users"]["admin"], source="测试")
        assert figure_cache.generations()[None] == generation  # not before it commits
    assert figure_cache.generations()[None] != generation
    kept, read = kept_and_read()
    assert kept == read


def test_a_rolled_back_savepoint_does_not_keep_later_changes_from_dropping_values(demo, composing):
    bgs = demo["orgs"]["SXX-BGS"]
    before = _open(demo, "SXX-BGS")
    matter = Matter.objects.filter(org=bgs).exclude(status="closed").first()
    with transaction.atomic():
        try:
            with transaction.atomic():
                matter.save()
                raise RuntimeError
        except RuntimeError:
            pass
        assert _open(demo, "SXX-BGS") == before  # read (and cached) after the rollback
        again = Matter.objects.get(pk=matter.pk)
        again.status = "closed"
        again.save()
        assert _open(demo, "SXX-BGS") == before - 1


def test_generations_are_started_for_a_record_s_node_and_every_node_above_it(demo, composing):
    zb2 = demo["orgs"]["SXX-ZB2"]
    cell = demo["orgs"]["SXX-ZB2-XZ1"]
    paths = figure_cache.ancestors(cell.path)
    assert paths[-2:] == [zb2.path, cell.path] and paths[0] == demo["orgs"]["SXX"].path
    gens = figure_cache.generations(paths)
    figure_cache.forget_values([cell.path])
    after = figure_cache.generations([*paths, demo["orgs"]["SXX-BGS"].path])
    assert all(after[p] != gens[p] for p in paths) and after[None] == gens[None]
    assert figure_cache.generations([demo["orgs"]["SXX-BGS"].path]) == {
        None: gens[None], demo["orgs"]["SXX-BGS"].path: after[demo["orgs"]["SXX-BGS"].path]}
    figure_cache.forget_values()  # everything
    assert figure_cache.generations()[None] != gens[None]


def test_the_nightly_warm_reads_every_composed_node_so_that_a_dashboard_reads_nothing_again(demo, composing):
    figure_cache.forget_values()
    assert tasks.warm_dashboards_daily.call_local() == Org.objects.filter(depth__lt=4).count() > 3
    root = demo["orgs"]["SXX"]
    period = Period.year(dt.date.today().year)
    figs = [f for f in dashboards.expand(dashboards.DRILL + dashboards.HEADLINE) if f.counted is None]
    with CaptureQueriesContext(connection) as ctx:
        values = figures.evaluate_many(figs, FigureScope((root.path,), period))
        by_child = figures.evaluate_by_child(figs, root.path, len(root.path) + Org.steplen, period)
    assert ctx.captured_queries == []
    direct = figures.evaluate_many(figs, FigureScope((root.path,), period), fresh=True)
    assert _numbers(values) == _numbers(direct)
    assert sum(v["matters.open"].count for v in by_child.values()) <= values["matters.open"].count


def test_within_reading_each_generation_and_part_is_read_once_and_a_change_forgets_them(demo, composing):
    period = Period.year(dt.date.today().year)
    scope = FigureScope((demo["orgs"]["SXX"].path,), period)
    figs = [f for f in figures.REGISTRY.values() if figures.composes(f, scope)]
    figures.evaluate_many(figs, scope)  # parts read into the cache
    with figure_cache.reading():
        first = _numbers(figures.evaluate_many(figs, scope))
        figure_cache.forget_values()  # kept generations would be stale now: every value is read again
        assert _numbers(figures.evaluate_many(figs, scope)) == first
        services.do_create_matter(Matter(kind="rectify", title="读取期间登记", org=demo["orgs"]["SXX-BGS"],
                                         received_on=dt.date.today()), actor=demo["users"]["dangwu"])
        assert _open(demo, "SXX") == first["matters.open"][0] + 1


def test_records_no_figure_reads_keep_every_value(demo, composing, committed):
    """A list filter saved, a calendar address made, a ballot cast: records without a path that no figure reads
    (figure_cache.unread) drop no value; a meeting kind, which the 三会一课 figures read, drops every value."""
    user = demo["users"]["dangwu"]
    generation = figure_cache.generations()[None]
    round_ = EvaluationRound.objects.order_by("pk").first()
    with committed():
        SavedFilter.objects.create(user=user, name="测试筛选", query="status=open")
        CalendarFeed.objects.update_or_create(user=user, defaults={"token": "t" * 40})
        Ballot.objects.create(round=round_)
        SavedFilter.objects.filter(user=user).update(name="改名")  # a bulk change too
    assert figure_cache.generations()[None] == generation
    kind = MeetingKind.objects.order_by("pk").first()
    with committed():
        kind.save()
    assert figure_cache.generations()[None] != generation
