"""What the database refused, and the one place a write transaction is retried.

A deadlock or a serialization failure (PostgreSQL), or SQLite's "database is locked", aborts a transaction
that would succeed a moment later: ``in_transaction`` rolls it back and runs it again, a bounded number of
times, before the refusal reaches ``DatabaseBusyMiddleware`` (a 503 that says so). A dropped connection is
told apart too (``is_disconnect``): the middleware retries a read once and answers anything else clearly.
"""

from __future__ import annotations

import copy
import logging
import random
import time
from collections.abc import Callable, Iterable

from django.db import DatabaseError, InterfaceError, connection, transaction
from django.db.models import Model

from .crypto import MissingKeyError

logger = logging.getLogger(__name__)

# PostgreSQL: deadlock_detected, serialization_failure — the transaction lost a race and may simply run again.
_RETRY_PGCODES = {"40P01", "40001"}
# and lock_not_available (lock_timeout): refused, but not retried — the request already waited that long.
_BUSY_PGCODES = _RETRY_PGCODES | {"55P03"}

ATTEMPTS = 3
BACKOFF_SECONDS = 0.05  # the first pause is up to this long, the next up to twice as long (jittered)
# No new attempt after this long: a retry after SQLite's 20-second busy wait would outlast the server's
# worker timeout, where a PostgreSQL deadlock is found within a second.
RETRY_WINDOW_SECONDS = 10.0


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def is_busy(exc: BaseException) -> bool:
    """Whether the database refused for a lock (a wait that timed out, a deadlock, a serialization failure;
    SQLite's "database is locked"), not for a fault: the same request may succeed a moment later."""
    return isinstance(exc, DatabaseError) and (_sqlstate(exc) in _BUSY_PGCODES or "database is locked" in str(exc))


def is_retryable(exc: BaseException) -> bool:
    """Whether rolling back and running the transaction again may succeed: a deadlock, a serialization
    failure, SQLite busy. A lock wait that timed out is not retried (it has already held the request that long)."""
    return isinstance(exc, DatabaseError) and (_sqlstate(exc) in _RETRY_PGCODES or "database is locked" in str(exc))


# psycopg's words when the server ended the session or the socket broke; Django's when it was closed after that.
_DISCONNECT_TEXTS = ("terminating connection", "server closed the connection", "connection already closed",
                     "the connection is closed", "connection is lost", "consuming input failed",
                     "could not receive data", "could not send data", "no connection to the server")


def is_disconnect(exc: BaseException) -> bool:
    """Whether the connection to the database was lost (the server or an administrator ended the session,
    the network dropped): nothing in it was committed, and a new connection may well succeed."""
    if not isinstance(exc, DatabaseError | InterfaceError):
        return False
    if _sqlstate(exc) in {"57P01", "57P02", "57P03"}:  # admin_shutdown (pg_terminate_backend), crash, cannot connect
        return True
    text = str(exc).lower()
    return any(t in text for t in _DISCONNECT_TEXTS)


def close_broken_connection() -> None:
    """Drop the lost connection so that the next query opens a new one."""
    try:
        connection.close()
    except DatabaseError:
        pass  # closing a dead socket may fail in turn; Django forgets the connection either way


def _copy_state(state: dict) -> dict:
    """A copy of a model instance's ``__dict__`` deep enough to put the instance back as it was."""
    fresh = copy.copy(state)
    fresh["_state"] = copy.copy(state["_state"])
    fresh["_state"].fields_cache = dict(state["_state"].fields_cache)
    return fresh


def _closed_over(call) -> list[Model]:
    """The model instances a function (a view's lambda) holds in its closure: what its service may change."""
    found = []
    for cell in getattr(call, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # a cell not yet assigned
            continue
        if issubclass(type(value), Model):  # not isinstance: a lazy request.user passes for a User
            found.append(value)
    return found


def in_transaction(call: Callable[[], object], *, records: Iterable[Model] = ()) -> object:
    """Run ``call`` in one transaction; when the database aborts it for a deadlock, a serialization failure or
    SQLite busy, roll back and run it again (``ATTEMPTS`` in all, a short jittered pause between) — then the
    refusal propagates (DatabaseBusyMiddleware: 503).

    Only the outermost transaction is retried: inside an enclosing one, ``call`` just runs (the owner of that
    transaction decides). ``records`` are the model instances ``call`` may change in memory (the form's record,
    the one being restored): each retry starts from them as they were, so that a rolled-back insert does not
    leave its id behind. ``call`` may write the database and the uploads (stored files of a rolled-back
    transaction are deleted); nothing else may leave it before it returns. The records ``call`` closes over (a
    view's ``lambda: do_end_position(position, …)``) are put back too, without being named.

    A refusal (any exception that is not the database's, nor the missing key ring's) does not roll back what ``call`` wrote outside its
    own atomic blocks — a security event before a refusal is kept, as it is without this wrapper.
    """
    if connection.in_atomic_block:
        return call()
    records = list({id(r): r for r in [*records, *_closed_over(call)]}.values())
    saved = [_copy_state(r.__dict__) for r in records]
    started = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        refusal = None
        try:
            with transaction.atomic():
                try:
                    return call()
                except (DatabaseError, MissingKeyError):
                    raise  # a fault, not a refusal: nothing of the call is kept (no record without its audit)
                except Exception as exc:  # noqa: BLE001 - re-raised below, after committing what came before it
                    refusal = exc
        except DatabaseError as exc:
            if not is_retryable(exc) or attempt == ATTEMPTS or time.monotonic() - started > RETRY_WINDOW_SECONDS:
                raise
            logger.warning("transaction aborted (%s), attempt %d of %d: retrying", exc, attempt, ATTEMPTS)
            for record, state in zip(records, saved, strict=True):
                record.__dict__.clear()
                record.__dict__.update(_copy_state(state))
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** (attempt - 1)))
            continue
        raise refusal
    raise AssertionError("unreachable")
