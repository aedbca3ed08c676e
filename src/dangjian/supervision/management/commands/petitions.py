"""``dangjian petitions <action>``: 群众监督 at the command line. Each action is one subcommand, added to ACTIONS."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.core.documents import XlsxFormatError
from dangjian.orgs.models import Org


def add_import(sub) -> None:
    p = sub.add_parser("import", help="导入历史诉求（.xlsx，或 UTF-8、GBK 编码的 .csv）：任何一行有误则整表不导入")
    p.add_argument("file")
    p.add_argument("--map", action="append", default=[], metavar="字段=列",
                   help="字段对应的列（表头文字或列字母）；字段：number 编号、subject 标题、content 内容、"
                        "received_at 时间、channel 渠道、kind 类型、category 分类")
    p.add_argument("--channel", default="", help="整个文件的渠道（文件中没有渠道列时），如 热线电话")
    p.add_argument("--org", required=True, help="收到诉求的单位（组织编码）")
    p.add_argument("--user", required=True, help="以哪个用户的身份导入（记入审计日志）")


def run_import(command, options) -> None:
    from dangjian.supervision import petition_import

    org = Org.objects.filter(code=options["org"]).first()
    if org is None:
        raise CommandError(f"--org：找不到组织编码“{options['org']}”")
    actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
    if actor is None:
        raise CommandError(f"--user：找不到用户“{options['user']}”")
    specs = {}
    for item in options["map"]:
        name, sep, column = item.partition("=")
        if not sep:
            raise CommandError(f"--map {item}：应为 字段=列，如 subject=标题 或 subject=B")
        specs[petition_import.FIELD_NAMES.get(name.strip(), name.strip())] = column.strip()
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"文件不存在：{path}")
    try:
        with path.open("rb") as upload:
            result = petition_import.import_petitions(upload, specs, org=org, actor=actor, channel=options["channel"])
    except ValidationError as exc:
        raise CommandError("；".join(m for ms in exc.message_dict.values() for m in ms)) from exc
    except (XlsxFormatError, PermissionDenied) as exc:
        raise CommandError(str(exc)) from exc
    report = result.report
    if not report.ok:
        for e in report.errors:
            command.stderr.write(f"第 {e.row} 行\t{e.column or '—'}\t{e.message}")
        raise CommandError(f"导入未完成：共 {report.rows} 行，发现 {len(report.errors)} 处错误，未写入任何数据")
    command.stdout.write(f"已导入历史诉求 {result.created} 条" + (
        f"，新建分类 {len(result.new_categories)} 个：{'、'.join(result.new_categories)}" if result.new_categories else ""))


# subcommand → (add its arguments, run it)
ACTIONS = {"import": (add_import, run_import)}


class Command(BaseCommand):
    help = "群众监督：导入历史诉求等"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for add, _run in ACTIONS.values():
            add(sub)

    def handle(self, *args, **options):
        ACTIONS[options["action"]][1](self, options)
