"""`dangjian petitions <subcommand>`: 群众监督 from the console.

    dangjian petitions import FILE --map subject=<列> --map content=<列> --map received_at=<列> [--map …]
                              [--channel 热线电话] --org CODE --user NAME      导入历史诉求（任何一行有误则整表不导入）
    dangjian petitions retrain [--org CODE] [--force]   分类模型重新训练（每个机关单位，或指定的一个）
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.core.documents import XlsxFormatError
from dangjian.orgs.models import Org
from dangjian.supervision import classify, petition_import


class Command(BaseCommand):
    help = "群众监督：import 导入历史诉求；retrain 重新训练诉求分类模型"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        imp = sub.add_parser("import", help="导入历史诉求（.xlsx，或 UTF-8、GBK 编码的 .csv）：任何一行有误则整表不导入，"
                                            "逐行列出错误")
        imp.add_argument("file")
        imp.add_argument("--map", dest="maps", action="append", default=[], metavar="字段=列",
                         help="字段对应的列（表头文字或列字母，如 B）；字段：number 编号、subject 标题、content 内容、"
                              "received_at 时间、channel 渠道、kind 类型、category 分类（也可写中文字段名）")
        imp.add_argument("--channel", default="", help="整个文件的渠道（文件中没有渠道列，或渠道为空的行），如 热线电话")
        imp.add_argument("--org", required=True, help="收到诉求的单位（组织编码）")
        imp.add_argument("--user", required=True, help="以哪个用户的身份导入（须有群众监督登记权限；记入审计日志）")
        retrain = sub.add_parser("retrain", help="用已确认、已更正和历史导入的诉求重新训练分类模型")
        retrain.add_argument("--org", help="只训练这个机关单位（组织编码）；默认每个设有诉求分类的单位")
        retrain.add_argument("--force", action="store_true", help="已分类诉求没有变化也重新训练")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_import(self, file, maps, channel, org, user, **_options):
        agency = Org.objects.filter(code=org).first()
        if agency is None:
            raise CommandError(f"--org：组织编码“{org}”不存在")
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"--user：用户“{user}”不存在或已停用")
        specs = {}
        for item in maps:
            name, sep, column = item.partition("=")
            if not sep:
                raise CommandError(f"--map {item}：应为 字段=列，如 subject=标题 或 subject=B")
            specs[petition_import.FIELD_NAMES.get(name.strip(), name.strip())] = column.strip()
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            with path.open("rb") as upload:
                result = petition_import.import_petitions(upload, specs, org=agency, actor=actor, channel=channel)
        except ValidationError as exc:
            raise CommandError("；".join(m for ms in exc.message_dict.values() for m in ms)) from exc
        except (XlsxFormatError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        report = result.report
        if not report.ok:
            for e in report.errors:
                self.stderr.write(f"第 {e.row} 行\t{e.column or '—'}\t{e.message}")
            raise CommandError(f"导入未完成：共 {report.rows} 行，发现 {len(report.errors)} 处错误，未写入任何数据")
        created = f"，新建分类 {len(result.new_categories)} 个：{'、'.join(result.new_categories)}"
        self.stdout.write(f"已导入历史诉求 {result.created} 条" + (created if result.new_categories else ""))

    def handle_retrain(self, org=None, force=False, **_options):
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
