"""The records behind a figure as its page lists them (core/figure_views.py): its value, the records counted that
the user may read, how many they are, and what is counted but withheld from them (confidential records).

The value and the number listed must agree with the rows listed. Where the user reads every record counted (a
personal figure; an additive figure over subtrees the user holds the model's view capability on, which is the
usual case), the number listed is the value's own count, and the value may come from the values' cache
(figure_cache: any change to a counted record, one by one or in bulk, drops it): a province's page then reads one
page of rows, not two counts over millions. Elsewhere the value is read afresh, and the rows the user may read are
counted (and summed) beside it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from .figures import REGISTRY, FigureDef, FigureScope, FigureValue, evaluate_many


class RowsByIds:
    """A list's rows for a paginator, read in two steps: the ids of a page, in the list's order (a queryset's
    ``values_list("pk")``, filtered, ordered and cut by the database from the narrowest query, which an index may
    answer alone: the held meetings of a province newest first, 0.2 s → 30 ms; or a list of ids), then those
    rows with their related ones, by id. Two queries, whatever the page."""

    ordered = True

    def __init__(self, ids, model, related: tuple[str, ...]):
        self.ids, self.model, self.related = ids, model, related

    def __getitem__(self, key: slice) -> list:
        ids = list(self.ids[key])
        rows = self.model._default_manager.filter(pk__in=ids).select_related(*self.related).in_bulk()
        return [rows[pk] for pk in ids]


@dataclass
class FigureRecords:
    value: FigureValue
    records: RowsByIds  # the rows listed, in the figure's order, with its related rows
    count: int  # how many rows are listed
    shown_sum: int | Decimal | float | None  # for a summed figure (``measure``): the sum over the rows listed
    withheld: int | Decimal | float  # counted (or, summed, its amount) but not listed to the user


def row_count_figure(fig: FigureDef) -> FigureDef:
    """The number of records a summed figure adds up (study hours: the attendance rows), as a figure of its own,
    so that it is read (and cached, and composed) with the sum."""
    return dataclasses.replace(fig, key=f"{fig.key}~rows", measure=None, total_where=None, counted=None)


def page_figures() -> list[FigureDef]:
    """What the figure pages of a node read: every registered figure but the personal ones, and the number of
    rows of each summed one (for the nightly reading of the values, reports.dashboards.warm)."""
    figs = [fig for fig in REGISTRY.values() if not fig.personal]
    return figs + [row_count_figure(fig) for fig in figs if fig.measure]


def reads_everything_counted(fig: FigureDef, scope: FigureScope, user) -> bool:
    """Whether the user reads every record the figure counts in the scope: their own (a personal figure), or the
    records of an additive figure (each lies in the subtree of its path, which the scope's subtrees hold) where
    the model's reading rules say every record of those subtrees is theirs to read."""
    if fig.personal:
        return True
    records = fig.model._default_manager.all()
    return fig.additive and hasattr(records, "reads_all_under") and records.reads_all_under(
        user, (*scope.paths, *scope.nodes))


def figure_records(fig: FigureDef, scope: FigureScope, user, *, denominator: bool = False) -> FigureRecords:
    """The figure's value for the scope and the records it counts (its denominator's, for a rate's
    ``denominator``) that the user may read."""
    summed = fig.measure and not denominator
    if not reads_everything_counted(fig, scope, user):
        listed = (fig.total_records(scope) if denominator else fig.records(scope)).visible_to(user)
        value = fig.evaluate(scope, fresh=True)  # it must match the rows counted below, whatever is cached
        count = listed.count()
        shown_sum = (listed.aggregate(s=Sum(fig.measure))["s"] or 0) if summed else None
        withheld = value.count - shown_sum if summed else (value.total if denominator else value.count) - count
        return FigureRecords(value, _ordered_ids(fig, listed, scope), count, shown_sum, withheld)
    rows = row_count_figure(fig)
    values = evaluate_many([fig, rows] if summed else [fig], scope)
    value = values[fig.key]
    count = values[rows.key].count if summed else value.total if denominator else value.count
    listed = (RowsByIds(fig.listed_ids(scope), fig.model, fig.related) if fig.listed_ids is not None and not denominator
              else _ordered_ids(fig, fig.total_records(scope) if denominator else fig.records(scope), scope))
    return FigureRecords(value, listed, count, value.count if summed else None, 0)


def _ordered_ids(fig: FigureDef, records, scope: FigureScope) -> RowsByIds:
    if fig.listing_where is not None:
        records = records.filter(fig.listing_where(scope))
    return RowsByIds(records.order_by(*fig.order_by).values_list("pk", flat=True), fig.model, fig.related)
