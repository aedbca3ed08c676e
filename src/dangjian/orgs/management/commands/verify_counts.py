from django.core.management.base import BaseCommand, CommandError

from dangjian.orgs.services import count_differences, do_repair_counts


class Command(BaseCommand):
    help = "核对各级组织的人数统计与人员表的实际人数，列出每一项差异；加 --repair 按人员表重算（记审计）"

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="按人员表重算人数统计")

    def handle(self, *args, **options):
        wrong = count_differences()
        for path, status, stored, fresh in wrong:
            self.stdout.write(f"{path}\t{status}\t统计 {stored}\t实际 {fresh}")
        if not wrong:
            self.stdout.write("人数统计与人员表一致")
            return
        if options["repair"]:
            self.stdout.write(f"已按人员表重算，修正 {do_repair_counts()} 项")
            return
        raise CommandError(f"{len(wrong)} 项人数统计与人员表不符（加 --repair 重算）")
