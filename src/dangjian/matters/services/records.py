"""What is added to a matter while it is handled: 整改措施, 进展, 接待与沟通, 时间节点, and the delegate's 满意度."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.uploads import random_name, validate_upload

from .. import workflow
from ..models import Contact, Matter, Measure, Milestone, Progress
from .common import can_manage, is_owner, locked_open, person_of, require_manage, timeline_event


def do_add_measure(measure: Measure, *, actor) -> Measure:
    with transaction.atomic():
        matter = locked_open(measure.matter, actor, "manager", "添加整改措施")
        deadline = workflow.check_explicit_due(matter.kind, measure.due_on, matter.received_on)
        measure.org, measure.org_path, measure.due_provisional = matter.org, matter.org_path, deadline.provisional
        audit.save_audited(measure, actor=actor, action="matter.measure_add")
        timeline_event(matter, "measure", actor=actor,
                       reason=f"添加整改措施：{measure.text[:100]}（{measure.owner}，{measure.due_on:%Y-%m-%d}前）")
    return measure


def do_complete_measure(measure: Measure, *, actor, done_on: dt.date | None = None) -> Measure:
    with transaction.atomic():
        matter = locked_open(measure.matter, actor, "owner", "填报措施完成")
        person = person_of(actor)
        if not (can_manage(actor, matter) or (person and person.pk == measure.owner_id) or is_owner(actor, matter)):
            raise PermissionDenied("只有措施责任人、事项责任人或管理人员可以填报措施完成")
        if measure.done_on:
            raise ValidationError("该措施已填报完成")
        measure.done_on = done_on or timezone.localdate()
        audit.save_audited(measure, actor=actor, action="matter.measure_done")
        timeline_event(matter, "measure_done", actor=actor, reason=f"措施完成：{measure.text[:100]}")
    return measure


def do_add_progress(progress: Progress, *, actor) -> Progress:
    if progress.attachment and not progress.attachment._committed:
        # Checked by content before the transaction (a refusal is a security event), stored under a random name.
        kind = validate_upload(progress.attachment.file, field="attachment", actor=actor)
        progress.attachment.name = random_name(kind)
    with transaction.atomic():
        matter = locked_open(progress.matter, actor, "owner", "填报进展")
        progress.org, progress.org_path, progress.author = matter.org, matter.org_path, actor
        audit.save_audited(progress, actor=actor, action="matter.progress")
    return progress


def do_add_contact(contact: Contact, *, actor) -> Contact:
    with transaction.atomic():
        matter = locked_open(contact.matter, actor, "owner", "登记接待与沟通")
        if contact.kind == Contact.Kind.RECEPTION and not (contact.resolution or contact.unresolved_reason):
            raise ValidationError({"resolution": "接待记录须填写解决情况，或暂不能解决的原因"})
        contact.org, contact.org_path, contact.recorded_by = matter.org, matter.org_path, actor
        audit.save_audited(contact, actor=actor, action="matter.contact")
        timeline_event(matter, "contact", actor=actor, reason=f"{contact.get_kind_display()}：{contact.who}")
    return contact


def do_plan_milestones(matter: Matter, plan: list[tuple[dt.date, str]], *, actor) -> list[Milestone]:
    """大事快速办: lay out the plan day by day; each day may hold one node, none after the deadline."""
    with transaction.atomic():
        stored = locked_open(matter, actor, "owner", "安排时间节点")
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
        timeline_event(stored, "milestones", actor=actor, reason=f"安排时间节点 {len(made)} 个")
    return made


def do_complete_milestone(milestone: Milestone, *, actor) -> Milestone:
    with transaction.atomic():
        locked_open(milestone.matter, actor, "owner", "填报节点完成")
        if milestone.done_on:
            raise ValidationError("该节点已完成")
        milestone.done_on = timezone.localdate()
        audit.save_audited(milestone, actor=actor, action="matter.milestone_done")
    return milestone


def do_record_satisfaction(matter: Matter, satisfaction: str, *, actor, expected_version=None) -> Matter:
    """The delegate's answer (满意/基本满意/不满意) on a replied proposal; allowed after closure too."""
    with transaction.atomic():
        stored = Matter.objects.select_for_update().get(pk=matter.pk)
        require_manage(actor, stored, "登记满意度")
        if not stored.spec.is_proposal:
            raise ValidationError({"satisfaction": "只有人大建议、政协提案登记代表委员满意度"})
        if not stored.replied_on:
            raise ValidationError({"satisfaction": "尚未答复，不能登记满意度"})
        stored.satisfaction = satisfaction
        audit.save_audited(stored, actor=actor, action="matter.satisfaction", expected_version=expected_version)
        timeline_event(stored, "satisfaction", actor=actor, reason=f"代表委员满意度：{stored.get_satisfaction_display()}")
    return stored
