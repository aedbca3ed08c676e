"""Jobs of 监督: the daily reminder of talk follow-ups (回访) that fall due; the nightly retraining of the
petition category models."""

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core import jobs
from dangjian.orgs.models import Org

from . import (
    classify,
    petition_import,  # noqa: F401  (registers the background job of large history imports)
)
from .services import remind_follow_ups


@db_task()
def follow_up_reminders(day: str | None = None):
    """Tell each talker of the follow-ups due on ``day`` (today), and on Mondays of those overdue."""
    return remind_follow_ups(dt.date.fromisoformat(day) if day else timezone.localdate())


@db_periodic_task(crontab(hour="7", minute="50"))
def daily_follow_up_tick():
    follow_up_reminders.call_local(timezone.localdate().isoformat())


# ---- 分类建议: the category models retrained every night (and on demand: request_retrain, the command) ----

@jobs.job(classify.RETRAIN_JOB, "诉求分类模型重新训练")
def retrain_categories(day: str, org_id: int | None = None) -> str:
    """Each agency's model (or one agency's) trained from its classified petitions; unchanged history keeps
    the stored model. ``day`` only names the run (one tracked run a day and agency)."""
    done = classify.retrain_all(None if org_id is None else Org.objects.filter(pk=org_id))
    return " ".join(f"{code}:{rows if rows is not None else '关键词'}" for code, rows in done.items())


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_category_retraining():
    """At 02:30, when nobody waits for the server: the day's retraining, recorded as a tracked run."""
    return jobs.run_tracked(classify.RETRAIN_JOB, timezone.localdate().isoformat())
