"""The figures of 责任体系, registered in the one figure registry (core/figures.py).

A 责任状 and its tasks count in the letter's year (年度) when it falls in the period; overdue tasks and the rules in
force are the present state; the rules made count by their 印发日期.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dangjian.core.figures import Column, FigureScope, maker, register

from .models import Institution, LetterTask, ResponsibilityLetter, TaskStatus


def _years(s: FigureScope, field: str) -> Q:
    return Q(**{f"{field}__gte": s.period.start.year, f"{field}__lte": s.period.end.year})


def _letters(s: FigureScope) -> Q:
    return s.under("org_path") & _years(s, "year")


def _tasks(s: FigureScope) -> Q:
    return s.under("org_path") & _years(s, "letter__year")


def _overdue() -> Q:
    return ~Q(status=TaskStatus.DONE) & Q(deadline__lt=timezone.localdate())


letter_figure = maker("duties", ResponsibilityLetter, unit="份", related=("org", "counterpart"),
                      order_by=("-year", "org_path", "id"),
                      link=lambda letter: reverse("duties:letter_detail", args=[letter.pk]),
                      columns=(Column("年度", "year"), Column("类型", "get_kind_display"), Column("乙方", "counterpart"),
                               Column("组织", "org"), Column("签订日期", "signed_on")))
task_figure = maker("duties", LetterTask, unit="项", related=("owner", "letter__counterpart"),
                    order_by=("deadline", "id"), link=lambda task: reverse("duties:task_detail", args=[task.pk]),
                    columns=(Column("任务", "title"), Column("责任人", "owner"), Column("完成时限", "deadline"),
                             Column("状态", "state_label"), Column("责任状", "letter")))
rule_figure = maker("duties", Institution, unit="项", related=("org",), order_by=("-issued_on", "id"),
                    link=lambda rule: reverse("duties:rule_detail", args=[rule.pk]),
                    columns=(Column("制度名称", "title"), Column("文号", "doc_number"), Column("类别", "get_category_display"),
                             Column("制定机关", "issuer"), Column("印发日期", "issued_on"), Column("废止日期", "repealed_on")))

FIGURES = (
    letter_figure("letters.count", "责任状", "年度在统计期间内的党建工作责任状（班子成员、科室负责人）", _letters),
    letter_figure("letters.signed", "已签订责任状", "年度在统计期间内、已登记签订日期的责任状",
                  lambda s: _letters(s) & Q(signed_on__isnull=False)),
    task_figure("tasks.count", "责任状任务", "年度在统计期间内的责任状分解的任务", _tasks),
    task_figure("tasks.done", "已完成任务", "年度在统计期间内的责任状任务中状态为已完成的",
                lambda s: _tasks(s) & Q(status=TaskStatus.DONE)),
    task_figure("tasks.completion_rate", "责任状任务完成率", "已完成任务占年度在统计期间内的责任状任务的比例",
                lambda s: _tasks(s) & Q(status=TaskStatus.DONE), total_where=_tasks, higher_is_better=True),
    task_figure("tasks.overdue", "逾期任务", "当前未完成、已超过完成时限的责任状任务（不论年度）",
                lambda s: s.under("org_path") & _overdue(), stock=True, higher_is_better=False),
    task_figure("mine.tasks", "我负责的未完成任务", "本人为责任人、当前未完成的责任状任务",
                lambda s: Q(owner_id=s.person_id) & ~Q(status=TaskStatus.DONE), stock=True, personal=True),
    rule_figure("rules.in_force", "现行制度", "制度汇编中当前有效的制度：已印发、未废止（废止日期晚于今天的仍有效）",
                lambda s: s.under("org_path") & Q(issued_on__lte=timezone.localdate())
                & (Q(repealed_on__isnull=True) | Q(repealed_on__gt=timezone.localdate())), stock=True),
    rule_figure("rules.made", "新建制度", "印发日期在统计期间内的制度", lambda s: s.under("org_path") & s.during("issued_on")),
)

register(*FIGURES)
