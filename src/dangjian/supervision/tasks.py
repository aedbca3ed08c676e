"""Jobs of 监督: the daily reminder of talk follow-ups (回访) that fall due."""

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import petition_import  # noqa: F401  (registers the background job of large history imports)
from .services import remind_follow_ups


@db_task()
def follow_up_reminders(day: str | None = None):
    """Tell each talker of the follow-ups due on ``day`` (today), and on Mondays of those overdue."""
    return remind_follow_ups(dt.date.fromisoformat(day) if day else timezone.localdate())


@db_periodic_task(crontab(hour="7", minute="50"))
def daily_follow_up_tick():
    follow_up_reminders.call_local(timezone.localdate().isoformat())
