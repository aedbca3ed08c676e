"""The one figure registry (core/figures.py): every registered figure's value equals what its page lists, for
several nodes; scope and bad input on its pages; periods."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from dangjian.core import figures
from dangjian.core.figures import FigureScope, Period
from dangjian.core.scope import holds_everywhere, path_in_scope

from .conftest import ROLE_USERS, signed_in

NODES = ("SXX", "SXX-BGS", "SXX-ZB2", "SXX-JGDW")


def _reader(demo, fig):
    """A demo user holding the figure's view capability over the whole tree."""
    for name in ROLE_USERS:
        user = demo["users"][name]
        if holds_everywhere(user, fig.view_capability):
            return user
    pytest.fail(f"no demo user reads {fig.key} ({fig.view_capability}) everywhere")


def _check_page(client, fig, url, value, scope):
    """The page states the value read from the records, lists the records the reader may read among those
    counted (counted apart from the page), and says how many (or how much) it withholds."""
    response = client.get(url)
    assert response.status_code == 200, (fig.key, url)
    ctx, reader = response.context, response.context["user"]
    page = ctx["page"]
    assert (ctx["value"].count, ctx["value"].total) == (value.count, value.total), (fig.key, url)
    parts = [("", fig.records(scope), value.count)] + ([("&part=all", fig.total_records(scope), value.total)]
                                                       if fig.is_rate else [])
    for part, records, target in parts:
        ctx = client.get(url + part).context if part else ctx
        page = ctx["page"]
        visible = records if fig.personal else records.visible_to(reader)
        assert page.paginator.count == visible.count(), (fig.key, url + part)
        assert [obj.pk for obj in page.object_list] == list(visible.order_by(*fig.order_by).values_list(
            "pk", flat=True)[:50]), (fig.key, url + part)
        if fig.measure and not part:
            shown = visible.aggregate(s=Sum(fig.measure))["s"] or 0
            assert (ctx["shown_sum"], ctx["shown_sum"] + ctx["withheld"]) == (shown, value.count), fig.key
        else:
            assert page.paginator.count + ctx["withheld"] == target, (fig.key, url + part)


def test_every_figure_equals_the_records_its_page_lists(demo):
    year = dt.date.today().year
    assert len(figures.REGISTRY) >= 6
    clients = {}
    for fig in figures.REGISTRY.values():
        if fig.personal:
            continue
        reader = _reader(demo, fig)
        client = clients.setdefault(reader.pk, signed_in(reader))
        for code in NODES:
            node = demo["orgs"][code]
            scope = FigureScope((node.path,), Period.year(year))
            value = fig.evaluate(scope)
            records = fig.records(scope)
            # the value is the records' count (or sum), without a row counted twice through a join
            assert records.values("pk").distinct().count() == records.count(), fig.key
            if fig.measure:
                assert value.count == (records.aggregate(s=Sum(fig.measure))["s"] or 0), fig.key
            else:
                assert value.count == records.count(), fig.key
            if fig.is_rate:
                assert value.total == fig.total_records(scope).count(), fig.key
                assert not records.exclude(pk__in=fig.total_records(scope).values("pk")).exists(), \
                    f"{fig.key}: a numerator record outside the denominator"
            _check_page(client, fig, f"/figures/{fig.key}/?period={year}&node={node.pk}", value, scope)


def test_a_personal_figure_counts_the_users_own_records(demo):
    user = demo["users"]["dangyuan"]
    client = signed_in(user)
    for fig in figures.REGISTRY.values():
        if not fig.personal:
            continue
        scope = FigureScope((), Period.year(2026), user.person.pk)
        _check_page(client, fig, f"/figures/{fig.key}/?period=2026", fig.evaluate(scope), scope)
    assert signed_in(demo["users"]["admin"]).get("/figures/matters.mine.open/").status_code in (200, 404)


def test_figure_pages_stay_in_scope(demo):
    """A node outside the user's scope, a forged node or key: 404; a bad period: 400 naming the format."""
    zhibu = demo["users"]["zhibu"]
    client = signed_in(zhibu)
    fig = figures.get("matters.proposals.count")
    for code in NODES:
        node = demo["orgs"][code]
        status = client.get(f"/figures/{fig.key}/?node={node.pk}").status_code
        assert status == (200 if path_in_scope(zhibu, fig.view_capability, node.path) else 404), code
    assert client.get("/figures/matters.nosuch/").status_code == 404
    assert client.get(f"/figures/{fig.key}/?node=987654321").status_code == 404
    assert client.get(f"/figures/{fig.key}/?node=abc").status_code == 404
    bad = client.get(f"/figures/{fig.key}/?period=2026-13")
    assert bad.status_code == 400 and "统计期间" in bad.content.decode()
    assert signed_in(demo["users"]["dangyuan"]).get(f"/figures/{fig.key}/").status_code == 404


def test_the_index_links_every_number_to_its_page(demo):
    page = signed_in(demo["users"]["shuji"]).get("/figures/?period=2026").content.decode()
    for key in ("matters.proposals.count", "matters.proposals.satisfaction_rate"):
        assert f"/figures/{key}/?period=2026" in page


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026年"),
    ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026年2月"),
    ("2026-02-2", dt.date(2026, 2, 16), dt.date(2026, 2, 28), "2026年2月下半月"),
    ("2026-01-01~2026-06-30", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年1月1日至2026年6月30日"),
])
def test_periods(text, start, end, label):
    period = Period.parse(text)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert Period.parse(period.key) == period
    assert period.previous_year().start.year == 2025


@pytest.mark.parametrize("text", ["2026-13", "20260", "2026-06-30~2026-01-01", "1900", "2026-02-3", "x"])
def test_bad_periods_are_refused_in_chinese(text):
    with pytest.raises(ValueError, match="统计期间"):
        Period.parse(text)


def test_values_are_cached_with_their_read_time_and_dropped_on_any_change(demo, settings, committed,
                                                                         django_assert_num_queries):
    """evaluate_many keeps values FIGURES_CACHE_SECONDS with the time they were read; any change to a record of
    the module drops them, a bulk one too; a figure's page states the kept value, which equals its records."""
    from dangjian.matters.models import Matter

    settings.FIGURES_CACHE_SECONDS = 300
    fig, node = figures.get("matters.open"), demo["orgs"]["SXX"]
    scope = FigureScope((node.path,), Period.year(2026))
    first = fig.evaluate(scope)
    with django_assert_num_queries(0):
        again = fig.evaluate(scope)
    assert (again.count, again.read_at) == (first.count, first.read_at)
    matter = fig.records(scope).order_by("pk").first()
    with committed():
        Matter.objects.filter(pk=matter.pk).update(status="closed")  # a bulk change
    after = fig.evaluate(scope)
    assert after.count == first.count - 1 and after.read_at >= first.read_at
    reader = _reader(demo, fig)
    page = signed_in(reader).get(f"/figures/{fig.key}/?node={node.pk}")
    assert page.context["value"].count == page.context["page"].paginator.count == after.count
    assert after.count == fig.records(scope).visible_to(reader).count()
    assert "数据读取于" in page.content.decode()
    matter.refresh_from_db()
    matter.status = "in_progress"
    with committed():
        matter.save()  # a saved record drops the cached values of its node and every node above it
    assert fig.evaluate(scope).count == first.count
