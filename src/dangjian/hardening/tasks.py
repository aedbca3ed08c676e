from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import check_audit_chain, checkpoint_audit_chain


@db_periodic_task(crontab(hour="2", minute="30"))
def verify_audit_daily():
    """每日 02:30 校验审计链；失败时通知有审计查看权限的人员。"""
    return check_audit_chain().ok


@db_periodic_task(crontab(minute="*/10"))
def checkpoint_audit_chain_periodically():
    """每 10 分钟把审计链头（序号与链值，签名）写入数据库之外的检查点文件，截断链尾可被发现。"""
    return checkpoint_audit_chain()
