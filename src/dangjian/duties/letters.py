"""责任状: creating letters, their tasks (weights summing to 100), progress, the .docx and signing.

The tasks live here with a simple status ladder until the matters engine takes them over
(docs/architecture.md, Workflow: the tasks of a 责任状 are to be Matters).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from dangjian.core import audit, rule_settings, workdays
from dangjian.core.documents import OfficialDocument, cn_date
from dangjian.core.models import lock_row
from dangjian.core.scope import path_in_scope
from dangjian.core.uploads import store_upload, validate_upload
from dangjian.orgs.models import Person

from . import rule_settings as duty_rules
from .models import Duty, DutyKind, LetterKind, LetterTask, ResponsibilityLetter, TaskProgress, TaskStatus
from .services import agency_of, require_change

TOTAL_WEIGHT = 100

DEFAULT_RESPONSIBILITIES = {
    LetterKind.LEADER: [
        "认真履行“一岗双责”，对分管科室的党建工作负领导责任，把党建工作与业务工作同部署、同落实、同检查、同考核。",
        "带头执行民主集中制和“三重一大”集体决策制度，对涉及不直接分管事项及时交换意见。",
        "督促分管科室落实周四集中学习日、“三会一课”等制度，每季度至少听取一次分管科室党建工作汇报。",
    ],
    LetterKind.SECTION_HEAD: [
        "对本科室党建工作负具体责任，做到党建工作与业务工作同部署、同落实、同检查、同考核。",
        "组织本科室干部参加周四集中学习日，做好缺学补学，落实重大事项报告和外出报备制度。",
        "对本科室党员干部加强日常教育管理监督，发现问题及时报告、及时纠正。",
    ],
}


def kind_for(counterpart: Person, year: int) -> tuple[str, object]:
    """Whether the counterpart signs as a leader or a section head that year, and the letter's org."""
    on = dt.date(year, 12, 31) if year < timezone.localdate().year else timezone.localdate()
    start = dt.date(year, 1, 1)
    duties = Duty.objects.filter(person=counterpart).overlapping(start, on).select_related("org")
    leading = [d for d in duties if d.kind in (DutyKind.LEADERSHIP, DutyKind.SUPERVISION)]
    if leading:
        return LetterKind.LEADER, agency_of(leading[0].org)
    specific = [d for d in duties if d.kind == DutyKind.SPECIFIC]
    if specific:
        return LetterKind.SECTION_HEAD, specific[0].org
    raise ValidationError({"counterpart": f"{counterpart}在{year}年度没有分管或具体责任，不能作为责任状乙方"})


def letter_counterparts(on: dt.date) -> Q:
    """Who may sign a letter as 乙方 (kind_for): a person holding a 分管, 监督 or 具体 responsibility on
    ``on``, other than a 第一责任人 (who signs as 甲方)."""
    signers = Duty.objects.filter(kind__in=[DutyKind.LEADERSHIP, DutyKind.SUPERVISION, DutyKind.SPECIFIC])
    principals = Duty.objects.filter(kind=DutyKind.PRIMARY)
    return (Q(pk__in=signers.overlapping(on, on).values("person_id"))
            & ~Q(pk__in=principals.overlapping(on, on).values("person_id")))


def secretary_for(org, year: int) -> Person:
    agency = agency_of(org)
    duty = (Duty.objects.filter(kind=DutyKind.PRIMARY, org_path=agency.path)
            .overlapping(dt.date(year, 1, 1), dt.date(year, 12, 31)).select_related("person")
            .order_by("-start_date").first())
    if duty is None:
        raise ValidationError({"counterpart": f"“{agency}”在{year}年度未明确第一责任人（党组书记），请先分配责任"})
    return duty.person


def do_create_letter(year: int, counterpart: Person, *, actor, responsibilities: str = "") -> ResponsibilityLetter:
    kind, org = kind_for(counterpart, year)
    with transaction.atomic():
        require_change(actor, org.path, f"为{counterpart}起草责任状")
        if ResponsibilityLetter.objects.filter(year=year, counterpart=counterpart).exists():
            raise ValidationError({"counterpart": f"{counterpart}的{year}年度责任状已存在，不能重复起草"})
        secretary = secretary_for(org, year)
        if secretary.pk == counterpart.pk:
            raise ValidationError({"counterpart": "党组书记是责任状甲方，不能同时作为乙方"})
        letter = ResponsibilityLetter(year=year, kind=kind, org=org, secretary=secretary, counterpart=counterpart,
                                      responsibilities=responsibilities or "\n".join(DEFAULT_RESPONSIBILITIES[kind]))
        audit.save_audited(letter, actor=actor, action="letter.create")
    return letter


# ---- tasks --------------------------------------------------------------------------------------

def letter_scope_filter(letter: ResponsibilityLetter) -> Q:
    """The people who may own a task of this letter: the signer, and for a section head their
    section's staff; for a leader, the staff of the sections they oversee during the year."""
    year = (dt.date(letter.year, 1, 1), dt.date(letter.year, 12, 31))
    # Leadership members sit in sections too, but they answer upwards, not to a section head.
    leaders = Duty.objects.filter(kind__in=[DutyKind.PRIMARY, DutyKind.SUPERVISION, DutyKind.LEADERSHIP]) \
        .overlapping(*year).values("person_id")
    if letter.kind == LetterKind.SECTION_HEAD:
        staff = Q(org_id=letter.org_id)
    else:
        staff = Q(pk__in=[])
        sections = (Duty.objects.filter(person_id=letter.counterpart_id, kind=DutyKind.LEADERSHIP)
                    .overlapping(*year).values_list("org_path", flat=True))
        for path in sections:
            staff |= Q(org_path__pathprefix=path)
    return Q(pk=letter.counterpart_id) | (staff & Q(is_active=True) & ~Q(pk__in=leaders))


def weight_total(letter: ResponsibilityLetter, exclude_pk=None) -> int:
    tasks = LetterTask.objects.filter(letter=letter)
    if exclude_pk:
        tasks = tasks.exclude(pk=exclude_pk)
    return tasks.aggregate(s=Sum("weight"))["s"] or 0


def _check_task(task: LetterTask) -> None:
    letter = task.letter
    errors = {}
    if letter.is_signed:
        raise ValidationError(f"责任状已于{cn_date(letter.signed_on)}签订，任务分解不能再修改")
    if not Person.objects.filter(letter_scope_filter(letter), pk=task.owner_id).exists():
        errors["owner"] = (f"任务责任人须在本责任状的责任范围内（{letter.counterpart}"
                           f"{'所在科室' if letter.kind == LetterKind.SECTION_HEAD else '分管科室'}的人员）")
    if not 1 <= (task.weight or 0) <= TOTAL_WEIGHT:
        errors["weight"] = f"权重应为 1 至 {TOTAL_WEIGHT} 的整数"
    elif weight_total(letter, task.pk) + task.weight > TOTAL_WEIGHT:
        errors["weight"] = (f"不符合“任务权重合计为{TOTAL_WEIGHT}”：其他任务已占 {weight_total(letter, task.pk)}，"
                            f"本任务最多 {TOTAL_WEIGHT - weight_total(letter, task.pk)}")
    if task.deadline and task.deadline.year != letter.year:
        errors["deadline"] = f"完成时限应在{letter.year}年度内"
    if errors:
        raise ValidationError(errors)


def do_save_task(task: LetterTask, *, actor, expected_version: int | None = None) -> LetterTask:
    letter = task.letter
    task.org = letter.org
    with transaction.atomic():
        ResponsibilityLetter.objects.select_for_update().get(pk=letter.pk)  # serialise weight checks
        require_change(actor, letter.org_path, "分解责任状任务")
        _check_task(task)
        if not task.pk:
            task.seq = (LetterTask.objects.filter(letter=letter).count()) + 1
        audit.save_audited(task, actor=actor, action="letter.task_save" if task.pk else "letter.task_add",
                           expected_version=expected_version)
    return task


def do_delete_task(task: LetterTask, *, actor) -> None:
    with transaction.atomic():
        require_change(actor, task.org_path, "删除责任状任务")
        if task.letter.is_signed:
            raise ValidationError("责任状已签订，任务不能删除")
        audit.delete_audited(task, actor=actor, action="letter.task_delete")


def can_report(user, task: LetterTask) -> bool:
    """The task's owner reports progress on it; so do those who may change duties there."""
    return (task.owner.user_id == user.pk) or path_in_scope(user, "duty.change", task.org_path)


def do_report_progress(task: LetterTask, *, actor, note: str, status: str, evidence: str = "",
                       expected_version: int | None = None) -> TaskProgress:
    if not can_report(actor, task):
        raise PermissionDenied(f"无权填报“{task}”的进展")
    if not note.strip():
        raise ValidationError({"note": "请填写进展情况"})
    if status not in TaskStatus.values:
        raise ValidationError({"status": "状态不是可选项"})
    if status == TaskStatus.DONE and not (evidence.strip() or task.evidence.strip()):
        raise ValidationError({"evidence": "标记为已完成须附佐证材料说明"})
    with transaction.atomic():
        task.status = status
        task.completed_on = timezone.localdate() if status == TaskStatus.DONE else None
        if evidence.strip():
            task.evidence = (task.evidence + "\n" if task.evidence else "") + evidence.strip()
        audit.save_audited(task, actor=actor, action="letter.task_progress", expected_version=expected_version)
        entry = TaskProgress(task=task, org=task.org, note=note.strip(), evidence=evidence.strip()[:300],
                             status=status, by=actor)
        # the entry is logged itself: a report that leaves the task's status as it was is still a change
        audit.save_audited(entry, actor=actor, action="letter.progress_entry")
    return entry


def due_soon(task: LetterTask, today: dt.date | None = None) -> bool:
    """Not done, not overdue, and due within the configured number of working days."""
    today = today or timezone.localdate()
    if task.status == TaskStatus.DONE or task.deadline < today:
        return False
    n, _ = workdays.workdays_between(today, task.deadline)
    return n <= rule_settings.get(duty_rules.DUE_SOON_WORKDAYS)


# ---- the document and signing ---------------------------------------------------------------------

def require_complete(letter: ResponsibilityLetter, tasks) -> None:
    total = sum(t.weight for t in tasks)
    if not tasks:
        raise ValidationError("责任状尚未分解任务，请先添加年度任务")
    if total != TOTAL_WEIGHT:
        raise ValidationError(f"不符合“任务权重合计为{TOTAL_WEIGHT}”：当前合计为 {total}，请调整后再生成或签订")


def letter_document(letter: ResponsibilityLetter) -> OfficialDocument:
    tasks = list(letter.tasks.select_related("owner").order_by("seq", "id"))
    require_complete(letter, tasks)
    position = "班子成员" if letter.kind == LetterKind.LEADER else f"{letter.org}负责人"
    doc = OfficialDocument(f"{letter.year}年度党建工作责任状")
    doc.paragraph(f"甲方：{agency_of(letter.org)}党组书记　{letter.secretary}")
    doc.paragraph(f"乙方：{position}　{letter.counterpart}")
    doc.paragraph(f"为全面落实从严治党主体责任，按照“一级抓一级、一级对一级负责”的要求，根据{letter.year}年度"
                  "党建工作方案，甲乙双方签订本责任状。")
    doc.heading1("一、年度党建工作任务")
    doc.table(["序号", "任务", "量化目标", "责任人", "完成时限", "权重"],
              [(i, t.title, t.target, t.owner.name, t.deadline, t.weight) for i, t in enumerate(tasks, start=1)])
    doc.heading1("二、责任内容")
    for i, line in enumerate([x for x in letter.responsibilities.splitlines() if x.strip()], start=1):
        doc.paragraph(f"{i}.{line.strip()}")
    doc.heading1("三、考核与责任追究")
    doc.paragraph("本责任状执行情况纳入年度考核，任务完成情况按权重计分；对履职不力、造成不良影响的，依规依纪追究责任。")
    doc.heading1("四、其他")
    doc.paragraph(f"本责任状一式两份，甲乙双方各执一份，自签订之日起生效，有效期至{letter.year}年12月31日。")
    date_line = "日期：　　年　　月　　日"
    doc.signing_block(["甲方（签字）：", "", date_line], ["乙方（签字）：", "", date_line])
    return doc


def letter_filename(letter: ResponsibilityLetter) -> str:
    return f"{letter.year}年度党建工作责任状-{letter.counterpart.name}.docx"


def do_sign_letter(letter: ResponsibilityLetter, *, actor, signed_on: dt.date, scan=None) -> ResponsibilityLetter:
    """Record the signing (who recorded it, the date, the scanned copy); once only."""
    # checked before the transaction, so that a refusal stays logged as a security event
    kind = validate_upload(scan, kinds=("pdf", "jpg", "png"), field="scan", actor=actor) if scan is not None else ""
    with transaction.atomic():
        letter = lock_row(ResponsibilityLetter, letter.pk, "counterpart")
        require_change(actor, letter.org_path, "登记责任状签订")
        if letter.is_signed:
            raise ValidationError({"signed_on": f"不能重复签订：该责任状已于{cn_date(letter.signed_on)}签订"})
        require_complete(letter, list(letter.tasks.all()))
        if signed_on > timezone.localdate():
            raise ValidationError({"signed_on": "签订日期不能晚于今天"})
        if signed_on.year not in (letter.year, letter.year - 1):
            raise ValidationError({"signed_on": f"签订日期应在{letter.year}年度（或上年末）"})
        if scan is not None:
            letter.scan = store_upload(scan, f"duties/letters/{letter.year}", kind)
        letter.signed_on = signed_on
        letter.signed_recorded_by = actor
        audit.save_audited(letter, actor=actor, action="letter.sign", message=f"签订日期 {signed_on}")
    return letter
