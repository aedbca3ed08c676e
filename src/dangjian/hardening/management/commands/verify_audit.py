from django.core.management.base import BaseCommand, CommandError

from dangjian.core import audit, audit_chain


class Command(BaseCommand):
    help = "校验审计记录的 HMAC-SM3 链，指出第一条被改动、删除或插入的记录"

    def handle(self, *args, **options):
        verdict = audit_chain.verify()
        # The check itself is a security event, so that a failed check cannot go unnoticed later.
        audit.security_event("audit.verify", success=verdict.ok, message=verdict.describe())
        if not verdict.ok:
            raise CommandError(verdict.describe())
        self.stdout.write(verdict.describe())
