"""Figures of 群众监督: the on-time reply rate and the satisfaction rate, per year.

One definition each, shared by the figures page and the petition list's filters (GET ``year``, ``replied``,
``satisfaction``), so that each number and the list it links to count the same rows:

- a petition counts in the year it was received (收到时间, Beijing time), one per source: each member of a merged
  group was replied to, and rates, on its own;
- 按时答复 (``on_time``): its group's reply was published on or before the matter's 完成时限 (due_on);
  逾期答复 (``late``): published after it; 待答复 (``pending``): handled by a matter (accepted, or merged into an
  accepted group), reply not yet published;
  the on-time rate is on_time / (on_time + late);
- 满意度: 满意 / 基本满意 / 不满意 as the petitioner rated the reply; the rate is (满意 + 基本满意) / rated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from .petition_models import Petition, ReplyStatus

_PUBLISHED = "matter__petition_reply__published_at"
_PUBLISHED_STATUS = "matter__petition_reply__status"

REPLIED = {"on_time": "按时答复", "late": "逾期答复", "pending": "待答复"}
SATISFACTION = dict(Petition._meta.get_field("satisfaction").choices)


def year_q(year: int) -> Q:
    return Q(received_at__year=year)


def replied_q(which: str) -> Q:
    """The petitions whose reply is ``which`` (on_time | late | pending); use on a queryset annotated by
    :func:`with_reply_day`."""
    published = Q(**{_PUBLISHED_STATUS: ReplyStatus.PUBLISHED})
    if which == "pending":
        return Q(matter__isnull=False) & ~published
    if which == "on_time":
        return published & Q(reply_day__lte=F("matter__due_on"))
    if which == "late":
        return published & Q(reply_day__gt=F("matter__due_on"))
    raise ValueError(which)


def with_reply_day(qs):
    """The day (Beijing time) the petition's group reply was published, as ``reply_day``."""
    return qs.annotate(reply_day=TruncDate(_PUBLISHED))


def filter_replied(qs, which: str):
    return with_reply_day(qs).filter(replied_q(which))


@dataclass(frozen=True)
class Rate:
    counts: dict[str, int]  # by key (on_time/late/pending, or satisfied/basic/unsatisfied)
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


def on_time_reply_rate(qs, year: int) -> Rate:
    """按时答复率 of the petitions in ``qs`` received in ``year`` (one query)."""
    counts = with_reply_day(qs.filter(year_q(year))).aggregate(
        **{key: Count("pk", filter=replied_q(key)) for key in REPLIED})
    return Rate(counts, counts["on_time"], counts["on_time"] + counts["late"])


def satisfaction_rate(qs, year: int) -> Rate:
    """满意率 of the petitions in ``qs`` received in ``year``: (满意 + 基本满意) / 已评价 (one query)."""
    counts = qs.filter(year_q(year)).aggregate(
        **{key: Count("pk", filter=Q(satisfaction=key)) for key in SATISFACTION})
    return Rate(counts, counts["satisfied"] + counts["basic"], sum(counts.values()))
