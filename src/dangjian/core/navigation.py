"""The navigation menu: every module of docs/architecture.md; those not built yet are marked 即将上线."""

from dataclasses import dataclass

from dangjian.core.scope import has_capability, holds_everywhere


@dataclass
class MenuItem:
    label: str
    url: str
    capability: str | None = None  # shown only to users holding it somewhere
    coming: bool = False
    active: bool = False
    everywhere: bool = False  # the capability must cover the whole tree (agency-wide settings)


MODULES = [
    MenuItem("首页", "/"),
    MenuItem("组织", "/orgs/", "org.view"),
    MenuItem("人员花名册", "/people/", "person.view"),
    MenuItem("责任体系", "/duties/", "duty.view"),
    MenuItem("事项督办", "/matters/", "matter.view"),
    MenuItem("会议学习", "/meetings/", "meeting.view"),
    MenuItem("监督", "/coming/supervision/", coming=True),
    MenuItem("考评", "/coming/assessment/", coming=True),
    MenuItem("报告报备", "/coming/filings/", coming=True),
    MenuItem("年度报告", "/coming/reports/", coming=True),
    MenuItem("审计日志", "/audit/", "audit.view"),
    MenuItem("账号", "/accounts/users/", "account.view"),
    MenuItem("规则设置", "/settings/rules/", "setting.manage", everywhere=True),
    MenuItem("安全规则", "/settings/rules/", "security_setting.manage", everywhere=True),  # 安全管理员's (三员分立)
]

COMING = {
    "supervision": "监督（纪委监督、群众监督、制度监督）",
    "assessment": "考评（评分细则、作风台账、典型培育）",
    "filings": "报告报备（重大事项报告、外出报备）",
    "reports": "年度报告",
}


def menu_for(user, path: str) -> list[MenuItem]:
    items = []
    for item in MODULES:
        held = holds_everywhere if item.everywhere else has_capability
        if item.capability and not held(user, item.capability):
            continue
        active = path == "/" if item.url == "/" else path.startswith(item.url)
        items.append(MenuItem(item.label, item.url, item.capability, item.coming, active, item.everywhere))
    return items
