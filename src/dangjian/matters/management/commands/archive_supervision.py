"""`dangjian archive_supervision`: the weekly 督办单 of each year beyond the retention rule, exported to the
document store and their lines removed (audited). The task queue does the same every 1 January."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.core import rule_settings
from dangjian.matters import supervision


class Command(BaseCommand):
    help = "按保留年限归档一周一督办督办单明细（导出到文档库后删除明细，留审计记录）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只归档这一年（须已超过保留年限）")

    def handle(self, *args, year=None, **options):
        due = supervision.years_due_for_archive(timezone.localdate())
        if year is not None:
            if year not in due:
                keep = rule_settings.get("matters.supervision_retention_years")
                raise CommandError(f"--year：{year} 年没有可归档的督办单明细（保留最近 {keep} 年，或该年已归档）")
            due = [year]
        if not due:
            self.stdout.write("没有超过保留年限且未归档的督办单明细。")
        for each in due:
            name, sheets, rows = supervision.archive_year(each)
            self.stdout.write(f"已归档 {each} 年督办单 {sheets} 期（{rows} 行）至文档库 {name}，并删除其明细。")
