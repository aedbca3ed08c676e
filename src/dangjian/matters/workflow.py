"""The one workflow of every matter (docs/architecture.md: Workflow).

``TRANSITIONS`` is the single table of allowed status changes: from which states, to which state,
who may do it and what must be present. ``services.do_transition`` is the only code that applies
it. Deadlines and their due state (yellow warning, red overdue) are computed here too, from the
kind's configurable policy (kinds.py) on the official working-day calendar (core.workdays).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from dangjian.core import rules, workdays

from . import kinds
from .models import OPEN_STATUSES, HandlingClass, Matter, Status


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    # Who may do it: "manager" (matter.change on the matter's org), "owner" (the owner, a co-owner or a
    # manager), "leader" (the matter's responsible leader), "approver" (the leader, or matter.approve there).
    who: str
    requires: tuple[str, ...] = ()  # Matter fields that must be filled (besides the kind's own)
    reason_required: bool = False
    public: bool = False  # shown on a public timeline (later: petitions)
    style: str = ""  # "secondary" for buttons that send a matter back


TRANSITIONS: dict[str, Step] = {s.name: s for s in (
    Step("assign", "交办/分办", (Status.REGISTERED,), Status.ASSIGNED, "manager",
         requires=("owner", "responsible_leader")),
    Step("start", "接收并开始办理", (Status.ASSIGNED,), Status.IN_PROGRESS, "owner"),
    Step("decline", "退回交办", (Status.ASSIGNED,), Status.REGISTERED, "owner", reason_required=True,
         style="secondary"),
    Step("submit", "办结，提请销号", (Status.IN_PROGRESS,), Status.PENDING, "owner",
         requires=("completion_statement", "evidence")),
    Step("return", "退回重办", (Status.PENDING,), Status.IN_PROGRESS, "leader", reason_required=True,
         style="secondary"),
    Step("close", "审批销号（备案）", (Status.PENDING,), Status.CLOSED, "leader", public=True),
    Step("reopen", "重新打开", (Status.CLOSED,), Status.IN_PROGRESS, "approver", reason_required=True,
         style="secondary"),
)}

WHO_LABELS = {"manager": "事项管理人员", "owner": "责任人（或协办人、事项管理人员）", "leader": "责任领导",
              "approver": "责任领导或有销号审批权限的领导"}


def steps_from(status: str) -> list[Step]:
    return [s for s in TRANSITIONS.values() if status in s.sources]


def field_label(name: str) -> str:
    return str(Matter._meta.get_field(name).verbose_name)


def missing_fields(matter: Matter, step: Step) -> list[str]:
    """Labels of what must be present for ``step`` and is not."""
    names = list(step.requires)
    if step.name == "submit":
        names += [n for n in matter.spec.submit_requires if n not in names]
    missing = [field_label(n) for n in names if not getattr(matter, Matter._meta.get_field(n).attname)]
    if step.name == "submit" and matter.pk and matter.measures.filter(done_on__isnull=True).exists():
        missing.append("全部整改措施的完成日期")
    if step.name == "assign" and not matter.due_on:
        missing.append(field_label("due_on"))
    return missing


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
            count, unit = rules.get("matters.urgent_days"), "工作日"
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


def handoff_flag(matter: Matter, today: dt.date) -> bool:
    """交办超时: handed off after its hand-off day, or still waiting past it (models.handoff_late_q in SQL)."""
    if not matter.handoff_due_on or matter.status == Status.CLOSED:
        return False
    return matter.handoff_late or (matter.status == Status.REGISTERED and matter.handoff_due_on < today)


# ---- due state (黄色预警 / 红色超期) ---------------------------------------------------------------

DUE_STATES = {"overdue": "已超期", "warning": "即将到期", "ok": "未到期", "none": "未定时限", "closed": "已销号"}


def due_state(matter: Matter, today: dt.date) -> str:
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
