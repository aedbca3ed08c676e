"""The figures of 监督, registered in the one figure registry (core/figures.py).

群众监督: a petition counts in the period it was received (收到时间, Beijing time), one per source — each member of a
merged group was replied to, and rates, on its own:

- 按时答复 (``on_time``): its group's reply was published (the day, Beijing time) on or before the matter's 完成时限;
  逾期答复 (``late``): published after it; 待答复 (``pending``): handled by a matter, reply not yet published; the
  on-time rate is on_time / (on_time + late) — a group without a deadline is in neither;
- 满意度: 满意 / 基本满意 / 不满意 as the petitioner rated the reply; the rate is (满意 + 基本满意) / rated.

A 检举控告 is counted like any petition; its figure page lists it only to those who may read it (the discipline
team) and tells the others how many it leaves out. The staff figures page, the petition list's filters and the public
statistics page (petition_stats) count with these same conditions.

纪委监督: talks and inspections by their date; the talks awaiting their follow-up and the findings whose
rectification is not closed (备案销号) are the present state. The agency's 党组书记 reads them as the module does.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.urls import reverse

from dangjian.core.figure_cache import depends
from dangjian.core.figures import Column, FigureScope, maker, register
from dangjian.matters.models import Matter
from dangjian.matters.states import OPEN_STATUSES

from .models import Finding, Inspection, Talk, secretary_paths
from .petition_models import Petition, PetitionReply, ReplyStatus

_PUBLISHED = Q(matter__petition_reply__status=ReplyStatus.PUBLISHED)
_REPLY_DAY = "matter__petition_reply__published_at__date"

# The petitions by the state of their reply, and by their rating (petition_stats and the list's filters read these).
REPLY_STATES = {
    "on_time": _PUBLISHED & Q(**{f"{_REPLY_DAY}__lte": F("matter__due_on")}),
    "late": _PUBLISHED & Q(**{f"{_REPLY_DAY}__gt": F("matter__due_on")}),
    "pending": Q(matter__isnull=False) & ~_PUBLISHED,
}
REPLY_LABELS = {"on_time": "按时答复", "late": "逾期答复", "pending": "待答复"}
RATING_LABELS = dict(Petition._meta.get_field("satisfaction").choices)
RATINGS = {key: Q(satisfaction=key) for key in RATING_LABELS}
SATISFIED = ("satisfied", "basic")


def received(s: FigureScope) -> Q:
    return s.under("org_path") & s.during_moments("received_at")


def _replied(s: FigureScope) -> Q:
    return received(s) & (REPLY_STATES["on_time"] | REPLY_STATES["late"])


def _rated(s: FigureScope) -> Q:
    return received(s) & ~Q(satisfaction="")


def _state(condition: Q):
    return lambda s: received(s) & condition


petition_figure = maker("supervision", Petition, unit="件", related=("org",), order_by=("-received_at", "-id"),
                        link=lambda p: reverse("supervision:petition", args=[p.pk]),
                        columns=(Column("编号", "number"), Column("类型", "get_kind_display"),
                                 Column("渠道", "get_channel_display"), Column("收到时间", "received_at"),
                                 Column("标题", "subject"), Column("状态", "get_status_display")))
talk_figure = maker("supervision", Talk, unit="次", related=("talker", "subject"), extra_roots=secretary_paths,
                    order_by=("-held_on", "-id"), link=lambda t: reverse("supervision:talk", args=[t.pk]),
                    columns=(Column("日期", "held_on"), Column("方式", "get_kind_display"), Column("谈话对象", "subject"),
                             Column("谈话人", "talker"), Column("回访日期", "follow_up_on")))
finding_figure = maker("supervision", Finding, unit="个", related=("matter",), extra_roots=secretary_paths,
                       link=lambda f: reverse("supervision:inspection", args=[f.inspection_id]),
                       columns=(Column("问题", "text"), Column("检查项目", "item"),
                                Column("整改状态", "matter.get_status_display"), Column("完成时限", "matter.due_on")))
inspection_figure = maker("supervision", Inspection, unit="次", related=("person", "section", "plan"),
                          extra_roots=secretary_paths, order_by=("-held_on", "-id"),
                          link=lambda i: reverse("supervision:inspection", args=[i.pk]),
                          columns=(Column("检查日期", "held_on"), Column("被检查人（科室）", "checked_label"),
                                   Column("检查计划", "plan")))

PETITIONS = (
    petition_figure("petitions.received", "收到群众诉求", "统计期间内收到的群众诉求（意见建议、投诉、检举控告），每个来源计一件",
                    received),
    *(petition_figure(f"petitions.{key}", f"{label}的群众诉求", definition, _state(REPLY_STATES[key]))
      for key, label, definition in (
          ("on_time", "按时答复", "统计期间内收到、所在事项的答复已发布且发布日期不晚于完成时限的群众诉求"),
          ("late", "逾期答复", "统计期间内收到、所在事项的答复已发布但发布日期晚于完成时限的群众诉求"),
          ("pending", "待答复", "统计期间内收到、已由事项办理（受理或归并）而答复尚未发布的群众诉求"))),
    petition_figure("petitions.on_time_rate", "群众诉求按时答复率",
                    "按时答复件数占按时答复与逾期答复件数之和的比例（统计期间内收到的诉求；无完成时限的不计）",
                    _state(REPLY_STATES["on_time"]), total_where=_replied, higher_is_better=True,
                    weak_below=95.0),
    *(petition_figure(f"petitions.{key}", f"评价为{label}的群众诉求", f"统计期间内收到、诉求人评价为{label}的群众诉求",
                      _state(RATINGS[key])) for key, label in RATING_LABELS.items()),
    petition_figure("petitions.satisfaction_rate", "群众诉求满意率",
                    "评价为满意或基本满意的件数占已评价件数的比例（统计期间内收到的诉求）",
                    _state(Q(satisfaction__in=SATISFIED)), total_where=_rated, higher_is_better=True,
                    weak_below=90.0),
)

FIGURES = (
    *PETITIONS,
    talk_figure("talks.count", "谈话", "统计期间内进行的约谈、提醒谈话、函询等谈话（第一种形态）",
                lambda s: s.under("org_path") & s.during("held_on")),
    talk_figure("talks.follow_ups", "待回访的谈话", "当前定有回访日期、尚未登记回访的谈话",
                lambda s: s.under("org_path") & Q(follow_up_on__isnull=False, followed_up_on__isnull=True), stock=True,
                higher_is_better=False),
    finding_figure("findings.open", "未销号的监督检查问题", "当前整改事项尚未销号（备案）的监督检查发现的问题",
                   lambda s: s.under("org_path") & Q(matter__status__in=OPEN_STATUSES), stock=True,
                   higher_is_better=False),
    inspection_figure("inspections.count", "监督检查", "统计期间内进行的监督检查（每个被检查人或科室一次）",
                      lambda s: s.under("org_path") & s.during("held_on")),
)

register(*FIGURES)


# A finding counts by its rectification matter's state, a petition by its matter's deadline and reply, and these
# may lie at other nodes (a matter handled by another unit): a change to one drops the values where they are read.
depends(Matter, lambda matter: Finding.objects.filter(matter_id=matter.pk))
depends(Matter, lambda matter: Petition.objects.filter(matter_id=matter.pk))
depends(PetitionReply, lambda reply: Petition.objects.filter(matter_id=reply.matter_id))

# The 群众监督 figures as the staff figures page shows them: reply states and ratings, each with its figure.
REPLY_KEYS = {key: f"supervision.petitions.{key}" for key in REPLY_STATES}
RATING_KEYS = {key: f"supervision.petitions.{key}" for key in RATING_LABELS}
