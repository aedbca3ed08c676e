"""群众监督 figures by month for the public statistics page, and rates over any set of petitions, counted with the
conditions of the registry figures ``supervision.petitions.*`` (supervision/figures.py, where they are defined in
words): the staff figures page, the petition list's filters (GET ``year``, ``month``, ``replied``,
``satisfaction``) and the public page count the same rows. A fixed number of queries whatever the number of
petitions. 收到件数 by category and by channel per month are the public page's own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth

from dangjian.core.figures import FigureScope, FigureValue, Period, figure_url, get, roots_for, values_for

from .figures import RATING_KEYS, RATING_LABELS, RATINGS, REPLY_KEYS, REPLY_LABELS, REPLY_STATES
from .petition_models import Channel

REPLIED = REPLY_LABELS
SATISFACTION = RATING_LABELS
RECEIVED, ON_TIME_RATE = "supervision.petitions.received", "supervision.petitions.on_time_rate"
SATISFACTION_RATE = "supervision.petitions.satisfaction_rate"


def year_q(year: int) -> Q:
    return Q(received_at__year=year)


def replied_q(which: str) -> Q:
    """The petitions whose reply is ``which`` (on_time | late | pending)."""
    try:
        return REPLY_STATES[which]
    except KeyError:
        raise ValueError(which) from None


def filter_replied(qs, which: str):
    return qs.filter(replied_q(which))


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
    counts = qs.filter(year_q(year)).aggregate(**{key: Count("pk", filter=replied_q(key)) for key in REPLIED})
    return Rate(counts, counts["on_time"], counts["on_time"] + counts["late"])


def satisfaction_rate(qs, year: int) -> Rate:
    """满意率 of the petitions in ``qs`` received in ``year``: (满意 + 基本满意) / 已评价 (one query)."""
    counts = qs.filter(year_q(year)).aggregate(
        **{key: Count("pk", filter=RATINGS[key]) for key in SATISFACTION})
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
    on_time = _monthly_rates(_by_month(qs, year).values("month").annotate(
        **{key: Count("pk", filter=replied_q(key)) for key in REPLIED}).order_by(), REPLIED, ("on_time",))
    rated = _monthly_rates(_by_month(qs, year).values("month").annotate(
        **{key: Count("pk", filter=RATINGS[key]) for key in SATISFACTION}).order_by(),
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


# ---- the staff figures page: the registry's figures over the user's scope -----------------------------------

@dataclass(frozen=True)
class Shown:
    key: str  # on_time, late… (the list's filter value)
    label: str
    value: FigureValue

    @property
    def link(self) -> str:
        return figure_url(self.value.figure.key, period=self.value.scope.period)


def staff_figures(user, year: int) -> dict | None:
    """The year's 群众监督 figures over the user's scope (``petition.view``), read from the registry: every
    petition is counted, a 检举控告 too; its figure page lists it only to those who may read it. None outside."""
    roots = roots_for(user, get(ON_TIME_RATE))
    if not roots:
        return None
    keys = (RECEIVED, ON_TIME_RATE, SATISFACTION_RATE, *REPLY_KEYS.values(), *RATING_KEYS.values())
    values = values_for(keys, FigureScope(roots, Period.year(year)))
    return {
        "received": Shown("received", "收到群众诉求", values[RECEIVED]), "on_time": values[ON_TIME_RATE], "rated": values[SATISFACTION_RATE],
        "reply_rows": [Shown(k, REPLIED[k], values[key]) for k, key in REPLY_KEYS.items()],
        "rating_rows": [Shown(k, SATISFACTION[k], values[key]) for k, key in RATING_KEYS.items()],
    }


def public_totals(agency, year: int) -> dict[str, FigureValue]:
    """The year's totals of the public statistics page, read from the registry for the agency's node (no user: the
    page is anonymous and shows numbers only)."""
    values = values_for((RECEIVED, ON_TIME_RATE, SATISFACTION_RATE), FigureScope((agency.path,), Period.year(year)))
    return {"received": values[RECEIVED], "on_time": values[ON_TIME_RATE], "satisfaction": values[SATISFACTION_RATE]}
