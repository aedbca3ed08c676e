"""Home-page panels: each module registers a panel naming figures of the one registry (core/figures.py); the
home page shows each figure over the user's scope (or, for a personal figure, the user's own records), and
every number links to its figure page with the records behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from . import figures
from .figure_summaries import figure_scope


@dataclass(frozen=True)
class Notice:
    """A warning on a panel that is not a figure (the task consumer not running)."""

    label: str
    value: str
    link: str = ""
    alert: bool = True


@dataclass(frozen=True)
class Panel:
    title: str
    keys: tuple[str, ...]
    alerts: frozenset[str] = frozenset()  # figures shown in red when not zero (overdue, gaps…)
    hide_zero: frozenset[str] = frozenset()  # figures left out when zero (待我审批销号)
    notices: Callable[[object], list[Notice]] | None = None


@dataclass(frozen=True)
class Shown:
    """One number as the home page shows it."""

    label: str
    value: str
    link: str = ""
    alert: bool = False
    read_at: object = None  # when a figure's value was read (it may come from the figures' cache)
    unit: str = ""  # 人、项、小时 (a rate's value carries its %)


HOME_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if all(getattr(p, "title", None) != panel.title for p in HOME_PANELS):
        HOME_PANELS.append(panel)


def figures_shown(user, keys, period: figures.Period, *, alerts=frozenset(), hide_zero=frozenset()) -> list[Shown]:
    """The figures the user may see among ``keys``, each over their scope, one aggregate query per model and
    scope; each links to its figure page."""
    by_scope: dict = {}
    for key in keys:
        fig = figures.REGISTRY.get(key)
        scope = figure_scope(user, fig, period) if fig is not None else None
        if scope is not None:
            by_scope.setdefault(scope, []).append(fig)
    values = {}
    for scope, defs in by_scope.items():
        values.update(figures.evaluate_many(defs, scope))
    out = []
    for key in keys:
        value = values.get(key)
        if value is None or (key in hide_zero and not value.value):
            continue
        fig = value.figure
        label = fig.label if fig.stock else f"{period.label}{fig.label}"  # a personal count of the year too
        out.append(Shown(label, value.display, figures.figure_url(key, period=None if fig.stock else period),
                         alert=key in alerts and bool(value.value), read_at=value.read_at,
                         unit="" if fig.is_rate or value.value is None else fig.unit))
    return out


def panels_for(user) -> list[tuple[str, list]]:
    period = figures.Period.year(timezone.localdate().year)
    out = []
    for panel in HOME_PANELS:
        shown = figures_shown(user, panel.keys, period, alerts=panel.alerts, hide_zero=panel.hide_zero)
        shown += [Shown(n.label, n.value, n.link, n.alert) for n in (panel.notices(user) if panel.notices else [])]
        if shown:
            out.append((panel.title, shown))
    return out
