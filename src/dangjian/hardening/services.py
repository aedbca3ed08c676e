"""The audit-chain check shared by the command and the daily task."""

from dangjian.accounts.models import User
from dangjian.core import audit, audit_chain
from dangjian.core.notify import notify


def check_audit_chain() -> audit_chain.Verdict:
    verdict = audit_chain.verify()
    # The check itself is a security event, so that a failed check cannot go unnoticed later.
    audit.security_event("audit.verify", success=verdict.ok, message=verdict.describe())
    if verdict.ok:
        audit_chain.write_checkpoint()  # what was just verified is anchored outside the database
    else:
        for user in User.objects.holding("audit.view"):  # those who may read the audit log
            notify(user, "审计记录校验失败", verdict.describe(), link="/audit/", category="security")
    return verdict


def checkpoint_audit_chain() -> dict | None:
    """The periodic checkpoint: the chain head, signed, to the file outside the database (and the log)."""
    return audit_chain.write_checkpoint()
