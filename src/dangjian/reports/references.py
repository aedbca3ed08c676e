"""Figure references in a report's prose: ``{{ matters.proposals.count }}`` filled from the one registry
(core/figures.py) for the report's org and year — live while the report is a draft, as frozen once it is
定稿. An unknown reference, or a figure with nothing to count that year, says so in place and never fails."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dangjian.core import figures
from dangjian.core.figures import FigureScope, Period

REF = re.compile(r"\{\{\s*([^{}\s]*)\s*\}\}")
NO_DATA = "【数据暂缺】"

# The figures compared year on year (those registered; a key another module has not registered is left out).
KEY_FIGURES = (
    "meetings.held", "meetings.study.sessions", "meetings.study.hours", "meetings.study.attendance_rate",
    "meetings.three_one.gaps", "meetings.decisions.count", "meetings.activities.count",
    "meetings.activities.people", "duties.letters.signed", "duties.rules.made", "duties.tasks.completion_rate",
    "matters.rectify.count", "matters.rectify.closed", "matters.rectify.on_time_rate", "matters.assigned.replies",
    "matters.proposals.count", "matters.proposals.satisfaction_rate", "supervision.talks.count",
    "supervision.inspections.count", "filings.reports.count", "orgs.members.joined",
)


def unknown_marker(key: str) -> str:
    return f"【未知统计数字：{key or '（空）'}】"


@dataclass(frozen=True)
class Reading:
    """A figure's value for a report: its number and, for a rate, numerator and denominator."""

    key: str
    label: str
    unit: str
    definition: str
    is_rate: bool
    count: Decimal | int | float
    total: int | None
    text: str  # “12项”, “85.0%”, “—” for a rate of nothing
    read_at: dt.datetime
    url: str  # the figure's page for the report's org and year (relative)

    @property
    def has_data(self) -> bool:
        return not self.is_rate or bool(self.total)

    @property
    def shown(self) -> str:
        """The value in prose, or 【数据暂缺】 for a rate with nothing to count."""
        return self.text if self.has_data else NO_DATA

    @property
    def numerator(self) -> str:
        """The count (or sum) as written: 7, 12.5 (a frozen count is kept as a decimal: 7.00 → 7)."""
        return f"{Decimal(str(self.count)):.2f}".rstrip("0").rstrip(".")

    @property
    def value(self) -> float | None:
        if self.is_rate:
            return round(float(self.count) * 100 / self.total, 1) if self.total else None
        return float(self.count)


def keys_in(text: str) -> list[str]:
    """The keys referenced in ``text``, each once, in order."""
    return list(dict.fromkeys(m.group(1) for m in REF.finditer(text or "")))


def unknown_keys(text: str) -> list[str]:
    return [k for k in keys_in(text) if k not in figures.REGISTRY]


def scope_of(report) -> FigureScope:
    return FigureScope((report.org_path,), Period.year(report.year))


def figure_link(report, key: str, year: int | None = None) -> str:
    return figures.figure_url(key, node_id=report.org_id, period=Period.year(year or report.year))


def live_readings(report, keys, year: int | None = None) -> dict[str, Reading]:
    """The registered figures among ``keys``, read now for the report's org and ``year`` (its own by default):
    one aggregate query per model."""
    scope = FigureScope((report.org_path,), Period.year(year or report.year))
    out = {}
    for key, v in figures.values_for(keys, scope).items():
        fig = v.figure
        out[key] = Reading(key, fig.label, fig.unit, fig.definition, fig.is_rate, v.count, v.total, v.text,
                           v.read_at, figure_link(report, key, year))
    return out


def frozen_readings(report) -> dict[str, Reading]:
    return {f.key: Reading(f.key, f.label, f.unit, f.definition, f.is_rate, f.count, f.total, f.text, f.read_at,
                           figure_link(report, f.key)) for f in report.frozen_figures.all()}


def readings(report, keys) -> dict[str, Reading]:
    """The values the report shows: as frozen once 定稿, else live."""
    return frozen_readings(report) if report.is_frozen else live_readings(report, keys)


def paragraphs(body: str, values: dict[str, Reading]) -> list[list[str | Reading]]:
    """The body's paragraphs (one a line), each a list of text and figure readings; an unknown reference is
    text saying so in place."""
    out = []
    for line in (body or "").splitlines():
        if not line.strip():
            continue
        parts: list[str | Reading] = []
        pos = 0
        for m in REF.finditer(line):
            parts.append(line[pos:m.start()])
            key = m.group(1)
            parts.append(values[key] if key in values else unknown_marker(key))
            pos = m.end()
        parts.append(line[pos:])
        out.append([p for p in parts if p != ""])
    return out


def body_html(body: str, values: dict[str, Reading]) -> SafeString:
    """The body as HTML paragraphs, each figure a link to its records."""
    def piece(part):
        if isinstance(part, str):
            cls = ' class="missing"' if part.startswith("【") else ""
            return format_html("<span{}>{}</span>", mark_safe(cls), part) if cls else format_html("{}", part)
        return format_html('<a class="figure-ref" href="{}" title="{}：{}">{}</a>', part.url, part.label,
                           part.definition, part.shown)
    return format_html_join("", "<p>{}</p>", ((mark_safe("".join(piece(p) for p in para)),)
                                               for para in paragraphs(body, values)))


@dataclass(frozen=True)
class Comparison:
    """A key figure this year (as the report shows it) and the year before (live)."""

    current: Reading
    previous: Reading | None

    @property
    def change(self) -> str:
        now, before = self.current.value, self.previous.value if self.previous else None
        if now is None or before is None:
            return "—"
        diff = round(now - before, 1)
        unit = "个百分点" if self.current.is_rate else self.current.unit
        shown = f"{abs(diff):.1f}".rstrip("0").rstrip(".")
        return "持平" if diff == 0 else f"{'增加' if diff > 0 else '减少'}{shown}{unit}"


def year_on_year(report, values: dict[str, Reading] | None = None) -> list[Comparison]:
    """The key figures against the year before. A frozen report compares its frozen values."""
    keys = [k for k in KEY_FIGURES if k in figures.REGISTRY]
    current = values if values is not None else readings(report, keys)
    missing = [k for k in keys if k not in current]
    if missing:  # a key figure the report does not quote: read live
        current = {**current, **live_readings(report, missing)}
    previous = live_readings(report, keys, report.year - 1)
    return [Comparison(current[k], previous.get(k)) for k in keys if k in current]
