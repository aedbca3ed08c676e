"""Working days (docs/architecture.md: one working-day calendar).

The official calendar with its adjusted working days (调休) comes from the chinese-calendar
package for the years it knows, and from HolidayYear records entered in the system for the
others (an entered year overrides the package). A year known to neither is counted
Monday–Friday and every result touching it is marked provisional (暂按周末计算) — never an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from . import audit
from .models import HolidayDay, HolidayYear, ScheduleNeeded
from .notify import notify
from .shared_token import SharedToken

ONE_DAY = dt.timedelta(days=1)
PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

# Sent with ``year`` and ``actor`` inside the transaction that enters a year's schedule, so that
# receivers (matters: recompute open deadlines) change their records in that same transaction.
schedule_changed = Signal()


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str  # "package" | "entered" | "provisional"
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # weekend days that are working days (调休上班)

    @property
    def provisional(self) -> bool:
        return self.source == "provisional"

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class WorkdayResult:
    date: dt.date
    provisional: bool

    @property
    def note(self) -> str:
        return "暂按周末计算" if self.provisional else ""


# The calendars' token (core/shared_token.py): a process keeps the calendars it computed under it; entering a
# schedule starts a new one when it commits.
CALENDARS = SharedToken("dangjian:workdays:generation")
refresh = CALENDARS.refresh  # connected to request_started, as the rules' stamp is: once per request, not once
# per date computed (a dashboard computes hundreds)


def _entered(year: int) -> YearCalendar | None:
    days = list(HolidayDay.objects.filter(schedule__year=year).values_list("date", "kind"))
    if not days and not _year_entered(year):
        return None
    return YearCalendar(year, "entered", frozenset(d for d, k in days if k == "holiday"),
                        frozenset(d for d, k in days if k == "workday"))


def _year_entered(year: int) -> bool:
    return HolidayYear.objects.filter(year=year).exists()


@lru_cache(maxsize=64)
def _kept_calendar(year: int, token: str) -> YearCalendar:
    return _calendar(year)


def _calendar(year: int) -> YearCalendar:
    entered = _entered(year)
    if entered is not None:
        return entered
    if year in PACKAGE_YEARS:
        return YearCalendar(
            year, "package",
            frozenset(d for d in chinese_calendar.holidays if d.year == year),
            frozenset(d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5),
        )
    return YearCalendar(year, "provisional", frozenset(), frozenset())


def calendar_for(year: int) -> YearCalendar:
    if CALENDARS.changing():  # this transaction entered a schedule: its rows, kept nowhere
        return _calendar(year)
    return _kept_calendar(year, CALENDARS.current())


def is_workday(day: dt.date) -> bool:
    return calendar_for(day.year).is_workday(day)


def is_provisional(day: dt.date) -> bool:
    return calendar_for(day.year).provisional


def add_workdays(start: dt.date, count: int) -> WorkdayResult:
    """The date ``count`` working days after ``start`` (start itself not counted).

    ``count == 0`` gives ``start`` if it is a working day, else the next working day.
    """
    day, provisional = start, calendar_for(start.year).provisional
    if count == 0:
        while not is_workday(day):
            day += ONE_DAY
            provisional = provisional or is_provisional(day)
        return WorkdayResult(day, provisional)
    step = ONE_DAY if count > 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        cal = calendar_for(day.year)
        provisional = provisional or cal.provisional
        if cal.is_workday(day):
            remaining -= 1
    if provisional and is_provisional(day):
        schedule_needed(day)
    return WorkdayResult(day, provisional)


# ---- a year whose schedule is needed before it is entered -------------------------------------------

HOLIDAY_PAGE = "/settings/holidays/"


def schedule_needed(day: dt.date) -> None:
    """A date was computed in a year whose schedule is not entered (the Spring Festival week of an unknown
    year would count as working days): tell the administrators once, and keep the year on the rules page's
    banner until it is entered."""
    if ScheduleNeeded.objects.filter(year=day.year).exists():
        return
    _need, created = ScheduleNeeded.objects.get_or_create(year=day.year, defaults={"first_date": day})
    if not created:
        return
    for user in get_user_model().objects.holding("setting.manage"):
        notify(user, f"请录入{day.year}年法定节假日安排",
               f"{day:%Y-%m-%d}所在年度的放假安排尚未录入，涉及该年度的期限暂按周末计算，春节等假期可能被算作工作日。"
               "国务院办公厅通常于上一年11—12月公布放假安排，公布后请在“节假日安排”中录入。",
               link=HOLIDAY_PAGE, category="workdays")


def years_to_enter(today: dt.date | None = None) -> list[tuple[int, dt.date | None]]:
    """(year, the first date that needed it) for every year still counted provisionally that a date needed,
    and next year from November on (when the State Council publishes it) if it is unknown."""
    today = today or timezone.localdate()
    years = {n.year: n.first_date for n in ScheduleNeeded.objects.all() if calendar_for(n.year).provisional}
    if today.month >= 11 and calendar_for(today.year + 1).provisional:
        years.setdefault(today.year + 1, None)
    return sorted(years.items())


def workdays_between(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days in (start, end]: how many working days from start until end; negative if end < start."""
    if end < start:
        n, provisional = workdays_between(end, start)
        return -n, provisional
    # Year by year: the weekdays in the span, less the holidays on weekdays, plus the adjusted working days on
    # weekends — the same count as asking is_workday of each day, without walking years of days one by one
    # (the overdue board asks it for every row: 7 ms a row for a matter two years overdue).
    count, provisional, day = 0, False, start + ONE_DAY
    while day <= end:
        last = min(end, dt.date(day.year, 12, 31))
        cal = calendar_for(day.year)
        provisional = provisional or cal.provisional
        count += _weekdays(day, last)
        count += sum(1 for d in cal.workdays if day <= d <= last and d.weekday() >= 5)
        count -= sum(1 for d in cal.holidays if day <= d <= last and d.weekday() < 5 and d not in cal.workdays)
        day = last + ONE_DAY
    return count, provisional


def _weekdays(first: dt.date, last: dt.date) -> int:
    """Monday–Friday days in [first, last]."""
    weeks, rest = divmod((last - first).days + 1, 7)
    return weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)


def next_workday(day: dt.date) -> dt.date:
    return add_workdays(day, 0).date


def set_year_schedule(year: int, days: list[tuple[dt.date, str, str]], *, actor, source: str = ""):
    """Enter (or replace) a year's official schedule; recomputes what depends on it, audited."""

    errors = [f"{d:%Y-%m-%d} 不属于 {year} 年" for d, _, _ in days if d.year != year]
    for d, kind, _ in days:
        if kind == "workday" and d.weekday() < 5:
            errors.append(f"{d:%Y-%m-%d} 是工作日（周一至周五），无需登记为调休上班")
    if len({d for d, _, _ in days}) != len(days):
        errors.append("同一日期登记了多次")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule, _ = HolidayYear.objects.get_or_create(year=year)
        before = sorted((str(d), k) for d, k in schedule.days.values_list("date", "kind"))
        schedule.source = source
        schedule.entered_by = actor
        schedule.save()
        schedule.days.all().delete()
        HolidayDay.objects.bulk_create(HolidayDay(schedule=schedule, date=d, kind=k, name=n) for d, k, n in days)
        audit.record("workdays.set_year", actor=actor, target=schedule, before={"days": before},
                     after={"days": sorted((str(d), k) for d, k, _ in days)}, message=source)
        CALENDARS.changed()
        schedule_changed.send(sender=HolidayYear, year=year, actor=actor)
    return schedule


def parse_schedule_lines(text: str) -> list[tuple[dt.date, str, str]]:
    """Parse lines like "2027-10-01 放假 国庆节" / "2027-09-26 上班 国庆节" (ranges: 2027-10-01~2027-10-07)."""
    kinds = {"放假": "holiday", "休": "holiday", "上班": "workday", "班": "workday"}
    days, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < 2 or parts[1] not in kinds:
            errors.append(f"第 {number} 行：应为“日期 放假/上班 节日名”，如 2027-10-01 放假 国庆节")
            continue
        try:
            if "~" in parts[0]:
                a, b = (dt.date.fromisoformat(x) for x in parts[0].split("~"))
                span = [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]
                if not span:
                    raise ValueError
            else:
                span = [dt.date.fromisoformat(parts[0])]
        except ValueError:
            errors.append(f"第 {number} 行：日期“{parts[0]}”无效，格式为 2027-10-01 或 2027-10-01~2027-10-07")
            continue
        days.extend((d, kinds[parts[1]], parts[2] if len(parts) > 2 else "") for d in span)
    if errors:
        raise ValidationError(errors)
    return days
