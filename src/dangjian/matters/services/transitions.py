"""Status changes: :func:`do_transition` applies one step of workflow.TRANSITIONS, whatever the step.

The step says who may take it, what must be present, which fields it may set, what it does to the
matter and whom it tells; this procedure only runs those in order, in one transaction.
"""

from __future__ import annotations

import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.notify import notify

from .. import workflow
from ..models import Matter, Status
from .common import check_people, may, timeline_event

# The fields each step may set, by step name; they live on the steps (workflow.Step.fields), this is a read-out.
TRANSITION_FIELDS = {s.name: s.fields for s in workflow.TRANSITIONS.values() if s.fields}


def do_transition(matter_or_pk, name: str, *, actor, reason: str = "", expected_version: int | None = None,
                  **fields) -> Matter:
    """Apply one step of workflow.TRANSITIONS: lock, check who and what, change, log, notify."""
    step = workflow.TRANSITIONS.get(name)
    if step is None:
        raise ValidationError(f"没有“{name}”这种操作")
    pk = getattr(matter_or_pk, "pk", matter_or_pk)
    reason = (reason or "").strip()
    with transaction.atomic():
        # The one lock of the transition, taken before anything is read: the row read here is the row saved.
        matter = Matter.objects.select_for_update().get(pk=pk)
        stored = copy.copy(matter)  # the row as locked, for the people check and the log's "before"
        _check_allowed(matter, step, actor=actor, reason=reason, expected_version=expected_version)
        typed, explicit_due = _set_fields(matter, step, fields)
        check_people(matter, stored)
        missing = workflow.missing_fields(matter, step)
        if missing:
            raise ValidationError(f"不能“{step.label}”：缺少{'、'.join(missing)}。")
        today = timezone.localdate()
        context = workflow.Context(actor=actor, today=today, typed=typed, explicit_due=explicit_due)
        on_time = step.effects(matter, context) if step.effects else None
        from_status = matter.status
        matter.status = step.target
        message = "；".join(x for x in (reason, workflow.handoff_note(matter, on_time, today)) if x)
        audit.save_audited(matter, actor=actor, action=f"matter.{name}", message=message, locked=stored)
        timeline_event(matter, name, actor=actor, from_status=from_status, to_status=step.target, reason=message,
                       public=step.public, on_time=on_time)
        _notify_step(matter, step, actor=actor, reason=reason)
    return matter


def _check_allowed(matter: Matter, step: workflow.Step, *, actor, reason: str, expected_version: int | None) -> None:
    """The version the actor saw, the state the step starts from, the actor's right, the reason."""
    if expected_version is not None and matter.version != expected_version:
        raise audit.ConflictError(
            f"事项“{matter}”已被他人处理（当前版本 {matter.version}，您看到的是版本 {expected_version}），"
            f"当前状态为“{matter.get_status_display()}”，请刷新后再操作。")
    if matter.status not in step.sources:
        allowed = "、".join(Status(s).label for s in step.sources)
        raise ValidationError(f"不能“{step.label}”：事项“{matter}”当前状态为“{matter.get_status_display()}”，"
                              f"只有“{allowed}”状态的事项可以执行此操作。")
    if not may(actor, matter, step.who):
        raise PermissionDenied(f"无权对事项“{matter}”执行“{step.label}”：只有{workflow.WHO_LABELS[step.who]}可以。")
    if step.reason_required and not reason:
        raise ValidationError({"reason": f"“{step.label}”须填写理由"})


def _set_fields(matter: Matter, step: workflow.Step, fields: dict) -> tuple[dict, bool]:
    """Set what the actor filled in among the step's fields; returns those and whether a new deadline was typed."""
    typed, explicit_due = {}, False
    for key, value in fields.items():
        if key not in step.fields:
            raise ValidationError(f"“{step.label}”不能修改字段 {key}")
        if value in (None, ""):
            continue
        if key == "due_on" and value != matter.due_on:
            explicit_due = True
        setattr(matter, key, value)
        typed[key] = value
    return typed, explicit_due


def _notify_step(matter: Matter, step: workflow.Step, *, actor, reason: str) -> None:
    link = f"/matters/{matter.pk}/"
    title = f"事项{step.label}：{matter.title}"[:200]
    body = f"{actor.get_full_name()}对事项“{matter.title}”执行了“{step.label}”。" + (f"理由：{reason}" if reason else "")
    people = {"owner": lambda: matter.owner, "leader": lambda: matter.responsible_leader,
              "creator": lambda: matter.created_by if matter.created_by_id else None}
    seen = set()
    for role in step.notify:
        recipient = people[role]()
        user = getattr(recipient, "user", recipient)
        if user is not None and getattr(user, "pk", None) and user.pk != actor.pk and user.pk not in seen:
            seen.add(user.pk)
            notify(user, title, body, link=link, category="matter")
