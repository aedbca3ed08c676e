"""考评 services: the 评分细则 versions, rounds and their pre-fill from the records, scores and adjustments, grades
under the 优秀 cap, approval (which freezes), 复核, the anonymous 民主测评 and the 民主评议党员 (docs/rules.md)."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from dangjian.core import audit, rule_settings, workdays
from dangjian.core.models import lock_row
from dangjian.core.scope import require_capability
from dangjian.duties.models import LetterTask, TaskStatus
from dangjian.matters.models import Matter
from dangjian.meetings.compliance import gap_report
from dangjian.meetings.models import Attendance, AttendanceStatus
from dangjian.orgs.models import Org, OrgKind, PartyStatus, Person, Position, PositionTitle
from dangjian.supervision.models import Finding, Talk

from . import evaluation_rules as rules
from .evaluation_models import (
    Adjustment,
    AdjustmentStatus,
    Ballot,
    BallotCode,
    BallotMark,
    Evaluation,
    EvaluationReview,
    EvaluationRound,
    FollowUp,
    Grade,
    MemberGrade,
    MemberRating,
    MemberReview,
    Period,
    ReviewStatus,
    RoundStatus,
    ScoringRules,
)
from .ledger_models import Commitment, CommitmentResult
from .models import ConductEntry

RATERS = {"self": ("self_score", "weight_self", "自评"), "leader": ("leader_score", "weight_leader", "领导评价"),
          "peer": ("peer_score", "weight_peer", "同事互评"), "democratic": ("democratic_score", "weight_democratic",
                                                                            "民主测评")}
# The points a 民主测评 grade counts for, and the totals each grade starts at (below: the next grade).
BALLOT_POINTS = {Grade.EXCELLENT: 95, Grade.COMPETENT: 85, Grade.BASIC: 70, Grade.INCOMPETENT: 50}
GRADE_FLOORS = ((Decimal(90), Grade.EXCELLENT), (Decimal(75), Grade.COMPETENT), (Decimal(60), Grade.BASIC))
HUNDRED = Decimal(100)


# ---- 评分细则 ---------------------------------------------------------------------------------------------

def current_rules() -> ScoringRules | None:
    return ScoringRules.objects.order_by("-number").first()


def check_dimensions(dimensions: list[dict]) -> None:
    """Each item names its kind, a positive per-event points no larger than its cap, and (a deduction) the
    evidence it needs; codes are unique."""
    errors, seen = [], set()
    if not dimensions:
        errors.append("至少须有一个评分维度")
    for d in dimensions:
        if not str(d.get("name", "")).strip():
            errors.append("评分维度：名称不能为空")
        for i in d.get("items", []):
            label = f"{d.get('name')}·{i.get('name') or i.get('code')}"
            if not i.get("code") or i["code"] in seen:
                errors.append(f"{label}：条目代码为空或重复")
            seen.add(i.get("code"))
            if i.get("kind") not in ("deduct", "bonus"):
                errors.append(f"{label}：类型须为“扣分”或“加分”")
            try:
                points, cap = Decimal(str(i.get("points"))), Decimal(str(i.get("cap")))
            except Exception:  # noqa: BLE001 - any unreadable number is the same refusal
                errors.append(f"{label}：分值和上限须为数字")
                continue
            if points <= 0 or cap < points:
                errors.append(f"{label}：每次分值须大于0且不大于上限")
            if i.get("kind") == "deduct" and not str(i.get("evidence", "")).strip():
                errors.append(f"{label}：扣分条目须写明所需佐证")
    if errors:
        raise ValidationError({"dimensions": errors})


def parse_rules_text(text: str) -> list[dict]:
    """One item a line: 维度|代码|名称|扣分或加分|每次分值|上限|计分规则|所需佐证|预填来源 (the page's format)."""
    dimensions: dict[str, dict] = {}
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 8:
            raise ValidationError({"text": f"第{n}行：须有8或9栏（维度|代码|名称|扣分或加分|每次分值|上限|计分规则|所需佐证|预填来源）"})
        dim, code, name, kind, points, cap, rule_text, evidence = cells[:8]
        if kind not in ("扣分", "加分"):
            raise ValidationError({"text": f"第{n}行：类型须为“扣分”或“加分”"})
        try:
            points_n, cap_n = float(points), float(cap)
        except ValueError:
            raise ValidationError({"text": f"第{n}行：分值和上限须为数字"}) from None
        dimensions.setdefault(dim, {"code": dim, "name": dim, "points": 20, "items": []})["items"].append(
            {"code": code, "name": name, "kind": "deduct" if kind == "扣分" else "bonus", "points": points_n,
             "cap": cap_n, "rule": rule_text, "evidence": evidence, "source": cells[8] if len(cells) > 8 else ""})
    return list(dimensions.values())


def rules_text(version: ScoringRules | None) -> str:
    dims = version.dimensions if version else rules.DEFAULT_DIMENSIONS
    return "\n".join("|".join(str(x) for x in (d["name"], i["code"], i["name"], "扣分" if i["kind"] == "deduct" else
                                                "加分", i["points"], i["cap"], i["rule"], i["evidence"], i["source"]))
                     for d in dims for i in d["items"])


def do_save_rules(dimensions: list[dict], *, actor, note: str = "") -> ScoringRules:
    """A new version of the 评分细则 (the older ones stay, for the rounds scored under them)."""
    root = Org.get_first_root_node()
    require_capability(actor, "assessment.change", path=root.path, what="修订评分细则")
    check_dimensions(dimensions)
    with transaction.atomic():
        last = ScoringRules.objects.select_for_update().order_by("-number").first()
        version = ScoringRules(org=root, number=(last.number + 1) if last else 1, dimensions=dimensions, note=note,
                               created_by=actor if getattr(actor, "pk", None) else None)
        return audit.save_audited(version, actor=actor, action="assessment.rules_save")


# ---- rounds --------------------------------------------------------------------------------------------

def period_range(year: int, period: str) -> tuple[dt.date, dt.date]:
    if period == Period.ANNUAL:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    quarter = int(period[1])
    last_month = quarter * 3
    return dt.date(year, last_month - 2, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def cadres(org: Org):
    """Who is evaluated: the people in post in the org's subtree."""
    return Person.objects.filter(org_path__startswith=org.path, is_active=True)


def do_create_round(rnd: EvaluationRound, *, actor) -> EvaluationRound:
    """A round over the cadres of ``rnd.org``, scored under the 评分细则 in force; one Evaluation each."""
    require_capability(actor, "assessment.change", path=rnd.org.path, what="发起考评")
    weights = sum(getattr(rnd, w) for _f, w, _l in RATERS.values())
    if weights != 100:
        raise ValidationError({"weight_self": f"权重：自评、领导评价、同事互评、民主测评权重之和须为100（现为{weights}）"})
    with transaction.atomic():
        rnd.rules = rnd.rules if rnd.rules_id else current_rules()
        if rnd.rules is None:
            raise ValidationError({"rules": "评分细则：尚未制定评分细则"})
        if EvaluationRound.objects.filter(org=rnd.org, year=rnd.year, period=rnd.period).exists():
            raise ValidationError({"period": f"类型：{rnd.org}{rnd.year}年{Period(rnd.period).label}考评已发起"})
        audit.save_audited(rnd, actor=actor, action="assessment.round_create")
        Evaluation.objects.bulk_create(
            [Evaluation(round=rnd, person_id=pk, org_id=org_id, org_path=path)
             for pk, org_id, path in cadres(rnd.org).values_list("pk", "org_id", "org_path")], batch_size=2000)
    return rnd


def require_open(rnd: EvaluationRound) -> None:
    if rnd.frozen:
        raise ValidationError({"round": f"考评轮次：“{rnd}”已经党组审定，结果已冻结，不能修改，只能申请复核"})


# ---- pre-fill: each source proposes (evaluation, item, on, summary, source record, link) rows -------------------

# A source takes (Cadres: person id → evaluation id, with ``people`` as a subquery; the period's first and last
# day) and returns the rows' fields (``_row``);
# an item of the 评分细则 names its source by key. Other modules add theirs with ``register_source``.
PREFILL_SOURCES: dict[str, Callable] = {}


def register_source(key: str):
    def decorator(fn):
        PREFILL_SOURCES[key] = fn
        return fn
    return decorator


class Cadres(dict):
    """person id → evaluation id of a round; ``people`` is the same set as a subquery, for the sources' filters
    (one statement, however many cadres, instead of a list of ids sent to the database)."""

    def __init__(self, rnd: EvaluationRound):
        super().__init__(Evaluation.objects.filter(round=rnd).values_list("person_id", "pk"))
        self.people = Evaluation.objects.filter(round=rnd).values("person_id")


def _row(evals, person_id, on, summary, source_type, source_id, url):
    return {"evaluation_id": evals[person_id], "on": on, "summary": str(summary)[:300], "source_type": source_type,
            "source_id": str(source_id), "source_url": url}


def _conduct(evals, start, end, polarity):
    rows = ConductEntry.objects.filter(person_id__in=evals.people, on__range=(start, end), polarity=polarity)
    return [_row(evals, p, on, f"{s}（{k}）", "assessment.conductentry", pk, url or "")
            for pk, p, on, s, k, url in rows.values_list("pk", "person_id", "on", "summary", "kind", "source_url")]


@register_source("conduct_negative")
def _conduct_negative(evals, start, end):
    return _conduct(evals, start, end, "negative")


@register_source("conduct_positive")
def _conduct_positive(evals, start, end):
    return _conduct(evals, start, end, "positive")


def _already_in_ledger(source_type: str):
    """Records that already have a 作风台账 entry are counted there, not twice."""
    return ConductEntry.objects.filter(source_type=source_type).values("source_id")


@register_source("commitment")
def _commitments(evals, start, end):
    """量化承诺 checked at year end as not kept (未兑现), in the period: one deduction each."""
    rows = Commitment.objects.filter(person_id__in=evals.people, result=CommitmentResult.NOT_MET,
                                     checked_on__range=(start, end))
    return [_row(evals, p, on, f"量化承诺“{title}”年终核定未兑现", "assessment.commitment", pk,
                 f"/assessment/commitments/{pk}/")
            for pk, p, on, title in rows.values_list("pk", "person_id", "checked_on", "title")]


@register_source("overdue_matter")
def _overdue_matters(evals, start, end):
    late = Q(closed_on__isnull=False, closed_on__gt=F("due_on")) | Q(closed_on__isnull=True, due_on__lt=end)
    rows = (Matter.objects.filter(owner_id__in=evals.people, due_on__range=(start, end)).filter(late)
            .exclude(pk__in=_already_in_ledger("matters.matter").annotate(n=Cast("source_id", Matter._meta.pk))
                     .values("n")))
    return [_row(evals, p, due, f"事项“{title}”超过办理时限（{due:%Y-%m-%d}）", "matters.matter", pk, f"/matters/{pk}/")
            for pk, p, due, title in rows.values_list("pk", "owner_id", "due_on", "title")]


@register_source("study")
def _study(evals, start, end):
    rows = Attendance.objects.filter(person_id__in=evals.people, meeting__date__range=(start, end),
                                     status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LEAVE],
                                     makeup_required=True, makeup_done_on__isnull=True)
    return [_row(evals, p, on, f"“{title}”缺席，未补学", "meetings.attendance", pk, f"/meetings/{mid}/")
            for pk, p, on, title, mid in rows.values_list("pk", "person_id", "meeting__date", "meeting__title",
                                                          "meeting_id")]


@register_source("branch_duty")
def _branch_duty(evals, start, end):
    secretaries = dict(Position.objects.filter(
        title=PositionTitle.BRANCH_SECRETARY, person_id__in=evals.people, start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)).values_list("org_id", "person_id"))
    if not secretaries:
        return []
    root = Org.get_first_root_node()
    _branches, gaps, _held = gap_report(root.path, start.year, today=end + dt.timedelta(days=1))
    return [_row(evals, secretaries[g.branch_id], end, f"{g.branch}{g.period}未召开{g.kind}", "meetings.gap",
                 f"{g.branch_id}:{g.kind}:{g.period}", "/meetings/compliance/")
            for g in gaps if g.branch_id in secretaries]


def _tasks(evals, start, end, done: bool):
    tasks = LetterTask.objects.filter(owner_id__in=evals.people, deadline__range=(start, end))
    if done:
        tasks = tasks.filter(status=TaskStatus.DONE, completed_on__lte=F("deadline"))
        text = "责任状任务“{}”按期完成"
    else:
        tasks = tasks.filter(Q(completed_on__gt=F("deadline")) | (~Q(status=TaskStatus.DONE) & Q(deadline__lt=end)))
        text = "责任状任务“{}”逾期未完成"
    return [_row(evals, p, on, text.format(title), "duties.lettertask", pk, f"/duties/letters/{letter}/")
            for pk, p, on, title, letter in tasks.values_list("pk", "owner_id", "deadline", "title", "letter_id")]


@register_source("task")
def _tasks_late(evals, start, end):
    return _tasks(evals, start, end, done=False)


@register_source("task_done")
def _tasks_done(evals, start, end):
    return _tasks(evals, start, end, done=True)


@register_source("talk")
def _talks(evals, start, end):
    rows = Talk.objects.filter(subject_id__in=evals.people, held_on__range=(start, end))
    labels = dict(Talk._meta.get_field("kind").choices)
    return [_row(evals, p, on, f"{on:%Y-%m-%d}{labels.get(kind, kind)}", "supervision.talk", pk,
                 f"/supervision/talks/{pk}/") for pk, p, on, kind in rows.values_list("pk", "subject_id", "held_on",
                                                                                         "kind")]


@register_source("finding")
def _findings(evals, start, end):
    rows = Finding.objects.filter(matter__owner_id__in=evals.people, inspection__held_on__range=(start, end))
    return [_row(evals, p, on, f"监督检查发现问题：{text[:60]}", "supervision.finding", pk, f"/matters/{mid}/")
            for pk, p, on, text, mid in rows.values_list("pk", "matter__owner_id", "inspection__held_on", "text",
                                                         "matter_id")]


def do_prefill(rnd: EvaluationRound, *, actor) -> int:
    """Propose every deduction and bonus the records show for the round's period (set-based: one query per
    source, whatever the number of cadres). Rows already proposed are kept as they are."""
    require_capability(actor, "assessment.change", path=rnd.org.path, what="预填考评加减分")
    require_open(rnd)
    start, end = period_range(rnd.year, rnd.period)
    evals = Cadres(rnd)
    meta = {pk: (org_id, path) for pk, org_id, path in
            Evaluation.objects.filter(round=rnd).values_list("pk", "org_id", "org_path")}
    made = []
    for item in rnd.rules.items().values():
        source = PREFILL_SOURCES.get(item.get("source") or "")
        if not source or not evals:
            continue
        sign = Decimal(-1 if item["kind"] == "deduct" else 1)
        for row in source(evals, start, end):
            org_id, path = meta[row["evaluation_id"]]
            made.append(Adjustment(item=item["code"], item_name=item["name"], points=sign * Decimal(str(item["points"])),
                                   org_id=org_id, org_path=path, **row))
    rows = Adjustment.objects.filter(evaluation__round=rnd)
    with transaction.atomic():
        before = rows.count()
        Adjustment.objects.bulk_create(made, batch_size=2000, ignore_conflicts=True)
        added = rows.count() - before  # the rows proposed before are kept as they are, not counted again
        audit.record("assessment.round_prefill", actor=actor, target=rnd,
                     message=f"预填加减分{added}条（记录显示{len(made)}条）")
    return added


# ---- scores, adjustments, totals ----------------------------------------------------------------------

def _item_of(evaluation: Evaluation, code: str) -> dict:
    item = evaluation.round.rules.items().get(code)
    if item is None:
        raise ValidationError({"item": f"评分条目：“{code}”不在{evaluation.round.rules}中"})
    return item


def _check_range(item: dict, points: Decimal) -> None:
    """One adjustment's points keep within the item's range (a deduction negative, a bonus positive, at most the
    cap); several under one item count up to the cap only (``item_sums``)."""
    cap = Decimal(str(item["cap"]))
    low, high = (-cap, Decimal(0)) if item["kind"] == "deduct" else (Decimal(0), cap)
    label = f"{item['dimension']}·{item['name']}"
    if not low <= points <= high or points == 0:
        raise ValidationError({"points": f"{label}：分值须在{low}至{high}之间且不为0（{item['rule']}）"})


def item_sums(evaluation: Evaluation) -> dict[str, tuple[Decimal, Decimal]]:
    """Per item: (the confirmed points, what counts of them: no more than the item's cap either way)."""
    items = evaluation.round.rules.items()
    rows = (evaluation.adjustments.filter(status=AdjustmentStatus.CONFIRMED).values_list("item")
            .annotate(s=Sum("points")))
    out = {}
    for code, total in rows:
        cap = Decimal(str(items[code]["cap"])) if code in items else abs(total)
        out[code] = (total, max(-cap, min(cap, total)))
    return out


def recompute(evaluation: Evaluation) -> Evaluation:
    """Total = the raters' weighted scores (weights of missing raters shared out among the present ones)
    plus the confirmed adjustments (each item's up to its cap), within 0–100; the grade follows the total unless set by hand."""
    rnd = evaluation.round
    parts = [(getattr(evaluation, f), getattr(rnd, w)) for f, w, _l in RATERS.values()]
    present = [(s, w) for s, w in parts if s is not None and w]
    evaluation.adjustment = sum((counted for _total, counted in item_sums(evaluation).values()), Decimal(0))
    if not present:
        evaluation.total = None
        return evaluation
    base = sum(s * w for s, w in present) / sum(w for _s, w in present)
    evaluation.total = max(Decimal(0), min(HUNDRED, base + evaluation.adjustment)).quantize(Decimal("0.01"))
    if not evaluation.grade_reason:
        evaluation.grade = next((g for floor, g in GRADE_FLOORS if evaluation.total >= floor), Grade.INCOMPETENT)
    return evaluation


def _save(evaluation: Evaluation, *, actor, action: str, expected_version=None) -> Evaluation:
    return audit.save_audited(recompute(evaluation), actor=actor, action=action, expected_version=expected_version)


def do_score(evaluation: Evaluation, rater: str, score, *, actor, expected_version=None) -> Evaluation:
    """A rater's score (0–100) for 自评 (the person themself), 领导评价 or 同事互评."""
    field, _w, label = RATERS[rater]
    with transaction.atomic():
        evaluation = lock_row(Evaluation, evaluation.pk)
        require_open(evaluation.round)
        if rater == "self":
            if evaluation.person.user_id != getattr(actor, "pk", None):
                raise PermissionDenied("自评只能由本人填写")
        else:
            require_capability(actor, "assessment.change", path=evaluation.org_path, what=f"填写{label}")
        try:
            value = Decimal(str(score))
        except Exception:  # noqa: BLE001
            raise ValidationError({field: f"{label}：须为数字"}) from None
        if not Decimal(0) <= value <= HUNDRED:
            raise ValidationError({field: f"{label}：分数须在0至100之间（现为{value}）"})
        setattr(evaluation, field, value)
        return _save(evaluation, actor=actor, action="assessment.score", expected_version=expected_version)


def do_add_adjustment(evaluation: Evaluation, *, item: str, points, summary: str, evidence: str, actor) -> Adjustment:
    """A deduction or bonus a rater enters by hand: confirmed at once; a deduction needs its evidence."""
    require_capability(actor, "assessment.change", path=evaluation.org_path, what="录入加减分")
    with transaction.atomic():
        evaluation = lock_row(Evaluation, evaluation.pk)
        require_open(evaluation.round)
        spec = _item_of(evaluation, item)
        if spec["kind"] == "deduct" and not (evidence or "").strip():
            raise ValidationError({"evidence": f"佐证：“{spec['name']}”扣分须附佐证（{spec['evidence']}）"})
        if not (summary or "").strip():
            raise ValidationError({"summary": "事由：不能为空"})
        try:
            value = Decimal(str(points))
        except Exception:  # noqa: BLE001
            raise ValidationError({"points": f"{spec['name']}：分值须为数字"}) from None
        _check_range(spec, value)
        adj = Adjustment(evaluation=evaluation, org_id=evaluation.org_id, item=item, item_name=spec["name"],
                         points=value, summary=summary, evidence=evidence, status=AdjustmentStatus.CONFIRMED,
                         reason="评分人录入", decided_by=actor, on=timezone.localdate())
        audit.save_audited(adj, actor=actor, action="assessment.adjustment_add")
        _save(evaluation, actor=actor, action="assessment.recompute")
    return adj


def do_decide_adjustment(adj: Adjustment, *, confirm: bool, reason: str, actor, expected_version=None) -> Adjustment:
    """A rater confirms or rejects a proposed row, with a reason; a deduction without its source record or
    evidence cannot be confirmed; the item's cap holds."""
    require_capability(actor, "assessment.change", path=adj.org_path, what="确认加减分")
    if not (reason or "").strip():
        raise ValidationError({"reason": "理由：确认或不予采纳都须写明理由"})
    with transaction.atomic():
        evaluation = lock_row(Evaluation, adj.evaluation_id)
        require_open(evaluation.round)
        adj = Adjustment.objects.select_for_update().get(pk=adj.pk)
        if confirm:
            spec = _item_of(evaluation, adj.item)
            if adj.points < 0 and not (adj.source_id or adj.evidence.strip()):
                raise ValidationError({"evidence": f"佐证：“{spec['name']}”扣分无来源记录或佐证，不能确认"})
            _check_range(spec, adj.points)
        adj.status = AdjustmentStatus.CONFIRMED if confirm else AdjustmentStatus.REJECTED
        adj.reason, adj.decided_by = reason.strip()[:300], actor
        audit.save_audited(adj, actor=actor, action="assessment.adjustment_decide", expected_version=expected_version,
                           locked=None)
        _save(evaluation, actor=actor, action="assessment.recompute")
    return adj


def excellent_limit(count: int, cap) -> int:
    return math.floor(count * cap)


def _check_cap(rnd: EvaluationRound, excellent: int) -> None:
    cap = rule_settings.get("assessment.excellent_cap")
    total = Evaluation.objects.filter(round=rnd).count()
    if excellent > excellent_limit(total, cap):
        raise ValidationError({"grade": f"优秀等次：{excellent}人，超过参评{total}人的{cap}（最多"
                                        f"{excellent_limit(total, cap)}人）；{rules.EXCELLENT_CAP.source}"})


def do_set_grade(evaluation: Evaluation, grade: str, *, reason: str, actor, expected_version=None) -> Evaluation:
    """A grade decided by hand (e.g. lowering an 优秀 to keep within the cap), with its reason."""
    require_capability(actor, "assessment.change", path=evaluation.org_path, what="评定等次")
    if grade not in Grade.values:
        raise ValidationError({"grade": "等次：须为优秀、称职、基本称职或不称职"})
    if not (reason or "").strip():
        raise ValidationError({"grade_reason": "等次说明：人工评定等次须写明理由"})
    with transaction.atomic():
        rnd = lock_row(EvaluationRound, evaluation.round_id)
        require_open(rnd)
        evaluation = lock_row(Evaluation, evaluation.pk)
        if grade == Grade.EXCELLENT:
            others = Evaluation.objects.filter(round=rnd, grade=Grade.EXCELLENT).exclude(pk=evaluation.pk).count()
            _check_cap(rnd, others + 1)
        evaluation.grade, evaluation.grade_reason = grade, reason.strip()
        return audit.save_audited(evaluation, actor=actor, action="assessment.grade",
                                  expected_version=expected_version)


def do_approve(rnd: EvaluationRound, *, actor) -> EvaluationRound:
    """党组审定: every cadre scored and graded, 优秀 within the cap; the results are frozen from now on."""
    require_capability(actor, "assessment.approve", path=rnd.org.path, what="审定考评结果")
    with transaction.atomic():
        rnd = lock_row(EvaluationRound, rnd.pk)
        require_open(rnd)
        tally(rnd)
        missing = Evaluation.objects.filter(round=rnd, total__isnull=True).count()
        if missing:
            raise ValidationError({"round": f"考评结果：尚有{missing}人未评分，不能审定"})
        _check_cap(rnd, Evaluation.objects.filter(round=rnd, grade=Grade.EXCELLENT).count())
        if Adjustment.objects.filter(evaluation__round=rnd, status=AdjustmentStatus.PROPOSED).exists():
            raise ValidationError({"round": "加减分：尚有预填的加减分未确认或不予采纳，不能审定"})
        rnd.status, rnd.approved_on, rnd.approved_by = RoundStatus.APPROVED, timezone.localdate(), actor
        rnd.excellent_cap = str(rule_settings.get("assessment.excellent_cap"))
        rnd.review_days = rule_settings.get("assessment.review_days")
        return audit.save_audited(rnd, actor=actor, action="assessment.round_approve")


def review_deadline(rnd: EvaluationRound) -> dt.date | None:
    if not rnd.approved_on:
        return None
    return workdays.add_workdays(rnd.approved_on, rnd.review_days or rules.REVIEW_DAYS.default).date


def do_request_review(evaluation: Evaluation, *, reason: str, actor) -> EvaluationReview:
    """复核申请 by the person, after approval and within the rule's working days; one open at a time."""
    if evaluation.person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只有本人可以对自己的考评结果申请复核")
    rnd, today = evaluation.round, timezone.localdate()
    if not rnd.frozen:
        raise ValidationError({"reason": "复核：考评结果经党组审定后方可申请复核"})
    deadline = review_deadline(rnd)
    if today > deadline:
        raise ValidationError({"reason": f"复核：申请期限已于{deadline:%Y年%m月%d日}届满（审定后{rnd.review_days}个工作日）"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "申请理由：不能为空"})
    with transaction.atomic():
        lock_row(Evaluation, evaluation.pk)
        if evaluation.reviews.filter(status=ReviewStatus.OPEN).exists():
            raise ValidationError({"reason": "复核：已有待答复的复核申请"})
        review = EvaluationReview(evaluation=evaluation, org_id=evaluation.org_id, asked_on=today, reason=reason,
                                  due_on=workdays.add_workdays(today, rule_settings.get("assessment.review_answer_days")).date)
        return audit.save_audited(review, actor=actor, action="assessment.review_request")


def do_answer_review(review: EvaluationReview, *, answer: str, new_grade: str = "", actor) -> EvaluationReview:
    """The answer closes the review; a changed grade is the only edit a frozen result takes, and it is made
    here, recorded with the review."""
    require_capability(actor, "assessment.change", path=review.org_path, what="答复复核")
    if not (answer or "").strip():
        raise ValidationError({"answer": "复核意见：不能为空"})
    if new_grade and new_grade not in Grade.values:
        raise ValidationError({"new_grade": "调整后等次：须为优秀、称职、基本称职或不称职"})
    with transaction.atomic():
        review = EvaluationReview.objects.select_for_update().get(pk=review.pk)
        if review.status != ReviewStatus.OPEN:
            raise ValidationError({"answer": "复核：该申请已答复"})
        evaluation = lock_row(Evaluation, review.evaluation_id)
        if new_grade and new_grade != evaluation.grade:
            if new_grade == Grade.EXCELLENT:
                _check_cap(evaluation.round, Evaluation.objects.filter(round=evaluation.round_id,
                                                                       grade=Grade.EXCELLENT).count() + 1)
            evaluation.grade = new_grade
            evaluation.grade_reason = f"经复核调整：{answer.strip()}"
            audit.save_audited(evaluation, actor=actor, action="assessment.review_change")
            review.status = ReviewStatus.CHANGED
        else:
            review.status = ReviewStatus.UPHELD
        review.answer, review.answered_on, review.answered_by = answer.strip(), timezone.localdate(), actor
        return audit.save_audited(review, actor=actor, action="assessment.review_answer")


# ---- 民主测评: anonymous one-time codes ------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def code_digest(code: str) -> str:
    """Keyed, so that the stored digests cannot be matched against guessed codes without the server's key."""
    normal = "".join(c for c in (code or "").upper() if c.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), f"ballot:{normal}".encode(), hashlib.sha256).hexdigest()


def do_issue_codes(rnd: EvaluationRound, count: int, *, actor) -> list[str]:
    """``count`` new one-time codes; only their digests are stored, so the sheet printed now is the only copy.
    Codes are not given to named voters: the sheet is cut and handed out at random."""
    require_capability(actor, "assessment.change", path=rnd.org.path, what="生成民主测评票码")
    require_open(rnd)
    if not 1 <= count <= 2000:
        raise ValidationError({"count": "票数：须在1至2000之间"})
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(10)) for _ in range(count)]
    with transaction.atomic():
        BallotCode.objects.bulk_create([BallotCode(round=rnd, digest=code_digest(c)) for c in codes])
        audit.record("assessment.codes_issue", actor=actor, target=rnd, message=f"生成民主测评票码{count}个")
    return codes


def ballot_round(code: str) -> tuple[EvaluationRound | None, bool]:
    """The code's round and whether the code was used already (the voter is told before filling the ballot)."""
    row = BallotCode.objects.filter(digest=code_digest(code)).select_related("round").first()
    return (row.round, row.used) if row else (None, False)


def cast_ballot(code: str, grades: dict[int, str]) -> None:
    """One ballot for the code's round: every cadre of the round graded; the code is spent in the same
    transaction. The ballot row carries no voter, no code and no time."""
    digest = code_digest(code)
    with transaction.atomic():
        row = BallotCode.objects.select_for_update().filter(digest=digest).select_related("round").first()
        if row is None:
            raise ValidationError({"code": "票码：无效，请核对测评票上的票码"})
        if row.used:
            raise ValidationError({"code": "票码：已经使用过，每个票码只能投票一次"})
        if row.round.frozen:
            raise ValidationError({"code": "票码：该轮考评已审定，测评已结束"})
        evaluations = set(Evaluation.objects.filter(round=row.round).values_list("pk", flat=True))
        if set(grades) != evaluations:
            raise ValidationError({"grades": "评价：须对每一名被测评人作出评价"})
        bad = [pk for pk, g in grades.items() if g not in Grade.values]
        if bad:
            raise ValidationError({"grades": "评价：须为优秀、称职、基本称职或不称职"})
        BallotCode.objects.filter(pk=row.pk).update(used=True)
        ballot = Ballot.objects.create(round=row.round)
        BallotMark.objects.bulk_create([BallotMark(ballot=ballot, evaluation_id=pk, grade=g) for pk, g in grades.items()])


def tally(rnd: EvaluationRound) -> None:
    """民主测评 score per cadre: the mean of the points of the grades on the ballots (set-based)."""
    counts = (BallotMark.objects.filter(evaluation__round=rnd).values("evaluation_id", "grade")
              .annotate(n=Count("id")))
    per: dict[int, list[int]] = {}
    for row in counts:
        per.setdefault(row["evaluation_id"], []).append((BALLOT_POINTS[row["grade"]], row["n"]))
    if not per:
        return
    for evaluation in Evaluation.objects.filter(pk__in=per).select_related("round"):
        rows = per[evaluation.pk]
        evaluation.democratic_score = (Decimal(sum(p * n for p, n in rows)) / sum(n for _p, n in rows)).quantize(
            Decimal("0.01"))
        audit.save_audited(recompute(evaluation), actor=None, action="assessment.recompute")


def do_tally(rnd: EvaluationRound, *, actor) -> None:
    require_capability(actor, "assessment.change", path=rnd.org.path, what="统计民主测评")
    require_open(rnd)
    with transaction.atomic():
        lock_row(EvaluationRound, rnd.pk)
        tally(rnd)


def ballot_counts(rnd: EvaluationRound) -> dict:
    codes = BallotCode.objects.filter(round=rnd).aggregate(n=Count("id"), used=Count("id", filter=Q(used=True)))
    return {"issued": codes["n"], "used": codes["used"], "ballots": Ballot.objects.filter(round=rnd).count()}


# ---- 民主评议党员 ---------------------------------------------------------------------------------------

def branch_members(branch: Org):
    return Person.objects.filter(branch=branch, is_active=True,
                                 party_status__in=[PartyStatus.FULL, PartyStatus.PROBATIONARY])


def do_open_member_review(branch_id: int, year: int, *, actor) -> MemberReview:
    """民主评议党员 of one branch for one year (once)."""
    branch = Org.objects.filter(pk=branch_id, kind=OrgKind.BRANCH).first()
    if branch is None:
        raise ValidationError({"branch": "党支部：请选择党支部"})
    require_capability(actor, "assessment.change", path=branch.path, what="发起民主评议党员")
    if not 2000 <= (year or 0) <= 2100:
        raise ValidationError({"year": "年度：无效"})
    if MemberReview.objects.filter(org=branch, year=year).exists():
        raise ValidationError({"year": f"年度：{branch}{year}年民主评议党员已发起"})
    return audit.save_audited(MemberReview(org=branch, year=year), actor=actor, action="assessment.member_review")


def do_rate_members(review: MemberReview, grades: dict[int, tuple[str, str]], *, actor) -> MemberReview:
    """The branch's grades for its members, all at once: 优秀 within the cap, each 不合格 with its 组织处置."""
    require_capability(actor, "assessment.change", path=review.org_path, what="评定民主评议等次")
    members = dict(branch_members(review.org).values_list("pk", "name"))
    errors = [f"{pk}：不是本支部党员" for pk in grades if pk not in members]
    errors += [f"{members[pk]}：等次无效" for pk, (g, _f) in grades.items() if pk in members and g not in MemberGrade.values]
    errors += [f"{members[pk]}：评为不合格的，须确定组织处置（限期改正、劝其退党或除名）"
               for pk, (g, f) in grades.items() if pk in members and g == MemberGrade.UNQUALIFIED
               and f not in FollowUp.values]
    if errors:
        raise ValidationError({"grades": errors})
    cap = rule_settings.get("assessment.member_excellent_cap")
    excellent = sum(1 for g, _f in grades.values() if g == MemberGrade.EXCELLENT)
    if excellent > math.floor(len(members) * cap):
        raise ValidationError({"grades": f"优秀等次：{excellent}人，超过党员{len(members)}人的{cap}（最多"
                                         f"{math.floor(len(members) * cap)}人）；{rules.MEMBER_EXCELLENT_CAP.source}"})
    today = timezone.localdate()
    months = rule_settings.get("assessment.correct_months")
    with transaction.atomic():
        review = lock_row(MemberReview, review.pk)
        if review.closed:
            raise ValidationError({"grades": f"{review}：已评定，不能修改"})
        existing = {r.person_id: r for r in review.ratings.select_for_update()}
        for pk, (grade, follow) in grades.items():
            rating = existing.get(pk) or MemberRating(review=review, person_id=pk, org_id=review.org_id)
            rating.grade = grade
            rating.follow_up = follow if grade == MemberGrade.UNQUALIFIED else ""
            due_month = today.month - 1 + (months if follow == FollowUp.CORRECT else 1)
            rating.follow_up_due = (dt.date(today.year + due_month // 12, due_month % 12 + 1,
                                            min(today.day, 28)) if rating.follow_up else None)
            audit.save_audited(rating, actor=actor, action="assessment.member_rate")
        review.held_on = review.held_on or today
        review.closed = len(grades) == len(members)
        return audit.save_audited(review, actor=actor, action="assessment.member_review")


def do_record_follow_up(rating: MemberRating, *, done_on: dt.date, note: str, actor) -> MemberRating:
    require_capability(actor, "assessment.change", path=rating.org_path, what="登记组织处置")
    if not rating.follow_up:
        raise ValidationError({"follow_up": "组织处置：该党员无须组织处置"})
    if not (note or "").strip():
        raise ValidationError({"follow_up_note": "处置情况：不能为空"})
    rating.follow_up_done_on, rating.follow_up_note = done_on, note.strip()
    return audit.save_audited(rating, actor=actor, action="assessment.member_follow_up")


ACTION_LABELS = {
    "assessment.rules_save": "修订评分细则", "assessment.round_create": "发起考评", "assessment.round_prefill": "预填考评加减分",
    "assessment.score": "考评评分", "assessment.adjustment_add": "录入考评加减分", "assessment.adjustment_decide": "确认考评加减分",
    "assessment.recompute": "考评总分重算", "assessment.grade": "评定考评等次", "assessment.round_approve": "党组审定考评结果",
    "assessment.review_request": "申请考评复核", "assessment.review_answer": "答复考评复核",
    "assessment.review_change": "经复核调整考评等次", "assessment.codes_issue": "生成民主测评票码",
    "assessment.member_rate": "评定民主评议等次", "assessment.member_review": "民主评议党员",
    "assessment.member_follow_up": "登记不合格党员组织处置",
}
