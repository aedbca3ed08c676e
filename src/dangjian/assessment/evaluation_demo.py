"""Demo records of 考评 for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS, after 监督's): the default 评分细则,
last year's annual evaluation pre-filled, scored, graded within the 优秀 cap, approved by the 党组 (frozen) and one
复核 answered; this year's round in progress with a few anonymous 民主测评 ballots; and a 民主评议党员 of each branch
with one 不合格 member under 限期改正. All through the real services."""

from __future__ import annotations

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import rule_settings
from dangjian.orgs.demo import DEMO_BUILDERS

from . import evaluation_ballots as ballots
from . import evaluation_members as member_review
from . import evaluation_prefill as prefill
from . import evaluation_results as results
from . import evaluations as ev
from .evaluation_models import (
    Adjustment,
    AdjustmentStatus,
    Evaluation,
    EvaluationRound,
    FollowUp,
    Grade,
    MemberGrade,
)
from .evaluation_rules import DEFAULT_DIMENSIONS


def _decide_all(rnd, actor, rng) -> None:
    for adj in Adjustment.objects.filter(evaluation__round=rnd, status=AdjustmentStatus.PROPOSED).order_by("pk"):
        keep = rng.random() < 0.8
        ev.do_decide_adjustment(adj, confirm=keep, reason="经核实属实" if keep else "已在其他条目中计分，不予重复计算",
                                actor=actor)


def _score_all(rnd, actor, rng, *, leaders_only=False) -> None:
    for e in Evaluation.objects.filter(round=rnd).select_related("person__user").order_by("pk"):
        ev.do_score(e, "leader", rng.randint(76, 96), actor=actor)
        if not leaders_only:
            ev.do_score(e, "peer", rng.randint(78, 95), actor=actor)
            if e.person.user_id:
                ev.do_score(e, "self", rng.randint(88, 98), actor=e.person.user)


def _within_cap(rnd, actor) -> None:
    """Keep the 优秀 within the cap: the lowest totals above the line become 称职, with the reason."""
    cap = rule_settings.get("assessment.excellent_cap")
    excellent = list(Evaluation.objects.filter(round=rnd, grade=Grade.EXCELLENT).order_by("-total", "pk"))
    for e in excellent[ev.excellent_limit(rnd.evaluations.count(), cap):]:
        ev.do_set_grade(e, Grade.COMPETENT, reason="优秀等次比例所限，按总分排序确定", actor=actor)


def build(context: dict) -> None:
    dangwu, shuji = User.objects.get(username="dangwu"), User.objects.get(username="shuji")
    root, rng = context["root"], context["rng"]
    today = timezone.localdate()
    ev.do_save_rules(DEFAULT_DIMENSIONS, actor=dangwu, note="依据工作汇报五个维度制定")

    # Last year: finished, approved and frozen, with one 复核 answered.
    last = ev.do_create_round(EvaluationRound(title=f"{today.year - 1}年度干部考评", year=today.year - 1,
                                              period="annual", org=root), actor=dangwu)
    prefill.do_prefill(last, actor=dangwu)
    _decide_all(last, dangwu, rng)
    _score_all(last, dangwu, rng)
    _within_cap(last, dangwu)
    results.do_approve(last, actor=shuji)
    head = context["heads"]["BGS"]
    asked = results.do_request_review(Evaluation.objects.get(round=last, person=head),
                                 reason="加减分中一项超期事项系上级延后交办所致，请予复核", actor=head.user)
    results.do_answer_review(asked, answer="经核实，该事项超期属实，维持原考评等次", actor=dangwu)

    # This year: in progress — pre-filled, partly scored, a few anonymous ballots cast.
    this = ev.do_create_round(EvaluationRound(title=f"{today.year}年度干部考评", year=today.year, period="annual",
                                              org=root), actor=dangwu)
    prefill.do_prefill(this, actor=dangwu)
    evaluations = list(Evaluation.objects.filter(round=this).values_list("pk", flat=True))
    for code in ballots.do_issue_codes(this, 5, actor=dangwu)[:3]:
        ballots.cast_ballot(code, {pk: rng.choice([Grade.EXCELLENT, Grade.COMPETENT, Grade.COMPETENT]) for pk in evaluations})

    # 民主评议党员 of each branch this year; one 不合格 member under 限期改正 in the first branch.
    for n, branch in enumerate(context["branches"]):
        review = member_review.do_open_member_review(branch.pk, today.year, actor=dangwu)
        members = list(member_review.branch_members(branch).order_by("pk").values_list("pk", flat=True))
        limit = len(members) // 4
        grades = {pk: (MemberGrade.EXCELLENT if i < limit else MemberGrade.QUALIFIED, "")
                  for i, pk in enumerate(members)}
        if n == 0 and members:
            grades[members[-1]] = (MemberGrade.UNQUALIFIED, FollowUp.CORRECT)
            grades[members[-2]] = (MemberGrade.BASIC, "")
        member_review.do_rate_members(review, grades, actor=dangwu)


DEMO_BUILDERS.append(build)
