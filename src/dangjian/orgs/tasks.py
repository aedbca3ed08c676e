"""Periodic jobs of the org tree on the task queue (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import check_counts


@db_periodic_task(crontab(hour="3", minute="10"))
def verify_counts_daily():
    """每日 03:10 核对人数统计；有差异时通知组织管理人员（不自动修正）。"""
    return not check_counts()
