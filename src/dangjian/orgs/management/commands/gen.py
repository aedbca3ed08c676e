from django.core.management.base import BaseCommand, CommandError

from dangjian.orgs.gen import GenError, generate


class Command(BaseCommand):
    help = "生成省级规模的合成数据：五级组织树（省委→市委→县委→党委/党总支→党支部）和人员（每支部约19人）"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="人数，如 2000000")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成同样的数据）")
        parser.add_argument("--reset", action="store_true", help="先清空组织、人员、职务、人数统计和角色授权")
        parser.add_argument("--password", default=None, help="gen_ 开头的账号的密码（不设则不能用密码登录）")

    def handle(self, *args, members, seed, reset, password, **options):
        try:
            result = generate(members, seed=seed, reset_first=reset, password=password,
                              log=lambda s: self.stdout.write(s))
        except GenError as exc:
            raise CommandError(str(exc)) from exc
        for username, path in result.users.items():
            self.stdout.write(f"账号 {username}：授权节点 {path}")
        self.stdout.write(f"完成：{result.orgs} 个组织，{result.people} 人，用时 {result.seconds['total']:.1f} 秒 "
                          f"({', '.join(f'{k} {v:.1f}s' for k, v in result.seconds.items())})")
