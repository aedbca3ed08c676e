"""A periodic summary (统计小结) of any node and period — a half month, a month, a year or any range: every
registered figure the user may see for that node, by module, each number linking to the records behind it,
on a page and as an official .docx. The figures come from the one registry (core/figures.py) and are written
by the same code as the 半月一小结 and 一月一总结 of 事项督办 (core/figure_summaries.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from dangjian.core import figure_summaries, figures
from dangjian.core.documents import OfficialDocument, cn_date, cn_ordinal
from dangjian.core.figure_summaries import SummaryLine


@dataclass
class Summary:
    node: object | None  # the org node, or None for the whole of the user's scope
    period: figures.Period
    modules: list[tuple[str, list[SummaryLine]]]

    @property
    def where(self) -> str:
        return self.node.name if self.node is not None else "本人权限范围内各级组织"

    @property
    def title(self) -> str:
        return f"{self.node.name if self.node is not None else ''}{self.period.label}党建工作统计小结"

    @property
    def count(self) -> int:
        return sum(len(lines) for _, lines in self.modules)


def build(user, node, period: figures.Period) -> Summary:
    """The figures ``user`` may see for ``node`` (or their whole scope) over ``period``, by module; personal
    figures (one's own to-dos) belong to the home page, not to a summary of a unit. One aggregate query per
    model and scope, whatever the number of records."""
    modules = []
    for module, defs in figures.by_module().items():
        shown = [(fig, scope) for fig in defs if not fig.personal
                 and (scope := figure_summaries.figure_scope(user, fig, period, node)) is not None]
        if shown:
            node_id = node.pk if node is not None else None
            lines = [SummaryLine(value, value.figure.label + ("（当前）" if value.figure.stock else ""), node_id)
                     for value in figure_summaries.evaluate_shown(shown)]
            modules.append((figure_summaries.module_label(module), lines))
    return Summary(node, period, modules)


def document(summary: Summary) -> OfficialDocument:
    """The summary as an official .docx: one table of figures per module, each value a link to its page."""
    period = summary.period
    doc = OfficialDocument(summary.title)
    doc.paragraph(f"统计期间：{cn_date(period.start)}至{cn_date(period.end)}；统计范围：{summary.where}。以下数字均由系统"
                  f"按统一口径从记录计算，标“当前”的为截至生成时的状态；点击数值可查看所计入的全部记录。")
    if not summary.modules:
        doc.paragraph("权限范围内没有可统计的数字。")
    for n, (label, lines) in enumerate(summary.modules, start=1):
        doc.heading1(f"{cn_ordinal(n)}、{label}")
        figure_summaries.write_table(doc, lines)
    doc.signature(summary.node.name if summary.node is not None else "规矩系统", timezone.localdate())
    return doc
