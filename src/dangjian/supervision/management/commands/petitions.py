"""`dangjian petitions <subcommand>`: 群众监督 from the console.

    dangjian petitions import FILE --map subject=<列> --map content=<列> --map received_at=<列> [--map …]
                              [--channel 热线电话] --org CODE --user NAME      导入历史诉求（任何一行有误则整表不导入）
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.core.documents import XlsxFormatError
from dangjian.orgs.models import Org
from dangjian.supervision import petition_import


class Command(BaseCommand):
    help = "群众监督：import 导入历史诉求"

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
