import os

from django.conf import settings
from django.core.management.base import BaseCommand

from dangjian.orgs.demo import DEMO_LOGINS, build_demo, demo_exists, demo_password


class Command(BaseCommand):
    help = "载入演示单位“市XX”（组织、人员、各角色账号），并打印登录信息"

    def handle(self, *args, **options):
        credentials = settings.DATA_DIR / "demo_logins.txt"
        if demo_exists():
            self.stdout.write("演示数据已存在，不重复载入。")
        else:
            password = demo_password(os.environ.get("DANGJIAN_DEMO_PASSWORD"))
            build_demo(password)
            lines = [f"{u:<10} {label}" for u, label in DEMO_LOGINS]
            text = "演示账号（密码均为：{}）：\n{}\n也可用手机号登录。其余人员账号（ry01…ry60）不能用密码登录。\n".format(
                password, "\n".join(lines))
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            credentials.write_text(text, encoding="utf-8")
            credentials.chmod(0o600)
        if credentials.exists():
            self.stdout.write(credentials.read_text(encoding="utf-8"))
