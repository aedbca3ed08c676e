"""The audit-chain check shared by the command and the daily task."""

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import CAPABILITIES
from dangjian.core import audit, audit_chain
from dangjian.core.notify import notify


def auditors():
    """Active accounts holding a role that may read the audit log (told when the chain breaks)."""
    roles = [role for role, caps in CAPABILITIES.items() if "audit.view" in caps]
    ids = RoleAssignment.objects.filter(role__in=roles).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def check_audit_chain() -> audit_chain.Verdict:
    verdict = audit_chain.verify()
    # The check itself is a security event, so that a failed check cannot go unnoticed later.
    audit.security_event("audit.verify", success=verdict.ok, message=verdict.describe())
    if not verdict.ok:
        for user in auditors():
            notify(user, "审计记录校验失败", verdict.describe(), link="/audit/", category="security")
    return verdict
