"""Periodic jobs of 事项督办 on the task queue (huey; `dangjian serve` starts the consumer).

Each job runs daily and decides from the calendar and the rules whether it is due, so that the
supervision weekday stays a configurable rule rather than a crontab baked into the code.
"""

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import supervision
from .models import SupervisionSheet


@db_task()
def weekly_supervision(day: str | None = None, force: bool = False):
    """一周一督办: issue the 督办单 on the configured weekday (or at once when forced)."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    if not force and not supervision.is_supervision_day(today):
        return None
    return supervision.issue_weekly_sheet(today).pk


@db_task()
def half_month_summary(day: str | None = None):
    """半月一小结: on the 1st and the 16th, the half month just ended."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    end = supervision.previous_half_month_end(today)
    return supervision.build_summary(SupervisionSheet.Period.HALF_MONTH, end).pk


@db_task()
def monthly_summary(day: str | None = None):
    """一月一总结: on the 1st, the month just ended."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return supervision.build_summary(SupervisionSheet.Period.MONTH, supervision.previous_month_end(today)).pk


@db_periodic_task(crontab(hour="8", minute="0"))
def daily_supervision_tick():
    """Every morning at 08:00: the weekly sheet on its day; the summaries on the 1st and the 16th."""
    today = timezone.localdate()
    weekly_supervision.call_local(today.isoformat())
    if today.day in (1, 16):
        half_month_summary.call_local(today.isoformat())
    if today.day == 1:
        monthly_summary.call_local(today.isoformat())
