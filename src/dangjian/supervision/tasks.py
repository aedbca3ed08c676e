"""Jobs of 监督: the daily reminder of talk follow-ups (回访) that fall due."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import remind_follow_ups


@db_periodic_task(crontab(hour="7", minute="50"))
def follow_up_reminders():
    return remind_follow_ups(timezone.localdate())
