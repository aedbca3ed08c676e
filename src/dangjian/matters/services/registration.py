"""登记与修改: problem lists, a matter registered, its fields edited (never its status)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.scope import path_in_scope

from .. import workflow
from ..models import (
    Contact,
    HandlingClass,
    Matter,
    Measure,
    Milestone,
    ProblemList,
    Progress,
    Status,
    Transition,
)
from .common import check_people, require_manage, require_open, timeline_event


def _apply_urgent(matter: Matter, *, start: dt.date, stored: Matter | None = None) -> None:
    """要事马上办: a 要事 waiting for hand-off names its owner and leader (so that it can be handed off at
    once) and must be handed off on the working day of ``start``; a matter that stops being a 要事 loses
    the hand-off day (and any late flag: it is no longer held to the rule)."""
    if matter.handling_class != HandlingClass.URGENT:
        matter.handoff_due_on, matter.handoff_late = None, False
        return
    if matter.status == Status.REGISTERED:
        missing = [n for n in ("owner", "responsible_leader") if not getattr(matter, f"{n}_id")]
        if missing:
            raise ValidationError({missing[0]: f"要事马上办须当日交办，登记时须指定"
                                               f"{'、'.join(workflow.field_label(matter, n) for n in missing)}"})
        if stored is None or stored.handling_class != HandlingClass.URGENT:
            matter.handoff_due_on = workflow.handoff_day(start)


def _check_received(matter: Matter) -> None:
    """A matter is registered when it arrives: a 登记日期 after today cannot be true."""
    if matter.received_on and matter.received_on > timezone.localdate():
        raise ValidationError({"received_on": f"登记日期 {matter.received_on:%Y-%m-%d} 晚于今天，不能登记尚未收到的事项"})


def do_create_problem_list(plist: ProblemList, *, actor) -> ProblemList:
    with transaction.atomic():
        if not path_in_scope(actor, "matter.change", plist.org.path):
            raise PermissionDenied(f"无权在“{plist.org}”登记问题清单")
        plist.created_by = actor
        audit.save_audited(plist, actor=actor, action="matter.list_create")
    return plist


def do_create_matter(matter: Matter, *, actor, co_owners=()) -> Matter:
    """登记: a new matter in state 登记; its deadline is the typed one (checked) or the kind's default."""
    with transaction.atomic():
        if matter.spec.register_capability == "matter.change":
            require_manage(actor, matter, "登记事项")
        elif not path_in_scope(actor, matter.spec.register_capability, matter.org.path):
            raise PermissionDenied(f"无权在“{matter.org}”登记{matter.spec.label}")
        matter.received_on = matter.received_on or timezone.localdate()
        _check_received(matter)
        matter.status = Status.REGISTERED
        matter.created_by = actor
        check_people(matter)
        if matter.problem_list_id and not matter.source:
            matter.source = matter.problem_list.source or matter.problem_list.title
        workflow.freeze_due(matter, explicit=bool(matter.due_on))
        _apply_urgent(matter, start=matter.received_on)
        audit.save_audited(matter, actor=actor, action="matter.create")
        if co_owners:
            matter.co_owners.set(co_owners)
        timeline_event(matter, "register", actor=actor, to_status=Status.REGISTERED)
    return matter


# The rows that carry their matter's org (so that scope is a test on the row itself) and move with it. The
# weekly 督办单 lines do not: each is the record of where the matter stood that week.
FOLLOW_THE_MATTER = (Measure, Progress, Contact, Milestone, Transition)


def do_update_matter(matter: Matter, *, actor, expected_version: int | None, co_owners=None) -> Matter:
    """Save edited fields (not the status); a closed matter is refused, a stale copy conflicts."""
    with transaction.atomic():
        stored = lock_row(Matter, matter.pk, "org")
        require_manage(actor, stored, "修改")
        require_manage(actor, matter, "将事项移到")
        require_open(stored)
        matter.status = stored.status  # the status moves only through do_transition
        if matter.received_on != stored.received_on:
            _check_received(matter)
        check_people(matter, stored)
        if matter.due_on != stored.due_on or matter.handling_class != stored.handling_class:
            workflow.freeze_due(matter, explicit=matter.due_on != stored.due_on and bool(matter.due_on))
        matter.handoff_due_on, matter.handoff_late = stored.handoff_due_on, stored.handoff_late  # not edited by hand
        _apply_urgent(matter, start=timezone.localdate(), stored=stored)
        audit.save_audited(matter, actor=actor, action="matter.update", expected_version=expected_version,
                           locked=stored)
        if matter.org_id != stored.org_id:  # a derived column, moved with the audited change of the matter's org
            for model in FOLLOW_THE_MATTER:
                model.objects.filter(matter=matter).update(org_id=matter.org_id, org_path=matter.org_path)
        if co_owners is not None:
            matter.co_owners.set(co_owners)
    return matter
