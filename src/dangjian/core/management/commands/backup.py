from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import backup


class Command(BaseCommand):
    help = ("备份整个系统：一个 .tar.gz（数据库一致性快照、上传文件、任务队列、清单）和一个用口令加密的密钥备份 .keys"
            "（密钥与 Django 密钥）。恢复用 dangjian restore，见 docs/deploy.md")

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(backup.default_dir()),
                            help="备份目录（默认 DANGJIAN_BACKUP_DIR，或 数据目录/backups）")
        parser.add_argument("--key-passphrase-file", help="密钥备份口令所在的文件（第一行）；不给则在终端输入")
        parser.add_argument("--no-keys", action="store_true",
                            help="不写密钥备份（密钥已另行备份时，如定期备份任务）")
        parser.add_argument("--keep", type=int, help="只保留最新的 N 份备份，删除更早的（含其密钥备份）")

    def handle(self, *args, **options):
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep 至少为 1")
        passphrase = None
        if not options["no_keys"]:
            passphrase = backup.read_passphrase(options["key_passphrase_file"], confirm=True)
        result = backup.create_backup(Path(options["to"]), passphrase=passphrase, keep=options["keep"])
        m = result.manifest
        self.stdout.write(f"已备份到 {result.archive}")
        self.stdout.write(f"  数据库（{m['database']}）{len(m['counts'])} 张表 {sum(m['counts'].values())} 条记录，"
                          f"审计链到序号 {m['audit_head']['seq']}；上传文件 "
                          f"{sum(1 for f in m['files'] if f.startswith('media/'))} 个；版本 {m['app_version']}")
        if result.keys:
            self.stdout.write(f"密钥备份（已用口令加密）：{result.keys}——请与数据备份分开保管，口令另行保管")
        else:
            self.stdout.write("未写密钥备份：恢复时须另有同一密钥的密钥备份")
        for path in result.removed:
            self.stdout.write(f"按保留份数删除：{path.name}")
