"""Core's jobs on the task queue (huey autodiscovers each app's tasks.py): the tracked-job runner and the
consumer heartbeat (core/jobs.py), the e-mail delivery queue (core/notify.py) and the daily backup."""

import os

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import backup, rule_settings
from .jobs import heartbeat, run_job  # noqa: F401  (registered with the consumer)
from .notify import deliver_mail, deliver_mail_sweep  # noqa: F401


@db_periodic_task(crontab(hour="3", minute="40"))
def backup_daily():
    """每日 03:40：规则“每日自动备份”打开时备份整个系统，并按“自动备份保留份数”删除旧备份。"""
    if not rule_settings.get("ops.backup_daily"):
        return None
    passphrase_file = os.environ.get("DANGJIAN_BACKUP_PASSPHRASE_FILE")
    passphrase = backup.read_passphrase(passphrase_file, confirm=False) if passphrase_file else None
    result = backup.create_backup(backup.default_dir(), passphrase=passphrase,
                                  keep=rule_settings.get("ops.backup_keep"))
    return str(result.archive)
