from django.core.management.base import BaseCommand

from dangjian.orgs.services import recount_members


class Command(BaseCommand):
    help = "按人员表重算各级组织的党员人数统计"

    def handle(self, *args, **options):
        recount_members()
        self.stdout.write("已重算人数统计")
