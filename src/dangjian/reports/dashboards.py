"""Dashboards (大屏 and the overview of a subtree): which charts a node's dashboard shows, the figures of the one
registry (core/figures.py) each chart names, and their values for the node, for each of its children (the
drill-down) and, for a trend, for each of the last five years.

A dashboard is a node, a period and the chart specs below. A chart names registry keys (a key ending in ``.*``
stands for every registered key with that prefix); keys not registered, personal figures, and figures whose
view capability the user does not hold on the node are left out, and a chart left with no figure is not shown.
Every value links to its figure page (/figures/<key>/?node=&period=), which lists the records behind it.

Values are the same for every reader of a node (a figure counts records the reader may not list; its page
says how many are withheld), so they are cached per node, period and key for ``FIGURES_CACHE_SECONDS``
under the node's subtree generation (a province's dashboard aggregates millions of rows; the 大屏 reloads every
few minutes): a change below the node drops them, and its values are then composed again of its children's,
of which only those above the change are read again (core/figures.py: Composition).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dangjian.core import figure_cache, figures
from dangjian.core.figure_records import page_figures
from dangjian.core.figures import FigureDef, FigureScope, Period
from dangjian.core.scope import path_in_scope, scope_roots
from dangjian.orgs.models import Org, ancestor_paths

TREND_YEARS = 5
CACHE_VERSION = 1


@dataclass(frozen=True)
class Chart:
    """One chart: ``bar`` compares counts, ``pie`` shows the parts of a whole, ``rate`` shows per cent bars
    (0–100), ``trend`` shows one figure over the last five years."""

    id: str
    title: str
    kind: str
    keys: tuple[str, ...]


CHARTS = (
    Chart("members", "党员队伍", "pie", ("orgs.members.full", "orgs.members.probationary", "orgs.members.activists")),
    Chart("joined", f"发展党员（近{TREND_YEARS}年）", "trend", ("orgs.members.joined",)),
    Chart("meetings", "组织生活与“三重一大”", "bar", ("meetings.held", "meetings.decisions.count")),
    Chart("compliance", "合规与落实", "rate", ("meetings.three_one.gap_rate", "meetings.decisions.compliance_rate",
                                          "duties.tasks.completion_rate")),
    Chart("matters", "事项督办", "bar", ("matters.open", "matters.due_soon", "matters.overdue",
                                     "matters.proposals.count")),
    Chart("matter_rates", "办理质量", "rate", ("matters.proposals.on_time_rate", "matters.proposals.completion_rate",
                                           "matters.proposals.satisfaction_rate", "matters.rectify.on_time_rate")),
    Chart("study", "学习教育", "bar", ("meetings.study.hours",)),
    Chart("study_rates", "学习参学率", "rate", ("meetings.study.attendance_rate",)),
    Chart("supervision", "监督与考评", "bar", ("supervision.petitions.*", "assessment.conduct.negative")),
)
# The big numbers above the charts.
HEADLINE = ("orgs.members.total", "meetings.held", "matters.open", "matters.overdue")
# The figures compared across the node's children (the drill-down).
DRILL = ("orgs.members.total", "meetings.held", "meetings.decisions.count", "matters.open", "matters.overdue",
         "matters.proposals.count")
ALERTS = frozenset({"matters.overdue", "matters.due_soon", "meetings.three_one.gap_rate",
                    "assessment.conduct.negative"})


@dataclass
class Item:
    """One number as a dashboard shows it: label, value, link to its records."""

    label: str
    display: str
    value: float | None
    url: str
    alert: bool = False

    def as_json(self) -> dict:
        return {"label": self.label, "value": self.value, "display": self.display, "url": self.url}


@dataclass
class ChartData:
    chart: Chart
    items: list[Item]

    def as_json(self) -> dict:
        return {"id": self.chart.id, "title": self.chart.title, "kind": self.chart.kind,
                "items": [item.as_json() for item in self.items]}


@dataclass
class ChildRow:
    org: Org
    url: str  # the child's own dashboard
    items: list[Item]


@dataclass
class Dashboard:
    node: Org
    period: Period
    crumbs: list[tuple[Org, str]]  # the node's ancestors within the user's scope, the top first, with their URLs
    roots: list[tuple[Org, str]]  # the user's top scope nodes (a scope of several subtrees), with their URLs
    headline: list[Item]
    charts: list[ChartData]
    drill_labels: list[str]
    children: list[ChildRow]
    read_at: dt.datetime
    screen: bool = False

    def as_json(self) -> dict:
        """What dashboard.js draws: the charts and, for the drill-down, one series per figure over the children."""
        return {
            "charts": [chart.as_json() for chart in self.charts],
            "drill": {
                "children": [row.org.name for row in self.children],
                "links": [row.url for row in self.children],
                "series": [{"name": label, "items": [row.items[i].as_json() for row in self.children]}
                           for i, label in enumerate(self.drill_labels)],
            },
        }


# ---- which figures ------------------------------------------------------------------------------------------

def expand(keys: tuple[str, ...]) -> list[FigureDef]:
    """The registered, non-personal figures among ``keys`` (``prefix.*`` for every key with that prefix)."""
    out = []
    for key in keys:
        if key.endswith(".*"):
            out += [f for k, f in figures.REGISTRY.items() if k.startswith(key[:-1]) and not f.personal]
        elif key in figures.REGISTRY and not figures.REGISTRY[key].personal:
            out.append(figures.REGISTRY[key])
    return out


def period_figures() -> list[FigureDef]:
    """The figures a dashboard shows for its period (the headline, the drill-down and every chart but the trend)."""
    figs = [f for keys in [HEADLINE, DRILL, *(c.keys for c in CHARTS if c.kind != "trend")] for f in expand(keys)]
    return list({f.key: f for f in figs}.values())


def trend_figures() -> list[FigureDef]:
    return [f for c in CHARTS if c.kind == "trend" for f in expand(c.keys)]


def trend_years(period: Period) -> list[Period]:
    """The last five years to the period's year."""
    return [Period.year(y) for y in range(period.end.year - TREND_YEARS + 1, period.end.year + 1)]


def readable(user, node: Org, figs: list[FigureDef]) -> list[FigureDef]:
    """The figures whose records the user may read on this node (its own view capability, not org.view)."""
    return [f for f in figs if path_in_scope(user, f.view_capability, node.path)]


# ---- values (cached per node and period: the same for every reader) -------------------------------------------

def _numbers(values: dict) -> dict[str, tuple]:
    return {key: (v.count, v.total) for key, v in values.items()}


def _cached(name: str, node: Org, period: Period, figs: list[FigureDef], compute):
    """``compute()`` (numbers by key) and the time it was read, in the figure values' cache (core.figures.cached):
    the same for every reader of the node and period."""
    keys = ",".join(sorted(f.key for f in figs))
    return figures.cached(f"dashboard:{CACHE_VERSION}:{name}:{node.path}:{period.key}:{keys}", compute,
                          paths=(node.path,))


def node_values(node: Org, period: Period, figs: list[FigureDef]):
    scope = FigureScope((node.path,), period)
    return _cached("node", node, period, figs, lambda: _numbers(figures.evaluate_many(figs, scope)))


def trend_values(node: Org, period: Period, figs: list[FigureDef]):
    """Each trend figure for each of the last five years to the period's year: one query per model."""
    years = trend_years(period)
    pairs = [(fig, FigureScope((node.path,), year)) for fig in figs for year in years]

    def compute():
        values = figures.evaluate_pairs(pairs)
        return {f"{v.figure.key}@{v.scope.period.key}": (v.count, v.total) for v in values}
    return years, _cached("trend", node, period, figs, compute)


def child_values(node: Org, period: Period, figs: list[FigureDef]):
    def compute():
        by_child = figures.evaluate_by_child(figs, node.path, len(node.path) + Org.steplen, period)
        return {child: _numbers(values) for child, values in by_child.items()}
    return _cached("children", node, period, figs, compute)


def _item(fig: FigureDef, numbers: tuple | None, node: Org, period: Period, label: str | None = None) -> Item:
    count, total = numbers or (0, 0 if fig.is_rate else None)
    value = figures.FigureValue(fig, FigureScope((node.path,), period), count, total)
    number = value.value
    return Item(label or fig.label, value.display, float(number) if number is not None else None,
                figures.figure_url(fig.key, node_id=node.pk, period=None if fig.stock else period),
                alert=fig.key in ALERTS and bool(number))


# ---- the dashboard -------------------------------------------------------------------------------------------

def build(user, node: Org, period: Period, roots: list[Org], *, screen: bool = False) -> Dashboard:
    """The dashboard of ``node`` (in the user's org.view scope, checked by the caller) for ``period``: its
    charts read the same nodes' generations and parts, each from the caches once."""
    with figure_cache.reading():
        return _build(user, node, period, roots, screen=screen)


def _build(user, node: Org, period: Period, roots: list[Org], *, screen: bool = False) -> Dashboard:
    numbers, read_at = node_values(node, period, readable(user, node, period_figures()))
    charts = []
    for chart in CHARTS:
        figs = readable(user, node, expand(chart.keys))
        if chart.kind == "trend":
            years, (trend, _) = trend_values(node, period, figs)
            items = [_item(fig, trend.get(f"{fig.key}@{year.key}"), node, year, label=year.label)
                     for fig in figs for year in years]
        else:
            items = [_item(fig, numbers.get(fig.key), node, period) for fig in figs]
        if items:
            charts.append(ChartData(chart, items))
    headline = [_item(f, numbers.get(f.key), node, period) for f in readable(user, node, expand(HEADLINE))]
    drill = readable(user, node, expand(DRILL))
    children = [c for c in Org.objects.filter(depth=node.depth + 1, path__pathprefix=node.path, is_active=True)
                .order_by("order", "path") if path_in_scope(user, "org.view", c.path)]
    by_child, _ = child_values(node, period, drill) if children and drill else ({}, None)
    rows = [ChildRow(c, dashboard_url(c, period, screen),
                     [_item(f, by_child.get(c.path, {}).get(f.key), c, period) for f in drill]) for c in children]
    crumbs = [(o, dashboard_url(o, period, screen))
              for o in Org.objects.filter(path__in=ancestor_paths(node.path)[:-1]).order_by("depth")
              if path_in_scope(user, "org.view", o.path)]
    roots = [(o, dashboard_url(o, period, screen)) for o in roots] if len(roots) > 1 else []
    return Dashboard(node, period, crumbs, roots, headline, charts, [f.label for f in drill], rows, read_at, screen)


def dashboard_url(org: Org, period: Period, screen: bool = False) -> str:
    base = reverse("reports:dashboard_screen" if screen else "reports:dashboard")
    return f"{base}?node={org.pk}&period={period.key}"


def roots_of(user) -> list[Org]:
    """The user's top scope nodes for org.view: the first is the dashboard shown when no node is asked for."""
    return list(Org.objects.visible_to(user, "view").filter(path__in=scope_roots(user, "org.view")))


def warm(period: Period | None = None) -> int:
    """Every figure a dashboard or a figure page shows, of every node whose values are composed (above FIGURES_COMPOSE_DEPTH) read into
    the values' cache, the deepest first, so that each node is composed of parts already read: after it, a
    change anywhere reads again only the subtrees above it. The number of nodes read."""
    period = period or Period.year(timezone.localdate().year)
    figs = list({fig.key: fig for fig in [*period_figures(), *page_figures()]}.values())
    trend, years = trend_figures(), trend_years(period)
    nodes = list(Org.objects.filter(depth__lt=settings.FIGURES_COMPOSE_DEPTH).order_by("-depth", "path")
                 .values_list("path", flat=True))
    for path in nodes:
        figures.evaluate_many(figs, FigureScope((path,), period))
        figures.evaluate_pairs([(fig, FigureScope((path,), year)) for fig in trend for year in years])
    return len(nodes)
