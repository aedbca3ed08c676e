"""修改记录: a record's logged versions as a reader understands them (docs/architecture.md, Audit).

The audit snapshots are raw (field names, ids, ISO times in UTC, booleans, choice codes, action codes).
This turns each version into the changes it made: the field's verbose name, the related object's name,
local time, 是/否, the choice's label, and the Chinese name of the action (core/action_labels.py, which the
apps fill from their ``ready()`` with ``action_labels.register``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .action_labels import action_label

EMPTY = "（空）"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Version:
    event: object
    action: str
    changes: list[Change]


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_names(model, events) -> dict[tuple[str, object], str]:
    """(field name, id) → the related object's name, read in one query per related model."""
    wanted: dict[str, set] = {}
    for event in events:
        for snap in (event.before or {}, event.after or {}):
            for name, value in snap.items():
                f = _field(model, name)
                if value not in (None, "") and isinstance(f, models.ForeignKey):
                    wanted.setdefault(name, set()).add(value)
    names = {}
    for name, ids in wanted.items():
        related = _field(model, name).related_model
        valid = {i for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())}
        for obj in related._base_manager.filter(pk__in=valid):
            names[(name, obj.pk)] = str(obj)
    return names


def _masked(model, f, value) -> str:
    """What the model shows of a field it masks (``masked_<name>``: the year of a birth date beside a masked
    ID number). Older snapshots hold some such values whole, so the mask is applied here, as the record's own
    property does; a value logged already masked ("1990年") is shown as it is."""
    try:
        real = f.to_python(value)
    except ValidationError:
        return str(value)
    record = model()
    setattr(record, f.attname, real)
    return getattr(record, f"masked_{f.name}") or str(value)


def _shown(model, name, value, names) -> str:
    f = _field(model, name)
    if value is None or value == "" or value == []:
        return EMPTY
    if f is not None and hasattr(model, f"masked_{name}"):
        return _masked(model, f, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if f is not None and f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ForeignKey):
        key = int(value) if isinstance(value, str) and value.isdigit() else value
        return names.get((name, key), "（已删除的记录）")
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    if isinstance(f, models.DateField) and isinstance(value, str) and parse_date(value):
        return value
    if isinstance(value, list):
        return "、".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def versions(model, events) -> list[Version]:
    """Each version with only the fields it changed (a new record: the fields it was created with)."""
    events = list(events)
    names = _related_names(model, events)
    out = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = []
        for name in dict.fromkeys([*after, *before]):
            old, new = before.get(name), after.get(name)
            if old == new or (not before and new in (None, "", [], {}, False)):
                continue
            f = _field(model, name)
            label = str(f.verbose_name) if f is not None else name
            changes.append(Change(label, _shown(model, name, old, names) if before else "",
                                  _shown(model, name, new, names) if after else "（已删除）"))
        out.append(Version(event, action_label(event.action), changes))
    return out
