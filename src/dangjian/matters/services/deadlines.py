"""Deadlines computed again when a year's official holiday schedule is entered (a receiver of core.workdays.schedule_changed)."""

from __future__ import annotations

import datetime as dt

from dangjian.core import audit, workdays

from .. import workflow
from ..models import Matter, Measure
from .common import timeline_event


def recompute_deadlines(year: int, *, actor=None) -> int:
    """Open matters (and open measures) whose frozen deadline touches ``year`` are computed again.

    Each change is audited and shown on the matter's timeline; runs in the caller's transaction.
    """
    changed = 0
    start, end = dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31)
    matters = (Matter.objects.open().filter(due_on__range=(start, end)).only(
        "id", "kind", "due_on", "due_provisional", "due_basis", "received_on", "org_id", "org_path", "title",
        "version"))
    for matter in matters.iterator(chunk_size=2000):
        if matter.due_basis and matter.due_basis != "manual":
            new = workflow.deadline_from_basis(matter.due_basis)
            new_date, new_prov = new.date, new.provisional
        else:
            new_date = matter.due_on if workdays.is_workday(matter.due_on) else workdays.next_workday(matter.due_on)
            new_prov = workdays.is_provisional(new_date)
        if (new_date, new_prov) == (matter.due_on, matter.due_provisional):
            continue
        before = {"due_on": str(matter.due_on), "due_provisional": matter.due_provisional}
        matter.due_on, matter.due_provisional = new_date, new_prov
        matter.version += 1
        matter.save(update_fields=["due_on", "due_provisional", "version", "updated_at"])
        audit.record("matter.deadline_recomputed", actor=actor, target=matter, before=before,
                     after={"due_on": str(new_date), "due_provisional": new_prov},
                     message=f"录入 {year} 年节假日安排后重算期限")
        timeline_event(matter, "deadline", actor=actor,
                       reason=f"录入 {year} 年节假日安排后，完成时限由 {before['due_on']} 调整为 {new_date:%Y-%m-%d}")
        changed += 1
    for measure in Measure.objects.filter(done_on__isnull=True, due_provisional=True,
                                          due_on__year=year).iterator(chunk_size=2000):
        new_date = measure.due_on if workdays.is_workday(measure.due_on) else workdays.next_workday(measure.due_on)
        before = {"due_on": str(measure.due_on)}
        measure.due_on, measure.due_provisional = new_date, workdays.is_provisional(new_date)
        measure.save(update_fields=["due_on", "due_provisional", "updated_at"])
        audit.record("matter.deadline_recomputed", actor=actor, target=measure, before=before,
                     after={"due_on": str(new_date)}, message=f"录入 {year} 年节假日安排后重算期限")
        changed += 1
    return changed
