"""Jobs of 考评: the daily check that records in the 作风台账 each owned matter that went past its deadline."""

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core import jobs

from .ledger import record_overdue


@jobs.job("assessment.overdue_conduct", "作风台账：记入超期未办")
def overdue_conduct(day: str) -> int:
    return record_overdue(dt.date.fromisoformat(day))


@db_periodic_task(crontab(hour="6", minute="40"))
def daily_overdue_tick():
    jobs.submit_once("assessment.overdue_conduct", timezone.localdate().isoformat())
