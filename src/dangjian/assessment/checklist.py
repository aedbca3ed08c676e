"""两个责任清单考核 and the 一级抓一级 chain (docs/rules.md: 两个责任清单考核; docs/architecture.md: 考评).

- Who is scored: the leaders holding, some time in the year, a 第一责任人 or 领导责任（分管） duty (主体责任) or the
  监督责任 duty in the agency (duties.Duty). The 党组书记's 分管 is part of their 第一责任人 checklist.
- Who scores: the 党组书记 scores the members' 领导责任 checklists (and the 监督责任 one when the rule says so); the
  higher body scores the 党组书记's 第一责任人 checklist (and by default the 监督责任 one): the 考评 staff record its
  result naming the body. Nobody scores their own.
- Each item within 0..its points, one decimal; a deduction needs its evidence. Approved, the score is frozen.
- The chain: 党组书记 → 分管领导 → 科室负责人 → task owners, each with their letter's result and checklist score,
  marked where it fails (below the pass mark, unscored or overdue tasks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.scope import path_in_scope
from dangjian.duties.models import Duty, DutyKind, LetterTask, ResponsibilityLetter, TaskStatus
from dangjian.orgs.models import Org, Person

from . import checklist_rules as rules
from .checklist_models import ChecklistKind, ChecklistScore
from .ledger import CHANGE, letter_total, result_known, scored_tasks

SECRETARY, HIGHER = "secretary", "higher"


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def year_duties(agency: Org, year: int):
    """The duties held in the agency some time in the year (the 两个责任 and the sections' heads)."""
    return (Duty.objects.overlapping(*year_span(year)).filter(org_path__pathprefix=agency.path)
            .select_related("person", "org").order_by("kind", "org_path", "start_date", "id"))


def secretary_of(duties) -> Person | None:
    """The year's 党组书记 (第一责任人): the latest to hold the duty."""
    held = [d for d in duties if d.kind == DutyKind.PRIMARY]
    return max(held, key=lambda d: d.start_date).person if held else None


def scored_leaders(duties) -> list[tuple[Person, str]]:
    """(leader, checklist kind) in the order of the page: 第一责任人, 领导责任, 监督责任; the 党组书记's 分管 is in
    their 第一责任人 checklist."""
    secretary = secretary_of(duties)
    out, seen = [], set()
    for kind in ChecklistKind.values:
        for d in duties:
            if d.kind == kind and (d.person_id, kind) not in seen:
                if kind == DutyKind.LEADERSHIP and secretary and d.person_id == secretary.pk:
                    continue
                seen.add((d.person_id, kind))
                out.append((d.person, kind))
    return out


def scorer_of(kind: str) -> str:
    """Who scores a checklist of this kind: the 党组书记 or the higher body (recorded by the 考评 staff)."""
    if kind == DutyKind.LEADERSHIP or (kind == DutyKind.SUPERVISION and rules.supervision_by_secretary()):
        return SECRETARY
    return HIGHER


def may_score(user, kind: str, person: Person, agency: Org, secretary: Person | None) -> bool:
    me = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    if me is not None and me.pk == person.pk:
        return False
    if scorer_of(kind) == SECRETARY:
        return me is not None and secretary is not None and me.pk == secretary.pk
    return path_in_scope(user, CHANGE, agency.path)


def _marks(items: list[dict], given: dict) -> tuple[list[dict], Decimal]:
    """Each item's score (0..points, one decimal) and the evidence of a deduction; field errors name the item."""
    marks, errors, total = [], {}, Decimal(0)
    for item in items:
        code, points = item["code"], Decimal(item["points"])
        raw, evidence = given.get(code, (None, ""))
        evidence = (evidence or "").strip()
        try:
            score = Decimal(str(raw).strip())
        except (InvalidOperation, TypeError):
            errors[f"s_{code}"] = f"{item['text'][:20]}：得分不能为空，应为数字"
            continue
        if not Decimal(0) <= score <= points or score != score.quantize(Decimal("0.1")):
            errors[f"s_{code}"] = f"{item['text'][:20]}：得分须在 0 至 {points} 分之间，最多一位小数"
        elif score < points and not evidence:
            errors[f"e_{code}"] = f"{item['text'][:20]}：扣分须写明扣分佐证"
        marks.append({"code": code, "score": str(score), "evidence": evidence})
        total += score
    if errors:
        raise ValidationError(errors)
    return marks, total


def do_score_checklist(agency: Org, person: Person, kind: str, year: int, *, actor, given: dict,
                       scored_body: str = "", expected_version: int | None = None) -> ChecklistScore:
    """评分: ``given`` is {item code: (score, evidence)}. A first score takes the checklist version in force; a
    later one (before approval) re-scores the same items. Refused for a frozen score, a leader who held no such
    duty that year, a year not begun, or anyone but the scorer the rules name."""
    with transaction.atomic():
        if kind not in ChecklistKind.values:
            raise ValidationError({"kind": "责任类型：应为第一责任人、领导责任（分管）或监督责任"})
        today = timezone.localdate()
        if year > today.year:
            raise ValidationError({"year": f"年度：{year}年尚未开始，不能评分"})
        duties = list(year_duties(agency, year))
        secretary = secretary_of(duties)
        if (person, kind) not in scored_leaders(duties):
            raise ValidationError({"person": f"{person}{year}年未担任{ChecklistKind(kind).label}，无此清单"})
        if not may_score(actor, kind, person, agency, secretary):
            who = f"党组书记（{secretary}）" if scorer_of(kind) == SECRETARY else "考评管理人员录入上级评定结果"
            raise PermissionDenied(f"无权为{person}的{ChecklistKind(kind).label}清单评分：按规则由{who}，本人不能为本人评分")
        record = ChecklistScore.objects.select_for_update().filter(year=year, person=person, kind=kind).first()
        if record is not None and record.frozen:
            raise ValidationError({"score": f"该清单得分已于 {record.approved_on:%Y-%m-%d} 审定，不能修改"})
        if record is None:
            version, items = rules.items_in_force(kind)
            record = ChecklistScore(year=year, person=person, kind=kind, rule_version=version, items=items)
        record.marks, record.total = _marks(record.items, given)
        if scorer_of(kind) == HIGHER:
            record.scored_body = (scored_body or "").strip()
            if not record.scored_body:
                raise ValidationError({"scored_body": "评定机关：由上级评定的清单须写明评定机关（如：中共市委、市纪委监委）"})
            record.scored_by = None
        else:
            record.scored_by, record.scored_body = secretary, ""
        record.org, record.scored_on, record.recorded_by = agency, today, actor
        audit.save_audited(record, actor=actor, action="assessment.checklist_score", expected_version=expected_version)
    return record


def do_approve_checklist(record: ChecklistScore, *, actor) -> ChecklistScore:
    """审定: recorded by the 考评 staff (the Party group's approval), never for oneself; the score is then frozen."""
    with transaction.atomic():
        stored = lock_row(ChecklistScore, record.pk, "person", "org")
        if not path_in_scope(actor, CHANGE, stored.org_path):
            raise PermissionDenied("无权审定清单得分（需要考评管理权限）")
        if stored.person.user_id and stored.person.user_id == actor.pk:
            raise PermissionDenied("不能审定本人的清单得分")
        if stored.frozen:
            raise ValidationError({"score": f"该清单得分已于 {stored.approved_on:%Y-%m-%d} 审定"})
        updated = ChecklistScore.objects.get(pk=stored.pk)
        updated.approved_on, updated.approved_by = timezone.localdate(), actor
        audit.save_audited(updated, actor=actor, action="assessment.checklist_approve", locked=stored)
    return updated


def rows(record: ChecklistScore | None, items: list[dict]) -> list[dict]:
    """The items with their marks, for the page."""
    marks = {m["code"]: m for m in (record.marks if record else [])}
    return [{**item, "score": marks.get(item["code"], {}).get("score"),
             "evidence": marks.get(item["code"], {}).get("evidence", "")} for item in items]


# ---- 一级抓一级 ---------------------------------------------------------------------------------------------

@dataclass
class Node:
    """One level of the chain: a person in a role, their letter (with ``total``, ``tasks``) and checklist score,
    what fails at this level (``problems``) and below it (``failing_below``)."""

    role: str
    person: Person | None
    org: Org | None = None
    letter: ResponsibilityLetter | None = None
    checklist: ChecklistScore | None = None
    tasks: list = field(default_factory=list)  # a task owner's tasks
    problems: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    failing_below: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def _letter_problems(letter, pass_mark: Decimal, today: dt.date) -> list[str]:
    if letter is None:
        return ["未签订责任状"]
    out = [] if letter.is_signed else ["责任状未签订"]
    overdue = [t for t in letter.task_list if t.status != TaskStatus.DONE and t.deadline < today]
    unscored = [t for t in letter.task_list if t.score_record is None and result_known(t, today)]
    if overdue:
        out.append(f"{len(overdue)}项任务逾期未完成")
    if unscored and letter.is_signed:
        out.append(f"{len(unscored)}项任务待评分")
    if letter.total is not None and letter.total < pass_mark:
        out.append(f"责任状得分{letter.total}，低于达标线{pass_mark}")
    return out


def _checklist_problems(record, year: int, pass_mark: Decimal, today: dt.date) -> list[str]:
    if record is None:
        return ["清单未评分"] if year < today.year else []
    return [f"清单得分{record.total}，低于达标线{pass_mark}"] if record.total < pass_mark else []


def _count_below(node: Node) -> int:
    node.failing_below = sum(_count_below(c) + c.failed for c in node.children)
    return node.failing_below


def chain(agency: Org, year: int, today: dt.date | None = None) -> Node | None:
    """The year's chain under the agency's 党组书记 (None without one), in four queries whatever its size."""
    today = today or timezone.localdate()
    pass_mark = rules.pass_score()
    duties = list(year_duties(agency, year))
    secretary = secretary_of(duties)
    if secretary is None:
        return None
    letters = {lt.counterpart_id: lt for lt in ResponsibilityLetter.objects.filter(
        year=year, org_path__pathprefix=agency.path).select_related("counterpart")}
    tasks = scored_tasks(LetterTask.objects.filter(letter__in=list(letters.values())))
    for letter in letters.values():
        letter.task_list = [t for t in tasks if t.letter_id == letter.pk]
        letter.total = letter_total(letter.task_list) if letter.task_list else None
    checklists = {(c.person_id, c.kind): c for c in ChecklistScore.objects.filter(
        year=year, org_path__pathprefix=agency.path)}

    root = Node("党组书记（第一责任人）", secretary, agency, checklist=checklists.get((secretary.pk, DutyKind.PRIMARY)))
    root.problems = _checklist_problems(root.checklist, year, pass_mark, today)
    heads: dict[str, list[Person]] = {}
    for d in duties:
        if d.kind == DutyKind.SPECIFIC and d.person not in heads.setdefault(d.org_path, []):
            heads[d.org_path].append(d.person)
    leaders: dict[int, Node] = {}
    for d in duties:
        if d.kind != DutyKind.LEADERSHIP:
            continue
        if d.person_id not in leaders:
            own = d.person_id == secretary.pk
            kind = DutyKind.PRIMARY if own else DutyKind.LEADERSHIP
            node = Node("分管领导（领导责任）" + ("·党组书记本人" if own else ""), d.person,
                        letter=letters.get(d.person_id), checklist=checklists.get((d.person_id, kind)))
            if not own:
                node.problems = (_letter_problems(node.letter, pass_mark, today)
                                 + _checklist_problems(node.checklist, year, pass_mark, today))
            leaders[d.person_id] = node
            root.children.append(node)
        for head in heads.get(d.org_path, []) or [None]:
            leaders[d.person_id].children.append(_head_node(head, d.org, letters, pass_mark, today))
    _count_below(root)
    return root


def _head_node(head, section, letters, pass_mark, today) -> Node:
    if head is None:
        return Node("科室负责人（具体责任）", None, section, problems=["未明确科室负责人"])
    node = Node("科室负责人（具体责任）", head, section, letter=letters.get(head.pk))
    node.problems = _letter_problems(node.letter, pass_mark, today)
    owners: dict[int, Node] = {}
    for task in node.letter.task_list if node.letter else []:
        owner = owners.setdefault(task.owner_id, Node("任务责任人", task.owner))
        owner.tasks.append(task)
        if task.status != TaskStatus.DONE and task.deadline < today:
            owner.problems.append(f"“{task.title}”逾期未完成")
        elif task.score_record is not None and task.score_record.score < pass_mark:
            owner.problems.append(f"“{task.title}”得分{task.score_record.score}，低于达标线{pass_mark}")
    node.children = list(owners.values())
    return node
