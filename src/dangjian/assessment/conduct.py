"""记入作风台账: the one entry point other modules call when a cadre's conduct shows (a talk, an overdue matter,
a late filing…). Idempotent per kind and source record, so that a periodic check may call it again."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.core import audit

from .models import ConductEntry, ConductKind, polarity_of


def source_key(record) -> tuple[str, str]:
    return (f"{record._meta.app_label}.{record._meta.model_name}", str(record.pk)) if record is not None else ("", "")


def record_conduct(person, *, kind: str, on: dt.date, summary: str, source=None, source_url: str = "",
                   evidence: str = "", actor=None) -> ConductEntry:
    """The entry for (kind, source), made now if it is not there yet. Without a source (an entry by hand) the
    evidence is required."""
    if kind not in ConductKind.values:
        raise ValidationError({"kind": f"类别：“{kind}”不是作风台账的类别"})
    source_type, source_id = source_key(source)
    if not source_id and not (evidence or "").strip():
        raise ValidationError({"evidence": "佐证材料：手工登记的作风台账条目须写明佐证材料"})
    if source_id:
        existing = ConductEntry.objects.filter(kind=kind, source_type=source_type, source_id=source_id).first()
        if existing:
            return existing
    entry = ConductEntry(person=person, org=person.org, on=on, kind=kind, polarity=polarity_of(kind),
                         summary=summary[:300], source_type=source_type, source_id=source_id,
                         source_label=str(source)[:200] if source is not None else "", source_url=source_url[:200],
                         evidence=evidence, created_by=actor if getattr(actor, "pk", None) else None)
    try:
        with transaction.atomic():
            audit.save_audited(entry, actor=entry.created_by, action="assessment.conduct_record")
    except IntegrityError:  # recorded at the same moment by another process
        return ConductEntry.objects.get(kind=kind, source_type=source_type, source_id=source_id)
    return entry
