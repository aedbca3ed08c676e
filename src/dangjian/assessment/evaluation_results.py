"""考评 results: the 党组's approval (which freezes the round) and the 复核 a person may ask for afterwards, within the
rule's working days, answered by the staff by a due date (a to-do; overdue shown) — docs/rules.md."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, rule_settings, workdays
from dangjian.core.models import lock_row
from dangjian.core.scope import require_capability

from . import evaluation_rules as rules
from .evaluation_ballots import tally
from .evaluation_models import (
    Adjustment,
    AdjustmentStatus,
    Evaluation,
    EvaluationReview,
    EvaluationRound,
    Grade,
    ReviewStatus,
    RoundStatus,
)
from .evaluations import check_cap, require_open


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
        check_cap(rnd, Evaluation.objects.filter(round=rnd, grade=Grade.EXCELLENT).count())
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
                check_cap(evaluation.round, Evaluation.objects.filter(round=evaluation.round_id,
                                                                       grade=Grade.EXCELLENT).count() + 1)
            evaluation.grade = new_grade
            evaluation.grade_reason = f"经复核调整：{answer.strip()}"
            audit.save_audited(evaluation, actor=actor, action="assessment.review_change")
            review.status = ReviewStatus.CHANGED
        else:
            review.status = ReviewStatus.UPHELD
        review.answer, review.answered_on, review.answered_by = answer.strip(), timezone.localdate(), actor
        return audit.save_audited(review, actor=actor, action="assessment.review_answer")
