from django.core.management.base import BaseCommand, CommandError

from dangjian.hardening.services import check_audit_chain


class Command(BaseCommand):
    help = "校验审计记录的 HMAC-SM3 链，指出第一条被改动、删除或插入的记录"

    def handle(self, *args, **options):
        verdict = check_audit_chain()
        if not verdict.ok:
            raise CommandError(verdict.describe())
        self.stdout.write(verdict.describe())
