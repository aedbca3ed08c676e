"""The figures of 考评, registered in the one figure registry (core/figures.py): the 作风台账 entries, 先进典型 and
问责 by their date, and the share of 优秀 among the evaluations of the rounds the Party group approved in the period;

- assessment.checklist.scored: the 两个责任清单 scored in the period (by the date of the latest scoring), under the
  scope's subtrees; a leader's file and the chain link to the records themselves.
- assessment.tasks.scored_rate: of the 责任状 tasks due in the period, those scored (目标责任考核 progress).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from dangjian.core.figure_cache import depends, unread
from dangjian.core.figures import Column, FigureDef, FigureScope, maker, register
from dangjian.duties.models import LetterTask

from .checklist_models import ChecklistScore
from .evaluation_models import Ballot, BallotCode, BallotMark, Evaluation, EvaluationRound, Grade, RoundStatus
from .models import Accountability, Commendation, ConductEntry, Polarity

PERSON = Column("干部", "person")

conduct_figure = maker("assessment", ConductEntry, unit="条", related=("person",), order_by=("-on", "-id"),
                       link=lambda e: reverse("assessment:person_ledger", args=[e.person_id]),
                       columns=(Column("日期", "on"), PERSON, Column("类别", "get_kind_display"),
                                Column("摘要", "summary"), Column("来源", "source_label")))


def _conduct(polarity: str):
    return lambda s: s.under("org_path") & s.during("on") & Q(polarity=polarity)


def _graded(s: FigureScope) -> Q:
    """The graded evaluations of the rounds approved (党组审定) in the period."""
    return (s.under("org_path") & Q(round__status=RoundStatus.APPROVED, **{"round__approved_on__range": s.period.days})
            & ~Q(grade=""))


FIGURES = (
    conduct_figure("conduct.positive", "作风台账正面记录", "统计期间内记入作风台账的正面表现（表扬、典型、承诺兑现等）",
                   _conduct(Polarity.POSITIVE)),
    conduct_figure("conduct.negative", "作风台账负面记录",
                   "统计期间内记入作风台账的负面表现（通报批评、约谈、诫勉、问责、超期未办、外出未报备等）",
                   _conduct(Polarity.NEGATIVE), higher_is_better=False),
    maker("assessment", Commendation, unit="人次", related=("person",), order_by=("-conferred_on", "-id"),
          link=lambda c: reverse("assessment:commendation", args=[c.pk]),
          columns=(Column("授予日期", "conferred_on"), PERSON, Column("典型称号", "title"),
                   Column("授予机关", "conferred_by")))(
        "commendations.count", "先进典型", "授予日期在统计期间内的先进典型（每人每个称号计一次）",
        lambda s: s.under("org_path") & s.during("conferred_on")),
    maker("assessment", Accountability, unit="起", related=("person", "org"), order_by=("-decided_on", "-id"),
          link=lambda a: reverse("assessment:accountability_record", args=[a.pk]),
          columns=(Column("决定日期", "decided_on"), Column("被问责对象", lambda a: a.person or a.org),
                   Column("问责方式", "get_form_display"), Column("决定机关", "decided_by")))(
        "accountability.count", "问责", "决定日期在统计期间内的问责（对党组织或领导干部）",
        lambda s: s.under("org_path") & s.during("decided_on"), higher_is_better=False),
    maker("assessment", Evaluation, unit="人", related=("person", "round"), order_by=("round_id", "person__name", "id"),
          link=lambda e: reverse("assessment:eval_detail", args=[e.pk]),
          columns=(Column("考评轮次", "round"), PERSON, Column("总分", "total"), Column("等次", "get_grade_display")))(
        "evaluations.excellent_share", "考评优秀等次比例",
        "统计期间内经党组审定的考评轮次中，等次为优秀的人数占已定等次人数的比例",
        lambda s: _graded(s) & Q(grade=Grade.EXCELLENT), total_where=_graded),
)

register(*FIGURES)
# an evaluation counts by its round's approval, and the round lies at the agency, the evaluations at each cadre's unit
depends(EvaluationRound, lambda rnd: Evaluation.objects.filter(round_id=rnd.pk))
# the 民主测评's ballots count only once the round's results are computed (Evaluation rows)
unread(BallotCode, Ballot, BallotMark)


def _tasks_due(s: FigureScope) -> Q:
    return s.under("org_path") & s.during("deadline") & Q(letter__signed_on__isnull=False)


register(
    FigureDef(
        key="assessment.checklist.scored", label="两个责任清单已评分", unit="份", module="assessment",
        definition="统计期间内评分的主体责任、监督责任清单（按最近一次评分日期），含待审定和已审定",
        model=ChecklistScore, where=lambda s: s.under("org_path") & s.during("scored_on"),
        columns=(Column("年度", "year"), Column("领导干部", "person"), Column("清单", "get_kind_display"),
                 Column("得分", "total"), Column("评分", "scorer_text"), Column("审定日期", "approved_on")),
        related=("person", "scored_by"), order_by=("-year", "kind", "person_id")),
    FigureDef(
        key="assessment.tasks.scored_rate", label="责任状任务评分率", unit="项", module="assessment",
        definition="完成时限在统计期间内的已签订责任状任务中，党组书记已评分的比例",
        model=LetterTask, where=lambda s: _tasks_due(s) & Q(score__isnull=False), total_where=_tasks_due,
        capability="assessment.view",
        columns=(Column("任务", "title"), Column("责任人", "owner"), Column("完成时限", "deadline"),
                 Column("状态", "get_status_display"), Column("得分", "score.score")),
        related=("owner", "score"), order_by=("deadline", "pk"),
        link=lambda t: f"/assessment/letters/{t.letter_id}/"),
)
