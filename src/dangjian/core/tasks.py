"""Core's jobs on the task queue (huey autodiscovers each app's tasks.py): the tracked-job runner and the
consumer heartbeat (core/jobs.py), the e-mail delivery queue (core/notify.py) and the daily backup."""

import os

from django.contrib.auth import get_user_model
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import audit, backup, rule_settings
from .jobs import heartbeat, run_job  # noqa: F401  (registered with the consumer)
from .notify import deliver_mail, deliver_mail_sweep, notify_many  # noqa: F401

# who switched the daily backup on (the rule needs it) is who must hear that it failed
BACKUP_CAPABILITY = "setting.manage"


@db_periodic_task(crontab(hour="3", minute="40"))
def backup_daily():
    """每日 03:40：规则“每日自动备份”打开时备份整个系统，并按“自动备份保留份数”删除旧备份。"""
    if not rule_settings.get("ops.backup_daily"):
        return None
    target = backup.default_dir()
    try:
        passphrase_file = os.environ.get("DANGJIAN_BACKUP_PASSPHRASE_FILE")
        passphrase = backup.read_passphrase(passphrase_file, confirm=False) if passphrase_file else None
        result = backup.create_backup(target, passphrase=passphrase, keep=rule_settings.get("ops.backup_keep"))
    except Exception as exc:
        _backup_failed(target, exc)
        raise  # the task queue logs it as failed too
    return str(result.archive)


def _backup_failed(target, exc: Exception) -> None:
    """A failed night's backup is recorded (security log) and told to the administrators, who would otherwise
    find out only when they need it."""
    message = f"每日自动备份失败，没有生成备份（备份目录 {target}）：{type(exc).__name__}: {exc}"[:500]
    audit.security_event("backup.failed", success=False, message=message)
    body = (f"{message}\n请检查备份目录是否存在、可写、空间是否充足（或 DANGJIAN_BACKUP_PASSPHRASE_FILE 是否可读），"
            "排除后可手动运行 dangjian backup 补做一次。")
    notify_many(((user, "每日自动备份失败", body, "") for user in get_user_model().objects.holding(BACKUP_CAPABILITY)),
                category="backup")
