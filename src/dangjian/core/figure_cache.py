"""The figure values' cache (core/figures.py) and what drops its values: generations, one per org subtree.

A value is kept FIGURES_CACHE_SECONDS (settings) in the default cache under a key that holds the generation of
every subtree it counts, and the global generation. A saved or deleted record of a module that owns figures
starts a new generation for the node it belongs to and every node above it (its old node too, when it moved),
so that no value read before the change is used after it, while the values of other subtrees stay: after a
change in one county, a province's value is read again from the county and the province's own records only
(figures.py: Composition). A change whose node cannot be told (a record without a path, an org moved or renamed)
starts a new global generation: every value is read again. A bulk change (``QuerySet.update``, ``bulk_create``)
of a watched model starts the generations of the nodes it touched (core.scope.bulk_changed).

Generations live where every worker process sees them at once (settings: CACHES["figures"], Redis or files);
the values may be kept per process, since their keys name the generations they were read under.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from . import at_commit
from .at_commit import AtCommit
from .models import ScopedModel
from .scope import ancestor_paths, bulk_changed, paths_in

GLOBAL = "dangjian:figures:generation"
_NODE = "dangjian:figures:generation:"
_OWN = "dangjian:figures:own-generation:"  # the records at the node itself (its subtree's generation less its children's)
# The apps whose records figures count (figures.register adds them): a change to any of their records drops values.
WATCHED_APPS: set[str] = set()
# A model whose records figures of other records read through a join, where those lie at other nodes (an
# evaluation reads its round's status, at the agency; a finding its rectification matter's): a function of a
# changed record giving the (scoped) records that read it (``depends``).
DEPENDENTS: dict[type, list[Callable[[object], QuerySet]]] = {}


# Models of a watched app that no figure reads, directly or through a join (``unread``): a change to one drops
# no value. Without it a record without a path drops every value: a ballot cast, a list filter saved.
UNREAD: set[type] = set()


def unread(*models) -> None:
    """No figure reads these models' records: their changes keep every value (the module that owns the figures
    says so, beside them)."""
    UNREAD.update(models)


def depends(model, readers_of: Callable[[object], QuerySet]) -> None:
    """Figures of other records read ``model``'s records: a change to one also drops the values where the records
    reading it lie (``readers_of(record)``, a queryset of a scoped model); a bulk change of ``model``, every value."""
    DEPENDENTS.setdefault(model, []).append(readers_of)


def seconds() -> int:
    """How long a value is kept; 0: not at all (every value is read afresh)."""
    return int(getattr(settings, "FIGURES_CACHE_SECONDS", 0))


def _generations_cache():
    return caches["figures"] if "figures" in settings.CACHES else cache


def path_step() -> int:
    """The length of one level of an org path (orgs.Org.steplen): a node's depth is its path's length over it."""
    return apps.get_model("orgs", "Org").steplen


def ancestors(path: str) -> list[str]:
    """The node at ``path`` and every node above it."""
    return ancestor_paths(path, path_step())


# Within ``reading()``: what this context has read or written of the generations and of the values, by key, so
# that a page reading many figures over the same nodes asks the caches once per key (a province's dashboard read
# its generations and parts about 320 times), and the values it keeps, written in one round trip at its end; any
# change made meanwhile forgets them (``_bump``, ``_changed``).
_read: ContextVar[_Reading | None] = ContextVar("figures_read", default=None)
_ABSENT = object()


class _Reading:
    def __init__(self) -> None:
        self.seen: dict[tuple[int, str], object] = {}
        self.writes: dict[tuple[int, object], tuple[object, dict]] = {}  # (store, timeout) → (store, values)

    def forget(self) -> None:
        self.seen.clear()
        self.writes.clear()

    def flush(self) -> None:
        for store_timeout, (store, values) in self.writes.items():
            store.set_many(values, store_timeout[1])
        self.writes.clear()


@contextlib.contextmanager
def reading():
    """Within: each generation and each cached value is read from the caches once (a snapshot of them), and the
    values read are kept at the end, together."""
    token = _read.set(_Reading())
    try:
        yield
        _read.get().flush()
    finally:
        _read.reset(token)


def _get_many(store, keys: list[str]) -> dict:
    memo = _read.get()
    if memo is None:
        return store.get_many(keys)
    unread = [key for key in keys if (id(store), key) not in memo.seen]
    if unread:
        got = store.get_many(unread)
        memo.seen.update({(id(store), key): got.get(key, _ABSENT) for key in unread})
    values = {key: memo.seen[(id(store), key)] for key in keys}
    return {key: value for key, value in values.items() if value is not _ABSENT}


def _set_many(store, values: dict, timeout) -> None:
    if (memo := _read.get()) is None:
        store.set_many(values, timeout)
        return
    memo.seen.update({(id(store), key): value for key, value in values.items()})
    memo.writes.setdefault((id(store), timeout), (store, {}))[1].update(values)


def get_values(keys: list[str]) -> dict:
    """The cached values at ``keys`` (those kept)."""
    return _get_many(cache, keys)


def set_values(values: dict) -> None:
    _set_many(cache, values, seconds())


def generations(paths: Iterable[str] = (), own: Iterable[str] = ()) -> dict:
    """The current generation of each subtree at ``paths``, of the records at each node of ``own`` (under
    ("own", path)) and (under None) the global one, in one read; a generation not yet kept (or culled) is started
    afresh, so that nothing read before can match it."""
    keys = {GLOBAL: None, **{_NODE + p: p for p in paths}, **{_OWN + p: ("own", p) for p in own}}
    store = _generations_cache()
    got = _get_many(store, list(keys))
    missing = [key for key in keys if key not in got]
    if missing:  # at once and only where absent: a change started meanwhile by another process must stand
        for key in missing:
            store.add(key, time.time_ns(), None)
        kept = store.get_many(missing)
        started = {key: kept.get(key) or time.time_ns() for key in missing}  # culled at once: matches nothing
        if (memo := _read.get()) is not None:
            memo.seen.update({(id(store), key): value for key, value in started.items()})
        got.update(started)
    return {node: got[key] for key, node in keys.items()}


def _bump(keys: Iterable[str]) -> None:
    if (memo := _read.get()) is not None:
        memo.forget()
    store = _generations_cache()
    for key in keys:
        try:
            store.incr(key)
        except ValueError:  # not kept yet (or culled): a generation no earlier value can have been read under
            store.set(key, time.time_ns(), None)


def _keys_of(paths: Iterable[str] | None) -> set[str]:
    """The generations a change of records at ``paths`` starts: each node's subtree and every one above it, and
    the records at the node itself."""
    if paths is None:
        return {GLOBAL}
    return {_NODE + node for path in paths for node in ancestors(path)} | {_OWN + path for path in paths}


def forget_values(paths: Iterable[str] | None = None) -> None:
    """Every cached value counting a record under ``paths`` is stale from now on (every value, without paths)."""
    _bump(_keys_of(paths))


def forget_values_at_commit() -> None:
    """Every value is stale when the open transaction commits (now, outside one); until then its own reads bypass
    the values (``changing``). For a change no saved record tells of (a rule, the working-day calendar)."""
    _changed(_keys_of(None))


def value_key(ident: str, generation: Iterable[int]) -> str:
    """The cache key of a value read under these generations, today (a figure of "now" changes overnight)."""
    stamp = "|".join(str(g) for g in generation)
    return "dangjian:figures:value:" + hashlib.sha256(
        f"{stamp}|{timezone.localdate().isoformat()}|{ident}".encode()).hexdigest()


def cached(ident: str, compute: Callable[[], object], *, fresh: bool = False, paths: Iterable[str] = ()
           ) -> tuple[object, dt.datetime]:
    """(``compute()``, the time it was read), kept under ``ident`` and the generations of the subtrees at
    ``paths`` (and the global one): a change to a record under any of them drops it. ``fresh`` reads afresh,
    as does a transaction that has changed records (``changing``), and keeps nothing."""
    if seconds() <= 0 or changing():
        return compute(), timezone.now()
    paths = tuple(paths)
    gens = generations(paths)
    key = value_key(ident, [gens[None], *(gens[p] for p in paths)])
    if not fresh and (hit := get_values([key]).get(key)) is not None:
        return hit
    result = (compute(), timezone.now())
    set_values({key: result})
    return result


def cached_each(name: str, paths: list[str], compute: Callable[[list[str]], dict[str, object]], *,
                subtree: bool = True) -> dict[str, object]:
    """``compute(paths)`` (a value per path), each value kept under its own subtree's generation as ``cached`` keeps
    one (``subtree`` False: under the global generation only, for what only the tree's changes change): one read
    of the generations and of the kept values for every path, the missing computed in one call and kept together
    (a county's hundreds of units, of which a change leaves one to read again)."""
    if seconds() <= 0 or changing():
        return compute(paths)
    gens = generations(paths if subtree else ())
    keys = {path: value_key(f"{name}:{path}", [gens[None], *([gens[path]] if subtree else [])]) for path in paths}
    got = get_values(list(keys.values()))
    out = {path: got[key] for path, key in keys.items() if key in got}
    missing = [path for path in paths if path not in out]
    if missing:
        computed = compute(missing)
        out.update(computed)
        set_values({keys[path]: computed[path] for path in missing})
    return out


# ---- what a change drops -----------------------------------------------------------------------------------

def changed_paths(instance, *, reverse: bool = False) -> set[str] | None:
    """The nodes a saved or deleted record belongs to, now and as it was read (a record moved to another node
    changes the values of both); None when that cannot be told (every value then counts as changed).

    A business record (core.models.ScopedModel) names its path columns in ``scope_paths`` and keeps the values it
    was read with; an org node does not (a move rewrites its subtree's paths), nor does a record without a path.
    """
    if reverse or not isinstance(instance, ScopedModel):
        return None
    names = type(instance).scope_paths
    if any(name not in instance.__dict__ for name in names):  # a column left out of the read: its value unknown
        return None
    paths = {instance.__dict__[name] for name in names} | set(getattr(instance, "_loaded_paths", ()))
    paths.discard("")
    return paths or None


class _Pending(AtCommit):
    """The generations an open transaction's changes start when it commits, each once however many records of the
    same nodes it changes (a roster import saves thousands). Until then no other process can see the changes, so
    their values stay good; and this transaction's own reads bypass the values' cache (``changing``)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def run(self) -> None:
        _bump(self.keys)


def changing() -> bool:
    """Whether this transaction has changed records that figures count and not committed yet: its reads must see
    its changes, which may not be kept where another process would read them (nor rolled back with them), so
    they bypass the values' cache."""
    return at_commit.pending("figures") is not None


def _record_changed(sender, instance=None, **kwargs) -> None:
    if sender._meta.app_label in WATCHED_APPS and sender not in UNREAD:
        keys = _keys_of(changed_paths(instance, reverse=kwargs.get("reverse", False)))
        for readers_of in DEPENDENTS.get(sender, ()):
            readers = readers_of(instance)
            keys |= _keys_of(paths_in(readers, readers.model.scope_paths))
        _changed(keys)


def _records_changed_in_bulk(sender, paths=None, **kwargs) -> None:
    """``QuerySet.update`` or ``bulk_create`` of a watched model (core.scope.bulk_changed)."""
    if sender in UNREAD:
        return
    _changed(_keys_of(None if sender in DEPENDENTS else paths))


def _changed(keys: set[str]) -> None:
    """Start the generations at ``keys`` when the transaction commits (now, outside one)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # committed already
        _bump(keys)
        return
    if (memo := _read.get()) is not None:
        memo.forget()
    at_commit.once("figures", _Pending).keys |= keys


for _name, _signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
    _signal.connect(_record_changed, dispatch_uid=f"figures-forget-on-{_name}")


def watch(app_label: str) -> None:
    """Drop values on every change to the records of an app whose records figures count (figures.register):
    saved and deleted ones (the signals above), and bulk changes, which only a watched model's queryset reports
    (it reads the paths it touches first: core.scope.BulkReportingQuerySet)."""
    if app_label in WATCHED_APPS:
        return
    WATCHED_APPS.add(app_label)
    for model in apps.get_app_config(app_label).get_models():
        bulk_changed.connect(_records_changed_in_bulk, sender=model, dispatch_uid=f"figures-bulk-{model._meta.label}")
