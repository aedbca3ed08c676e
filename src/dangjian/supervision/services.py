"""Actions of 纪委监督 (do_*): scope re-checked, one transaction, audited. Findings are filed as Matters of kind
监督检查问题 through matters' services, and from then on follow the one workflow (督办, 备案销号)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.utils import timezone

from dangjian.core import audit, rule_settings
from dangjian.core.models import lock_row
from dangjian.core.notify import notify
from dangjian.core.scope import has_capability, path_in_scope, scope_roots
from dangjian.matters import services as matter_services
from dangjian.matters.models import Matter
from dangjian.matters.states import Status
from dangjian.orgs.models import Org

from .models import Finding, Inspection, InspectionPlan, Petition, Result, Talk, TalkKind, secretary_paths
from .rule_settings import INSPECTION

CHANGE = "supervision.change"


def reads_in_full(user, record) -> bool:
    """Whether the user reads the whole record: the discipline team where it holds supervision.view, and the
    agency's 党组书记. The person talked to, who sees their talk through the own-record rule, does not."""
    path = record.org_path
    return path_in_scope(user, "supervision.view", path) or any(path.startswith(p) for p in secretary_paths(user))


def _require_change(actor, org: Org, what: str) -> None:
    if not path_in_scope(actor, CHANGE, org.path):
        raise PermissionDenied(f"无权{what}（需要“{org}”的纪委监督权限）")


def _not_future(day: dt.date, field: str, label: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{label} {day:%Y-%m-%d} 晚于今天，不能登记尚未发生的{label[:2]}"})


def home_org(actor) -> Org | None:
    """Where a plan made by the actor belongs: the top of their supervision scope (the agency, for 纪检组长)."""
    roots = scope_roots(actor, CHANGE)
    return Org.objects.filter(path=roots[0]).first() if roots else None


# ---- plans ------------------------------------------------------------------------------------------

def do_create_plan(plan: InspectionPlan, *, actor, people=(), sections=()) -> InspectionPlan:
    """制定检查计划: the checklist in force is copied onto the plan with its version."""
    with transaction.atomic():
        _require_change(actor, plan.org, "制定监督检查计划")
        if not people and not sections:
            raise ValidationError({"people": "检查对象：请至少选择一名班子成员、责任科室负责人或一个科室"})
        outside = [str(o) for o in [*(p.org for p in people), *sections] if not o.path.startswith(plan.org.path)]
        if outside:
            raise ValidationError({"people": f"检查对象：“{'、'.join(outside)}”不在“{plan.org}”范围内"})
        plan.checklist = list(rule_settings.get("supervision.checklist"))
        if not plan.checklist:
            raise ValidationError({"checklist": "检查项目为空：请先在规则设置中维护“纪委监督检查项目”"})
        plan.checklist_version = rule_settings.version("supervision.checklist")
        plan.created_by = actor
        audit.save_audited(plan, actor=actor, action="supervision.plan_create")
        plan.people.set(people)
        plan.sections.set(sections)
    return plan


# ---- inspections --------------------------------------------------------------------------------------

def check_results(plan: InspectionPlan, results: list[dict]) -> list[dict]:
    """One result per checklist item of the plan, in its order; a 存在问题 or 基本符合 needs a note."""
    given = {row.get("item"): row for row in results}
    valid, rows = set(Result.values), []
    for item in plan.checklist:
        row = given.get(item) or {}
        if row.get("result") not in valid:
            raise ValidationError({"results": f"检查结果：“{item}”未选择结果"})
        note = (row.get("note") or "").strip()
        if row["result"] != Result.GOOD and not note:
            raise ValidationError({"results": f"检查结果：“{item}”为{Result(row['result']).label}，请写明具体情况"})
        rows.append({"item": item, "result": row["result"], "note": note})
    extra = set(given) - set(plan.checklist)
    if extra:
        raise ValidationError({"results": f"检查结果：“{'、'.join(sorted(map(str, extra)))}”不是本计划的检查项目"})
    return rows


def do_record_inspection(inspection: Inspection, *, actor, inspectors=()) -> Inspection:
    """登记检查记录: of a person or a section of the plan, with a result for every checklist item."""
    with transaction.atomic():
        plan = inspection.plan
        if bool(inspection.person_id) == bool(inspection.section_id):
            raise ValidationError({"person": "被检查人、被检查科室：请选择其中一项"})
        inspection.org = inspection.section or inspection.person.org
        _require_change(actor, plan.org, "登记监督检查")
        _require_change(actor, inspection.org, "登记监督检查")
        if inspection.person_id and not plan.people.filter(pk=inspection.person_id).exists():
            raise ValidationError({"person": f"被检查人：“{inspection.person}”不是计划“{plan}”的检查对象"})
        if inspection.section_id and not plan.sections.filter(pk=inspection.section_id).exists():
            raise ValidationError({"section": f"被检查科室：“{inspection.section}”不是计划“{plan}”的检查科室"})
        if not inspectors:
            raise ValidationError({"inspectors": "检查人：请至少选择一人"})
        _not_future(inspection.held_on, "held_on", "检查日期")
        inspection.results = check_results(plan, inspection.results)
        inspection.created_by = actor
        audit.save_audited(inspection, actor=actor, action="supervision.inspection_create")
        inspection.inspectors.set(inspectors)
    return inspection


def do_add_finding(inspection: Inspection, *, actor, text: str, item: str = "", owner, leader,
                   due_on: dt.date | None = None) -> Finding:
    """检查发现问题: filed as a Matter of kind 监督检查问题 (owner = the person or section head checked, the
    responsible leader, a deadline in working days: the kind's rule unless one is typed), then chased and
    closed like every matter."""
    with transaction.atomic():
        inspection = lock_row(Inspection, inspection.pk, "plan", "org")
        _require_change(actor, inspection.org, "登记检查发现的问题")
        text = (text or "").strip()
        if not text:
            raise ValidationError({"text": "问题描述：不能为空"})
        if item and item not in inspection.plan.checklist:
            raise ValidationError({"item": f"检查项目：“{item}”不是本计划的检查项目"})
        matter = matter_services.do_create_matter(Matter(
            kind=INSPECTION.key, title=text[:200], content=text, org=owner.org, owner=owner,
            responsible_leader=leader, received_on=inspection.held_on, due_on=due_on,
            source=f"纪委监督检查（{inspection.held_on:%Y-%m-%d}）", category=item[:50]), actor=actor)
        finding = Finding(inspection=inspection, org=inspection.org, item=item, text=text, matter=matter)
        audit.save_audited(finding, actor=actor, action="supervision.finding_create")
    return finding


def finding_counts(inspections) -> dict[int, tuple[int, int]]:
    """inspection id → (findings, findings whose matter is closed by 备案销号), in one query."""
    rows = (Finding.objects.filter(inspection__in=inspections).order_by().values("inspection_id")
            .annotate(total=Count("id"), closed=Count("id", filter=Q(matter__status=Status.CLOSED))))
    return {r["inspection_id"]: (r["total"], r["closed"]) for r in rows}


# ---- talks ----------------------------------------------------------------------------------------------

# Sent inside the transaction that recorded a talk (talk=, actor=): the modules above this one that keep a record
# of it (考评's 作风台账) listen, so that this module imports none of them.
talk_recorded = Signal()


def do_record_talk(talk: Talk, *, actor) -> Talk:
    """登记谈话: in the subject's org; the reason is a finding or a petition the actor may see, or free text."""
    with transaction.atomic():
        talk.org = talk.subject.org
        _require_change(actor, talk.org, "登记谈话")
        _not_future(talk.held_on, "held_on", "谈话日期")
        if talk.finding_id and talk.petition_id:
            raise ValidationError({"petition": "事由：检查发现的问题与群众诉求只能选择其一"})
        if talk.finding_id:
            if not Finding.objects.visible_to(actor).filter(pk=talk.finding_id).exists():
                raise ValidationError({"finding": "事由：所选检查问题不存在或不在您的权限范围内"})
        elif talk.petition_id:
            if not Petition.objects.visible_to(actor).filter(pk=talk.petition_id).exists():
                raise ValidationError({"petition": "事由：所选群众诉求不存在或不在您的权限范围内"})
        elif not (talk.reason or "").strip():
            raise ValidationError({"reason": "事由：请选择检查发现的问题或群众诉求，或填写事由"})
        if talk.follow_up_on and talk.follow_up_on < talk.held_on:
            raise ValidationError({"follow_up_on": f"回访日期 {talk.follow_up_on:%Y-%m-%d} 早于谈话日期"})
        if talk.talker_id == talk.subject_id:
            raise ValidationError({"subject": "谈话对象：不能与谈话人是同一人"})
        talk.created_by = actor
        audit.save_audited(talk, actor=actor, action="supervision.talk_create")
        talk_recorded.send(sender=Talk, talk=talk, actor=actor)
    return talk


def do_record_follow_up(talk: Talk, *, actor, done_on: dt.date, note: str, expected_version=None) -> Talk:
    """回访: the follow-up of a talk done, with what was found."""
    with transaction.atomic():
        stored = lock_row(Talk, talk.pk, "org")
        _require_change(actor, stored.org, "登记回访")
        if not done_on:
            raise ValidationError({"followed_up_on": "回访日期：不能为空"})
        _not_future(done_on, "followed_up_on", "回访日期")
        if done_on < stored.held_on:
            raise ValidationError({"followed_up_on": f"回访日期 {done_on:%Y-%m-%d} 早于谈话日期"})
        if not (note or "").strip():
            raise ValidationError({"follow_up_note": "回访情况：不能为空"})
        updated = Talk.objects.get(pk=talk.pk)
        updated.followed_up_on, updated.follow_up_note = done_on, note.strip()
        audit.save_audited(updated, actor=actor, action="supervision.talk_follow_up",
                           expected_version=expected_version, locked=stored)
    return updated


def first_form_counts(user, year: int) -> list[tuple[str, str, int]]:
    """第一种形态 per year: the talks of each kind held in ``year`` that the user reads, (kind, label, count);
    one query. The second to fourth forms (党纪处分、立案审查) are not recorded in this system."""
    rows = dict(Talk.objects.visible_to(user).filter(held_on__year=year).order_by().values("kind")
                .annotate(n=Count("id")).values_list("kind", "n"))
    return [(k, label, rows.get(k, 0)) for k, label in TalkKind.choices]


def follow_ups_due(until: dt.date):
    """Talks whose follow-up is due on or before ``until`` and not done (all of them: the job's list)."""
    return Talk.objects.filter(follow_up_on__lte=until, followed_up_on__isnull=True).select_related("talker__user")


def remind_follow_ups(today: dt.date) -> int:
    """Tell each talker of the follow-ups due today (and those overdue, on Mondays): the daily job."""
    talks = follow_ups_due(today)
    if today.weekday() != 0:
        talks = talks.filter(follow_up_on=today)
    sent = 0
    for talk in talks:
        if notify(talk.talker, "谈话回访到期", f"{talk} 的回访日期为 {talk.follow_up_on:%Y-%m-%d}，请及时回访并登记。",
                  link=f"/supervision/talks/{talk.pk}/", category="supervision"):
            sent += 1
    return sent


def is_reader(user) -> bool:
    """Whether the user reads supervision records anywhere (the module's pages): the discipline team or a 党组书记."""
    return has_capability(user, "supervision.view") or bool(secretary_paths(user))

