"""The figures of 事项督办, registered in the one figure registry (core/figures.py).

Each counts matters in the scope's subtrees: the assigned matters replied in the period (办理市委、市政府各项回复
X项) and the 人大建议、政协提案 received in the period with their rates (办结、按期答复、面商、满意); and, in the
present state, the open, soon-due and overdue matters of the home page and the user's own; and, for the
periodic summaries, the matters received, closed (on time, late) in the period and overdue at its end.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from dangjian.core.figure_cache import unread
from dangjian.core.figures import Column, FigureDef, FigureScope, register

from . import workflow
from .models import OPEN_STATUSES, Contact, Matter, Satisfaction, SavedFilter, Status, SupervisionSheet

PROPOSALS = ("npc", "cppcc")
# 整改: problems from a 问题清单 (整改问题) and those an inspection found (监督检查问题, registered by supervision)
RECTIFY = ("rectify", "inspection")
COLUMNS = (Column("类别", "get_kind_display"), Column("状态", "get_status_display"), Column("登记日期", "received_on"),
           Column("完成时限", "due_on"), Column("组织", "org"), Column("责任人", "owner"))
RELATED = ("org", "owner")


def _link(matter) -> str:
    return reverse("matters:detail", args=[matter.pk])


def _proposals(s: FigureScope) -> Q:
    return s.under("org_path") & s.during("received_on") & Q(kind__in=PROPOSALS)


def _replied(s: FigureScope) -> Q:
    return _proposals(s) & Q(replied_on__isnull=False)


def _answered(s: FigureScope) -> Q:
    return _proposals(s) & ~Q(satisfaction="")


def _rectify_closed(s: FigureScope) -> Q:
    return s.under("org_path") & s.during("closed_on") & Q(kind__in=RECTIFY, status=Status.CLOSED)


def _open(s: FigureScope) -> Q:
    return s.under("org_path") & ~Q(status=Status.CLOSED)


def _due(state: str):
    return lambda s: _open(s) & workflow.due_state_q(state, timezone.localdate())


def matter_figure(key: str, label: str, definition: str, where, **kwargs) -> FigureDef:
    kwargs.setdefault("unit", "项")
    return FigureDef(key=f"matters.{key}", label=label, definition=definition, module="matters", model=Matter,
                     where=where, columns=COLUMNS, related=RELATED, link=_link, **kwargs)


FIGURES = (
    matter_figure("assigned.replies", "办理市委、市政府交办事项回复", "统计期间内提交办结或已销号的交办事项（按提交办结日期）",
                  lambda s: s.under("org_path") & s.during("submitted_on") & Q(kind="assigned")),
    matter_figure("proposals.count", "办理人大建议、政协提案", "统计期间内登记的人大代表建议和政协委员提案", _proposals,
                  unit="件"),
    matter_figure("proposals.completion_rate", "人大建议、政协提案办结率", "已销号件数占统计期间内登记的建议、提案件数的比例",
                  lambda s: _proposals(s) & Q(status=Status.CLOSED), total_where=_proposals, unit="件",
                  higher_is_better=True, weak_below=90.0),
    matter_figure("proposals.on_time_rate", "人大建议、政协提案按期答复率", "答复日期不晚于完成时限的件数占已答复件数的比例",
                  lambda s: _replied(s) & Q(replied_on__lte=F("due_on")), total_where=_replied, unit="件",
                  higher_is_better=True, weak_below=95.0),
    matter_figure("proposals.meeting_rate", "人大建议、政协提案面商率", "办理中与代表委员当面沟通过的件数占登记件数的比例",
                  lambda s: _proposals(s) & Q(pk__in=Contact.objects.filter(kind=Contact.Kind.MEETING)
                                              .values("matter_id")),
                  total_where=_proposals, unit="件", higher_is_better=True),
    matter_figure("proposals.satisfaction_rate", "代表委员满意率", "表态为满意或基本满意的件数占已表态件数的比例",
                  lambda s: _answered(s) & Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC]),
                  total_where=_answered, unit="件", higher_is_better=True, weak_below=95.0),
    matter_figure("rectify.count", "整改事项", "统计期间内登记的整改问题（问题清单）和监督检查问题",
                  lambda s: s.under("org_path") & s.during("received_on") & Q(kind__in=RECTIFY)),
    matter_figure("rectify.closed", "整改已销号", "统计期间内审批销号的整改问题和监督检查问题（按销号日期，不论登记年度）",
                  _rectify_closed),
    matter_figure("rectify.on_time_rate", "整改按期销号率",
                  "销号日期不晚于完成时限的件数占统计期间内销号的整改问题和监督检查问题件数的比例（无完成时限的计为未按期）",
                  lambda s: _rectify_closed(s) & Q(closed_on__lte=F("due_on")), total_where=_rectify_closed,
                  higher_is_better=True, weak_below=90.0),
    matter_figure("open", "在办事项", "当前未办结、未销号的事项", _open, stock=True),
    matter_figure("due_soon", "即将到期的事项", "当前在办、距完成时限不足预警天数的事项", _due("warning"), stock=True),
    matter_figure("overdue", "已超期的事项", "当前在办、已超过完成时限的事项", _due("overdue"), stock=True,
                  higher_is_better=False),
    matter_figure("mine.open", "我负责的在办事项", "本人为责任人、当前未办结的事项",
                  lambda s: Q(owner_id=s.person_id) & ~Q(status=Status.CLOSED), stock=True,
                  personal=True),
    matter_figure("mine.pending_approval", "待我审批销号", "本人为责任领导、已提交办结等待审批销号的事项",
                  lambda s: Q(responsible_leader_id=s.person_id, status=Status.PENDING), stock=True, personal=True),
)



def _closed(s: FigureScope) -> Q:
    return s.under("org_path") & s.during("closed_on")


# The figures of the 半月一小结 and 一月一总结 (supervision.build_summary), for any period: what came in, what was
# closed (on time or late), and what stood overdue on the period's last day.
SUMMARY_FIGURES = (
    matter_figure("received", "新登记事项", "统计期间内登记的各类事项（按登记日期）",
                  lambda s: s.under("org_path") & s.during("received_on")),
    matter_figure("closed", "已销号事项", "统计期间内审批销号的事项（按销号日期）", _closed),
    matter_figure("closed_on_time", "按期销号事项", "统计期间内销号、销号日期不晚于完成时限（或没有时限）的事项",
                  lambda s: _closed(s) & (Q(due_on__isnull=True) | Q(closed_on__lte=F("due_on"))),
                  higher_is_better=True),
    matter_figure("closed_late", "超期销号事项", "统计期间内销号、销号日期晚于完成时限的事项",
                  lambda s: _closed(s) & Q(closed_on__gt=F("due_on")), higher_is_better=False),
    matter_figure("overdue_at_end", "截至期末超期未办结事项",
                  "统计期间最后一日及以前登记、完成时限早于该日、到该日仍未销号的事项",
                  lambda s: s.under("org_path") & Q(received_on__lte=s.period.end, due_on__lt=s.period.end)
                  & (Q(status__in=OPEN_STATUSES) | Q(closed_on__gt=s.period.end)), higher_is_better=False),
)

register(*FIGURES, *SUMMARY_FIGURES)
unread(SavedFilter, SupervisionSheet)  # a user's list filter; an issued 督办单 (a document of the figures)

# The figures the annual report's 事项 section and the matters figures tab show for a year, in this order.
YEAR_KEYS = tuple(f.key for f in FIGURES[:6])
