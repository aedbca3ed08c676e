from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import backup


class Command(BaseCommand):
    help = ("从 dangjian backup 的备份恢复到空的数据目录或空数据库（拒绝覆盖现有数据），"
            "然后检查迁移状态、记录数与审计链头、审计链和加密数据，逐项报告。见 docs/deploy.md")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件 dangjian-….tar.gz")
        parser.add_argument("--keys", required=True, help="同一次备份的密钥备份 dangjian-….keys")
        parser.add_argument("--key-passphrase-file", help="密钥备份口令所在的文件（第一行）；不给则在终端输入")

    def handle(self, *args, **options):
        archive, keys = Path(options["archive"]), Path(options["keys"])
        for path in (archive, keys):
            if not path.is_file():
                raise CommandError(f"找不到文件 {path}")
        passphrase = backup.read_passphrase(options["key_passphrase_file"], confirm=False)
        checks = backup.restore(archive, keys, passphrase)
        self.stdout.write(f"已从 {archive.name} 恢复。检查结果：")
        for check in checks:
            self.stdout.write(f"  [{'通过' if check.ok else '未通过'}] {check.name}：{check.detail}")
        failed = [c.name for c in checks if not c.ok]
        if failed:
            raise CommandError(f"恢复后的检查未通过：{'、'.join(failed)}。请勿启用该系统，保留备份并排查。")
        self.stdout.write("全部检查通过，可以启动服务。")
