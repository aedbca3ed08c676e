"""考评 pre-fill: each source (作风台账, 承诺, 超期事项, 学习缺席, 三会一课缺项, 责任状任务, 谈话, 监督检查问题) proposes
the deductions and bonuses the records show for a round's period; a rater confirms or rejects each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Cast

from dangjian.core import audit
from dangjian.core.scope import require_capability
from dangjian.duties.models import LetterTask, TaskStatus
from dangjian.matters.models import Matter
from dangjian.meetings.compliance import gap_report
from dangjian.meetings.models import Attendance, AttendanceStatus
from dangjian.orgs.models import Org, Position, PositionTitle
from dangjian.supervision.models import Finding, Talk

from .evaluation_models import (
    Adjustment,
    Evaluation,
    EvaluationRound,
)
from .evaluations import period_range, require_open
from .ledger_models import Commitment, CommitmentResult
from .models import ConductEntry

# ---- pre-fill: each source proposes (evaluation, item, on, summary, source record, link) rows -------------------

# A source takes (Cadres: person id → evaluation id, with ``people`` as a subquery; the period's first and last
# day) and returns the rows' fields (``_row``);
# an item of the 评分细则 names its source by key. Other modules add theirs with ``register_source``.
PREFILL_SOURCES: dict[str, Callable] = {}


def register_source(key: str):
    def decorator(fn):
        PREFILL_SOURCES[key] = fn
        return fn
    return decorator


class Cadres(dict):
    """person id → evaluation id of a round; ``people`` is the same set as a subquery, for the sources' filters
    (one statement, however many cadres, instead of a list of ids sent to the database)."""

    def __init__(self, rnd: EvaluationRound):
        super().__init__(Evaluation.objects.filter(round=rnd).values_list("person_id", "pk"))
        self.people = Evaluation.objects.filter(round=rnd).values("person_id")


def _row(evals, person_id, on, summary, source_type, source_id, url):
    return {"evaluation_id": evals[person_id], "on": on, "summary": str(summary)[:300], "source_type": source_type,
            "source_id": str(source_id), "source_url": url}


def _conduct(evals, start, end, polarity):
    rows = ConductEntry.objects.filter(person_id__in=evals.people, on__range=(start, end), polarity=polarity)
    return [_row(evals, p, on, f"{s}（{k}）", "assessment.conductentry", pk, url or "")
            for pk, p, on, s, k, url in rows.values_list("pk", "person_id", "on", "summary", "kind", "source_url")]


@register_source("conduct_negative")
def _conduct_negative(evals, start, end):
    return _conduct(evals, start, end, "negative")


@register_source("conduct_positive")
def _conduct_positive(evals, start, end):
    return _conduct(evals, start, end, "positive")


def _already_in_ledger(source_type: str):
    """Records that already have a 作风台账 entry are counted there, not twice."""
    return ConductEntry.objects.filter(source_type=source_type).values("source_id")


@register_source("commitment")
def _commitments(evals, start, end):
    """量化承诺 checked at year end as not kept (未兑现), in the period: one deduction each."""
    rows = Commitment.objects.filter(person_id__in=evals.people, result=CommitmentResult.NOT_MET,
                                     checked_on__range=(start, end))
    return [_row(evals, p, on, f"量化承诺“{title}”年终核定未兑现", "assessment.commitment", pk,
                 f"/assessment/commitments/{pk}/")
            for pk, p, on, title in rows.values_list("pk", "person_id", "checked_on", "title")]


@register_source("overdue_matter")
def _overdue_matters(evals, start, end):
    late = Q(closed_on__isnull=False, closed_on__gt=F("due_on")) | Q(closed_on__isnull=True, due_on__lt=end)
    rows = (Matter.objects.filter(owner_id__in=evals.people, due_on__range=(start, end)).filter(late)
            .exclude(pk__in=_already_in_ledger("matters.matter").annotate(n=Cast("source_id", Matter._meta.pk))
                     .values("n")))
    return [_row(evals, p, due, f"事项“{title}”超过办理时限（{due:%Y-%m-%d}）", "matters.matter", pk, f"/matters/{pk}/")
            for pk, p, due, title in rows.values_list("pk", "owner_id", "due_on", "title")]


@register_source("study")
def _study(evals, start, end):
    rows = Attendance.objects.filter(person_id__in=evals.people, meeting__date__range=(start, end),
                                     status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LEAVE],
                                     makeup_required=True, makeup_done_on__isnull=True)
    return [_row(evals, p, on, f"“{title}”缺席，未补学", "meetings.attendance", pk, f"/meetings/{mid}/")
            for pk, p, on, title, mid in rows.values_list("pk", "person_id", "meeting__date", "meeting__title",
                                                          "meeting_id")]


@register_source("branch_duty")
def _branch_duty(evals, start, end):
    secretaries = dict(Position.objects.filter(
        title=PositionTitle.BRANCH_SECRETARY, person_id__in=evals.people, start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)).values_list("org_id", "person_id"))
    if not secretaries:
        return []
    root = Org.get_first_root_node()
    _branches, gaps, _held = gap_report(root.path, start.year, today=end + dt.timedelta(days=1))
    return [_row(evals, secretaries[g.branch_id], end, f"{g.branch}{g.period}未召开{g.kind}", "meetings.gap",
                 f"{g.branch_id}:{g.kind}:{g.period}", "/meetings/compliance/")
            for g in gaps if g.branch_id in secretaries]


def _tasks(evals, start, end, done: bool):
    tasks = LetterTask.objects.filter(owner_id__in=evals.people, deadline__range=(start, end))
    if done:
        tasks = tasks.filter(status=TaskStatus.DONE, completed_on__lte=F("deadline"))
        text = "责任状任务“{}”按期完成"
    else:
        tasks = tasks.filter(Q(completed_on__gt=F("deadline")) | (~Q(status=TaskStatus.DONE) & Q(deadline__lt=end)))
        text = "责任状任务“{}”逾期未完成"
    return [_row(evals, p, on, text.format(title), "duties.lettertask", pk, f"/duties/letters/{letter}/")
            for pk, p, on, title, letter in tasks.values_list("pk", "owner_id", "deadline", "title", "letter_id")]


@register_source("task")
def _tasks_late(evals, start, end):
    return _tasks(evals, start, end, done=False)


@register_source("task_done")
def _tasks_done(evals, start, end):
    return _tasks(evals, start, end, done=True)


@register_source("talk")
def _talks(evals, start, end):
    rows = Talk.objects.filter(subject_id__in=evals.people, held_on__range=(start, end))
    labels = dict(Talk._meta.get_field("kind").choices)
    return [_row(evals, p, on, f"{on:%Y-%m-%d}{labels.get(kind, kind)}", "supervision.talk", pk,
                 f"/supervision/talks/{pk}/") for pk, p, on, kind in rows.values_list("pk", "subject_id", "held_on",
                                                                                         "kind")]


@register_source("finding")
def _findings(evals, start, end):
    rows = Finding.objects.filter(matter__owner_id__in=evals.people, inspection__held_on__range=(start, end))
    return [_row(evals, p, on, f"监督检查发现问题：{text[:60]}", "supervision.finding", pk, f"/matters/{mid}/")
            for pk, p, on, text, mid in rows.values_list("pk", "matter__owner_id", "inspection__held_on", "text",
                                                         "matter_id")]


def do_prefill(rnd: EvaluationRound, *, actor) -> int:
    """Propose every deduction and bonus the records show for the round's period (set-based: one query per
    source, whatever the number of cadres). Rows already proposed are kept as they are."""
    require_capability(actor, "assessment.change", path=rnd.org.path, what="预填考评加减分")
    require_open(rnd)
    start, end = period_range(rnd.year, rnd.period)
    evals = Cadres(rnd)
    meta = {pk: (org_id, path) for pk, org_id, path in
            Evaluation.objects.filter(round=rnd).values_list("pk", "org_id", "org_path")}
    made = []
    for item in rnd.rules.items().values():
        source = PREFILL_SOURCES.get(item.get("source") or "")
        if not source or not evals:
            continue
        sign = Decimal(-1 if item["kind"] == "deduct" else 1)
        for row in source(evals, start, end):
            org_id, path = meta[row["evaluation_id"]]
            made.append(Adjustment(item=item["code"], item_name=item["name"], points=sign * Decimal(str(item["points"])),
                                   org_id=org_id, org_path=path, **row))
    rows = Adjustment.objects.filter(evaluation__round=rnd)
    with transaction.atomic():
        before = rows.count()
        Adjustment.objects.bulk_create(made, batch_size=2000, ignore_conflicts=True)
        added = rows.count() - before  # the rows proposed before are kept as they are, not counted again
        audit.record("assessment.round_prefill", actor=actor, target=rnd,
                     message=f"预填加减分{added}条（记录显示{len(made)}条）")
    return added
