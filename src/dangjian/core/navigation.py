"""The navigation menu, built from what the user may use: a module's entry for those holding its view
capability, its personal page (one's own meetings, one's own ledger) for everyone else who is a person in
the roster, and a planned module (即将上线) only for the roles that will use it."""

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
    own: tuple[str, str] | None = None  # (label, url) of one's own page, for those without the capability


MODULES = [
    MenuItem("首页", "/"),
    MenuItem("组织", "/orgs/", "org.view"),
    MenuItem("人员花名册", "/people/", "person.view"),
    MenuItem("责任体系", "/duties/", "duty.view"),
    MenuItem("事项督办", "/matters/", "matter.view", own=("我的整改台账", "/matters/ledger/")),
    MenuItem("会议学习", "/meetings/", "meeting.view", own=("我的会议学习", "/meetings/my/")),
    # 监督: the discipline team's; everyone else in the roster finds their own talks there (a 党组书记, who reads
    # the module through their position, not a role, gets the module's pages at the same address).
    MenuItem("监督", "/supervision/", "supervision.view", own=("我的谈话", "/supervision/")),
    # 群众监督: those who handle what the public writes (党务 staff, leaders who approve replies, the discipline team).
    MenuItem("群众监督", "/supervision/petitions/", "petition.view"),
    # Planned modules, shown to the roles that will work in them (those who manage the Party-building work, who
    # hold 责任体系), not as placeholders for everyone.
    # 考评: the readers' module; a cadre in the roster finds their own ledger, commitments and scores there.
    MenuItem("考评", "/assessment/", "assessment.view", own=("我的考评", "/assessment/")),
    # 报告报备: the staff's and the leaders' (who file); a plain member files nothing here.
    MenuItem("报告报备", "/filings/", "filing.view"),
    MenuItem("年度报告", "/reports/", "duty.view"),
    MenuItem("审计日志", "/audit/", "audit.view"),
    MenuItem("账号", "/accounts/users/", "account.view"),
    MenuItem("规则设置", "/settings/rules/", "setting.manage", everywhere=True),
    MenuItem("安全规则", "/settings/rules/", "security_setting.manage", everywhere=True),  # 安全管理员's (三员分立)
]

COMING: dict[str, str] = {}


def menu_for(user, path: str) -> list[MenuItem]:
    items = []
    for item in MODULES:
        held = holds_everywhere if item.everywhere else has_capability
        label, url = item.label, item.url
        if item.capability and not held(user, item.capability):
            if not (item.own and getattr(user, "person", None) is not None):
                continue
            label, url = item.own
        items.append(MenuItem(label, url, item.capability, item.coming, False, item.everywhere))
    # The entry whose address is the longest start of the path is the current one (群众监督 within 监督).
    matching = [i for i in items if (path == "/" if i.url == "/" else path.startswith(i.url))]
    if matching:
        max(matching, key=lambda i: len(i.url)).active = True
    return items
