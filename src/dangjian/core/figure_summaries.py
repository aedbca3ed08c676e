"""Periodic summaries from the figure registry (docs/architecture.md: Figures — summaries).

The 半月一小结 and 一月一总结 of 事项督办 (matters/supervision.py) and the generic summary of any node and period
(reports/summary.py) show the same thing: registered figures evaluated for a period, each number linking to
its figure page, on a page and in an official .docx. This module is that one piece: which figures a user may
see for a node (``figure_scope``), their values as summary lines (``summary_lines``), and how a line is
written into a document (``write_sentence``, ``write_table``). A summary that was issued keeps the values it
was issued with (its JSON snapshot): a line carries the stored value beside the live one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps

from .documents import OfficialDocument
from .figures import (
    FigureDef,
    FigureScope,
    FigureValue,
    Period,
    absolute_figure_url,
    evaluate_many,
    figure_url,
    node_in_scope,
    roots_for,
)


def figure_scope(user, fig: FigureDef, period: Period, node=None) -> FigureScope | None:
    """Where ``fig`` counts for ``user``: the node's subtree if the user holds the figure's view capability
    there, or every subtree they hold it on; a personal figure, the user's own records. None: nothing to show."""
    if fig.personal:
        person = getattr(user, "person", None)
        return FigureScope((), period, person.pk) if person is not None else None
    if node is not None:
        return FigureScope((node.path,), period) if node_in_scope(user, fig, node.path) else None
    paths = roots_for(user, fig)
    return FigureScope(paths, period) if paths else None


def module_label(name: str) -> str:
    """A module's Chinese name (its app's verbose_name), for grouping figures."""
    try:
        return str(apps.get_app_config(name).verbose_name)
    except LookupError:
        return name


def evaluate_shown(shown: Iterable[tuple[FigureDef, FigureScope]]) -> list[FigureValue]:
    """Values of figures shown together (each with its own scope), one aggregate query per model and scope."""
    shown = list(shown)
    by_scope: dict[FigureScope, list[FigureDef]] = {}
    for fig, scope in shown:
        by_scope.setdefault(scope, []).append(fig)
    values: dict[tuple[FigureScope, str], FigureValue] = {}
    for scope, defs in by_scope.items():
        values.update({(scope, k): v for k, v in evaluate_many(defs, scope).items()})
    return [values[(scope, fig.key)] for fig, scope in shown]


@dataclass
class SummaryLine:
    """One number of a summary: the figure's live value, the value the summary was issued with (None for a
    summary drawn live), how the summary names it, and the address of the records behind it."""

    value: FigureValue
    name: str
    node_id: int | None = None
    stored: float | int | None = None

    @property
    def figure(self) -> FigureDef:
        return self.value.figure

    @property
    def period(self) -> Period:
        return self.value.scope.period

    @property
    def url(self) -> str:
        return figure_url(self.figure.key, node_id=self.node_id, period=self.period)

    @property
    def absolute_url(self) -> str:
        return absolute_figure_url(self.figure.key, node_id=self.node_id, period=self.period)

    @property
    def shown(self):
        """The number the summary states: as issued when stored, else the live value."""
        return self.value.value if self.stored is None else self.stored

    @property
    def changed(self) -> bool:
        """The records have changed since the summary was issued (the live value differs from the stored)."""
        return self.stored is not None and self.value.value is not None and self.stored != self.value.value

    def text(self, number=None) -> str:
        """“12项”, “85.0%”: the stated number (or ``number``) with its unit."""
        number = self.shown if number is None else number
        if number is None:
            return "—"
        if self.figure.is_rate:
            return f"{number:.1f}%"
        if isinstance(number, float):
            number = f"{number:.1f}".rstrip("0").rstrip(".")
        return f"{number}{self.figure.unit}"


def summary_lines(named: Sequence[tuple[str, FigureDef]], scope: FigureScope, *, node_id: int | None = None,
                  stored: dict | None = None, stored_keys: Sequence[str] | None = None) -> list[SummaryLine]:
    """Lines for figures evaluated in one scope: ``named`` is (the summary's name for it, figure);
    ``stored`` the issued snapshot, read under ``stored_keys`` (one per figure; default the figures' keys)."""
    values = evaluate_many([fig for _, fig in named], scope)
    keys = stored_keys or [fig.key for _, fig in named]
    return [SummaryLine(values[fig.key], name, node_id, (stored or {}).get(key))
            for (name, fig), key in zip(named, keys, strict=True)]


def write_sentence(doc: OfficialDocument, lines: Sequence[SummaryLine]):
    """“新登记3项；已销号2项；……。” as one body paragraph, each number a link to its figure page."""
    parts: list = []
    for i, line in enumerate(lines):
        parts += [("；" if i else "") + line.name, (line.text(), line.absolute_url)]
    return doc.linked_paragraph(parts + ["。"])


TABLE_HEADERS = ("序号", "统计数字", "数值", "口径")


def write_table(doc: OfficialDocument, lines: Sequence[SummaryLine]):
    """The lines as a table (序号, 统计数字, 数值 linked to its page, 口径), sized by the document's column widths."""
    return doc.table(TABLE_HEADERS, [[i, line.name, (line.text(), line.absolute_url), line.figure.definition]
                                     for i, line in enumerate(lines, start=1)])
