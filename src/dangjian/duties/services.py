"""Actions on the leading group, duties and section domains (do_*), the 四个不直接分管 check,
the duty matrix and the chain of responsibility. Scope re-checked, one transaction, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import role_has
from dangjian.core import audit, rule_settings
from dangjian.core.notify import notify
from dangjian.core.scope import path_in_scope
from dangjian.orgs.models import Org, OrgKind, Person, Position, PositionTitle
from dangjian.orgs.services import agency_of

from . import rule_settings as duty_rules
from .models import SECTION_KINDS, Duty, DutyKind, GroupMember, LeadingGroup, SectionDomains

RULE_NAME = "四个不直接分管"


def require_change(actor, org_path: str, what: str) -> None:
    if not path_in_scope(actor, "duty.change", org_path):
        raise PermissionDenied(f"无权{what}")


def _fmt_period(start: dt.date, end: dt.date | None) -> str:
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}" if end else f"{start:%Y-%m-%d}起"


# ---- section domains and the 四个不直接分管 rule ----------------------------------------------------

def excluded_domains() -> list[str]:
    return rule_settings.get(duty_rules.EXCLUDED_DOMAINS)


def domains_by_org(org_ids) -> dict[int, list[str]]:
    return dict(SectionDomains.objects.filter(org_id__in=list(org_ids)).values_list("org_id", "domains"))


def _forbidden(domains, excluded) -> list[str]:
    return [d for d in excluded if d in (domains or [])]


def _refusal(person, section, forbidden) -> str:
    return (f"不符合“{RULE_NAME}”制度：党政主要负责人{person}不得直接分管{'、'.join(forbidden)}"
            f"（{section}负责{'、'.join(forbidden)}工作），请改由其他班子成员分管")


# 党政主要负责人 by position: the rule follows the office held, whatever duties are on record. The 党组书记
# holds the position in the agency's 党组 (a child of the agency) or in the agency itself.
PRINCIPAL_TITLES = (PositionTitle.SECRETARY,)


def _principal_positions():
    return Position.objects.filter(title__in=PRINCIPAL_TITLES, person__is_active=True,
                                   org__kind__in=(OrgKind.AGENCY, OrgKind.PARTY_GROUP))


def _seat_agency(org_path: str, org_kind: str) -> str:
    """The agency a principal position is held for: the 党组's parent, or the agency itself."""
    return org_path if org_kind == OrgKind.AGENCY else org_path[: -Org.steplen]


def _is_principal(person, agency_path: str, start: dt.date, end: dt.date | None, others) -> bool:
    """Whether ``person`` is a principal leader of the agency at some time in [start, end]: holding a
    principal position there (orgs positions), or recorded as its 第一责任人."""
    held = _principal_positions().filter(person=person).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    held = held.filter(start_date__lte=end) if end else held
    return any(_seat_agency(path, kind) == agency_path for path, kind in held.values_list("org_path", "org__kind")) or (
        others.filter(person=person, kind=DutyKind.PRIMARY, org_path=agency_path).exists())


def check_position(position: Position) -> None:
    """A principal position (党组书记) given to someone is refused while they hold a 分管 duty in that agency,
    during the position's period, over a section with an excluded domain: the rule follows the position
    (orgs calls this through its position checks; registered in DutiesConfig.ready)."""
    if position.title not in PRINCIPAL_TITLES or position.org.kind not in (OrgKind.AGENCY, OrgKind.PARTY_GROUP):
        return
    agency_path = _seat_agency(position.org.path, position.org.kind)
    overseen = (Duty.objects.overlapping(position.start_date, position.end_date)
                .filter(person_id=position.person_id, kind=DutyKind.LEADERSHIP, org_path__pathprefix=agency_path)
                .select_related("org").order_by("start_date", "pk"))
    domains, excluded = domains_by_org([d.org_id for d in overseen]), excluded_domains()
    for duty in overseen:
        forbidden = _forbidden(domains.get(duty.org_id), excluded)
        if forbidden:
            raise ValidationError({"title": (
                f"不符合“{RULE_NAME}”制度：{position.person}现分管“{duty.org}”（{_fmt_period(duty.start_date, duty.end_date)}，"
                f"该科室负责{'、'.join(forbidden)}工作），任{position.org}{position.get_title_display()}后即为党政主要负责人，"
                f"不得直接分管{'、'.join(forbidden)}。请先在责任分工中终止或改由其他班子成员分管，再登记此职务")})


def check_duty(duty: Duty) -> None:
    """Raise ValidationError naming the rule the duty breaks; nothing is written here."""
    errors: dict[str, list[str]] = {}
    if duty.end_date and duty.start_date and duty.end_date < duty.start_date:
        errors.setdefault("end_date", []).append("终止日期不能早于起始日期")
    if duty.kind in SECTION_KINDS and duty.org.kind != OrgKind.SECTION:
        errors.setdefault("org", []).append(f"{duty.get_kind_display()}须落实到科室，“{duty.org}”不是科室")
    if duty.kind not in SECTION_KINDS and duty.org.kind != OrgKind.AGENCY:
        errors.setdefault("org", []).append(f"{duty.get_kind_display()}须对应整个单位，“{duty.org}”不是机关单位")
    if errors:
        raise ValidationError(errors)
    others = Duty.objects.exclude(pk=duty.pk).overlapping(duty.start_date, duty.end_date)
    excluded = excluded_domains()
    agency_path = agency_of(duty.org).path
    if duty.kind == DutyKind.LEADERSHIP:
        forbidden = _forbidden(domains_by_org([duty.org_id]).get(duty.org_id), excluded)
        if forbidden and _is_principal(duty.person, agency_path, duty.start_date, duty.end_date, others):
            raise ValidationError({"person": _refusal(duty.person, duty.org, forbidden)})
    if duty.kind == DutyKind.PRIMARY:
        overseen = others.filter(person=duty.person, kind=DutyKind.LEADERSHIP,
                                 org_path__pathprefix=agency_path).select_related("org")
        domains = domains_by_org([d.org_id for d in overseen])
        for d in overseen:
            forbidden = _forbidden(domains.get(d.org_id), excluded)
            if forbidden:
                raise ValidationError({"person": _refusal(duty.person, d.org, forbidden)})
    clash = others.filter(org=duty.org, kind=duty.kind).select_related("person").first()
    if clash:
        where = f"科室“{duty.org}”" if duty.kind in SECTION_KINDS else f"“{duty.org}”"
        raise ValidationError({"start_date": (
            f"不符合“分工不重叠”规则：{where}的{duty.get_kind_display()}在同一时期只能由一人承担，"
            f"与现有分工（{clash.person}，{_fmt_period(clash.start_date, clash.end_date)}）时间重叠")})


def do_assign_duty(duty: Duty, *, actor) -> Duty:
    with transaction.atomic():
        require_change(actor, duty.org.path, f"在“{duty.org}”分配责任")
        # Lock the section's rows so that two concurrent assignments cannot both pass the overlap check.
        list(Duty.objects.select_for_update().filter(org=duty.org))
        check_duty(duty)
        duty.rule_version = rule_settings.version(duty_rules.EXCLUDED_DOMAINS)
        audit.save_audited(duty, actor=actor, action="duty.assign")
    return duty


def do_restore_duty(duty: Duty, event, *, actor) -> Duty:
    """恢复 a duty's earlier version (the history page's restorer): checked by the duty rules as an assignment is."""
    with transaction.atomic():
        require_change(actor, duty.org_path, f"恢复“{duty}”")
        audit.apply_version(duty, event)
        require_change(actor, duty.org.path, f"在“{duty.org}”分配责任")
        list(Duty.objects.select_for_update().filter(org=duty.org))
        check_duty(duty)
        duty.rule_version = rule_settings.version(duty_rules.EXCLUDED_DOMAINS)
        audit.save_audited(duty, actor=actor, action="duty.restore", expected_version=duty.version,
                           message=f"恢复到第 {event.pk} 号记录的版本")
    return duty


def do_end_duty(duty: Duty, end_date: dt.date, *, actor, expected_version: int | None = None) -> Duty:
    with transaction.atomic():
        require_change(actor, duty.org_path, f"调整“{duty}”")
        if duty.end_date and duty.end_date <= end_date:
            raise ValidationError({"end_date": f"该分工已于{duty.end_date:%Y-%m-%d}终止"})
        if end_date < duty.start_date:
            raise ValidationError({"end_date": "终止日期不能早于起始日期"})
        duty.end_date = end_date
        audit.save_audited(duty, actor=actor, action="duty.end", expected_version=expected_version)
    return duty


@dataclass
class Conflict:
    duty: Duty
    domains: list[str]

    @property
    def message(self) -> str:
        return _refusal(self.duty.person, self.duty.org, self.domains)


def rule_conflicts(on: dt.date | None = None, *, within: str = "") -> list[Conflict]:
    """Current 分管 duties held by a principal leader over a section with an excluded domain."""
    current = Duty.objects.current(on)
    if within:
        current = current.filter(org_path__pathprefix=within)
    # person → the agencies they lead, by 第一责任人 duty or by principal position
    principals: dict[int, set[str]] = {}
    for person_id, path in current.filter(kind=DutyKind.PRIMARY).values_list("person_id", "org_path"):
        principals.setdefault(person_id, set()).add(path)
    on = on or timezone.localdate()
    seats = _principal_positions().filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    for person_id, path, kind in seats.values_list("person_id", "org_path", "org__kind"):
        principals.setdefault(person_id, set()).add(_seat_agency(path, kind))
    if not principals:
        return []
    overseen = [d for d in current.filter(kind=DutyKind.LEADERSHIP, person_id__in=principals)
                .select_related("person", "org")
                if any(d.org_path.startswith(p) for p in principals[d.person_id])]
    domains = domains_by_org(d.org_id for d in overseen)
    excluded = excluded_domains()
    out = []
    for d in overseen:
        forbidden = _forbidden(domains.get(d.org_id), excluded)
        if forbidden:
            out.append(Conflict(d, forbidden))
    return out


def recheck_after_change(reason: str, *, actor, within: str = "") -> list[Conflict]:
    """Re-check every current duty, log the result and tell the Party-affairs staff about conflicts."""
    conflicts = rule_conflicts(within=within)
    audit.record("duty.recheck", actor=actor, org_path=within,
                 target_repr=f"{RULE_NAME}核验", message=f"{reason}：发现 {len(conflicts)} 处冲突"
                 + "".join(f"；{c.duty.person}分管{c.duty.org}" for c in conflicts))
    if conflicts:
        grants = RoleAssignment.objects.current().select_related("user", "org")
        notified = set()
        for g in grants:
            if role_has(g.role, "duty.change") and g.user_id not in notified and any(
                    c.duty.org_path.startswith(g.org.path) for c in conflicts):
                notified.add(g.user_id)
                notify(g.user, f"“{RULE_NAME}”核验发现 {len(conflicts)} 处冲突", reason,
                       link="/duties/conflicts/", category="duty")
    return conflicts


def _on_rule_change(key, *, actor):
    recheck_after_change("“四个不直接分管”领域范围已修改", actor=actor)


rule_settings.on_change(duty_rules.EXCLUDED_DOMAINS, _on_rule_change)


def do_set_section_domains(section: Org, domains: list[str], *, actor) -> list[Conflict]:
    """Set the domains a section handles; returns the conflicts this reveals among current duties."""
    if section.kind != OrgKind.SECTION:
        raise ValidationError({"org": f"“{section}”不是科室，不能设置业务领域"})
    unknown = [d for d in domains if d not in duty_rules.DOMAINS]
    if unknown:
        raise ValidationError({"domains": f"业务领域“{'、'.join(unknown)}”不是可选项"})
    with transaction.atomic():
        require_change(actor, section.path, f"设置“{section}”的业务领域")
        row = SectionDomains.objects.select_for_update().filter(org=section).first() or SectionDomains(org=section)
        row.domains = [d for d in duty_rules.DOMAINS if d in domains]
        audit.save_audited(row, actor=actor, action="duty.section_domains")
        conflicts = recheck_after_change(f"“{section}”的业务领域改为{'、'.join(row.domains) or '无'}",
                                         actor=actor, within=agency_of(section).path)
    return conflicts


# ---- the matrix and the chain of responsibility -------------------------------------------------

@dataclass
class MatrixRow:
    person: Person
    titles: list[str]
    cells: list[bool]


@dataclass
class Matrix:
    on: dt.date
    sections: list[Org]
    rows: list[MatrixRow]
    heads: list[list[Person]]  # 具体责任, per section
    domains: list[list[str]]  # per section
    domain_overseers: list[tuple[str, list[tuple[Org, list[Person]]]]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


_ROW_ORDER = {DutyKind.PRIMARY: 0, DutyKind.SUPERVISION: 1, DutyKind.LEADERSHIP: 2}


def duty_matrix(user, on: dt.date | None = None) -> Matrix:
    """Leaders × sections on a date, within the user's scope; a fixed number of queries."""
    on = on or timezone.localdate()
    sections = list(Org.objects.visible_to(user).filter(kind=OrgKind.SECTION, is_active=True).order_by("order", "path"))
    index = {s.pk: i for i, s in enumerate(sections)}
    duties = list(Duty.objects.visible_to(user).current(on).select_related("person", "org"))
    rows: dict[int, MatrixRow] = {}
    order: dict[int, int] = {}
    heads: list[list[Person]] = [[] for _ in sections]
    for d in duties:
        if d.kind == DutyKind.SPECIFIC:
            if d.org_id in index:
                heads[index[d.org_id]].append(d.person)
            continue
        row = rows.setdefault(d.person_id, MatrixRow(d.person, [], [False] * len(sections)))
        order[d.person_id] = min(order.get(d.person_id, 9), _ROW_ORDER[d.kind])
        if d.kind == DutyKind.LEADERSHIP:
            if d.org_id in index:
                row.cells[index[d.org_id]] = True
        else:
            row.titles.append(d.get_kind_display())
    domains = domains_by_org(index)
    excluded = excluded_domains()
    overseers = []
    for domain in excluded:
        entries = []
        for i, s in enumerate(sections):
            if domain in domains.get(s.pk, []):
                entries.append((s, [r.person for r in rows.values() if r.cells[i]]))
        overseers.append((domain, entries))
    visible_ids = {d.pk for d in duties}
    return Matrix(on, sections, sorted(rows.values(), key=lambda r: (order[r.person.pk], r.person.name)), heads,
                  [domains.get(s.pk, []) for s in sections], overseers,
                  [c for c in rule_conflicts(on) if c.duty.pk in visible_ids])


MATRIX_TITLE = "班子成员分管科室一览表"


def matrix_rows(matrix: Matrix):
    """The matrix as spreadsheet rows (header first) for the .xlsx export."""
    yield ["责任人", "责任"] + [s.name for s in matrix.sections]
    yield ["业务领域", ""] + ["、".join(d) for d in matrix.domains]
    for row in matrix.rows:
        yield [row.person.name, "、".join(row.titles) or "领导责任"] + ["分管" if c else "" for c in row.cells]
    yield ["科室负责人", "具体责任"] + ["、".join(p.name for p in h) for h in matrix.heads]


@dataclass
class ChainLink:
    label: str
    person: Person | None
    org: Org | None


def responsibility_chain(org: Org, on: dt.date | None = None, *, owner: Person | None = None) -> list[ChainLink]:
    """一级抓一级: owner → 科室负责人 (具体责任) → 分管领导 (领导责任) → 党组书记 (第一责任人).

    ``org`` is where the record sits; the nearest section at or above it gives the head and the
    overseeing leader. A missing link is returned with ``person=None`` so gaps show.
    """
    on = on or timezone.localdate()
    chain = [ChainLink("承办人", owner, owner.org if owner else None)] if owner else []
    section = org if org.kind == OrgKind.SECTION else Org.objects.filter(
        path__in=org.ancestor_paths(), kind=OrgKind.SECTION).order_by("-depth").first()
    agency = agency_of(org)
    wanted = {DutyKind.PRIMARY: agency.path}
    if section:
        wanted.update({DutyKind.SPECIFIC: section.path, DutyKind.LEADERSHIP: section.path})
    found = {}
    for d in Duty.objects.current(on).filter(org_path__in=set(wanted.values()),
                                             kind__in=list(wanted)).select_related("person"):
        if wanted.get(d.kind) == d.org_path:
            found[d.kind] = d.person
    if section:
        chain.append(ChainLink("科室负责人（具体责任）", found.get(DutyKind.SPECIFIC), section))
        chain.append(ChainLink("分管领导（领导责任）", found.get(DutyKind.LEADERSHIP), section))
    chain.append(ChainLink("党组书记（第一责任人）", found.get(DutyKind.PRIMARY), agency))
    return chain


# ---- the leading group ----------------------------------------------------------------------------

def do_save_group(group: LeadingGroup, *, actor, expected_version: int | None = None) -> LeadingGroup:
    with transaction.atomic():
        require_change(actor, group.org.path, "设置党建工作领导小组")
        if group.office_id and not group.office.path.startswith(group.org.path):
            raise ValidationError({"office": f"办事机构须为“{group.org}”的科室"})
        audit.save_audited(group, actor=actor, action="duty.group_save", expected_version=expected_version)
    return group


def do_restore_group(group: LeadingGroup, event, *, actor) -> LeadingGroup:
    """恢复 the leading group's earlier version, through the same checks as an edit."""
    with transaction.atomic():
        require_change(actor, group.org_path, "设置党建工作领导小组")
        return do_save_group(audit.apply_version(group, event), actor=actor, expected_version=group.version)


def do_add_group_member(member: GroupMember, *, actor) -> GroupMember:
    group = member.group
    member.org = group.org
    with transaction.atomic():
        require_change(actor, group.org_path, "调整领导小组成员")
        if member.end_date and member.end_date < member.start_date:
            raise ValidationError({"end_date": "终止日期不能早于起始日期"})
        if member.role in ("leader", "deputy"):
            clash = (GroupMember.objects.select_for_update().filter(group=group, role=member.role)
                     .overlapping(member.start_date, member.end_date).select_related("person").first())
            if clash:
                raise ValidationError({"role": f"同一时期只能有一名{member.get_role_display()}"
                                               f"（现为{clash.person}，{_fmt_period(clash.start_date, clash.end_date)}）"})
        if GroupMember.objects.filter(group=group, person=member.person).overlapping(
                member.start_date, member.end_date).exists():
            raise ValidationError({"person": f"{member.person}在该时期已是领导小组成员"})
        audit.save_audited(member, actor=actor, action="duty.group_member_add")
    return member


def do_end_group_member(member: GroupMember, end_date: dt.date, *, actor) -> GroupMember:
    with transaction.atomic():
        require_change(actor, member.org_path, "调整领导小组成员")
        if member.end_date:
            raise ValidationError({"end_date": "该成员已离任"})
        if end_date < member.start_date:
            raise ValidationError({"end_date": "终止日期不能早于起始日期"})
        member.end_date = end_date
        audit.save_audited(member, actor=actor, action="duty.group_member_end")
    return member


def group_members_in(group: LeadingGroup, year: int):
    """Everyone who served on the group at some time in the year ("who led this in 2025")."""
    return (GroupMember.objects.filter(group=group).overlapping(dt.date(year, 1, 1), dt.date(year, 12, 31))
            .select_related("person").order_by("role", "start_date"))
