"""check --deploy: the keys and the audit checkpoints must not sit beside the database (安全审计 c, 数据保密性).

Whoever copies the database directory (or a backup in the data directory) would otherwise take the keys that
decrypt its personal data and the checkpoints that show its audit chain was cut."""

import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Tags, Warning, register

from dangjian.core import audit_chain, crypto


def _database_dirs() -> list[Path]:
    dirs = [Path(settings.DATA_DIR).resolve()]  # the SQLite file, uploads and backups
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        dirs.append(Path(db["NAME"]).resolve().parent)
    return dirs


def _beside_database(path: Path) -> bool:
    path = path.resolve()
    return any(path.is_relative_to(d) for d in _database_dirs())


@register(Tags.security, deploy=True)
def keys_apart_from_the_database(app_configs=None, **kwargs):
    warnings = []
    if not os.environ.get("DANGJIAN_KEYRING") and _beside_database(crypto.keyring_path()):
        warnings.append(Warning(
            f"密钥环 {crypto.keyring_path()} 与数据库在同一目录（数据目录）下：复制数据库或备份的人同时拿到了解密个人信息"
            "和校验审计链的密钥",
            hint="用 DANGJIAN_KEYRING_FILE 把密钥环放到数据目录之外（如 /etc/dangjian/keyring.json，0600），"
                 "或用 DANGJIAN_KEYRING 从密钥管理处注入；见 docs/deploy.md",
            id="dangjian.W001"))
    if _beside_database(audit_chain.checkpoint_path()):
        warnings.append(Warning(
            f"审计链检查点文件 {audit_chain.checkpoint_path()} 与数据库在同一目录（数据目录）下：能改数据库的人也能改它，"
            "截断审计链尾将无从发现",
            hint="用 DANGJIAN_AUDIT_CHECKPOINTS 指定数据目录之外的路径（或另一台主机挂载的目录），并把 "
                 "dangjian.audit.checkpoint 日志送往 syslog；见 docs/deploy.md",
            id="dangjian.W002"))
    return warnings
