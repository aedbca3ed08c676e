"""Periods and scopes of the figure registry (core/figures.py): the days a figure counts over (a year, a month, a
半月 or any range) and where it counts (subtrees, nodes, or a person's own records)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

# ---- periods ------------------------------------------------------------------------------------------------

_PERIOD_RE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<half>[12]))?)?$"
    r"|^(?P<start>\d{4}-\d{2}-\d{2})~(?P<end>\d{4}-\d{2}-\d{2})$"
)


@dataclass(frozen=True)
class Period:
    """A closed range of days a figure counts over (a year, a month, a half-month or any range)."""

    start: dt.date
    end: dt.date  # inclusive
    key: str  # "2026", "2026-11", "2026-11-1" (上半月), "2026-11-2" (下半月), "2026-01-01~2026-06-30"
    label: str

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}", f"{year}年")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, last), f"{year}-{month:02d}", f"{year}年{month}月")

    @classmethod
    def half_month(cls, year: int, month: int, half: int) -> Period:
        """半月: the 1st–15th (half 1) or the 16th to the month's end (half 2)."""
        last = calendar.monthrange(year, month)[1]
        start, end = (1, 15) if half == 1 else (16, last)
        name = "上半月" if half == 1 else "下半月"
        return cls(dt.date(year, month, start), dt.date(year, month, end), f"{year}-{month:02d}-{half}",
                   f"{year}年{month}月{name}")

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        return cls(start, end, f"{start.isoformat()}~{end.isoformat()}",
                   f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日")

    @classmethod
    def parse(cls, text: str | None, default: Period | None = None) -> Period:
        """A period from its key; ``ValueError`` (with a Chinese message) for anything else."""
        if not text:
            return default or cls.year(timezone.localdate().year)
        m = _PERIOD_RE.match(text.strip())
        try:
            if m and m["start"]:
                start, end = dt.date.fromisoformat(m["start"]), dt.date.fromisoformat(m["end"])
                if start <= end:
                    return cls.between(start, end)
            elif m:
                year = int(m["year"])
                if 1949 <= year <= 2200:
                    if m["half"]:
                        return cls.half_month(year, int(m["month"]), int(m["half"]))
                    if m["month"]:
                        return cls.month(year, int(m["month"]))
                    return cls.year(year)
        except ValueError:
            pass
        raise ValueError(f"统计期间“{text}”无效：应为年（2026）、月（2026-11）、半月（2026-11-1）或日期范围"
                         "（2026-01-01~2026-06-30）")

    @property
    def days(self) -> tuple[dt.date, dt.date]:
        """(start, end) for ``__range`` lookups on date columns."""
        return (self.start, self.end)

    @property
    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes, for ``__gte``/``__lt`` on datetime columns."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        return start, dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    def previous_year(self) -> Period:
        """The same span a year earlier (for year-on-year comparison)."""
        def back(day: dt.date) -> dt.date:
            return day.replace(year=day.year - 1, day=min(day.day, calendar.monthrange(day.year - 1, day.month)[1]))
        if self.key.isdigit():
            return Period.year(self.start.year - 1)
        if re.fullmatch(r"\d{4}-\d{2}", self.key):
            return Period.month(self.start.year - 1, self.start.month)
        if re.fullmatch(r"\d{4}-\d{2}-[12]", self.key):
            return Period.half_month(self.start.year - 1, self.start.month, int(self.key[-1]))
        return Period.between(back(self.start), back(self.end))


# ---- the scope a figure is computed for --------------------------------------------------------------------

@dataclass(frozen=True)
class FigureScope:
    """Where and when a figure counts: the subtrees (org paths) and the period; for a personal figure, the
    person (their own to-do counts on the home page)."""

    paths: tuple[str, ...]
    period: Period
    person_id: int | None = None
    # Nodes whose own records count, not their subtrees': the part of a composed value under no child.
    nodes: tuple[str, ...] = ()

    def under(self, *path_fields: str) -> Q:
        """The records whose path column(s) lie in one of the scope's subtrees or at one of its nodes (one Q of
        path-prefix and equality tests)."""
        q = Q()
        for name in path_fields:
            for path in self.paths:
                q |= Q(**{f"{name}__pathprefix": path})
            for node in self.nodes:
                q |= Q(**{name: node})
        return q if q else Q(pk__in=[])

    def during(self, date_field: str) -> Q:
        """Records whose date (or datetime) column falls in the period."""
        return Q(**{f"{date_field}__range": self.period.days})

    def during_moments(self, datetime_field: str) -> Q:
        start, end = self.period.moments
        return Q(**{f"{datetime_field}__gte": start, f"{datetime_field}__lt": end})
