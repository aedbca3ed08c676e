"""Periodic jobs of 事项督办 on the task queue (huey; `dangjian serve` starts the consumer).

Each job runs daily and decides from the calendar and the rules whether it is due, so that the
supervision weekday stays a configurable rule rather than a crontab baked into the code. The work itself
is a tracked job (core/jobs.py): its start and end are recorded, a run a dead consumer left unfinished
is run again when a consumer starts, and each is safe to run twice.
"""

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from dangjian.core import jobs

from . import supervision
from .models import SupervisionSheet


@jobs.job("matters.weekly_supervision", "一周一督办：督办单")
def issue_weekly(day: str) -> int:
    return supervision.issue_weekly_sheet(dt.date.fromisoformat(day)).pk


@jobs.job("matters.half_month_summary", "半月一小结")
def issue_half_month(day: str) -> int:
    end = supervision.previous_half_month_end(dt.date.fromisoformat(day))
    return supervision.build_summary(SupervisionSheet.Period.HALF_MONTH, end).pk


@jobs.job("matters.monthly_summary", "一月一总结")
def issue_month(day: str) -> int:
    end = supervision.previous_month_end(dt.date.fromisoformat(day))
    return supervision.build_summary(SupervisionSheet.Period.MONTH, end).pk


@jobs.job("matters.summary", "小结/总结（截至指定日期）")
def issue_summary(period: str, day: str) -> int:
    """A 小结/总结 of the period running up to ``day`` (the page's button: leaders may not wait)."""
    return supervision.build_summary(SupervisionSheet.Period(period), dt.date.fromisoformat(day)).pk


@jobs.job("matters.archive_supervision", "督办单按年归档")
def archive_due(day: str) -> int:
    """Years beyond the retention rule: exported to the document store, their lines removed."""
    return sum(supervision.archive_year(year)[2] for year in supervision.years_due_for_archive(
        dt.date.fromisoformat(day)))


def _today(day: str | None) -> dt.date:
    return dt.date.fromisoformat(day) if day else timezone.localdate()


@db_task()
def weekly_supervision(day: str | None = None, force: bool = False):
    """一周一督办: issue the 督办单 on the configured weekday (or at once when forced)."""
    today = _today(day)
    if not force and not supervision.is_supervision_day(today):
        return None
    return jobs.run_tracked("matters.weekly_supervision", today.isoformat())


@db_task()
def half_month_summary(day: str | None = None):
    """半月一小结: on the 1st and the 16th, the half month just ended."""
    return jobs.run_tracked("matters.half_month_summary", _today(day).isoformat())


@db_task()
def monthly_summary(day: str | None = None):
    """一月一总结: on the 1st, the month just ended."""
    return jobs.run_tracked("matters.monthly_summary", _today(day).isoformat())


@jobs.job("matters.daily_tick", "每日督办检查")
def daily_tick(day: str) -> str:
    """The weekly sheet on its day — or, when that day passed without one (the consumer was down), now, for
    that day; the summaries on the 1st and the 16th; on 1 January, the sheets beyond retention archived."""
    today = dt.date.fromisoformat(day)
    done = []
    missed = supervision.missed_supervision_day(today)
    if supervision.is_supervision_day(today) or missed:
        done.append(f"week {jobs.run_tracked('matters.weekly_supervision', (missed or today).isoformat())}")
    if today.day in (1, 16):
        done.append(f"half {jobs.run_tracked('matters.half_month_summary', day)}")
    if today.day == 1:
        done.append(f"month {jobs.run_tracked('matters.monthly_summary', day)}")
    if (today.month, today.day) == (1, 1):
        done.append(f"archive {jobs.run_tracked('matters.archive_supervision', day)}")
    return " ".join(done)


TICK_HOUR = 8


@db_periodic_task(crontab(hour=str(TICK_HOUR), minute="0"))
def daily_supervision_tick():
    """Every morning at 08:00: the day's 督办 work (``daily_tick``), recorded as a tracked run."""
    return jobs.run_tracked("matters.daily_tick", timezone.localdate().isoformat())


@HUEY.on_startup()
def _catch_up_daily_tick():
    # huey does not run a periodic task whose time passed while no consumer ran: a consumer that starts
    # after 08:00 queues the day's tick unless it is on record (each of its parts is safe to run twice).
    now = timezone.localtime()
    if now.hour >= TICK_HOUR:
        jobs.submit_once("matters.daily_tick", now.date().isoformat())
