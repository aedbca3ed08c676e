from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import check_audit_chain


@db_periodic_task(crontab(hour="2", minute="30"))
def verify_audit_daily():
    """每日 02:30 校验审计链；失败时通知有审计查看权限的人员。"""
    return check_audit_chain().ok
