"""群众监督 figures per month of a year, as functions of (petitions, year): the public statistics page passes
every petition of the agency, staff pages pass what the user may see (``visible_to``), and both get the same
figures. A fixed number of queries whatever the number of petitions. Months are those of the local time.

* 收到件数 by category and by channel: petitions received (每一来源一件: merged sources count one each) in the
  month;
* 按时答复率: of the petition groups (an original and its duplicates, handled by one Matter) whose reply was
  published in the month and whose matter has a deadline, those published on or before the deadline (due_on);
* 满意率: of the petitions rated in the month, those rated 满意 or 基本满意; the counts of each rating too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth

from .petition_models import Channel, PetitionReply, ReplyStatus

MONTHS = range(1, 13)
UNCATEGORISED = "未分类"


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> str:
        return f"{100 * self.numerator / self.denominator:.1f}%" if self.denominator else "—"


@dataclass
class Row:
    """One label's count per month (index 0 = January) and over the year."""

    label: str
    months: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def total(self) -> int:
        return sum(self.months)


def _rows(counts, label_of, order) -> list[Row]:
    rows: dict = {}
    for item in counts:
        key = item["key"]
        row = rows.setdefault(key, Row(label_of(item)))
        row.months[item["month"] - 1] += item["n"]
    return [rows[k] for k in sorted(rows, key=order)]


def received_by_category(petitions, year: int) -> list[Row]:
    """收到件数 per category (未分类 last), in the categories' own order."""
    counts = list(petitions.filter(received_at__year=year).annotate(month=ExtractMonth("received_at"))
                  .values("month", key=F("category_id"), name=F("category__name"), order=F("category__order"))
                  .annotate(n=Count("id")).order_by())
    orders = {}
    for item in counts:
        orders[item["key"]] = (item["key"] is None, item["order"] or 0, item["key"] or 0)
    return _rows(counts, lambda item: item["name"] or UNCATEGORISED, lambda k: orders[k])


def received_by_channel(petitions, year: int) -> list[Row]:
    """收到件数 per channel, in the channels' order."""
    counts = (petitions.filter(received_at__year=year).annotate(month=ExtractMonth("received_at"))
              .values("month", key=F("channel")).annotate(n=Count("id")).order_by())
    labels = dict(Channel.choices)
    order = {value: i for i, value in enumerate(Channel.values)}
    return _rows(counts, lambda item: labels.get(item["key"], item["key"]), lambda k: order.get(k, len(order)))


def published_replies(petitions, year: int):
    """The replies behind the on-time rate: published in the year, for a matter that handles one of the
    petitions and has a deadline (one reply per matter, so one per group)."""
    return PetitionReply.objects.filter(
        status=ReplyStatus.PUBLISHED, published_at__year=year, matter__due_on__isnull=False,
        matter_id__in=petitions.filter(matter__isnull=False).values("matter_id"))


def on_time_replies(petitions, year: int) -> tuple[list[Rate], Rate]:
    """按时答复率 per month of publication, and over the year."""
    counts = {item["month"]: item for item in (
        published_replies(petitions, year).annotate(month=ExtractMonth("published_at")).values("month")
        .annotate(replied=Count("id"), on_time=Count("id", filter=Q(published_at__date__lte=F("matter__due_on"))))
        .order_by())}
    months = [Rate(counts[m]["on_time"], counts[m]["replied"]) if m in counts else Rate(0, 0) for m in MONTHS]
    return months, Rate(sum(r.numerator for r in months), sum(r.denominator for r in months))


SATISFIED = ("satisfied", "basic")


@dataclass
class Satisfaction:
    counts: dict[str, Row]  # per rating value: 满意, 基本满意, 不满意
    months: list[Rate]
    total: Rate


def satisfaction(petitions, year: int) -> Satisfaction:
    """满意率 per month of the rating, the counts of each rating, and over the year."""
    labels = dict(petitions.model._meta.get_field("satisfaction").choices)
    rows = {value: Row(label) for value, label in labels.items() if value}
    for item in (petitions.filter(rated_at__year=year).exclude(satisfaction="")
                 .annotate(month=ExtractMonth("rated_at")).values("month", "satisfaction")
                 .annotate(n=Count("id")).order_by()):
        rows[item["satisfaction"]].months[item["month"] - 1] += item["n"]
    months = [Rate(sum(rows[v].months[i] for v in SATISFIED), sum(r.months[i] for r in rows.values()))
              for i in range(12)]
    return Satisfaction(rows, months, Rate(sum(r.numerator for r in months), sum(r.denominator for r in months)))


def public_figures(petitions, year: int) -> dict:
    """Every figure of the public statistics page (4 queries)."""
    by_category = received_by_category(petitions, year)
    on_time_months, on_time_total = on_time_replies(petitions, year)
    rated = satisfaction(petitions, year)
    received = [sum(r.months[i] for r in by_category) for i in range(12)]
    return {
        "monthly": [{"month": m, "received": received[m - 1], "on_time": on_time_months[m - 1],
                     "satisfied": rated.months[m - 1]} for m in MONTHS],
        "by_category": by_category,
        "by_channel": received_by_channel(petitions, year),
        "received": Row("合计", received),
        "on_time_months": on_time_months, "on_time": on_time_total,
        "satisfaction": rated,
    }
