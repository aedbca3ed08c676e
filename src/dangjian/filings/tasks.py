"""Jobs of 报告报备: the daily check that turns late or missing reports and unconfirmed returns into entries of
the 作风台账 (each entered once: record_conduct is idempotent per record)."""

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import run_daily_checks


@db_task()
def daily_checks(day: str | None = None):
    return run_daily_checks(dt.date.fromisoformat(day) if day else timezone.localdate())


@db_periodic_task(crontab(hour="7", minute="40"))
def daily_checks_tick():
    daily_checks.call_local(timezone.localdate().isoformat())
