"""Actions on matters (do_*): scope re-checked, rows locked, one transaction, audited, a timeline event each.

A status is changed only by :func:`do_transition`, which applies the one table in workflow.py.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, workdays
from dangjian.core.notify import notify
from dangjian.core.scope import path_in_scope
from dangjian.core.uploads import random_name, validate_upload
from dangjian.orgs.services import agency_of, leadership

from . import workflow
from .models import (
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


def _require_manage(actor, matter: Matter, what: str) -> None:
    if not can_manage(actor, matter):
        raise PermissionDenied(f"无权{what}“{matter}”（需要该组织的事项管理权限）")


def _require_open(matter: Matter) -> None:
    if matter.status == Status.CLOSED:
        raise ValidationError(f"事项“{matter}”已销号，不能修改；如需继续办理，请先“重新打开”。")


def _event(matter: Matter, name: str, *, actor, from_status="", to_status="", reason="", public=False,
           on_time=None):
    return Transition.objects.create(
        matter=matter, org=matter.org, org_path=matter.org_path, name=name, from_status=from_status,
        to_status=to_status, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() if getattr(actor, "pk", None) else "系统")[:50], reason=reason,
        public=public, on_time=on_time)


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
                                               f"{'、'.join(workflow.field_label(n) for n in missing)}"})
        if stored is None or stored.handling_class != HandlingClass.URGENT:
            matter.handoff_due_on = workflow.handoff_day(start)


def _check_people(matter: Matter, stored: Matter | None = None) -> None:
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


def _apply_due(matter: Matter, *, explicit: bool) -> None:
    """Freeze the deadline on the matter: validate a typed date, or compute the kind's default."""
    if explicit and matter.due_on:
        deadline = workflow.check_explicit_due(matter.kind, matter.due_on, matter.received_on)
    else:
        deadline = workflow.compute_due(matter.kind, matter.assigned_on or matter.received_on, matter.handling_class)
    matter.due_on, matter.due_provisional, matter.due_basis = deadline.date, deadline.provisional, deadline.basis
    from dangjian.core import rules

    matter.due_rule_version = rules.version(matter.spec.rule_key("deadline"))


# ---- problem lists and matters ------------------------------------------------------------------

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
        _require_manage(actor, matter, "登记事项")
        matter.received_on = matter.received_on or timezone.localdate()
        matter.status = Status.REGISTERED
        matter.created_by = actor
        _check_people(matter)
        if matter.problem_list_id and not matter.source:
            matter.source = matter.problem_list.source or matter.problem_list.title
        _apply_due(matter, explicit=bool(matter.due_on))
        _apply_urgent(matter, start=matter.received_on)
        audit.save_audited(matter, actor=actor, action="matter.create")
        if co_owners:
            matter.co_owners.set(co_owners)
        _event(matter, "register", actor=actor, to_status=Status.REGISTERED)
    return matter


def do_update_matter(matter: Matter, *, actor, expected_version: int | None, co_owners=None) -> Matter:
    """Save edited fields (not the status); a closed matter is refused, a stale copy conflicts."""
    with transaction.atomic():
        stored = Matter.objects.select_for_update(of=("self",)).select_related("org").get(pk=matter.pk)
        _require_manage(actor, stored, "修改")
        _require_manage(actor, matter, "将事项移到")
        _require_open(stored)
        matter.status = stored.status  # the status moves only through do_transition
        _check_people(matter, stored)
        if matter.due_on != stored.due_on or matter.handling_class != stored.handling_class:
            _apply_due(matter, explicit=matter.due_on != stored.due_on and bool(matter.due_on))
        matter.handoff_due_on, matter.handoff_late = stored.handoff_due_on, stored.handoff_late  # not edited by hand
        _apply_urgent(matter, start=timezone.localdate(), stored=stored)
        audit.save_audited(matter, actor=actor, action="matter.update", expected_version=expected_version)
        if co_owners is not None:
            matter.co_owners.set(co_owners)
    return matter


# Fields a transition may set, by transition (the rest of a matter is edited with do_update_matter).
TRANSITION_FIELDS = {
    "assign": ("owner", "responsible_leader", "due_on", "assigned_on"),
    "submit": ("completion_statement", "evidence", "reply_text", "replied_on"),
    "close": ("satisfaction",),
}


def do_transition(matter_or_pk, name: str, *, actor, reason: str = "", expected_version: int | None = None,
                  **fields) -> Matter:
    """Apply one step of workflow.TRANSITIONS: lock, check who and what, change, log, notify."""
    step = workflow.TRANSITIONS.get(name)
    if step is None:
        raise ValidationError(f"没有“{name}”这种操作")
    pk = getattr(matter_or_pk, "pk", matter_or_pk)
    reason = (reason or "").strip()
    with transaction.atomic():
        matter = Matter.objects.select_for_update().get(pk=pk)
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
        explicit_due = False
        stored = Matter(pk=matter.pk, org_id=matter.org_id, owner_id=matter.owner_id,
                        responsible_leader_id=matter.responsible_leader_id)
        for key, value in fields.items():
            if key not in TRANSITION_FIELDS.get(name, ()):
                raise ValidationError(f"“{step.label}”不能修改字段 {key}")
            if value in (None, ""):
                continue
            if key == "due_on" and value != matter.due_on:
                explicit_due = True
            setattr(matter, key, value)
        _check_people(matter, stored)
        missing = workflow.missing_fields(matter, step)
        if missing:
            raise ValidationError(f"不能“{step.label}”：缺少{'、'.join(missing)}。")
        on_time = _apply_effects(matter, step, actor=actor, explicit_due=explicit_due,
                                 assigned_on=fields.get("assigned_on"))
        before = matter.status
        matter.status = step.target
        note = "" if on_time is None else (
            f"要事当日交办（应交办日期 {matter.handoff_due_on:%Y-%m-%d}）" if on_time
            else f"交办超时：应于 {matter.handoff_due_on:%Y-%m-%d} 交办，实际 {matter.assigned_on:%Y-%m-%d} 交办")
        if on_time is not None and matter.assigned_on < timezone.localdate():  # a hand-off entered afterwards
            note += f"（交办日期为补录，交办操作于 {timezone.localdate():%Y-%m-%d}）"
        audit.save_audited(matter, actor=actor, action=f"matter.{name}",
                           message="；".join(x for x in (reason, note) if x))
        _event(matter, name, actor=actor, from_status=before, to_status=step.target,
               reason="；".join(x for x in (reason, note) if x), public=step.public, on_time=on_time)
        _notify_step(matter, step, actor=actor, reason=reason)
    return matter


def _apply_effects(matter: Matter, step: workflow.Step, *, actor, explicit_due: bool, assigned_on) -> bool | None:
    """The step's side effects; returns whether a 要事 was handed off on its day (None when not a 要事 hand-off)."""
    today = timezone.localdate()
    if step.name == "assign":
        matter.assigned_on = assigned_on or today
        if matter.assigned_on > today or matter.assigned_on < matter.received_on:
            raise ValidationError({"assigned_on": f"交办日期应在登记日期 {matter.received_on:%Y-%m-%d} 与今天之间"})
        if explicit_due or matter.due_basis == "manual":
            _apply_due(matter, explicit=True)
        else:  # the default deadline counts from the day of the hand-off
            _apply_due(matter, explicit=False)
        if matter.handoff_due_on:
            on_time = matter.assigned_on <= matter.handoff_due_on
            matter.handoff_late = matter.handoff_late or not on_time  # a late hand-off stays on the record
            return on_time
    elif step.name == "decline" and matter.handling_class == HandlingClass.URGENT:
        # Sent back: it must be handed off again on the working day it came back.
        matter.handoff_due_on = workflow.handoff_day(today)
    elif step.name == "submit":
        if matter.spec.is_proposal and matter.replied_on and matter.replied_on > today:
            raise ValidationError({"replied_on": "答复日期不能晚于今天"})
        matter.submitted_on = today
    elif step.name == "close":
        matter.closed_on = today
        matter.approved_by = actor
        matter.approved_at = timezone.now()
        year_count = Matter.objects.filter(closed_on__year=today.year).exclude(filing_number="").count()
        matter.filing_number = f"销号备案〔{today.year}〕{year_count + 1}号"
    elif step.name == "reopen":
        matter.closed_on = None
        matter.approved_by = None
        matter.approved_at = None
        matter.submitted_on = None
    return None


def _notify_step(matter: Matter, step: workflow.Step, *, actor, reason: str) -> None:
    link = f"/matters/{matter.pk}/"
    title = f"事项{step.label}：{matter.title}"[:200]
    body = f"{actor.get_full_name()}对事项“{matter.title}”执行了“{step.label}”。" + (f"理由：{reason}" if reason else "")
    recipients = []
    if step.name in ("assign", "return", "reopen", "close"):
        recipients.append(matter.owner)
    if step.name in ("submit", "assign"):
        recipients.append(matter.responsible_leader)
    if step.name == "decline" and matter.created_by_id:
        recipients.append(matter.created_by)
    seen = set()
    for r in recipients:
        user = getattr(r, "user", r)
        if user is not None and getattr(user, "pk", None) and user.pk != actor.pk and user.pk not in seen:
            seen.add(user.pk)
            notify(user, title, body, link=link, category="matter")


# ---- measures, progress, contacts, milestones ---------------------------------------------------

def _locked_open(matter: Matter, actor, who: str, what: str) -> Matter:
    stored = Matter.objects.select_for_update().get(pk=matter.pk)
    _require_open(stored)
    if not may(actor, stored, who):
        raise PermissionDenied(f"无权{what}：事项“{stored}”")
    return stored


def do_add_measure(measure: Measure, *, actor) -> Measure:
    with transaction.atomic():
        matter = _locked_open(measure.matter, actor, "manager", "添加整改措施")
        deadline = workflow.check_explicit_due(matter.kind, measure.due_on, matter.received_on)
        measure.org, measure.org_path, measure.due_provisional = matter.org, matter.org_path, deadline.provisional
        audit.save_audited(measure, actor=actor, action="matter.measure_add")
        _event(matter, "measure", actor=actor, reason=f"添加整改措施：{measure.text[:100]}（{measure.owner}，"
                                                       f"{measure.due_on:%Y-%m-%d}前）")
    return measure


def do_complete_measure(measure: Measure, *, actor, done_on: dt.date | None = None) -> Measure:
    with transaction.atomic():
        matter = _locked_open(measure.matter, actor, "owner", "填报措施完成")
        person = person_of(actor)
        if not (can_manage(actor, matter) or (person and person.pk == measure.owner_id) or is_owner(actor, matter)):
            raise PermissionDenied("只有措施责任人、事项责任人或管理人员可以填报措施完成")
        if measure.done_on:
            raise ValidationError("该措施已填报完成")
        measure.done_on = done_on or timezone.localdate()
        audit.save_audited(measure, actor=actor, action="matter.measure_done")
        _event(matter, "measure_done", actor=actor, reason=f"措施完成：{measure.text[:100]}")
    return measure


def do_add_progress(progress: Progress, *, actor) -> Progress:
    if progress.attachment and not progress.attachment._committed:
        # Checked by content before the transaction (a refusal is a security event), stored under a random name.
        kind = validate_upload(progress.attachment.file, field="attachment", actor=actor)
        progress.attachment.name = random_name(kind)
    with transaction.atomic():
        matter = _locked_open(progress.matter, actor, "owner", "填报进展")
        progress.org, progress.org_path, progress.author = matter.org, matter.org_path, actor
        audit.save_audited(progress, actor=actor, action="matter.progress")
    return progress


def do_add_contact(contact: Contact, *, actor) -> Contact:
    with transaction.atomic():
        matter = _locked_open(contact.matter, actor, "owner", "登记接待与沟通")
        if contact.kind == Contact.Kind.RECEPTION and not (contact.resolution or contact.unresolved_reason):
            raise ValidationError({"resolution": "接待记录须填写解决情况，或暂不能解决的原因"})
        contact.org, contact.org_path, contact.recorded_by = matter.org, matter.org_path, actor
        audit.save_audited(contact, actor=actor, action="matter.contact")
        _event(matter, "contact", actor=actor, reason=f"{contact.get_kind_display()}：{contact.who}")
    return contact


def do_plan_milestones(matter: Matter, plan: list[tuple[dt.date, str]], *, actor) -> list[Milestone]:
    """大事快速办: lay out the plan day by day; each day may hold one node, none after the deadline."""
    with transaction.atomic():
        stored = _locked_open(matter, actor, "owner", "安排时间节点")
        errors = []
        taken = set(stored.milestones.values_list("day", flat=True))
        for day, task in plan:
            if stored.due_on and day > stored.due_on:
                errors.append(f"{day:%Y-%m-%d}：晚于完成时限 {stored.due_on:%Y-%m-%d}")
            if day in taken:
                errors.append(f"{day:%Y-%m-%d}：当日已有节点")
            if not task.strip():
                errors.append(f"{day:%Y-%m-%d}：节点内容不能为空")
            taken.add(day)
        if errors:
            raise ValidationError({"plan": errors})
        made = []
        for day, task in plan:
            m = Milestone(matter=stored, org=stored.org, org_path=stored.org_path, day=day, task=task.strip())
            made.append(audit.save_audited(m, actor=actor, action="matter.milestone_plan"))
        _event(stored, "milestones", actor=actor, reason=f"安排时间节点 {len(made)} 个")
    return made


def do_complete_milestone(milestone: Milestone, *, actor) -> Milestone:
    with transaction.atomic():
        _locked_open(milestone.matter, actor, "owner", "填报节点完成")
        if milestone.done_on:
            raise ValidationError("该节点已完成")
        milestone.done_on = timezone.localdate()
        audit.save_audited(milestone, actor=actor, action="matter.milestone_done")
    return milestone


def do_record_satisfaction(matter: Matter, satisfaction: str, *, actor, expected_version=None) -> Matter:
    """The delegate's answer (满意/基本满意/不满意) on a replied proposal; allowed after closure too."""
    with transaction.atomic():
        stored = Matter.objects.select_for_update().get(pk=matter.pk)
        _require_manage(actor, stored, "登记满意度")
        if not stored.spec.is_proposal:
            raise ValidationError({"satisfaction": "只有人大建议、政协提案登记代表委员满意度"})
        if not stored.replied_on:
            raise ValidationError({"satisfaction": "尚未答复，不能登记满意度"})
        stored.satisfaction = satisfaction
        audit.save_audited(stored, actor=actor, action="matter.satisfaction", expected_version=expected_version)
        _event(stored, "satisfaction", actor=actor, reason=f"代表委员满意度：{stored.get_satisfaction_display()}")
    return stored


# ---- deadlines recomputed when a year's official schedule is entered ------------------------------

def recompute_deadlines(year: int, *, actor=None) -> int:
    """Open matters (and open measures) whose frozen deadline touches ``year`` are computed again.

    Each change is audited and shown on the matter's timeline; runs in the caller's transaction.
    """
    changed = 0
    start, end = dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31)
    matters = (Matter.objects.open().filter(due_on__range=(start, end)).only(
        "id", "kind", "due_on", "due_provisional", "due_basis", "received_on", "org_id", "org_path", "title",
        "version"))
    for matter in matters.iterator(chunk_size=2000):
        if matter.due_basis and matter.due_basis != "manual":
            new = workflow.deadline_from_basis(matter.due_basis)
            new_date, new_prov = new.date, new.provisional
        else:
            new_date = matter.due_on if workdays.is_workday(matter.due_on) else workdays.next_workday(matter.due_on)
            new_prov = workdays.is_provisional(new_date)
        if (new_date, new_prov) == (matter.due_on, matter.due_provisional):
            continue
        before = {"due_on": str(matter.due_on), "due_provisional": matter.due_provisional}
        matter.due_on, matter.due_provisional = new_date, new_prov
        matter.version += 1
        matter.save(update_fields=["due_on", "due_provisional", "version", "updated_at"])
        audit.record("matter.deadline_recomputed", actor=actor, target=matter, before=before,
                     after={"due_on": str(new_date), "due_provisional": new_prov},
                     message=f"录入 {year} 年节假日安排后重算期限")
        _event(matter, "deadline", actor=actor, reason=f"录入 {year} 年节假日安排后，完成时限由 {before['due_on']} "
                                                       f"调整为 {new_date:%Y-%m-%d}")
        changed += 1
    for measure in Measure.objects.filter(done_on__isnull=True, due_provisional=True,
                                          due_on__year=year).iterator(chunk_size=2000):
        new_date = measure.due_on if workdays.is_workday(measure.due_on) else workdays.next_workday(measure.due_on)
        before = {"due_on": str(measure.due_on)}
        measure.due_on, measure.due_provisional = new_date, workdays.is_provisional(new_date)
        measure.save(update_fields=["due_on", "due_provisional", "updated_at"])
        audit.record("matter.deadline_recomputed", actor=actor, target=measure, before=before,
                     after={"due_on": str(new_date)}, message=f"录入 {year} 年节假日安排后重算期限")
        changed += 1
    return changed
