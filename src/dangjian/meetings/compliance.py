"""三会一课 and 主题党日 compliance, and the 三重一大 ledger checks.

The gap report reads the subtree's branches (one query) and what was held there (one grouped
query over the whole period), then names every missing meeting — no query per branch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from dangjian.core import rule_settings
from dangjian.orgs.models import Org, OrgKind

from .models import PARTY_GROUP_MEETING, Meeting, MeetingKind, MeetingStatus, Opinion, Outcome, Topic
from .rule_settings import FREQUENCY_RULES


@dataclass(frozen=True)
class Gap:
    branch_id: int
    branch: str
    kind: str
    period: str
    ends: dt.date | None = None  # the last day of the block the meeting was due in


@dataclass
class Requirement:
    code: str
    name: str
    months: int  # at least once in every block of this many months


def requirements() -> list[Requirement]:
    """三会一课 and 主题党日 by the rules, then any kind added to the list with a required frequency."""
    kinds = MeetingKind.objects.filter(Q(code__in=FREQUENCY_RULES) | Q(frequency_months__isnull=False, is_active=True))
    rows = list(kinds.values_list("code", "name", "frequency_months"))
    names = {code: name for code, name, _m in rows}
    out = [Requirement(code, names.get(code, code), rule_settings.get(key)) for code, (key, *_rest) in FREQUENCY_RULES.items()]
    return out + [Requirement(code, name, months) for code, name, months in rows
                  if code not in FREQUENCY_RULES and months]


def period_label(year: int, first_month: int, months: int) -> str:
    if months == 1:
        return f"{year}年{first_month}月"
    if months == 3:
        return f"{year}年第{(first_month - 1) // 3 + 1}季度"
    if months == 6:
        return f"{year}年{'上' if first_month == 1 else '下'}半年"
    if months == 12:
        return f"{year}年"
    return f"{year}年{first_month}—{min(12, first_month + months - 1)}月"


def _scan(year: int, today: dt.date, roots, nodes):
    """(branches, periods, months held, held) for the branches under ``roots`` and at ``nodes`` in ``year``:
    the branches (id, path, name); the periods that have ended (requirement, months, label, last day); the
    months of each (branch, kind) with a meeting held; and how many were held in each (branch, kind, month)."""
    where, under = Q(path__in=nodes), Q(pk__in=[])
    for path in roots:
        where |= Q(path__pathprefix=path)
    branches = list(Org.objects.filter(where, kind=OrgKind.BRANCH, is_active=True)
                    .order_by("path").values_list("id", "path", "name"))
    if not branches:
        return branches, [], {}, {}
    for path in (*roots, *(p for _pk, p, _name in branches if p in nodes)):  # a node's 党小组 count for it
        under |= Q(org_path__pathprefix=path)
    reqs = requirements()
    rows = (Meeting.objects.filter(under, status=MeetingStatus.HELD, date__year=year,
                                   kind__code__in=[r.code for r in reqs])
            .annotate(month=ExtractMonth("date")).order_by().values_list("org_path", "kind__code", "month")
            .annotate(n=Count("id")))
    by_path = {path: pk for pk, path, _ in branches}
    depths = sorted({len(p) for p in by_path}, reverse=True)
    held: dict[tuple[int, str, int], int] = {}
    months_held: dict[tuple[int, str], set[int]] = {}
    for path, code, month, n in rows:
        branch_id = next((by_path[path[:d]] for d in depths if len(path) >= d and path[:d] in by_path), None)
        if branch_id is not None:
            held[(branch_id, code, month)] = held.get((branch_id, code, month), 0) + n
            months_held.setdefault((branch_id, code), set()).add(month)
    periods = []  # (requirement, months, label, last day) for every period that has ended
    for req in reqs:
        for first in range(1, 13, req.months):
            last = first + req.months - 1
            ends = dt.date(year + (last // 12), last % 12 + 1, 1) - dt.timedelta(days=1)
            if ends >= today:
                break
            periods.append((req, set(range(first, last + 1)), period_label(year, first, req.months), ends))
    return branches, periods, months_held, held


def gap_report(root_path: str, year: int, *, today: dt.date | None = None):
    """(branches, gaps, held) for the branches under ``root_path`` in ``year``.

    Only periods that have ended count (the current month or quarter is still open). Meetings of a
    branch's 党小组 count for the branch. ``held`` maps (branch_id, code, month) to a count, for the calendar.
    """
    branches, periods, months_held, held = _scan(year, today or timezone.localdate(), (root_path,), ())
    gaps: list[Gap] = []
    empty: set[int] = set()
    for pk, _path, name in branches:
        for req, months, label, ends in periods:
            if months.isdisjoint(months_held.get((pk, req.code), empty)):
                gaps.append(Gap(pk, name, req.name, label, ends))
    return branches, gaps, held


def branch_paths_with_gaps(paths, start: dt.date, end: dt.date, *, today: dt.date | None = None,
                           nodes=()) -> dict[int, str]:
    """The branches under ``paths`` (or at ``nodes``, not under them) with a gap in a block that ended between
    ``start`` and ``end`` (the figure 三会一课缺项: meetings/figures.py), each with its path (id → path): one scan
    per year, the first gap found enough for a branch."""
    out: dict[int, str] = {}
    empty: set[int] = set()
    for year in range(start.year, end.year + 1):
        branches, periods, months_held, _held = _scan(year, today or timezone.localdate(), paths, nodes)
        periods = [(req.code, months) for req, months, _label, ends in periods if start <= ends <= end]
        for pk, path, _name in branches:
            if pk not in out and any(months.isdisjoint(months_held.get((pk, code), empty)) for code, months in periods):
                out[pk] = path
    return out


def ledger(topics, year: int, category: str = ""):
    """三重一大 台账: the flagged topics of a year (visible ones), oldest first."""
    qs = topics.filter(year=year).exclude(category="").select_related("meeting__kind", "meeting__org")
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("meeting__date", "meeting_id", "order")


def rule_checked() -> Q:
    """A decision taken at a 党组会议 and checked against the decision rules when it was recorded
    (services/decisions.check_decision: quorum, every member's stance, 末位表态), which froze who was entitled
    and the rules' versions. A decision imported or written around the service has neither."""
    return Q(meeting__kind__code=PARTY_GROUP_MEETING) & ~Q(rule_versions={}) & ~Q(entitled=[])


def principal_spoke_last() -> Q:
    """No member's recorded stance on the topic came after the principal's (主要负责人末位表态)."""
    later = Opinion.objects.filter(topic_id=OuterRef("topic_id"), order__gt=OuterRef("order"))
    return ~Q(Exists(Opinion.objects.filter(topic_id=OuterRef("pk"), is_principal=True).filter(Exists(later))))


def invalid_decisions(topics):
    """三重一大 topics decided outside a valid meeting (should be empty): wrong kind, or not rule-checked."""
    return (topics.exclude(category="").exclude(outcome="").filter(~rule_checked())
            .select_related("meeting__kind", "meeting__org"))


def undecided(topics):
    return (topics.exclude(category="").filter(outcome__in=[Outcome.PENDING, Outcome.DEFERRED])
            .select_related("meeting__kind", "meeting__org").order_by("meeting__date"))


__all__ = ["Gap", "gap_report", "ledger", "invalid_decisions", "undecided", "Topic"]
