"""Actions of the 作风台账 and its registers (do_*): scope re-checked, one transaction, audited; each register
writes its conduct entry through conduct.record_conduct when the event is recorded.

- 作风台账 by hand: only the kinds no register records (a 典型 comes from the 典型 register, a 问责 from the 问责
  register…), always with evidence.
- 量化承诺: progress by the cadre or the staff; the year-end check by the staff; a kept commitment → 承诺兑现.
- 先进典型 → 典型; 问责 (of a leader) → 问责, with its 影响期.
- 目标责任考核: each task of a signed 责任状 scored 0–100 by the 党组书记 who signed it, once its result is known.
- 超期未办: the daily check (tasks.py) records each owned matter that went past its deadline.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.scope import has_capability, path_in_scope
from dangjian.core.web import YEAR_MAX, YEAR_MIN
from dangjian.duties.models import LetterTask, ResponsibilityLetter, TaskStatus
from dangjian.matters.models import Matter
from dangjian.matters.states import OPEN_STATUSES, Status
from dangjian.orgs.services import agency_of
from dangjian.supervision.models import TalkKind, secretary_paths

from .conduct import record_conduct
from .ledger_models import (
    ORG_FORMS,
    Accountability,
    Commendation,
    Commitment,
    CommitmentProgress,
    CommitmentResult,
    TaskScore,
)
from .ledger_rules import effect_months
from .models import ConductEntry, ConductKind

CHANGE = "assessment.change"
VIEW = "assessment.view"
FILE = "assessment.file"
# Kinds entered by hand; the others come from their register or module (one source each).
MANUAL_KINDS = (ConductKind.PRAISE, ConductKind.NOTICE, ConductKind.ABSENCE_UNFILED, ConductKind.REPORT_LATE, ConductKind.OTHER_POSITIVE, ConductKind.OTHER_NEGATIVE)
FULL_SCORE = Decimal(100)


def _require_change(actor, path: str, what: str) -> None:
    if not path_in_scope(actor, CHANGE, path):
        raise PermissionDenied(f"无权{what}（需要该干部所在单位的考评管理权限）")


def _not_future(day: dt.date | None, field: str, label: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{label}：{day:%Y-%m-%d} 晚于今天，不能登记尚未发生的事"})


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"{label}：不能为空"})
    return value


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---- 作风台账 by hand ------------------------------------------------------------------------------------

def do_add_entry(person, *, kind: str, on: dt.date, summary: str, evidence: str, actor) -> ConductEntry:
    """手工登记作风台账: a kind no register records, a date not in the future, a summary and the evidence."""
    with transaction.atomic():
        _require_change(actor, person.org.path, "登记作风台账")
        if kind not in MANUAL_KINDS:
            label = ConductKind(kind).label if kind in ConductKind.values else kind
            raise ValidationError({"kind": f"类别：“{label}”由相应登记（谈话、典型、问责、承诺核查、事项督办、群众诉求查实认定）自动记入，"
                                           "不能手工登记"})
        if not on:
            raise ValidationError({"on": "日期：不能为空"})
        _not_future(on, "on", "日期")
        summary = _required(summary, "summary", "摘要")
        evidence = _required(evidence, "evidence", "佐证材料")
        return record_conduct(person, kind=kind, on=on, summary=summary, evidence=evidence, actor=actor)


# ---- 量化承诺 ------------------------------------------------------------------------------------------

def do_create_commitment(commitment: Commitment, *, actor) -> Commitment:
    """登记量化承诺: a target above zero with its unit, due within the year."""
    with transaction.atomic():
        commitment.org = commitment.person.org
        _require_change(actor, commitment.org.path, "登记量化承诺")
        if not YEAR_MIN <= (commitment.year or 0) <= YEAR_MAX:
            raise ValidationError({"year": f"年度：应在 {YEAR_MIN} 至 {YEAR_MAX} 之间"})
        _required(commitment.title, "title", "承诺事项")
        _required(commitment.unit, "unit", "计量单位")
        if commitment.target_value is None or commitment.target_value <= 0:
            raise ValidationError({"target_value": "目标值：量化承诺的目标值须大于 0"})
        if not commitment.due_on or commitment.due_on.year != commitment.year:
            raise ValidationError({"due_on": f"完成时限：应在{commitment.year}年度内"})
        commitment.created_by = actor
        audit.save_audited(commitment, actor=actor, action="assessment.commitment_create")
    return commitment


def may_report(user, commitment: Commitment) -> bool:
    """Progress is reported by the cadre themselves or by the staff, until the year-end check."""
    own = commitment.person.user_id is not None and commitment.person.user_id == getattr(user, "pk", None)
    return not commitment.result and (own or path_in_scope(user, CHANGE, commitment.org_path))


def do_report_progress(commitment: Commitment, *, actor, on: dt.date, value, note: str,
                       evidence: str) -> CommitmentProgress:
    """报告承诺进展: the cumulative value reached by ``on``; the commitment shows the value of its latest entry."""
    with transaction.atomic():
        stored = lock_row(Commitment, commitment.pk, "person", "org")
        if stored.result:
            raise ValidationError({"value": f"该承诺已于 {stored.checked_on:%Y-%m-%d} 完成年终核查，不能再报告进展"})
        if not may_report(actor, stored):
            raise PermissionDenied("无权报告该承诺的进展（仅本人或考评管理人员）")
        if not on:
            raise ValidationError({"on": "日期：不能为空"})
        _not_future(on, "on", "日期")
        if on.year != stored.year:
            raise ValidationError({"on": f"日期：应在{stored.year}年度内"})
        if value is None or value < 0:
            raise ValidationError({"value": "累计完成值：不能为空或小于 0"})
        progress = CommitmentProgress(commitment=stored, org=stored.org, on=on, value=value, by=actor,
                                      note=_required(note, "note", "进展情况"),
                                      evidence=_required(evidence, "evidence", "佐证材料"))
        audit.save_audited(progress, actor=actor, action="assessment.commitment_progress")
        latest = CommitmentProgress.objects.filter(commitment=stored).order_by("-on", "-id").first()
        updated = Commitment.objects.get(pk=stored.pk)
        updated.reached_value = latest.value
        audit.save_audited(updated, actor=actor, action="assessment.commitment_progress", locked=stored)
    return progress


def do_check_commitment(commitment: Commitment, *, actor, result: str, reason: str,
                        expected_version: int | None = None) -> Commitment:
    """年终核查: 已兑现 only when the value reached meets the target, and only a met target may be checked before
    its due date; never by the cadre themselves. 已兑现 → a 承诺兑现 entry in the ledger."""
    with transaction.atomic():
        stored = lock_row(Commitment, commitment.pk, "person", "org")
        _require_change(actor, stored.org_path, "核查量化承诺")
        if stored.person.user_id and stored.person.user_id == actor.pk:
            raise PermissionDenied("不能核查本人的量化承诺")
        if stored.result:
            raise ValidationError({"result": f"该承诺已于 {stored.checked_on:%Y-%m-%d} 核查为“{stored.get_result_display()}”"})
        if result not in CommitmentResult.values:
            raise ValidationError({"result": "核查结果：请选择已兑现、部分兑现或未兑现"})
        reached = stored.reached_value >= stored.target_value
        if result == CommitmentResult.MET and not reached:
            raise ValidationError({"result": f"核查结果：已完成 {stored.reached_value}{stored.unit}，未达到目标值 "
                                             f"{stored.target_value}{stored.unit}，不能核查为已兑现"})
        if result != CommitmentResult.MET and reached:
            raise ValidationError({"result": "核查结果：已完成值达到目标值，应核查为已兑现"})
        today = timezone.localdate()
        if result != CommitmentResult.MET and today < stored.due_on:
            raise ValidationError({"result": f"核查结果：完成时限 {stored.due_on:%Y-%m-%d} 未到，尚不能核查为"
                                             f"{CommitmentResult(result).label}"})
        updated = Commitment.objects.get(pk=stored.pk)
        updated.result, updated.result_reason = result, _required(reason, "result_reason", "核查说明")
        updated.checked_on, updated.checked_by = today, actor
        audit.save_audited(updated, actor=actor, action="assessment.commitment_check",
                           expected_version=expected_version, locked=stored)
        if result == CommitmentResult.MET:
            record_conduct(stored.person, kind=ConductKind.COMMITMENT_KEPT, on=today, source=updated,
                           summary=f"{stored.year}年承诺“{stored.title}”兑现（目标 {stored.target_value}{stored.unit}）",
                           source_url=f"/assessment/commitments/{stored.pk}/", actor=actor)
    return updated


# ---- 先进典型 ------------------------------------------------------------------------------------------

def do_register_commendation(commendation: Commendation, *, actor) -> Commendation:
    """登记先进典型 → a 典型 entry in the ledger on the day it was conferred."""
    with transaction.atomic():
        commendation.org = commendation.person.org
        _require_change(actor, commendation.org.path, "登记先进典型")
        for field, label in (("title", "典型称号"), ("conferred_by", "授予机关"), ("basis", "主要事迹与依据")):
            _required(getattr(commendation, field), field, label)
        if not commendation.conferred_on:
            raise ValidationError({"conferred_on": "授予日期：不能为空"})
        _not_future(commendation.conferred_on, "conferred_on", "授予日期")
        if commendation.period_end and commendation.period_start and commendation.period_end < commendation.period_start:
            raise ValidationError({"period_end": "典型期间止：不能早于典型期间起"})
        commendation.created_by = actor
        audit.save_audited(commendation, actor=actor, action="assessment.commendation_create")
        record_conduct(commendation.person, kind=ConductKind.MODEL, on=commendation.conferred_on, source=commendation,
                       summary=f"{commendation.conferred_by}授予“{commendation.title}”",
                       source_url=f"/assessment/commendations/{commendation.pk}/", actor=actor)
    return commendation


# ---- 问责 ----------------------------------------------------------------------------------------------

def do_record_accountability(record: Accountability, *, actor) -> Accountability:
    """登记问责: a form for a Party organisation without a person, a leader's form with one; the 影响期 as the
    decision states it, else the rule's months for the form. A leader's → a 问责 entry in the ledger."""
    with transaction.atomic():
        if record.form in ORG_FORMS:
            if record.person_id:
                raise ValidationError({"person": f"被问责领导干部：“{record.get_form_display()}”是对党组织的问责方式，"
                                                 "不应选择个人（《中国共产党问责条例》第八条）"})
            if not record.org_id:
                raise ValidationError({"org": "被问责党组织：不能为空"})
        elif record.form:
            if not record.person_id:
                raise ValidationError({"person": f"被问责领导干部：“{record.get_form_display()}”是对党的领导干部的问责方式，"
                                                 "请选择被问责人（《中国共产党问责条例》第八条）"})
            record.org = record.person.org
        else:
            raise ValidationError({"form": "问责方式：不能为空"})
        _require_change(actor, record.org.path, "登记问责")
        _required(record.basis, "basis", "问责事由及依据")
        _required(record.decided_by, "decided_by", "问责决定机关")
        if not record.decided_on:
            raise ValidationError({"decided_on": "决定日期：不能为空"})
        _not_future(record.decided_on, "decided_on", "决定日期")
        if record.effect_until is None and record.person_id:
            months = effect_months(record.form)
            record.effect_until = add_months(record.decided_on, months) - dt.timedelta(days=1) if months else None
        if record.effect_until and record.effect_until < record.decided_on:
            raise ValidationError({"effect_until": "影响期至：不能早于决定日期"})
        record.created_by = actor
        audit.save_audited(record, actor=actor, action="assessment.accountability_create")
        if record.person_id:
            record_conduct(record.person, kind=ConductKind.ACCOUNTABILITY, on=record.decided_on, source=record,
                           summary=f"{record.decided_by}{record.get_form_display()}问责"
                                   + (f"（{record.doc_number}）" if record.doc_number else ""),
                           source_url=f"/assessment/accountability/{record.pk}/", actor=actor)
    return record


def eligibility_flags(entries, accountabilities, on: dt.date) -> list[dict]:
    """The flags of the 干部考评档案 on ``on``, each with its rule: a 问责 whose 影响期 covers the day, and a 诫勉
    (talk) within the 诫勉 影响期 (the rule's months) — neither may be proposed for promotion until it ends."""
    flags = []
    for record in accountabilities:
        if record.in_effect(on):
            flags.append({"text": f"{record.get_form_display()}问责影响期至 {record.effect_until:%Y-%m-%d}，期内不得提拔或者重用",
                          "rule": "《党政领导干部选拔任用工作条例》第二十四条；问责决定" + (record.doc_number or ""),
                          "until": record.effect_until, "link": f"/assessment/accountability/{record.pk}/"})
    months = effect_months("admonition")
    for entry in entries:
        until = add_months(entry.on, months) - dt.timedelta(days=1) if months else None
        if entry.kind == ConductKind.ADMONITION and until and until >= on:
            flags.append({"text": f"{entry.on:%Y-%m-%d} 受到诫勉，影响期至 {until:%Y-%m-%d}，期内不得提拔或者重用",
                          "rule": "《党政领导干部选拔任用工作条例》第二十四条；规则设置“问责影响期（诫勉）”",
                          "until": until, "link": entry.source_url})
    return flags


# ---- 目标责任考核 ---------------------------------------------------------------------------------------

def may_score(user, letter: ResponsibilityLetter) -> bool:
    """Only the 党组书记 who signed the letter as 甲方 scores its tasks."""
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return person is not None and person.pk == letter.secretary_id


def result_known(task: LetterTask, on: dt.date) -> bool:
    return task.status == TaskStatus.DONE or task.deadline < on


def do_score_task(task: LetterTask, *, actor, score, comment: str = "",
                  expected_version: int | None = None) -> TaskScore:
    """评分: a task of a signed letter whose result is known (done, or past its deadline), 0–100 with one decimal,
    a reason below full marks; given again, the score is replaced (a new audited version)."""
    with transaction.atomic():
        task = lock_row(LetterTask, task.pk, "letter", "org")
        letter = task.letter
        if not may_score(actor, letter):
            raise PermissionDenied(f"只有责任状甲方（{letter.secretary}）可以为其任务评分")
        if not letter.is_signed:
            raise ValidationError({"score": "得分：责任状尚未签订，不能评分"})
        today = timezone.localdate()
        if not result_known(task, today):
            raise ValidationError({"score": f"得分：任务尚未完成且未到完成时限（{task.deadline:%Y-%m-%d}），不能评分"})
        if score is None or not Decimal(0) <= score <= FULL_SCORE:
            raise ValidationError({"score": "得分：不符合“每项任务得分在 0 至 100 分之间”"})
        if score != score.quantize(Decimal("0.1")):
            raise ValidationError({"score": "得分：最多保留一位小数"})
        comment = (comment or "").strip()
        if score < FULL_SCORE and not comment:
            raise ValidationError({"comment": "评分说明：未得满分的，须写明扣分理由"})
        record = TaskScore.objects.filter(task=task).first() or TaskScore(task=task)
        record.org, record.score, record.comment = task.org, score, comment
        record.scored_on, record.scored_by = today, letter.secretary
        audit.save_audited(record, actor=actor, action="assessment.task_score", expected_version=expected_version)
    return record


def letter_total(tasks) -> Decimal | None:
    """The letter's result: Σ score × weight / 100, once every task is scored (None before)."""
    total = Decimal(0)
    for task in tasks:
        score = getattr(task, "score_record", None)
        if score is None:
            return None
        total += score.score * task.weight / 100
    return total.quantize(Decimal("0.1"))


def scored_tasks(tasks):
    """The tasks (a queryset) with their owner and score (``score_record``, None if unscored), in one query."""
    rows = list(tasks.select_related("owner", "score").order_by("letter_id", "seq"))
    for task in rows:
        try:
            task.score_record = task.score
        except TaskScore.DoesNotExist:
            task.score_record = None
    return rows


# ---- 超期未办 (the daily check) -------------------------------------------------------------------------

def overdue_matters(today: dt.date):
    """Owned matters that went past their deadline — still open after it, or closed after it — and have no
    超期未办 entry yet."""
    recorded = ConductEntry.objects.filter(kind=ConductKind.OVERDUE, source_type=Matter._meta.label_lower,
                                           source_id=Cast(OuterRef("pk"), CharField()))
    late = Q(status__in=OPEN_STATUSES, due_on__lt=today) | Q(status=Status.CLOSED, closed_on__gt=F("due_on"))
    return (Matter.objects.filter(late, owner__isnull=False, due_on__isnull=False)
            .exclude(Exists(recorded)).select_related("owner__org"))


def record_overdue(today: dt.date) -> int:
    """记入超期未办: one entry per owned matter that went overdue, dated the day after its deadline."""
    n = 0
    for matter in overdue_matters(today).iterator():
        with transaction.atomic():
            record_conduct(matter.owner, kind=ConductKind.OVERDUE, on=matter.due_on + dt.timedelta(days=1),
                           summary=f"事项“{matter.title[:100]}”超过完成时限 {matter.due_on:%Y-%m-%d} 未办结",
                           source=matter, source_url=f"/matters/{matter.pk}/")
        n += 1
    return n


# ---- who reads what ---------------------------------------------------------------------------------------

def is_reader(user) -> bool:
    return has_capability(user, VIEW)


def may_open_file(user, person) -> bool:
    """干部考评档案: the 组织人事 staff and the discipline team where they hold assessment.file, and the agency's
    党组书记 (a position); nobody else, the cadre included."""
    if path_in_scope(user, FILE, person.org_path):
        return True
    paths = secretary_paths(user)
    return bool(paths) and agency_of(person.org).path in paths


# The talks that are entries of the subject's 作风台账 (the date and kind only: the record stays confidential).
TALK_CONDUCT_KINDS = {TalkKind.SUMMONS: ConductKind.TALK, TalkKind.ADMONITION: ConductKind.ADMONITION}


def record_talk(sender, *, talk, actor, **_kwargs) -> None:
    """约谈、诫勉谈话 into the subject's 作风台账, in the transaction that recorded the talk
    (supervision.services.talk_recorded)."""
    if talk.kind in TALK_CONDUCT_KINDS:
        record_conduct(talk.subject, kind=TALK_CONDUCT_KINDS[talk.kind], on=talk.held_on, source=talk,
                       summary=f"{talk.get_kind_display()}（见纪委监督谈话记录）",
                       source_url=f"/supervision/talks/{talk.pk}/", actor=actor)


def record_complaint_upheld(sender, *, verdict, cadres, url: str, actor, **_kwargs) -> None:
    """投诉查实: each cadre a 查实 or 部分查实 names, into their 作风台账, in the transaction that recorded the verdict
    (supervision.verdicts.complaint_upheld). The entry names the petition's kind and number, not its petitioner."""
    petition = verdict.petition
    for row in cadres:
        record_conduct(row.person, kind=ConductKind.COMPLAINT_UPHELD, on=verdict.decided_on, source=row,
                       summary=f"{petition.get_kind_display()}经核实{verdict.get_outcome_display()}"
                               f"（诉求编号 {petition.number or petition.pk}）",
                       source_url=url, actor=actor)
