"""Figures of 群众监督, one definition each, shared by the staff figures page, the petition list's filters (GET
``year``, ``month``, ``replied``, ``satisfaction``) and the public statistics page, so that every number and the
list it links to count the same rows. A fixed number of queries whatever the number of petitions.

- a petition counts in the month and year it was received (收到时间, Beijing time), one per source: each member of a
  merged group was replied to, and rates, on its own;
- 按时答复 (``on_time``): its group's reply was published on or before the matter's 完成时限 (due_on);
  逾期答复 (``late``): published after it; 待答复 (``pending``): handled by a matter (accepted, or merged into an
  accepted group), reply not yet published;
  the on-time rate is on_time / (on_time + late);
- 满意度: 满意 / 基本满意 / 不满意 as the petitioner rated the reply; the rate is (满意 + 基本满意) / rated;
- 收到件数 by category and by channel per month (public page).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth, TruncDate

from .petition_models import Channel, Petition, ReplyStatus

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

    @property
    def shown(self) -> str:
        """The rate as a page shows it: “87.5%”, or “—” with nothing to divide by."""
        return "—" if self.percent is None else f"{self.percent}%"


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


# ---- per month of a year (the public statistics page) ------------------------------------------------------

MONTHS = range(1, 13)
UNCATEGORISED = "未分类"


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
        row = rows.setdefault(item["key"], Row(label_of(item)))
        row.months[item["month"] - 1] += item["n"]
    return [rows[k] for k in sorted(rows, key=order)]


def _by_month(qs, year: int):
    return qs.filter(year_q(year)).annotate(month=ExtractMonth("received_at"))


def received_by_category(qs, year: int) -> list[Row]:
    """收到件数 per category (未分类 last), in the categories' own order."""
    counts = list(_by_month(qs, year).values("month", key=F("category_id"), name=F("category__name"),
                                             order=F("category__order")).annotate(n=Count("id")).order_by())
    orders = {item["key"]: (item["key"] is None, item["order"] or 0, item["key"] or 0) for item in counts}
    return _rows(counts, lambda item: item["name"] or UNCATEGORISED, lambda k: orders[k])


def received_by_channel(qs, year: int) -> list[Row]:
    """收到件数 per channel, in the channels' order."""
    counts = _by_month(qs, year).values("month", key=F("channel")).annotate(n=Count("id")).order_by()
    labels = dict(Channel.choices)
    order = {value: i for i, value in enumerate(Channel.values)}
    return _rows(counts, lambda item: labels.get(item["key"], item["key"]), lambda k: order.get(k, len(order)))


def _monthly_rates(rows, keys, numerator_keys) -> list[Rate]:
    by_month = {row["month"]: row for row in rows}
    rates = []
    for m in MONTHS:
        counts = {k: by_month.get(m, {}).get(k, 0) for k in keys}
        rates.append(Rate(counts, sum(counts[k] for k in numerator_keys),
                          sum(counts[k] for k in keys if k != "pending")))
    return rates


def _total(months: list[Rate], numerator_keys) -> Rate:
    counts = {k: sum(r.counts[k] for r in months) for k in months[0].counts}
    return Rate(counts, sum(counts[k] for k in numerator_keys), sum(v for k, v in counts.items() if k != "pending"))


def public_figures(qs, year: int) -> dict:
    """Every figure of the public statistics page, per month received (4 queries); the year's totals equal
    on_time_reply_rate and satisfaction_rate."""
    by_category = received_by_category(qs, year)
    on_time = _monthly_rates(with_reply_day(_by_month(qs, year)).values("month").annotate(
        **{key: Count("pk", filter=replied_q(key)) for key in REPLIED}).order_by(), REPLIED, ("on_time",))
    rated = _monthly_rates(_by_month(qs, year).values("month").annotate(
        **{key: Count("pk", filter=Q(satisfaction=key)) for key in SATISFACTION}).order_by(),
        SATISFACTION, ("satisfied", "basic"))
    received = [sum(r.months[i] for r in by_category) for i in range(12)]
    rating_rows = [Row(label, [r.counts[key] for r in rated]) for key, label in SATISFACTION.items() if key]
    return {
        "monthly": [{"month": m, "received": received[m - 1], "on_time": on_time[m - 1],
                     "satisfied": rated[m - 1]} for m in MONTHS],
        "by_category": by_category,
        "by_channel": received_by_channel(qs, year),
        "received": Row("合计", received),
        "on_time": _total(on_time, ("on_time",)),
        "satisfaction": _total(rated, ("satisfied", "basic")),
        "rating_rows": rating_rows,
    }
