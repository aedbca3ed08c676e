import datetime as dt
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "备份数据库：SQLite 在线备份为文件；PostgreSQL 请使用 pg_dump（见 docs/deploy.md）"

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(settings.DATA_DIR / "backups"), help="备份目录")

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if not db["ENGINE"].endswith("sqlite3"):
            raise CommandError("PostgreSQL 部署请使用 pg_dump 备份，见 docs/deploy.md")
        target_dir = Path(options["to"])
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / f"dangjian-{dt.datetime.now():%Y%m%d-%H%M%S}.sqlite3"
        source = sqlite3.connect(db["NAME"])
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)  # consistent online copy, safe while the server runs
        dest.close()
        source.close()
        self.stdout.write(f"已备份到 {target}")
