"""The figures of 考评, registered in the one figure registry (core/figures.py).

- assessment.checklist.scored: the 两个责任清单 scored in the period (by the date of the latest scoring), under the
  scope's subtrees; a leader's file and the chain link to the records themselves.
- assessment.tasks.scored_rate: of the 责任状 tasks due in the period, those scored (目标责任考核 progress).
"""

from __future__ import annotations

from django.db.models import Q

from dangjian.core.figures import Column, FigureDef, FigureScope, register
from dangjian.duties.models import LetterTask

from .checklist_models import ChecklistScore


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
