"""Actions on orgs, people and positions (do_*): scope re-checked, one transaction, audited."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.notify import notify
from dangjian.core.scope import has_capability, path_condition, path_in_scope, scope_roots

from .models import (
    LEADERSHIP_TITLES,
    Org,
    OrgKind,
    OrgMemberCount,
    PartyStatus,
    Person,
    Position,
    ancestor_paths,
)

STEP = Org.steplen


# ---- member counts (kept live, read in O(depth)) -------------------------------------------------

def _count_key(person: Person) -> tuple[str, str] | None:
    return (person.count_path, person.party_status) if person.is_active and person.count_path else None


def _up_the_tree(deltas: Counter) -> Counter:
    """Each (path, status) count added to that node and every node above it."""
    expanded: Counter = Counter()
    for (path, status), n in deltas.items():
        if n:
            for prefix in ancestor_paths(path):
                expanded[(prefix, status)] += n
    return expanded


def apply_count_deltas(deltas: Counter) -> None:
    """Add each (path, status) delta to that node and all its ancestors, in one statement batch.

    Called last in a writer's transaction, after its audit record: every writer takes the person rows, then the
    audit chain's head, then the counter rows, so that no two writers wait on each other in a circle."""
    expanded = _up_the_tree(deltas)
    # in one order (by path, then status) for every writer, so that two writers never wait on each other's rows
    rows = sorted((p, s, n) for (p, s), n in expanded.items() if n)
    if not rows:
        return
    table = OrgMemberCount._meta.db_table
    upsert = f"ON CONFLICT (org_path, party_status) DO UPDATE SET count = {table}.count + excluded.count"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 100:  # a big import: one statement, not one per row
            paths, statuses, counts = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f"INSERT INTO {table} (org_path, party_status, count) "
                f"SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[]) {upsert}",
                [paths, statuses, counts],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (org_path, party_status, count) VALUES (%s, %s, %s) {upsert}", rows)


def _track_count_change(before: tuple | None, after: tuple | None) -> None:
    if before != after:
        deltas: Counter = Counter()
        if before:
            deltas[before] -= 1
        if after:
            deltas[after] += 1
        apply_count_deltas(deltas)


def member_counts(paths: Iterable[str]) -> dict[str, int]:
    """People by Party status in the subtrees of the given (non-overlapping) nodes."""
    totals = {s.value: 0 for s in PartyStatus}
    for status, count in OrgMemberCount.objects.filter(org_path__in=list(paths)).values_list("party_status", "count"):
        totals[status] += count
    return totals


def child_member_counts(parent_path: str, child_path_len: int) -> dict[str, dict[str, int]]:
    """People by Party status in each child subtree of a node (the counters of the nodes one level down), in one
    query: child path → status → count."""
    out: dict[str, dict[str, int]] = {}
    # the children by the tree's (depth, path) index, their counters by (org_path, party_status): a province's
    # counters one level down without reading its 400,000 others (40 ms → 1 ms)
    children = Org.objects.filter(path__pathprefix=parent_path, depth=child_path_len // Org.steplen).values("path")
    rows = OrgMemberCount.objects.filter(org_path__in=children).values_list("org_path", "party_status", "count")
    for path, status, count in rows:
        out.setdefault(path, {})[status] = count
    return out


def member_counts_for(user) -> dict[str, int]:
    return member_counts(scope_roots(user, "person.view"))


def _fresh_counts() -> Counter:
    """(count path, status) → active people, counted from the people table."""
    counts: Counter = Counter()
    rows = Person.objects.filter(is_active=True).values_list("branch_path", "org_path", "party_status")
    for branch_path, org_path, status in rows.iterator(chunk_size=20000):
        counts[(branch_path or org_path, status)] += 1
    return counts


def recount_members() -> None:
    """Rebuild every count from the people table (after bulk loads, or to repair)."""
    with transaction.atomic():
        OrgMemberCount.objects.all().delete()
        apply_count_deltas(_fresh_counts())


def count_differences() -> list[tuple[str, str, int, int]]:
    """Every (org path, status, stored count, fresh count) where the kept counter differs from a fresh count
    of the people table, read in one transaction (on PostgreSQL a repeatable-read snapshot would be exact
    under writes; read-committed may report a change that lands between the two reads)."""
    with transaction.atomic():
        fresh = _up_the_tree(_fresh_counts())
        stored = {(p, s): n for p, s, n in OrgMemberCount.objects.values_list("org_path", "party_status", "count")}
    return sorted((p, s, stored.get((p, s), 0), fresh.get((p, s), 0)) for p, s in set(stored) | set(fresh)
                  if stored.get((p, s), 0) != fresh.get((p, s), 0))


def check_counts() -> list[tuple[str, str, int, int]]:
    """The daily check: the differences, and each administrator of the tree told when there are any."""
    wrong = count_differences()
    if wrong:
        body = (f"{len(wrong)} 项人数统计与人员表的实际人数不符（如 {wrong[0][0]} {wrong[0][1]}：统计 {wrong[0][2]}，"
                f"实际 {wrong[0][3]}）。请运行 dangjian verify_counts 查看，确认后用 --repair 重算。")
        for user in User.objects.holding("org.change"):
            notify(user, "人数统计与人员表不符", body, link="/orgs/", category="security")
    return wrong


def do_repair_counts(*, actor=None) -> int:
    """Rebuild the counters from the people table, with an audit event naming how many were wrong."""
    with transaction.atomic():
        wrong = count_differences()
        # the audit chain's head before the counter rows, in the order every writer takes them
        audit.record("org.counts_repair", actor=actor, message=f"按人员表重算人数统计：修正 {len(wrong)} 项")
        recount_members()
    return len(wrong)


# ---- people -------------------------------------------------------------------------------------

def _require_person_scope(actor, person: Person) -> None:
    paths = [person.org.path] + ([person.branch.path] if person.branch_id else [])
    if not any(path_in_scope(actor, "person.change", p) for p in paths):
        raise PermissionDenied(f"无权在“{person.org}”登记或修改人员")


def do_create_person(person: Person, *, actor) -> Person:
    with transaction.atomic():
        _require_person_scope(actor, person)
        audit.save_audited(person, actor=actor, action="person.create")
        _track_count_change(None, _count_key(person))
    return person


def do_update_person(person: Person, *, actor, expected_version: int | None) -> Person:
    """Save an edited person; ``person`` carries the new values, the stored row the old ones."""
    with transaction.atomic():
        stored = lock_row(Person, person.pk, "org", "branch")
        _require_person_scope(actor, stored)  # may edit where they are now…
        _require_person_scope(actor, person)  # …and where they are being moved to
        before_key = _count_key(stored)
        audit.save_audited(person, actor=actor, action="person.update", expected_version=expected_version,
                           locked=stored)
        _track_count_change(before_key, _count_key(person))
    return person


def do_set_person_active(person: Person, active: bool, *, actor, expected_version: int | None) -> Person:
    person.is_active = active
    return do_update_person(person, actor=actor, expected_version=expected_version)


def do_restore_person(person: Person, event, *, actor) -> Person:
    with transaction.atomic():
        _require_person_scope(actor, person)
        before_key = _count_key(person)
        audit.restore_version(person, event, actor=actor)
        person.refresh_from_db()
        _require_person_scope(actor, person)
        _track_count_change(before_key, _count_key(person))
    return person


# ---- positions ----------------------------------------------------------------------------------

# What other modules require of a position someone is given (duties: a 党组书记 may not keep 分管 duties the
# 四个不直接分管 rule forbids a principal leader). Each raises ValidationError naming what is wrong; they
# register from their AppConfig.ready(), so that orgs imports none of them.
POSITION_CHECKS: list[Callable[[Position], None]] = []


def register_position_check(check: Callable[[Position], None]) -> None:
    POSITION_CHECKS.append(check)


def _check_position(position: Position) -> None:
    for check in POSITION_CHECKS:
        check(position)


def do_add_position(position: Position, *, actor) -> Position:
    with transaction.atomic():
        if not path_in_scope(actor, "person.change", position.org.path):
            raise PermissionDenied(f"无权在“{position.org}”任免职务")
        _check_position(position)
        audit.save_audited(position, actor=actor, action="position.create")
    return position


def do_restore_position(position: Position, event, *, actor) -> Position:
    """An old version put back (an ended position open again) is checked like a new one; refused, nothing is kept."""
    with transaction.atomic():
        if not path_in_scope(actor, "person.change", position.org_path):
            raise PermissionDenied(f"无权在“{position.org}”任免职务")
        audit.restore_version(position, event, actor=actor)
        position.refresh_from_db()
        if not path_in_scope(actor, "person.change", position.org_path):
            raise PermissionDenied(f"无权在“{position.org}”任免职务")
        _check_position(position)
    return position


def do_end_position(position: Position, end_date, *, actor) -> Position:
    with transaction.atomic():
        if not path_in_scope(actor, "person.change", position.org_path):
            raise PermissionDenied(f"无权在“{position.org}”任免职务")
        if position.end_date:
            raise ValidationError({"end_date": "该职务已免去"})
        position.end_date = end_date
        audit.save_audited(position, actor=actor, action="position.end")
    return position


# ---- orgs ---------------------------------------------------------------------------------------

def do_create_org(parent: Org | None, *, actor, **fields) -> Org:
    with transaction.atomic():
        if parent is None:
            if not path_in_scope(actor, "org.change", ""):
                raise PermissionDenied("无权创建顶级组织")
        elif not path_in_scope(actor, "org.change", parent.path):
            raise PermissionDenied(f"无权在“{parent}”下设立组织")
        probe = Org(**fields, path="0" * STEP, depth=1)
        probe.full_clean(exclude=["path", "depth", "numchild"])
        org = parent.add_child(**fields) if parent else Org.add_root(**fields)
        audit.record("org.create", actor=actor, target=org, after=audit.snapshot(org))
    return org


def do_update_org(org: Org, *, actor, expected_version: int | None) -> Org:
    with transaction.atomic():
        if not path_in_scope(actor, "org.change", org.path):
            raise PermissionDenied(f"无权修改“{org}”")
        audit.save_audited(org, actor=actor, action="org.update", expected_version=expected_version)
    return org


def search_orgs(user, capability: str, text: str, limit: int = 20):
    """Active orgs within the user's grants for ``capability`` whose name contains ``text`` or whose
    code starts with it (the org picker at province scale); nothing for a capability not held."""
    text = text.strip()[:50]
    if not text or not has_capability(user, capability):
        return []
    return list(Org.objects.filter(path_condition(user, capability, ("path",)), is_active=True)
                .filter(Q(name__contains=text) | Q(code__istartswith=text)).order_by("path")[:limit])


# ---- agencies and their leadership (领导班子) ----------------------------------------------------

def _agencies_above(path: str):
    """The agencies (机关单位) at or above a node, the nearest first."""
    return Org.objects.filter(path__in=ancestor_paths(path), kind=OrgKind.AGENCY).order_by("-depth")


def agency_of(org: Org) -> Org:
    """The agency (机关单位) an org node belongs to: its nearest ancestor of that kind, else the root."""
    if org.kind == OrgKind.AGENCY:
        return org
    return _agencies_above(org.path).first() or Org.objects.get(path=org.path[: Org.steplen])


def current_positions(titles, on: dt.date | None = None):
    """Positions with one of ``titles`` held on a day (today by default) by an active person."""
    on = on or timezone.localdate()
    return (Position.objects.filter(title__in=titles, start_date__lte=on, person__is_active=True)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=on)))


def leadership(agency_paths: Iterable[str], on: dt.date | None = None):
    """领导班子: the people holding a leadership position (LEADERSHIP_TITLES) in the given agencies' subtrees."""
    where = Q(pk__in=[])
    for path in set(agency_paths):
        where |= Q(org_path__pathprefix=path)
    positions = current_positions(LEADERSHIP_TITLES, on).filter(where)
    return Person.objects.filter(pk__in=positions.values("person_id")).order_by("name", "pk")


def leadership_within_reach(user, capability: str):
    """The leaders a user may name or filter by: the leadership of the agency each of the user's grants
    lies in (a section head sees their own agency's leaders), or of every agency under a grant that is
    above the agencies (a city's). Nobody else's leaders: they are outside the user's scope."""
    if not has_capability(user, capability):
        return Person.objects.none()
    return leadership([_agencies_above(root).values_list("path", flat=True).first() or root
                       for root in scope_roots(user, capability)])
