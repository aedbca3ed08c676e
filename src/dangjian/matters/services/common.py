"""What every action on a matter shares: who may act on it, the checks on its people, its timeline."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.scope import path_in_scope
from dangjian.orgs.services import agency_of, leadership

from .. import workflow
from ..models import Matter, Status, Transition


def person_of(user):
    return getattr(user, "person", None) if getattr(user, "pk", None) else None


def can_manage(user, matter: Matter) -> bool:
    return path_in_scope(user, "matter.change", matter.org_path or matter.org.path)


def is_owner(user, matter: Matter) -> bool:
    person = person_of(user)
    if person is None:
        return False
    return matter.owner_id == person.pk or (bool(matter.pk) and matter.co_owners.filter(pk=person.pk).exists())


def is_leader(user, matter: Matter) -> bool:
    person = person_of(user)
    return person is not None and matter.responsible_leader_id == person.pk


def may(user, matter: Matter, who: str) -> bool:
    if who == "manager":
        return can_manage(user, matter)
    if who == "owner":
        return is_owner(user, matter) or can_manage(user, matter)
    if who == "leader":
        return is_leader(user, matter)
    if who == "approver":
        return is_leader(user, matter) or path_in_scope(user, "matter.approve", matter.org_path)
    raise ValueError(who)


def allowed_steps(user, matter: Matter) -> list[workflow.Step]:
    """The transitions the user may take now (buttons on the page; the service re-checks)."""
    return [s for s in workflow.steps_from(matter.status) if may(user, matter, s.who)]


def require_manage(actor, matter: Matter, what: str) -> None:
    if not can_manage(actor, matter):
        raise PermissionDenied(f"无权{what}“{matter}”（需要该组织的事项管理权限）")


def require_open(matter: Matter) -> None:
    if matter.status == Status.CLOSED:
        raise ValidationError(f"事项“{matter}”已销号，不能修改；如需继续办理，请先“重新打开”。")


def locked_open(matter: Matter, actor, who: str, what: str) -> Matter:
    """The matter's row, locked, still open, and the actor allowed (for what is added to a matter)."""
    stored = Matter.objects.select_for_update().get(pk=matter.pk)
    require_open(stored)
    if not may(actor, stored, who):
        raise PermissionDenied(f"无权{what}：事项“{stored}”")
    return stored


def timeline_event(matter: Matter, name: str, *, actor, from_status="", to_status="", reason="", public=False,
                   on_time=None) -> Transition:
    return Transition.objects.create(
        matter=matter, org=matter.org, org_path=matter.org_path, name=name, from_status=from_status,
        to_status=to_status, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() if getattr(actor, "pk", None) else "系统")[:50], reason=reason,
        public=public, on_time=on_time)


def check_people(matter: Matter, stored: Matter | None = None) -> None:
    """The owner belongs to the matter's agency, and the responsible leader to its leadership (领导班子);
    checked when named or changed (a leader who has since left does not block other edits)."""
    def changed(name):
        field = f"{name}_id"
        return getattr(matter, field) and (stored is None or getattr(stored, field) != getattr(matter, field)
                                           or stored.org_id != matter.org_id)

    if not (changed("owner") or changed("responsible_leader")):
        return
    agency = agency_of(matter.org)
    leaders = leadership([agency.path])
    if changed("responsible_leader") and not leaders.filter(pk=matter.responsible_leader_id).exists():
        raise ValidationError({"responsible_leader": f"“{matter.responsible_leader}”不是{agency}的现任领导班子成员"
                                                     f"（党组书记、班子成员、纪检组长），不能任责任领导"})
    owner = matter.owner if changed("owner") else None
    if owner and not (owner.org_path.startswith(agency.path) or leaders.filter(pk=owner.pk).exists()):
        raise ValidationError({"owner": f"“{owner}”不是{agency}的人员，不能任责任人"})
