"""`dangjian petitions <subcommand>`: 群众监督 from the console.

    dangjian petitions retrain [--org CODE] [--force]   分类模型重新训练（每个机关单位，或指定的一个）
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "群众监督：retrain 重新训练诉求分类模型"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        retrain = sub.add_parser("retrain", help="用已确认、已更正和历史导入的诉求重新训练分类模型")
        retrain.add_argument("--org", help="只训练这个机关单位（组织编码）；默认每个设有诉求分类的单位")
        retrain.add_argument("--force", action="store_true", help="已分类诉求没有变化也重新训练")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_retrain(self, org=None, force=False, **_options):
        from dangjian.orgs.models import Org
        from dangjian.supervision import classify

        if org:
            found = Org.objects.filter(code=org).first()
            if found is None:
                raise CommandError(f"--org：组织编码“{org}”不存在")
            orgs = [found]
        else:
            orgs = list(classify.agencies_to_train())
            if not orgs:
                self.stdout.write("没有设置诉求分类的单位，无需训练。")
        for each in orgs:
            row = classify.train(each, force=force)
            if row is None:
                self.stdout.write(f"{each.name}（{each.code}）：已分类诉求不足 {classify.MIN_ROWS} 条或只有一个分类，"
                                  "按关键词建议分类。")
            else:
                self.stdout.write(f"{each.name}（{each.code}）：模型第 {row.version} 版，训练样本 {row.rows} 条，"
                                  f"{len(row.categories)} 个分类，用时 {row.seconds:g} 秒。")
