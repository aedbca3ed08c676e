"""The one workflow of every matter (docs/architecture.md: Workflow).

``TRANSITIONS`` is the single table of allowed status changes: from which states, to which state,
who may do it, what must be present, which fields the step may set, what it does to the matter
(its effects) and whom it tells. ``services.do_transition`` is the one generic procedure that
applies a step. Deadlines and their due state (yellow warning, red overdue) are computed here too,
from the kind's configurable policy (kinds.py) on the official working-day calendar (core.workdays).

The models import this table (a timeline row's label), so this module does not import the models:
a matter is reached through the instance it is given.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from dangjian.core import rule_settings, workdays

from . import kinds
from .states import OPEN_STATUSES, HandlingClass, Status


@dataclass(frozen=True)
class Context:
    """What a step's effects see besides the matter: who acts, on which day, and what they typed."""

    actor: object
    today: dt.date
    typed: dict  # the step's fields the actor filled in (blank ones left out)
    explicit_due: bool  # a deadline was typed that differs from the stored one


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    # Who may do it: "manager" (matter.change on the matter's org), "owner" (the owner, a co-owner or a
    # manager), "leader" (the matter's responsible leader), "approver" (the leader, or matter.approve there).
    who: str
    fields: tuple[str, ...] = ()  # Matter fields the step may set (the rest is edited with do_update_matter)
    requires: tuple[str, ...] = ()  # Matter fields that must be filled
    # What else must be present: labels of what is missing beyond ``requires``.
    check: Callable[..., list[str]] | None = None
    # Changes the matter beyond its status; returns whether a 要事 was handed off on its day (None otherwise).
    effects: Callable[..., bool | None] | None = None
    notify: tuple[str, ...] = ()  # told of it: "owner", "leader", "creator" (who registered the matter)
    reason_required: bool = False
    public: bool = False  # shown on a public timeline (later: petitions)
    style: str = ""  # "secondary" for buttons that send a matter back


def field_label(matter, name: str) -> str:
    return str(matter._meta.get_field(name).verbose_name)


def missing_fields(matter, step: Step) -> list[str]:
    """Labels of what must be present for ``step`` and is not."""
    missing = [field_label(matter, n) for n in step.requires if not getattr(matter, matter._meta.get_field(n).attname)]
    return missing + (step.check(matter) if step.check else [])


def freeze_due(matter, *, explicit: bool) -> None:
    """Freeze the deadline on the matter: validate a typed date, or compute the kind's default."""
    if explicit and matter.due_on:
        deadline = check_explicit_due(matter.kind, matter.due_on, matter.received_on)
    else:
        deadline = compute_due(matter.kind, matter.assigned_on or matter.received_on, matter.handling_class)
    matter.due_on, matter.due_provisional, matter.due_basis = deadline.date, deadline.provisional, deadline.basis
    matter.due_rule_version = rule_settings.version(matter.spec.rule_key("deadline"))


# ---- each step's checks and effects ----------------------------------------------------------------

SUBMIT_REQUIRES = ("completion_statement", "evidence")


def _assign_check(matter) -> list[str]:
    return [] if matter.due_on else [field_label(matter, "due_on")]


def _assign(matter, ctx: Context) -> bool | None:
    """交办: dated (typed or today), the deadline frozen; a 要事 is on time if handed off by its hand-off day."""
    matter.assigned_on = ctx.typed.get("assigned_on") or ctx.today
    if matter.assigned_on > ctx.today or matter.assigned_on < matter.received_on:
        raise ValidationError({"assigned_on": f"交办日期应在登记日期 {matter.received_on:%Y-%m-%d} 与今天之间"})
    # A typed (or earlier fixed) date is checked; the default deadline counts from the day of the hand-off.
    freeze_due(matter, explicit=ctx.explicit_due or matter.due_basis == "manual")
    if not matter.handoff_due_on:
        return None
    on_time = matter.assigned_on <= matter.handoff_due_on
    matter.handoff_late = matter.handoff_late or not on_time  # a late hand-off stays on the record
    return on_time


def _decline(matter, ctx: Context) -> None:
    if matter.handling_class == HandlingClass.URGENT:
        # Sent back: it must be handed off again on the working day it came back.
        matter.handoff_due_on = handoff_day(ctx.today)


def _submit_check(matter) -> list[str]:
    """The kind's own fields, and a date on every 整改措施."""
    missing = [field_label(matter, n) for n in matter.spec.submit_requires
               if n not in SUBMIT_REQUIRES and not getattr(matter, matter._meta.get_field(n).attname)]
    if matter.pk and matter.measures.filter(done_on__isnull=True).exists():
        missing.append("全部整改措施的完成日期")
    return missing


def _submit(matter, ctx: Context) -> None:
    if matter.spec.is_proposal and matter.replied_on and matter.replied_on > ctx.today:
        raise ValidationError({"replied_on": "答复日期不能晚于今天"})
    matter.submitted_on = ctx.today


def _close(matter, ctx: Context) -> None:
    """审批销号: approved by the actor today, and numbered in the year's 销号备案 sequence."""
    matter.closed_on = ctx.today
    matter.approved_by = ctx.actor
    matter.approved_at = timezone.now()
    matter.filing_number = type(matter).objects.next_filing_number(ctx.today.year)


def _reopen(matter, ctx: Context) -> None:
    matter.closed_on = None
    matter.approved_by = None
    matter.approved_at = None
    matter.submitted_on = None


TRANSITIONS: dict[str, Step] = {s.name: s for s in (
    Step("assign", "交办/分办", (Status.REGISTERED,), Status.ASSIGNED, "manager",
         fields=("owner", "responsible_leader", "due_on", "assigned_on"), requires=("owner", "responsible_leader"),
         check=_assign_check, effects=_assign, notify=("owner", "leader")),
    Step("start", "接收并开始办理", (Status.ASSIGNED,), Status.IN_PROGRESS, "owner"),
    Step("decline", "退回交办", (Status.ASSIGNED,), Status.REGISTERED, "owner", effects=_decline,
         notify=("creator",), reason_required=True, style="secondary"),
    Step("submit", "办结，提请销号", (Status.IN_PROGRESS,), Status.PENDING, "owner",
         fields=("completion_statement", "evidence", "reply_text", "replied_on"), requires=SUBMIT_REQUIRES,
         check=_submit_check, effects=_submit, notify=("leader",)),
    Step("return", "退回重办", (Status.PENDING,), Status.IN_PROGRESS, "leader", notify=("owner",),
         reason_required=True, style="secondary"),
    Step("close", "审批销号（备案）", (Status.PENDING,), Status.CLOSED, "leader", fields=("satisfaction",),
         effects=_close, notify=("owner",), public=True),
    Step("reopen", "重新打开", (Status.CLOSED,), Status.IN_PROGRESS, "approver", effects=_reopen,
         notify=("owner",), reason_required=True, style="secondary"),
)}

WHO_LABELS = {"manager": "事项管理人员", "owner": "责任人（或协办人、事项管理人员）", "leader": "责任领导",
              "approver": "责任领导或有销号审批权限的领导"}


def steps_from(status: str) -> list[Step]:
    return [s for s in TRANSITIONS.values() if status in s.sources]


def handoff_note(matter, on_time: bool | None, today: dt.date) -> str:
    """The timeline's word on a 要事 hand-off: on its day or late, and whether the date was entered afterwards."""
    if on_time is None:
        return ""
    note = (f"要事当日交办（应交办日期 {matter.handoff_due_on:%Y-%m-%d}）" if on_time
            else f"交办超时：应于 {matter.handoff_due_on:%Y-%m-%d} 交办，实际 {matter.assigned_on:%Y-%m-%d} 交办")
    if matter.assigned_on < today:  # a hand-off entered afterwards
        note += f"（交办日期为补录，交办操作于 {today:%Y-%m-%d}）"
    return note


# ---- deadlines ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool
    basis: str  # "<unit>:<start>:<count>" — kept so that the date can be recomputed, or "manual"

    @property
    def note(self) -> str:
        return "暂按周末计算" if self.provisional else ""


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compute_due(kind_key: str, start: dt.date, handling_class: str = "", *, count: int | None = None,
                unit: str | None = None) -> Deadline:
    """The default deadline of a matter assigned on ``start``: the kind's policy, or 要事马上办's short one."""
    spec = kinds.kind(kind_key)
    if count is None:
        if handling_class == HandlingClass.URGENT:
            count, unit = rule_settings.get("matters.urgent_days"), "工作日"
        else:
            count, unit = spec.deadline_count, spec.deadline_unit
    unit = unit or spec.deadline_unit
    return deadline_from_basis(f"{unit}:{start.isoformat()}:{count}")


def deadline_from_basis(basis: str) -> Deadline:
    unit, start_text, count_text = basis.split(":")
    start, count = dt.date.fromisoformat(start_text), int(count_text)
    if unit == "工作日":
        result = workdays.add_workdays(start, count)
        return Deadline(result.date, result.provisional, basis)
    end = start + dt.timedelta(days=count) if unit == "自然日" else _add_months(start, count)
    # A calendar deadline that falls on a day off moves to the next working day.
    result = workdays.add_workdays(end, 0)
    return Deadline(result.date, result.provisional or workdays.is_provisional(end), basis)


def basis_text(basis: str) -> str:
    if not basis or basis == "manual":
        return "指定日期"
    unit, start, count = basis.split(":")
    return f"自 {start} 起 {count} 个{unit}" if unit != "月" else f"自 {start} 起 {count} 个月"


def check_explicit_due(kind_key: str, due: dt.date, received: dt.date | None) -> Deadline:
    """Validate a deadline typed by a person; a kind counted in working days needs a working day."""
    if received and due < received:
        raise ValidationError({"due_on": f"完成时限 {due:%Y-%m-%d} 不能早于登记日期 {received:%Y-%m-%d}"})
    spec = kinds.kind(kind_key)
    if spec.requires_workday and not workdays.is_workday(due):
        nxt = workdays.next_workday(due)
        raise ValidationError({"due_on": f"完成时限 {due:%Y-%m-%d} 不是工作日（法定节假日或休息日），"
                                         f"{spec.label}须以工作日为期限，可改为 {nxt:%Y-%m-%d}"})
    return Deadline(due, workdays.is_provisional(due), "manual")


# ---- 要事马上办: same-day hand-off ------------------------------------------------------------------

def handoff_day(start: dt.date) -> dt.date:
    """The working day a 要事 registered (or sent back) on ``start`` must be handed off: that day if it is a
    working day, else the next one (official calendar with adjusted working days)."""
    return workdays.add_workdays(start, 0).date


def handoff_flag(matter, today: dt.date) -> bool:
    """交办超时: handed off after its hand-off day, or still waiting past it (models.handoff_late_q in SQL)."""
    if not matter.handoff_due_on or matter.status == Status.CLOSED:
        return False
    return matter.handoff_late or (matter.status == Status.REGISTERED and matter.handoff_due_on < today)


# ---- due state (黄色预警 / 红色超期) ---------------------------------------------------------------

DUE_STATES = {"overdue": "已超期", "warning": "即将到期", "ok": "未到期", "none": "未定时限", "closed": "已销号"}


def due_state(matter, today: dt.date) -> str:
    if matter.status == Status.CLOSED:
        return "closed"
    if not matter.due_on:
        return "none"
    if matter.due_on < today:
        return "overdue"
    if matter.due_on <= warning_limit(matter.kind, today):
        return "warning"
    return "ok"


def warning_limit(kind_key: str, today: dt.date) -> dt.date:
    return workdays.add_workdays(today, kinds.kind(kind_key).warning_days).date


def due_state_q(state: str, today: dt.date) -> Q:
    """The SQL condition for a due state (so that lists filter and count in the database)."""
    open_q = Q(status__in=OPEN_STATUSES)
    if state == "closed":
        return Q(status=Status.CLOSED)
    if state == "none":
        return open_q & Q(due_on__isnull=True)
    if state == "overdue":
        return open_q & Q(due_on__lt=today)
    per_kind = Q(pk__in=[])
    for key in kinds.KINDS:
        limit = warning_limit(key, today)
        if state == "warning":
            per_kind |= Q(kind=key, due_on__gte=today, due_on__lte=limit)
        else:
            per_kind |= Q(kind=key, due_on__gt=limit)
    return open_q & per_kind
