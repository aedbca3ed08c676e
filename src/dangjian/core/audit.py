"""Audit (留痕): every business operation writes an AuditEvent in its own transaction.

Services call :func:`save_audited` / :func:`delete_audited` for business records and
:func:`security_event` for log-ins, lock-outs, exports and role changes. The before/after
snapshots are the row versions from which a record's page shows and restores its history.
"""

from __future__ import annotations

import contextvars
import datetime
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from . import audit_chain, counters
from .fields import EncryptedTextField
from .models import CONFIDENTIAL_TARGETS, AuditEvent


@dataclass(frozen=True)
class RequestInfo:
    request_id: str = ""
    ip: str | None = None
    request: object = None  # the request itself: its signed-in user acts when a check deep down has no actor


_NO_REQUEST = RequestInfo()
_request_info: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("request_info", default=_NO_REQUEST)  # noqa: B039


def set_request_info(ip: str | None, request=None) -> RequestInfo:
    info = RequestInfo(uuid.uuid4().hex, ip, request)
    _request_info.set(info)
    return info


def current_ip() -> str | None:
    return _request_info.get().ip


def clear_request_info() -> None:
    _request_info.set(_NO_REQUEST)


class ConflictError(ValidationError):
    """Raised when a record was changed by someone else since the actor loaded it."""


# Fields never copied into the log: secrets, and bookkeeping that changes on every save.
_SKIP_FIELDS = {"password", "updated_at", "created_at", "version", "org_path"}


def snapshot(instance: models.Model) -> dict:
    """A JSON-safe dict of the record's own fields (FKs by id), as the version to keep.

    Fields that forms may not edit (a stored file's path, a derived branch path) are kept too:
    they are part of the record's state. Blind indexes and key hashes are not: they are derived
    from secrets and say nothing a reader of the log needs.
    """
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in _SKIP_FIELDS or f.name.endswith("_index") or f.name == "key_hash":
            continue
        if hasattr(instance, f"masked_{f.name}"):
            data[f.name] = getattr(instance, f"masked_{f.name}")
        elif isinstance(f, EncryptedTextField):  # encrypted at rest: never in clear in the log
            data[f.name] = "（已加密）" if f.value_from_object(instance) else ""
        elif isinstance(f, models.FileField):  # the stored file's name (a FieldFile is no JSON value)
            data[f.name] = f.value_from_object(instance).name or ""
        else:
            data[f.name] = f.value_from_object(instance)
    return _jsonable(data)


def _hidden_changes(stored: models.Model, instance: models.Model, before: dict, after: dict) -> list[str]:
    """The verbose names of the masked or encrypted fields whose real value changed while the snapshot
    shows the same (a phone number changed in its masked middle digits)."""
    return [str(f.verbose_name) for f in instance._meta.concrete_fields
            if f.name in before and before[f.name] == after.get(f.name)
            and (hasattr(instance, f"masked_{f.name}") or isinstance(f, EncryptedTextField))
            and f.value_from_object(stored) != f.value_from_object(instance)]


def _jsonable(data: dict) -> dict:
    import json

    return json.loads(DjangoJSONEncoder().encode(data))


def _label(model_or_instance) -> str:
    return model_or_instance._meta.label_lower


def register_confidential(model, capability: str) -> None:
    """A confidential record (监督): its audit records and history are read only where the reader holds
    ``capability`` (core.models.AuditEventQuerySet.visible_to, the history page)."""
    CONFIDENTIAL_TARGETS[_label(model)] = capability


def confidential_capability(model) -> str | None:
    return CONFIDENTIAL_TARGETS.get(_label(model))


def record(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    org_path: str = "",
    category: str = AuditEvent.Category.BUSINESS,
    success: bool = True,
    message: str = "",
    target_repr: str = "",
) -> AuditEvent:
    info = _request_info.get()
    event = AuditEvent(
        category=category,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() or actor.username) if getattr(actor, "pk", None) else "",
        ip=info.ip,
        request_id=info.request_id,
        org_path=org_path or getattr(target, "org_path", "") or "",
        target_type=_label(target) if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:255],
        before=before,
        after=after,
        success=success,
        message=message[:500],
    )
    return audit_chain.append([event])[0]


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain and bulk-insert prepared events (imports); the request's id and address fill blanks."""
    info = _request_info.get()
    for event in events:
        event.request_id = event.request_id or info.request_id
        event.ip = event.ip or info.ip
    return audit_chain.append(events)


# A failed security event of an anonymous request (a forged session cookie, a refused form token, a log-in
# refused while locked…) is what a flood is made of: such events are recorded once per kind, address and
# window, with the tally written as it grows (10, 100, 1000 … in the window) and exactly with the address's
# next event of that kind in a later window. The chain then shows the attack without drowning in it.
# Log-in failures and refusals stay one by one: the lock-out counts them (the log-in rate limit bounds them).
AGGREGATE_WINDOW = 60
_ONE_BY_ONE = frozenset({"login.failure", "login.lockout", "login.refused_locked"})
_TALLY_TIMEOUT = 86400


def security_event(action: str, *, actor=None, success: bool = True, message: str = "", target_repr: str = "",
                   target=None, org_path: str = "", after: dict | None = None) -> AuditEvent | None:
    """Record a security event; None when it was folded into the tally of an anonymous flood."""
    info = _request_info.get()
    if actor is None:
        # A check that knows no user (a form's file field) acts for whoever is signed in on this request.
        user = getattr(info.request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    if actor is None and not success and info.request is not None and action not in _ONE_BY_ONE:
        return _anonymous_failure(action, info.ip, message=message, target_repr=target_repr)
    return record(action, actor=actor, category=AuditEvent.Category.SECURITY, success=success,
                  message=message, target_repr=target_repr, target=target, org_path=org_path, after=after)


def _milestone(n: int) -> bool:
    return n >= 10 and str(n).strip("0") == "1"


def _tally(action: str, ip: str | None, window: int, n: int, message: str, target_repr: str,
           running: bool) -> AuditEvent:
    start = datetime.datetime.fromtimestamp(window * AGGREGATE_WINDOW, datetime.UTC)
    end = start + datetime.timedelta(seconds=AGGREGATE_WINDOW)
    return record(action, category=AuditEvent.Category.SECURITY, success=False, target_repr=target_repr,
                  message=f"地址 {ip or '未知'} 在 {start:%H:%M}–{end:%H:%M} UTC 内{'已' if running else '共'} {n} 次"
                          f"（合并记录）：{message}",
                  after={"count": n, "window_start": start.isoformat(), "window_end": end.isoformat(),
                         "final": not running})


def _anonymous_failure(action: str, ip: str | None, *, message: str, target_repr: str) -> AuditEvent | None:
    window = int(time.time() // AGGREGATE_WINDOW)
    base = f"dangjian:event:{action}:{ip or '-'}"
    n = counters.count(f"{base}:{window}", _TALLY_TIMEOUT)
    if n == 1:
        cache = counters.shared()
        last = cache.get(f"{base}:last")
        cache.set(f"{base}:last", window, _TALLY_TIMEOUT)
        tally = cache.get(f"{base}:{last}") if last is not None and last != window else None
        if tally and tally > 1 and not _milestone(tally):  # the exact total of the address's last window
            _tally(action, ip, last, tally, message, target_repr, running=False)
        return record(action, category=AuditEvent.Category.SECURITY, success=False, target_repr=target_repr,
                      message=f"{message}（同一地址同类事件每分钟只记一条，次数另行合并记录）")
    if _milestone(n):
        return _tally(action, ip, window, n, message, target_repr, running=True)
    return None


def save_audited(instance: models.Model, *, actor, action: str, expected_version: int | None = None,
                 message: str = "", locked: models.Model | None = None) -> models.Model:
    """Validate, save and log a business record in one transaction.

    For an existing record the stored row is locked and its version compared with
    ``expected_version`` (the version the actor's form was loaded from): a mismatch raises
    ConflictError and nothing is written. ``locked`` is that stored row, unchanged, when the caller's
    transaction already locked and read it: it is not locked and read a second time.
    """
    with transaction.atomic():
        before = None
        if instance.pk:
            current = locked or type(instance)._default_manager.select_for_update().get(pk=instance.pk)
            if expected_version is not None and hasattr(current, "version") and current.version != expected_version:
                raise ConflictError(
                    f"“{current}”已被他人修改（当前版本 {current.version}，您编辑的是版本 {expected_version}），"
                    "请刷新后重新填写。"
                )
            before = snapshot(current)
        instance.full_clean()
        # Compared on the real values: a snapshot masks some (a phone's middle digits), and a change
        # hidden by the mask is still a change.
        shown = snapshot(instance)
        hidden = _hidden_changes(current, instance, before, shown) if before is not None else []
        if before is not None and not hidden and before == shown:
            # Nothing changed: no new version and no log entry (a version always has its entry).
            if hasattr(instance, "version"):
                instance.version = current.version
            return instance
        if hidden and not message:
            message = f"已修改（脱敏后显示相同）：{'、'.join(hidden)}"
        if before is not None and hasattr(instance, "version"):
            instance.version = current.version + 1
        instance.save()
        after = snapshot(instance)
        record(action, actor=actor, target=instance, before=before, after=after, message=message)
    return instance


def delete_audited(instance: models.Model, *, actor, action: str) -> None:
    with transaction.atomic():
        before = snapshot(instance)
        record(action, actor=actor, target=instance, before=before, after=None)
        instance.delete()


def history(instance: models.Model):
    """The record's versions, newest first."""
    return AuditEvent.objects.filter(target_type=_label(instance), target_id=str(instance.pk)).order_by("-id")


# Restore on the history page is offered only for the models their app declares restorable, through the
# restorer it names (register_restorer in its AppConfig.ready): a module's service and its rules apply to a
# restored version as to any edit. A record moved by a workflow (a matter, a meeting, a decision) is never
# declared: its state changes only through its transitions, so nothing here can undo a 销号 or a decision.
RESTORERS: dict[type[models.Model], Callable[..., models.Model]] = {}


def register_restorer(model: type[models.Model], restorer: Callable[..., models.Model] | None = None) -> None:
    """Declare ``model`` restorable; ``restorer(instance, event, *, actor)`` defaults to :func:`restore_version`
    (for records whose only rules are their fields' own validation)."""
    RESTORERS[model] = restorer or restore_version


def restorer_for(model: type[models.Model]) -> Callable[..., models.Model] | None:
    """The restorer its app declared, or None: the record's history is shown but cannot be restored."""
    return RESTORERS.get(model)


# Fields a restore may not set back: identity, and a tree node's place in the tree (treebeard's
# path, depth and child count describe the tree as it is now, not as it was in the old version).
_RESTORE_SKIP = {"id", "path", "depth", "numchild"}


def apply_version(instance: models.Model, event: AuditEvent) -> models.Model:
    """Put the fields logged in ``event.after`` back on ``instance``, unsaved: a module's restorer then saves it
    through its own service, which checks its rules as for any edit."""
    if event.target_type != _label(instance) or event.target_id != str(instance.pk) or not event.after:
        raise ValidationError("该历史版本不属于此记录，无法恢复。")
    for f in instance._meta.concrete_fields:
        if f.name in _RESTORE_SKIP or f.name in _SKIP_FIELDS or f.name not in event.after:
            continue
        if hasattr(instance, f"masked_{f.name}"):
            continue  # masked values in the log are not the real value
        setattr(instance, f.attname, event.after[f.name])
    return instance


def restore_version(instance: models.Model, event: AuditEvent, *, actor) -> models.Model:
    """Set the record back to the state logged in ``event.after`` (itself an audited change)."""
    apply_version(instance, event)
    return save_audited(instance, actor=actor, action=f"{_label(instance)}.restore",
                        expected_version=getattr(instance, "version", None), message=f"恢复到第 {event.pk} 号记录的版本")
