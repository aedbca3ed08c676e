"""Roles and what each may do. A role is granted on an org node (and optionally its subtree).

三员分立 (separated administrators, GB/T 22239 访问控制): the 系统管理员 manages accounts and
settings, the 安全管理员 assigns roles and scopes, the 审计管理员 reads and exports the audit log;
none holds another's capabilities, and none reads business records by virtue of the role.
"""

from django.db import models


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
    PARTY_ADMIN = "party_admin", "党务管理员"
    LEADER = "leader", "班子成员"
    DISCIPLINE = "discipline", "纪检"
    SECTION_HEAD = "section_head", "科室负责人"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    MEMBER = "member", "干部/党员"


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Capabilities are "<record>.<action>". A record's scope capability (ScopedModel.scope_capability)
# joined with the action gives the key checked by visible_to().
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SYSADMIN: frozenset({"account.view", "account.manage", "org.view", "org.change", "setting.manage"}),
    # security rules (security.*) and the accounts of those who administer or audit (reset, disable)
    Role.SECURITY_ADMIN: frozenset({"account.view", "role.assign", "security_setting.manage", "admin_account.manage"}),
    Role.AUDIT_ADMIN: frozenset({"audit.view", "audit.export", "security_log.view"}),
    Role.PARTY_ADMIN: frozenset({
        "org.view", "org.change", "person.view", "person.change", "person.import", "person.export",
        "person.view_full", "audit.view",
        "duty.view", "duty.change", "matter.view", "matter.change", "meeting.view", "meeting.change",
        "petition.view", "petition.change", "assessment.view", "assessment.change", "assessment.file", "filing.view",
        "filing.change",
        # 组织人事 staff: cadres' personal reports (领导干部报告个人有关事项规定 第七条: 组织（人事）部门 receive them)
        "filing_personal.view", "filing_personal.change",
    }),
    Role.LEADER: frozenset({
        "org.view", "person.view", "person.export",
        "duty.view", "matter.view", "matter.change", "matter.approve", "meeting.view", "meeting.change",
        "petition.view", "petition.approve", "assessment.view", "assessment.approve", "filing.view",
    }),
    Role.DISCIPLINE: frozenset({
        "org.view", "person.view", "audit.view", "supervision.view", "supervision.change", "duty.view", "matter.view",
        "meeting.view", "petition.view", "petition.change", "assessment.view", "assessment.file", "filing.view",
        "filing_personal.view",  # the discipline team reads cadres' personal reports (保密), changes none
    }),
    Role.SECTION_HEAD: frozenset({"org.view", "person.view", "duty.view", "matter.view", "matter.change",
                                  "meeting.view"}),
    Role.BRANCH_SECRETARY: frozenset({"org.view", "person.view", "person.change", "person.export",
                                      "duty.view", "matter.view", "matter.change", "meeting.view", "meeting.change"}),
    Role.MEMBER: frozenset(),
}


def role_has(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


# What makes each of the three administrators (三员分立): one account carries the duties of one of them at
# most, through whichever roles (a 党务管理员 reads the audit log too, so a 系统管理员 cannot also be one).
ADMIN_DUTIES: dict[str, frozenset[str]] = {
    Role.SYSADMIN: frozenset({"account.manage", "setting.manage"}),
    Role.SECURITY_ADMIN: frozenset({"role.assign", "security_setting.manage", "admin_account.manage"}),
    Role.AUDIT_ADMIN: frozenset({"audit.view", "audit.export", "security_log.view"}),
}


def admin_duties(roles) -> set[str]:
    """The administrators (of the three) whose duties the given roles carry between them."""
    caps = set().union(*(CAPABILITIES.get(r, frozenset()) for r in roles)) if roles else set()
    return {admin for admin, duties in ADMIN_DUTIES.items() if caps & duties}
