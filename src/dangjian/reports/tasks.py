"""Periodic jobs of 年度报告 on the task queue (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .dashboards import warm


@db_periodic_task(crontab(hour="0", minute="15"))
def warm_dashboards_daily():
    """每日 00:15 预读看板数字：省、市等上层组织的数字由下级的数字合成，当日首次打开看板时不必再从头统计。"""
    return warm()
