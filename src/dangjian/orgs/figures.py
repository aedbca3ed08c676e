"""The figures of 组织与人员, registered in the one figure registry (core/figures.py).

People count where the member counts put them (``Person.count_path``): in their Party branch, else in their unit;
the stock figures (人员总数, 党员…) are read from the kept counters (OrgMemberCount), which equal the count of
the active people listed on their pages. Orgs count by their own path.
"""

from __future__ import annotations

from django.db.models import Case, F, Q, When
from django.db.models.lookups import Exact
from django.urls import reverse

from dangjian.core.figures import Column, FigureScope, maker, register
from dangjian.core.scope import PathPrefix

from .models import PARTY_KINDS, Org, OrgKind, PartyStatus, Person
from .services import child_member_counts, member_counts

STATUSES = {"full": (PartyStatus.FULL,), "probationary": (PartyStatus.PROBATIONARY,),
            "activists": (PartyStatus.ACTIVIST,), "masses": (PartyStatus.MASSES,), "party": (PartyStatus.FULL, PartyStatus.PROBATIONARY),
            "total": tuple(PartyStatus.values)}
# 单位: the org nodes that are not Party organisations (机关单位、科室)
UNIT_KINDS = tuple(k for k in OrgKind.values if k not in PARTY_KINDS)


# a person's count path: their Party branch, else their unit (Person.count_path); on PostgreSQL an index holds it
# with the id (orgs migration 0008), so that a subtree's people are one range of it, read in the lists' order
COUNT_PATH = Case(When(branch_path="", then=F("org_path")), default=F("branch_path"))


def counted_under(s: FigureScope) -> Q:
    """People whose count path (their branch, else their unit) lies in the scope's subtrees or is one of its
    nodes."""
    q = Q()
    for path in s.paths:
        q |= Q(PathPrefix(COUNT_PATH, path))
    for node in s.nodes:
        q |= Q(Exact(COUNT_PATH, node))
    return q if q else Q(pk__in=[])


def _members(statuses):
    return lambda s: counted_under(s) & Q(is_active=True, party_status__in=statuses)


def _from_counters(s: FigureScope, child_path_len: int | None = None) -> dict:
    """Every member figure at once from the kept counters (one query): {key: count} for the scope, or, with
    ``child_path_len``, {child path: {key: count}} for each child subtree of the scope's one path."""
    def by_key(counts) -> dict[str, int]:
        return {f"orgs.members.{name}": sum(counts.get(v, 0) for v in statuses) for name, statuses in STATUSES.items()}
    if child_path_len is None:
        return by_key(member_counts(s.paths))
    return {path: by_key(counts) for path, counts in child_member_counts(s.paths[0], child_path_len).items()}


person_figure = maker("orgs", Person, unit="人", related=("org", "branch"), order_by=(COUNT_PATH, "id"),
                      path_field=COUNT_PATH,
                      link=lambda p: reverse("person_detail", args=[p.pk]),
                      columns=(Column("姓名", "name"), Column("政治面貌", "get_party_status_display"),
                               Column("所在单位", "org"), Column("所在党支部", "branch"),
                               Column("入党日期", "joined_party_on")))
org_figure = maker("orgs", Org, unit="个", stock=True, order_by=("path",),
                   link=lambda o: reverse("org_detail", args=[o.pk]),
                   columns=(Column("名称", "name"), Column("类型", "get_kind_display"), Column("编码", "code")))

MEMBERS = (
    ("total", "人员总数", "在职人员（党员、入党积极分子和群众），按所在党支部统计，无党支部的按所在单位统计"),
    ("party", "党员（正式+预备）", "在职的正式党员和预备党员，按所在党支部统计"),
    ("full", "正式党员", "在职的正式党员，按所在党支部统计"),
    ("probationary", "预备党员", "在职的预备党员，按所在党支部统计"),
    ("activists", "入党积极分子", "在职的入党积极分子，按所在党支部统计，无党支部的按所在单位统计"),
    ("masses", "群众", "在职的群众（非党员、非入党积极分子），按所在党支部统计，无党支部的按所在单位统计"),
)

FIGURES = (
    *(person_figure(f"members.{name}", label, f"当前{definition}", _members(STATUSES[name]), stock=True,
                    counted=_from_counters) for name, label, definition in MEMBERS),
    person_figure("members.joined", "发展党员", "入党日期在统计期间内的人员（含已调离、不在职的），按所在党支部统计",
                  lambda s: counted_under(s) & s.during("joined_party_on"), order_by=("joined_party_on", "id")),
    org_figure("units", "单位", "当前有效的机关单位和科室（非党组织的组织节点）",
               lambda s: s.under("path") & Q(is_active=True, kind__in=UNIT_KINDS)),
    org_figure("branches", "党支部", "当前有效、类型为党支部的组织（不含党总支、党小组）",
               lambda s: s.under("path") & Q(is_active=True, kind=OrgKind.BRANCH)),
)

register(*FIGURES)

MEMBER_KEYS = tuple(f"orgs.members.{name}" for name, *_ in MEMBERS)
