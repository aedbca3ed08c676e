"""考评 services: the 评分细则 versions, rounds, scores and adjustments, grades under the 优秀 cap (docs/rules.md).
The rest of 考评 has its own modules: evaluation_prefill (pre-fill from the records), evaluation_results (approval,
which freezes, and 复核), evaluation_ballots (the anonymous 民主测评), evaluation_members (民主评议党员)."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dangjian.core import audit, rule_settings
from dangjian.core.models import lock_row
from dangjian.core.scope import require_capability
from dangjian.orgs.models import Org, Person

from . import evaluation_rules as rules
from .evaluation_models import (
    Adjustment,
    AdjustmentStatus,
    Evaluation,
    EvaluationRound,
    Grade,
    Period,
    ScoringRules,
)

RATERS = {"self": ("self_score", "weight_self", "自评"), "leader": ("leader_score", "weight_leader", "领导评价"),
          "peer": ("peer_score", "weight_peer", "同事互评"), "democratic": ("democratic_score", "weight_democratic",
                                                                            "民主测评")}
# The totals each grade starts at (below: the next grade).
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


def check_cap(rnd: EvaluationRound, excellent: int) -> None:
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
            check_cap(rnd, others + 1)
        evaluation.grade, evaluation.grade_reason = grade, reason.strip()
        return audit.save_audited(evaluation, actor=actor, action="assessment.grade",
                                  expected_version=expected_version)


ACTION_LABELS = {
    "assessment.rules_save": "修订评分细则", "assessment.round_create": "发起考评", "assessment.round_prefill": "预填考评加减分",
    "assessment.score": "考评评分", "assessment.adjustment_add": "录入考评加减分", "assessment.adjustment_decide": "确认考评加减分",
    "assessment.recompute": "考评总分重算", "assessment.grade": "评定考评等次", "assessment.round_approve": "党组审定考评结果",
    "assessment.review_request": "申请考评复核", "assessment.review_answer": "答复考评复核",
    "assessment.review_change": "经复核调整考评等次", "assessment.codes_issue": "生成民主测评票码",
    "assessment.member_rate": "评定民主评议等次", "assessment.member_review": "民主评议党员",
    "assessment.member_follow_up": "登记不合格党员组织处置",
}
