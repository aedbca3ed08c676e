"""Supervision cadence (工作汇报一(四)：一周一督办，半月一小结，一月一总结).

The weekly 督办单 lists every open matter with its owner and responsible leader, notifies each of
them once with their own counts, and is kept (SupervisionSheet + SupervisionItem). Summaries count
what was opened, closed, closed on time and overdue in the period, by kind and org, with the items
behind each figure, as an official .docx. Both stream over the matters in chunks: never all in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from dangjian.core import rule_settings
from dangjian.core.documents import OfficialDocument, cn_date
from dangjian.core.notify import notify_many
from dangjian.orgs.models import Person

from . import kinds
from .models import OPEN_STATUSES, Matter, Status, SupervisionItem, SupervisionSheet, handoff_late_q

CHUNK = 5000


def _period_start(period: str, end: dt.date) -> dt.date:
    if period == SupervisionSheet.Period.WEEK:
        return end - dt.timedelta(days=6)
    if period == SupervisionSheet.Period.HALF_MONTH:
        return end.replace(day=1) if end.day <= 15 else end.replace(day=16)
    return end.replace(day=1)


def issue_weekly_sheet(today: dt.date, *, notify_people: bool = True) -> SupervisionSheet:
    """督办单 of ``today``: one line per open matter; each owner and leader told their own counts.

    The lines are copied inside the database (INSERT … SELECT) and the counts come from GROUP BY
    queries (one row per person), so a million open matters never pass through Python one by one.
    Idempotent per day: issuing twice the same day returns the sheet already kept.
    """
    existing = SupervisionSheet.objects.filter(period=SupervisionSheet.Period.WEEK, end=today).first()
    if existing is not None:
        return existing
    open_matters = Matter.objects.filter(status__in=OPEN_STATUSES).order_by()
    with transaction.atomic():
        sheet = SupervisionSheet.objects.create(period=SupervisionSheet.Period.WEEK, start=today - dt.timedelta(days=6),
                                                end=today)
        _copy_lines(sheet, today)
        # One pass over the open matters for the sheet's own figures.
        per_kind = list(open_matters.values_list("kind").annotate(
            n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)),
            handoff=Count("pk", filter=handoff_late_q(today))))
        by_kind = {k: n for k, n, _, _ in per_kind}
        overdue = sum(late for _, _, late, _ in per_kind)
        handoff_late = sum(h for _, _, _, h in per_kind)
        owners = _counts(open_matters, "owner_id", today)
        leaders = _counts(open_matters, "responsible_leader_id", today)
        sheet.figures = {"open": sum(by_kind.values()), "overdue": overdue, "handoff_late": handoff_late,
                         "owners": len(owners), "leaders": len(leaders),
                         "by_kind": {k: by_kind[k] for k in kinds.KINDS if k in by_kind}}
        sheet.save(update_fields=["figures"])
    if notify_people:
        _notify(sheet, owners, "您负责的在办事项", "owner")
        _notify(sheet, leaders, "您分管的在办事项", "leader")
    return sheet


def _copy_lines(sheet: SupervisionSheet, today: dt.date) -> None:
    item, matter = SupervisionItem._meta.db_table, Matter._meta.db_table
    statuses = [str(s) for s in OPEN_STATUSES]
    marks = ", ".join(["%s"] * len(statuses))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {item} (sheet_id, matter_id, org_id, org_path, owner_id, leader_id, status, due_on, overdue, "
            f"handoff_late, version, created_at, updated_at) "
            f"SELECT %s, id, org_id, org_path, owner_id, responsible_leader_id, status, due_on, "
            f"(due_on IS NOT NULL AND due_on < %s), "
            # 交办超时, as models.handoff_late_q: handed off late, or still 登记 after its hand-off day.
            f"(handoff_due_on IS NOT NULL AND (handoff_late OR (status = %s AND handoff_due_on < %s))), "
            f"1, %s, %s FROM {matter} WHERE status IN ({marks})",
            [sheet.pk, today, str(Status.REGISTERED), today, now, now, *statuses])


def _counts(open_matters, field: str, today: dt.date) -> dict[int, tuple[int, int]]:
    """person id → (open, overdue), from one GROUP BY.

    Read in one go, not through a server-side cursor: the result is one small row per person and is kept
    whole in the dict anyway, and PostgreSQL plans a cursor for its first rows and without parallel workers
    (2 s instead of 0.55 s per GROUP BY over 600,000 open matters)."""
    rows = (open_matters.exclude(**{field: None}).values_list(field)
            .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today))))
    return {pid: (n, late) for pid, n, late in rows}


def _notify(sheet, counts: dict[int, tuple[int, int]], what: str, role: str) -> None:
    ids = list(counts)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with transaction.atomic():  # one commit per chunk of in-app notes, not one per person
            _notify_chunk(sheet, counts, chunk, what, role)


def _notify_chunk(sheet, counts, chunk, what: str, role: str) -> None:
    def items():
        # Only what a notification needs: loading whole people would decrypt every ID number and phone.
        people = (Person.objects.filter(pk__in=chunk, user__isnull=False).select_related("user")
                  .only("pk", "user__id", "user__email", "user__is_active", "user__notify_by_email"))
        for person in people:
            n, late = counts[person.pk]
            body = f"{what}共 {n} 项" + (f"，其中已超期 {late} 项，请抓紧办理。" if late else "，请按期办结。")
            title = f"督办单（{cn_date(sheet.end)}）：{what} {n} 项" + (f"，超期 {late} 项" if late else "")
            yield person.user, title, body, f"/matters/supervision/{sheet.pk}/?mine={role}"

    notify_many(items(), category="matter.supervision")


# ---- summaries (半月一小结、一月一总结) ---------------------------------------------------------------

def summary_querysets(start: dt.date, end: dt.date) -> dict:
    """The figures of a period, each as the queryset of the matters behind it."""
    base = Matter.objects.all()
    closed = base.filter(closed_on__range=(start, end))
    return {
        "opened": ("新登记", base.filter(received_on__range=(start, end))),
        "closed": ("已销号", closed),
        "on_time": ("按期销号", closed.filter(Q(due_on__isnull=True) | Q(closed_on__lte=F("due_on")))),
        "late": ("超期销号", closed.filter(closed_on__gt=F("due_on"))),
        "overdue": ("截至期末超期未办结", base.filter(received_on__lte=end, due_on__lt=end).filter(
            Q(status__in=OPEN_STATUSES) | Q(closed_on__gt=end))),
    }


def build_summary(period: str, end: dt.date) -> SupervisionSheet:
    """A 小结/总结 for the period ending ``end``: figures by kind and org, the items listed, as .docx."""
    start = _period_start(period, end)
    sets = summary_querysets(start, end)
    limit = rule_settings.get("matters.summary_item_limit")
    title = f"事项督办{'半月小结' if period == SupervisionSheet.Period.HALF_MONTH else '月度总结'}"
    doc = OfficialDocument(title)
    doc.paragraph(f"统计期间：{cn_date(start)}至{cn_date(end)}。按照“一周一督办、半月一小结、一月一总结”的要求，"
                  f"现将本期事项办理情况小结如下。")
    figures = {key: qs.count() for key, (_, qs) in sets.items()}
    doc.heading1("一、总体情况")
    doc.paragraph("；".join(f"{name}{figures[key]}项" for key, (name, _) in sets.items()) + "。")
    doc.heading1("二、分类别情况")
    kind_rows = _grouped(sets, "kind")
    doc.table(["类别"] + [name for name, _ in sets.values()],
              [[kinds.KINDS[k].label if k in kinds.KINDS else k] + row for k, row in kind_rows])
    doc.heading1("三、分组织情况")
    org_rows = _grouped(sets, "org__name")
    doc.table(["组织"] + [name for name, _ in sets.values()], [[k] + row for k, row in org_rows])
    doc.heading1("四、各项数字对应的事项")
    for n, (key, (name, qs)) in enumerate(sets.items(), start=1):
        doc.heading2(f"（{'一二三四五六七八九十'[n - 1]}）{name}（{figures[key]}项）")
        items = list(qs.select_related("org", "owner").order_by("due_on", "pk")[:limit])
        if not items:
            doc.paragraph("无。")
            continue
        doc.table(["序号", "事项", "组织", "责任人", "完成时限", "状态"],
                  [[i, m.title, m.org.name, str(m.owner or ""), m.due_on, m.get_status_display()]
                   for i, m in enumerate(items, start=1)])
        if figures[key] > limit:
            doc.paragraph(f"（以上列出前 {limit} 项，共 {figures[key]} 项，完整清单见系统“事项督办”。）")
    doc.signature("事项督办工作专班", end)
    sheet, _ = SupervisionSheet.objects.update_or_create(
        period=period, end=end, defaults={"start": start, "figures": figures, "document": doc.to_bytes()})
    return sheet


def _grouped(sets: dict, field: str) -> list[tuple[str, list[int]]]:
    table: dict[str, list[int]] = defaultdict(lambda: [0] * len(sets))
    for i, (_, qs) in enumerate(sets.values()):
        for row in qs.order_by().values(field).annotate(n=Count("pk")):
            table[row[field]][i] = row["n"]
    return sorted(table.items(), key=lambda kv: -sum(kv[1]))


def previous_half_month_end(today: dt.date) -> dt.date:
    """The end of the half month that has just finished (run on the 1st and the 16th)."""
    if today.day > 15:
        return today.replace(day=15)
    return today.replace(day=1) - dt.timedelta(days=1)


def previous_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def is_supervision_day(today: dt.date) -> bool:
    return today.isoweekday() == rule_settings.get("matters.supervision_weekday")

