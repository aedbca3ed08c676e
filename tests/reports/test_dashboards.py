"""Dashboards (reports/dashboards.py): values from the registry for the node and each child in one query per
model, scope (404 for a forged or outside node), and a constant number of queries whatever the children."""

from __future__ import annotations

import datetime as dt
import json

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core import figures
from dangjian.core.figures import FigureScope, Period
from dangjian.matters import services
from dangjian.matters.models import Matter
from dangjian.orgs.models import Org, OrgKind

from ..conftest import signed_in

YEAR = dt.date.today().year


def test_each_childs_value_read_in_one_grouped_query_equals_its_own(demo):
    """evaluate_by_child, for every registered figure: each child's value is the figure's value for that child."""
    root = demo["orgs"]["SXX"]
    figs = [f for f in figures.REGISTRY.values() if not f.personal]
    period = Period.year(YEAR)
    with CaptureQueriesContext(connection) as ctx:
        by_child = figures.evaluate_by_child(figs, root.path, len(root.path) + Org.steplen, period)
    grouped = [q for q in ctx.captured_queries if '"dash_child"' in q["sql"]]  # besides, the calendar and gaps
    assert len(grouped) == len({(f.model, f.path_field) for f in figs})
    children = Org.objects.filter(depth=root.depth + 1, path__startswith=root.path)
    assert children.count() > 3
    for child in children:
        own = figures.evaluate_many(figs, FigureScope((child.path,), period))
        got = by_child.get(child.path, {})
        for fig in figs:
            expected = own[fig.key]
            value = got.get(fig.key)
            assert (value.count if value else 0) == expected.count, (fig.key, child.code)
            if fig.is_rate:
                assert (value.total if value else 0) == expected.total, (fig.key, child.code)


def test_the_dashboard_shows_registry_figures_each_linking_to_its_records(demo):
    shuji = signed_in(demo["users"]["shuji"])
    root, bgs = demo["orgs"]["SXX"], demo["orgs"]["SXX-BGS"]
    response = shuji.get("/reports/dashboard/")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.node == root  # the user's top scope node by default
    html = response.content.decode()
    scope = FigureScope((root.path,), Period.year(YEAR))
    open_now = figures.get("matters.open").evaluate(scope)
    assert f'href="/figures/matters.open/?node={root.pk}">' in html
    assert f'href="/figures/matters.proposals.count/?node={root.pk}&amp;period={YEAR}"' in html
    blob = json.loads(html.split('<script id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    matters = next(c for c in blob["charts"] if c["id"] == "matters")
    assert matters["items"][0] == {"label": "在办事项", "value": float(open_now.count), "display": open_now.display,
                                   "url": f"/figures/matters.open/?node={root.pk}"}
    # charts whose keys are not registered (yet) are left out
    shown = {c["id"] for c in blob["charts"]}
    assert {"matters", "matter_rates"} <= shown and ("members" in shown) == ("orgs.members.full" in figures.REGISTRY)
    # the drill-down: each child's figures (links with the child node) and its own dashboard
    row = next(r for r in board.children if r.org == bgs)
    assert row.url == f"/reports/dashboard/?node={bgs.pk}&period={YEAR}"
    bgs_open = figures.get("matters.open").evaluate(FigureScope((bgs.path,), Period.year(YEAR)))
    cell = row.items[board.drill_labels.index("在办事项")]
    assert (cell.display, cell.url) == (bgs_open.display, f"/figures/matters.open/?node={bgs.pk}")
    assert blob["drill"]["links"][blob["drill"]["children"].index(bgs.name)] == row.url
    # the child's dashboard goes back up by its breadcrumb; the 大屏 reloads itself
    child_page = shuji.get(row.url)
    assert [org for org, _ in child_page.context["board"].crumbs] == [root]
    screen = shuji.get(f"/reports/dashboard/screen/?node={bgs.pk}").content.decode()
    assert 'http-equiv="refresh"' in screen and 'class="screen"' in screen and "dashboard-data" in screen
    assert "/reports/dashboard/" in shuji.get("/").content.decode()


def test_a_user_sees_dashboards_only_within_their_scope(demo):
    orgs = demo["orgs"]
    kezhang = signed_in(demo["users"]["kezhang"])  # 办公室 only
    page = kezhang.get("/reports/dashboard/")
    assert page.status_code == 200 and page.context["board"].node == orgs["SXX-BGS"]
    assert page.context["board"].crumbs == []  # nothing above their scope
    for url in (f"/reports/dashboard/?node={orgs['SXX'].pk}", f"/reports/dashboard/?node={orgs['SXX-ZB2'].pk}",
                "/reports/dashboard/?node=987654321", "/reports/dashboard/?node=abc",
                f"/reports/dashboard/screen/?node={orgs['SXX'].pk}", "/reports/dashboard/?node=99999999999999999999"):
        assert kezhang.get(url).status_code == 404, url
    bad = kezhang.get("/reports/dashboard/?period=2026-13")
    assert bad.status_code == 400 and "统计期间" in bad.content.decode()
    assert signed_in(demo["users"]["dangyuan"]).get("/reports/dashboard/").status_code == 404
    # a user holding org.view but not the matters' capability sees no 事项 figure
    admin_page = signed_in(demo["users"]["admin"]).get("/reports/dashboard/").content.decode()
    assert "/figures/matters." not in admin_page


def test_the_dashboard_reads_a_constant_number_of_queries_whatever_the_children(demo, settings, committed):
    settings.FIGURES_CACHE_SECONDS = 300
    bgs = demo["orgs"]["SXX-BGS"]
    client = signed_in(demo["users"]["shuji"])
    url = f"/reports/dashboard/?node={bgs.pk}"

    def count() -> int:
        cache.clear()
        client.get(url)  # the session and the rules are read once
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add_children(numbers):  # committed: a transaction that changed records would read past the values
        with committed():
            _add_children(numbers)

    def _add_children(numbers):
        for n in numbers:
            parent = Org.objects.get(pk=bgs.pk)
            child = parent.add_child(name=f"测试组{n}", kind=OrgKind.SECTION, code=f"SXX-BGS-T{n}", order=n)
            services.do_create_matter(Matter(kind="rectify", title=f"测试事项{n}", org=child,
                                             received_on=dt.date.today()), actor=demo["users"]["dangwu"])

    add_children([0])
    before = count()
    add_children(range(1, 6))
    assert count() == before
    board = client.get(url).context["board"]
    column = board.drill_labels.index("在办事项")
    assert [r.items[column].display for r in board.children if r.org.code.startswith("SXX-BGS-T")] == ["1"] * 6
    with CaptureQueriesContext(connection) as ctx:  # cached: the values are not read again
        client.get(url)
    assert len(ctx.captured_queries) < before
