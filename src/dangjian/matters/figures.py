"""Figures for the annual report, each with the records behind it (traceability).

Every figure function returns a :class:`Figure` holding the value, the numerator and denominator
querysets, so that the figures page links each number to the matters it counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import Contact, Satisfaction, Status


@dataclass
class Figure:
    key: str
    label: str
    numerator: QuerySet
    denominator: QuerySet | None = None
    note: str = ""
    known: tuple[int, int | None] | None = None  # (count, total) when computed together (year_figures)

    @property
    def count(self) -> int:
        return self.known[0] if self.known else self.numerator.count()

    @property
    def total(self) -> int | None:
        if self.known:
            return self.known[1]
        return None if self.denominator is None else self.denominator.count()

    @property
    def value(self) -> str:
        if self.denominator is None:
            return str(self.count)
        total = self.total
        return "—" if not total else f"{self.count * 100 / total:.1f}%"


PROPOSALS = ("npc", "cppcc")


def _year_q(year: int) -> Q:
    return Q(received_on__year=year)


def replies(matters: QuerySet, year: int) -> Figure:
    """办理市委、市政府各项回复 X 项: assigned matters replied (submitted or closed) in the year."""
    replied = matters.filter(kind="assigned", submitted_on__year=year)
    return Figure("replies", "交办事项回复（项）", replied, note="当年提交办结或已销号的交办事项")


def proposals_handled(matters: QuerySet, year: int) -> Figure:
    base = matters.filter(_year_q(year), kind__in=PROPOSALS)
    return Figure("proposals", "人大建议、政协提案（件）", base)


def completion_rate(matters: QuerySet, year: int) -> Figure:
    base = matters.filter(_year_q(year), kind__in=PROPOSALS)
    return Figure("completion", "办结率", base.filter(status=Status.CLOSED), base)


def on_time_rate(matters: QuerySet, year: int) -> Figure:
    replied = matters.filter(_year_q(year), kind__in=PROPOSALS, replied_on__isnull=False)
    return Figure("on_time", "按期答复率", replied.filter(replied_on__lte=F("due_on")), replied,
                  note="答复日期不晚于完成时限")


def meeting_rate(matters: QuerySet, year: int) -> Figure:
    base = matters.filter(_year_q(year), kind__in=PROPOSALS)
    met = base.filter(pk__in=Contact.objects.filter(kind=Contact.Kind.MEETING).values("matter_id"))
    return Figure("meeting", "面商率", met, base)


def satisfaction_rate(matters: QuerySet, year: int) -> Figure:
    answered = matters.filter(_year_q(year), kind__in=PROPOSALS).exclude(satisfaction="")
    good = answered.filter(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
    return Figure("satisfaction", "代表委员满意率", good, answered, note="满意与基本满意占已表态件数的比例")


FIGURES = {f.__name__: f for f in (replies, proposals_handled, completion_rate, on_time_rate, meeting_rate,
                                    satisfaction_rate)}
KEYS = {"replies": replies, "proposals": proposals_handled, "completion": completion_rate,
        "on_time": on_time_rate, "meeting": meeting_rate, "satisfaction": satisfaction_rate}


def year_figures(matters: QuerySet, year: int) -> list[Figure]:
    """All the year's figures; their numbers from one aggregate query (the querysets stay for the records)."""
    figures = [build(matters, year) for build in KEYS.values()]
    base = Q(_year_q(year), kind__in=PROPOSALS)
    replied = base & Q(replied_on__isnull=False)
    answered = base & ~Q(satisfaction="")
    met = Q(pk__in=Contact.objects.filter(kind=Contact.Kind.MEETING).values("matter_id"))
    counts = matters.filter(base | Q(kind="assigned", submitted_on__year=year)).aggregate(
        replies=Count("pk", filter=Q(kind="assigned", submitted_on__year=year)),
        proposals=Count("pk", filter=base),
        closed=Count("pk", filter=base & Q(status=Status.CLOSED)),
        replied=Count("pk", filter=replied),
        on_time=Count("pk", filter=replied & Q(replied_on__lte=F("due_on"))),
        met=Count("pk", filter=base & met),
        answered=Count("pk", filter=answered),
        good=Count("pk", filter=answered & Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
    )
    known = {"replies": (counts["replies"], None), "proposals": (counts["proposals"], None),
             "completion": (counts["closed"], counts["proposals"]), "on_time": (counts["on_time"], counts["replied"]),
             "meeting": (counts["met"], counts["proposals"]), "satisfaction": (counts["good"], counts["answered"])}
    for f in figures:
        f.known = known[f.key]
    return figures


def year_of(day: dt.date | None) -> int:
    return (day or timezone.localdate()).year
