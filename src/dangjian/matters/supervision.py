"""Supervision cadence (工作汇报一(四)：一周一督办，半月一小结，一月一总结).

The weekly 督办单 lists every open matter with its owner and responsible leader, notifies each of
them once with their own counts, and is kept (SupervisionSheet + SupervisionLines, one row per unit and
责任人; older years archived, see ``archive_year``). Summaries state the registry's figures of the period
(matters received, closed, closed on time or late, overdue at its end; matters/figures.py), by kind and org,
with the items behind each figure, as an official .docx whose numbers link to their figure pages. Both stream over the matters in chunks: never all in memory.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import hashlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dangjian.core import audit, figure_summaries, figures, rule_settings
from dangjian.core.documents import OfficialDocument, cn_date, cn_ordinal
from dangjian.core.figure_summaries import SummaryLine
from dangjian.core.figures import FigureScope, Period
from dangjian.core.notify import notify_many
from dangjian.orgs.models import Org, Person

from . import kinds
from .models import OPEN_STATUSES, Matter, Status, SupervisionLines, SupervisionSheet, handoff_late_q

CHUNK = 5000


def _period_start(period: str, end: dt.date) -> dt.date:
    if period == SupervisionSheet.Period.WEEK:
        return end - dt.timedelta(days=6)
    if period == SupervisionSheet.Period.HALF_MONTH:
        return end.replace(day=1) if end.day <= 15 else end.replace(day=16)
    return end.replace(day=1)


def issue_weekly_sheet(today: dt.date, *, notify_people: bool = True) -> SupervisionSheet:
    """督办单 of ``today``: the open matters as they stand, each owner and leader told their own counts.

    The sheet, its lines and its notifications are written in one transaction: a crash leaves all or
    nothing, and the e-mail copies go out only after the commit (core.notify). Safe to run twice: a sheet
    already kept for the day is not issued again, but its notifications are written if they are missing
    (a run that ended before them, or one issued with ``notify_people=False`` and run again for real).
    The lines are copied inside the database (INSERT … SELECT … GROUP BY) and the counts are GROUP BY
    queries over the sheet's own rows, so a million open matters never pass through Python one by one.
    """
    with transaction.atomic():
        sheet = (SupervisionSheet.objects.select_for_update()
                 .filter(period=SupervisionSheet.Period.WEEK, end=today).first())
        if sheet is None:
            sheet = _issue(today)
        if notify_people and sheet.notified_at is None:
            _notify(sheet, _owner_counts(sheet), "您负责的在办事项", "owner")
            _notify(sheet, _leader_counts(sheet), "您分管的在办事项", "leader")
            sheet.notified_at = timezone.now()
            sheet.save(update_fields=["notified_at"])
    return sheet


def _issue(today: dt.date) -> SupervisionSheet:
    open_matters = Matter.objects.filter(status__in=OPEN_STATUSES).order_by()
    sheet = SupervisionSheet.objects.create(period=SupervisionSheet.Period.WEEK, start=today - dt.timedelta(days=6),
                                            end=today)
    copy_lines(sheet, today)
    # One pass over the open matters for the sheet's own figures.
    per_kind = list(open_matters.values_list("kind").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)),
        handoff=Count("pk", filter=handoff_late_q(today))))
    by_kind = {k: n for k, n, _, _ in per_kind}
    sheet.figures = {"open": sum(by_kind.values()), "overdue": sum(late for _, _, late, _ in per_kind),
                     "handoff_late": sum(h for _, _, _, h in per_kind),
                     "owners": open_matters.exclude(owner=None).values("owner").distinct().count(),
                     "leaders": open_matters.exclude(responsible_leader=None).values("responsible_leader")
                     .distinct().count(),
                     "by_kind": {k: by_kind[k] for k in kinds.KINDS if k in by_kind}}
    sheet.save(update_fields=["figures"])
    return sheet


# One line: [matter id, 责任领导 id, status, 完成时限 (ISO date), 交办超时 (0/1)], in 完成时限 order.
_LINE_SQL = {
    "sqlite": ("json_group_array(json_array(id, responsible_leader_id, status, due_on, hl))",
               "',' || COALESCE(group_concat(DISTINCT responsible_leader_id), '') || ','"),
    "postgresql": ("json_agg(json_build_array(id, responsible_leader_id, status, due_on, hl) "
                   "ORDER BY due_on NULLS LAST, id)::jsonb",
                   "',' || COALESCE(string_agg(DISTINCT responsible_leader_id::text, ','), '') || ','"),
}


def copy_lines(sheet: SupervisionSheet, today: dt.date) -> None:
    table, matter = SupervisionLines._meta.db_table, Matter._meta.db_table
    lines, leaders = _LINE_SQL[connection.vendor]
    statuses = [str(s) for s in OPEN_STATUSES]
    marks = ", ".join(["%s"] * len(statuses))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (sheet_id, org_id, org_path, owner_id, count, overdue, handoff_late, leaders, lines, "
            f"version, created_at, updated_at) "
            f"SELECT %s, org_id, org_path, owner_id, COUNT(*), SUM(od), SUM(hl), {leaders}, {lines}, 1, %s, %s "
            f"FROM (SELECT id, org_id, org_path, owner_id, responsible_leader_id, status, due_on, "
            f"CASE WHEN due_on IS NOT NULL AND due_on < %s THEN 1 ELSE 0 END AS od, "
            # 交办超时, as models.handoff_late_q: handed off late, or still 登记 after its hand-off day.
            f"CASE WHEN handoff_due_on IS NOT NULL AND (handoff_late OR (status = %s AND handoff_due_on < %s)) "
            f"THEN 1 ELSE 0 END AS hl "
            f"FROM {matter} WHERE status IN ({marks}) ORDER BY due_on, id) m "
            f"GROUP BY org_id, org_path, owner_id",
            [sheet.pk, now, now, today, str(Status.REGISTERED), today, *statuses])


# Per 责任领导, over the sheet's lines: the JSON array expanded in the database.
_LEADER_SQL = {
    "sqlite": "SELECT json_extract(j.value, '$[1]') AS leader, COUNT(*), "
              "SUM(CASE WHEN json_extract(j.value, '$[3]') < %s THEN 1 ELSE 0 END) "
              "FROM {table} t, json_each(t.lines) j WHERE t.sheet_id = %s AND leader IS NOT NULL GROUP BY leader",
    "postgresql": "SELECT (j.value->>1)::bigint AS leader, COUNT(*), "
                  "SUM(CASE WHEN j.value->>3 < %s THEN 1 ELSE 0 END) "
                  "FROM {table} t, jsonb_array_elements(t.lines) j(value) "
                  "WHERE t.sheet_id = %s AND j.value->>1 IS NOT NULL GROUP BY 1",
}


def _owner_counts(sheet: SupervisionSheet) -> dict[int, tuple[int, int]]:
    """person id → (open, overdue) as 责任人, from the sheet's rows (not today's matters)."""
    rows = (SupervisionLines.objects.filter(sheet=sheet).exclude(owner=None).order_by().values_list("owner_id")
            .annotate(n=Sum("count"), late=Sum("overdue")))
    return {pid: (n, late) for pid, n, late in rows}


def _leader_counts(sheet: SupervisionSheet) -> dict[int, tuple[int, int]]:
    """person id → (open, overdue) as 责任领导, from the sheet's lines."""
    sql = _LEADER_SQL[connection.vendor].format(table=SupervisionLines._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sheet.end.isoformat(), sheet.pk])
        return {int(pid): (n, late) for pid, n, late in cursor.fetchall()}


def _notify(sheet, counts: dict[int, tuple[int, int]], what: str, role: str) -> None:
    ids = list(counts)
    for start in range(0, len(ids), CHUNK):  # chunks bound the memory; all in the caller's transaction
        _notify_chunk(sheet, counts, ids[start:start + CHUNK], what, role)


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


# ---- reading a sheet's lines ----------------------------------------------------------------------

@dataclass
class SheetLine:
    """One line of a weekly sheet, as the pages, the .docx and the archive read it."""

    matter_id: int
    title: str
    org: object
    owner: object
    leader: object
    status: str
    due_on: dt.date | None
    overdue: bool
    handoff_late: bool

    def get_status_display(self) -> str:
        return Status(self.status).label if self.status in Status.values else self.status


def leader_filter(person_id: int) -> Q:
    return Q(leaders__contains=f",{person_id},")


def expand(rows, sheet: SupervisionSheet, *, leader_id: int | None = None) -> list[SheetLine]:
    """The lines of ``rows`` (SupervisionLines with org and owner loaded), with the matters' titles and the
    leaders' names in two queries; only the lines of ``leader_id`` when given. Sorted as the sheet is read:
    交办超时 first, then overdue, then by 完成时限."""
    raw = [(row, line) for row in rows for line in row.lines if leader_id is None or line[1] == leader_id]
    titles = dict(Matter.objects.filter(pk__in={line[0] for _, line in raw}).values_list("pk", "title"))
    leaders = Person.objects.only("pk", "name").in_bulk({line[1] for _, line in raw if line[1]})
    out = []
    for row, (mid, lid, status, due, late) in raw:
        due_on = dt.date.fromisoformat(due) if due else None
        out.append(SheetLine(mid, titles.get(mid, "（事项已删除）"), row.org, row.owner, leaders.get(lid), status,
                             due_on, bool(due_on and due_on < sheet.end), bool(late)))
    out.sort(key=lambda line: (not line.handoff_late, not line.overdue, line.due_on or dt.date.max, line.matter_id))
    return out


def sheet_docx(sheet: SupervisionSheet, rows, *, limit: int) -> bytes:
    """The weekly 督办单 as an official .docx: the sheet's figures, then the lines (within ``rows``, the
    reader's scope) by 责任人, at most ``limit`` of them."""
    doc = OfficialDocument(f"事项督办单（{cn_date(sheet.end)}）")
    f = sheet.figures
    doc.paragraph(f"按照“一周一督办”的要求，截至{cn_date(sheet.end)}，在办事项{f.get('open', 0)}项，其中已超期"
                  f"{f.get('overdue', 0)}项、要事交办超时{f.get('handoff_late', 0)}项，涉及责任人{f.get('owners', 0)}名、"
                  f"责任领导{f.get('leaders', 0)}名。现将在办事项督办如下，请各责任人抓紧办理、按期办结。")
    lines = expand(rows, sheet)
    total = len(lines)
    lines.sort(key=lambda line: (str(line.owner or ""), not line.overdue, line.due_on or dt.date.max))
    if not lines:
        doc.paragraph("本期没有需要督办的事项。")
    else:
        doc.table(["序号", "事项", "组织", "责任人", "责任领导", "完成时限", "状态"],
                  [[i, line.title + ("（交办超时）" if line.handoff_late else ""), line.org.name,
                    str(line.owner or "—"), str(line.leader or "—"),
                    (f"{line.due_on}（已超期）" if line.overdue else line.due_on) or "—", line.get_status_display()]
                   for i, line in enumerate(lines[:limit], start=1)])
        if total > limit:
            doc.paragraph(f"（以上列出前 {limit} 项，共 {total} 项，完整清单见系统“事项督办—督办单”。）")
    doc.signature("事项督办工作专班", sheet.end)
    return doc.to_bytes()


# ---- summaries (半月一小结、一月一总结) ---------------------------------------------------------------

# The numbers of a summary, by the short names its text and tables use, each a figure of the registry; the
# snapshot (SupervisionSheet.figures) keeps them under these names.
SUMMARY = (("opened", "新登记", "matters.received"), ("closed", "已销号", "matters.closed"),
           ("on_time", "按期销号", "matters.closed_on_time"), ("late", "超期销号", "matters.closed_late"),
           ("overdue", "截至期末超期未办结", "matters.overdue_at_end"))


def summary_period(period: str, end: dt.date) -> Period:
    """The registry's period of a summary ending ``end``: the half month or month, or the part of it so far."""
    start = _period_start(period, end)
    last = calendar.monthrange(end.year, end.month)[1]
    if period == SupervisionSheet.Period.HALF_MONTH and end.day in (15, last):
        return Period.half_month(end.year, end.month, 1 if end.day == 15 else 2)
    if period == SupervisionSheet.Period.MONTH and end.day == last:
        return Period.month(end.year, end.month)
    return Period.between(start, end)


def summary_scope(period: Period) -> tuple[FigureScope, int | None]:
    """A summary counts the whole tree: the scope of its figures, and the root to name in their links."""
    roots = list(Org.get_root_nodes().values_list("pk", "path"))
    return FigureScope(tuple(path for _, path in roots), period), (roots[0][0] if len(roots) == 1 else None)


def summary_lines(sheet: SupervisionSheet) -> list[SummaryLine]:
    """A kept summary's numbers: as issued (its snapshot) beside their live values, each with its figure page."""
    scope, root = summary_scope(summary_period(sheet.period, sheet.end))
    return figure_summaries.summary_lines([(name, figures.get(key)) for _, name, key in SUMMARY], scope,
                                          node_id=root, stored=sheet.figures,
                                          stored_keys=[short for short, _, _ in SUMMARY])


def build_summary(period: str, end: dt.date) -> SupervisionSheet:
    """A 小结/总结 for the period ending ``end``: the registry's figures for the period, by kind and org, and
    the items behind each, as an official .docx whose every number links to its figure page."""
    fig_period = summary_period(period, end)
    scope, root = summary_scope(fig_period)
    named = [(name, figures.get(key)) for _, name, key in SUMMARY]
    lines = figure_summaries.summary_lines(named, scope, node_id=root)
    counts = {short: line.value.count for (short, _, _), line in zip(SUMMARY, lines, strict=True)}
    limit = rule_settings.get("matters.summary_item_limit")
    title = f"事项督办{'半月小结' if period == SupervisionSheet.Period.HALF_MONTH else '月度总结'}"
    doc = OfficialDocument(title)
    doc.paragraph(f"统计期间：{cn_date(fig_period.start)}至{cn_date(end)}。按照“一周一督办、半月一小结、一月一总结”的"
                  f"要求，现将本期事项办理情况小结如下。")
    doc.heading1("一、总体情况")
    figure_summaries.write_sentence(doc, lines)
    headers = [name for _, name, _ in SUMMARY]
    doc.heading1("二、分类别情况")
    doc.table(["类别", *headers], [[kinds.KINDS[k].label if k in kinds.KINDS else k, *row]
                                   for k, row in _grouped(lines, "kind")])
    doc.heading1("三、分组织情况")
    doc.table(["组织", *headers], [[k, *row] for k, row in _grouped(lines, "org__name")])
    doc.heading1("四、各项数字对应的事项")
    for n, line in enumerate(lines, start=1):
        count = line.value.count
        doc.heading2(f"（{cn_ordinal(n)}）{line.name}（{count}项）")
        items = list(line.figure.records(scope).select_related("org", "owner").order_by("due_on", "pk")[:limit])
        if not items:
            doc.paragraph("无。")
            continue
        doc.table(["序号", "事项", "组织", "责任人", "完成时限", "状态"],
                  [[i, m.title, m.org.name, str(m.owner or ""), m.due_on, m.get_status_display()]
                   for i, m in enumerate(items, start=1)])
        shown = f"以上列出前 {limit} 项，共 {count} 项，" if count > limit else ""
        doc.linked_paragraph([f"（{shown}逐项清单见系统", ("“统计数字”页面", line.absolute_url), "。）"])
    doc.signature("事项督办工作专班", end)
    sheet, _ = SupervisionSheet.objects.update_or_create(
        period=period, end=end, defaults={"start": fig_period.start, "figures": counts, "document": doc.to_bytes()})
    return sheet


def _grouped(lines: list[SummaryLine], field: str) -> list[tuple[str, list[int]]]:
    """Each figure's records counted by ``field`` (kind, org): the rows of a summary's tables."""
    table: dict[str, list[int]] = defaultdict(lambda: [0] * len(lines))
    for i, line in enumerate(lines):
        records = line.figure.records(line.value.scope)
        for row in records.order_by().values(field).annotate(n=Count("pk")):
            table[row[field]][i] = row["n"]
    return sorted(table.items(), key=lambda kv: -sum(kv[1]))


# ---- retention and archiving (一年一档) ------------------------------------------------------------

def years_due_for_archive(today: dt.date) -> list[int]:
    """Years whose weekly sheets still hold lines although they are beyond the retention rule."""
    keep = rule_settings.get("matters.supervision_retention_years")
    first_kept = today.year - keep + 1
    return sorted({d.year for d in SupervisionSheet.objects.filter(
        period=SupervisionSheet.Period.WEEK, end__year__lt=first_kept, lines__isnull=False)
        .values_list("end", flat=True).distinct()})


def archive_year(year: int, *, actor=None) -> tuple[str, int, int]:
    """Export the weekly sheets of ``year`` with all their lines to one file in the document store
    (``archive/supervision/``, gzip JSON lines: a sheet, then its rows), then remove their line rows; the
    sheets themselves stay, with their figures and the name of the archive. Audited. Returns
    (file name, sheets, rows). Safe to run twice: a year without lines left writes nothing."""
    sheets = list(SupervisionSheet.objects.defer("document").filter(
        period=SupervisionSheet.Period.WEEK, end__year=year, lines__isnull=False).distinct().order_by("end"))
    if not sheets:
        return "", 0, 0
    buffer = io.BytesIO()
    rows = 0
    with gzip.GzipFile(fileobj=buffer, mode="wb") as out:
        for sheet in sheets:
            out.write(json.dumps({"sheet": {"id": sheet.pk, "start": sheet.start, "end": sheet.end,
                                            "issued_at": sheet.issued_at, "figures": sheet.figures}},
                                 cls=DjangoJSONEncoder, ensure_ascii=False).encode() + b"\n")
            for row in (SupervisionLines.objects.filter(sheet=sheet).order_by("pk")
                        .values("org_id", "org_path", "owner_id", "count", "overdue", "handoff_late", "lines")
                        .iterator(chunk_size=2000)):
                out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode() + b"\n")
                rows += 1
    content = buffer.getvalue()
    with transaction.atomic():
        name = default_storage.save(f"archive/supervision/督办单-{year}.jsonl.gz", ContentFile(content))
        SupervisionLines.objects.filter(sheet__in=sheets).delete()
        SupervisionSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(archive_file=name)
        audit.record("matter.supervision_archive", actor=actor, target_repr=f"{year}年一周一督办督办单",
                     after={"file": name, "sha256": hashlib.sha256(content).hexdigest(), "sheets": len(sheets),
                            "rows": rows},
                     message=f"归档 {year} 年督办单 {len(sheets)} 期（{rows} 行）至 {name}，并删除其明细")
    return name, len(sheets), rows


def previous_half_month_end(today: dt.date) -> dt.date:
    """The end of the half month that has just finished (run on the 1st and the 16th)."""
    if today.day > 15:
        return today.replace(day=15)
    return today.replace(day=1) - dt.timedelta(days=1)


def previous_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def missed_supervision_day(today: dt.date) -> dt.date | None:
    """The supervision day of the past six days, if it passed without its 督办单."""
    for back in range(1, 7):
        day = today - dt.timedelta(days=back)
        if is_supervision_day(day):
            exists = SupervisionSheet.objects.filter(period=SupervisionSheet.Period.WEEK, end=day).exists()
            return None if exists else day
    return None


def is_supervision_day(today: dt.date) -> bool:
    return today.isoweekday() == rule_settings.get("matters.supervision_weekday")

