"""Work an open transaction owes at its commit, registered once per transaction and told apart while pending.

The figure values' generations (figure_cache) and the shared tokens of the rules and calendars (shared_token)
start when the transaction that changed their data commits; until then that transaction must read past what is
kept (``pending``). One ``AtCommit`` per name and transaction: ``once`` registers it with ``on_commit`` (runs it
at once outside a transaction), a rolled-back transaction or savepoint drops it with its callbacks.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


class AtCommit:
    """An on-commit callback that knows when it has run (a test running the callbacks itself keeps them listed)."""

    done = False

    def __call__(self) -> None:
        self.done = True
        self.run()

    def run(self) -> None:
        raise NotImplementedError


def pending(name: str) -> AtCommit | None:
    """The work registered under ``name`` in this connection's open transaction and not run yet, if any."""
    connection = transaction.get_connection()
    work = getattr(connection, "_at_commit", {}).get(name)
    if work is None or work.done or not connection.in_atomic_block or not any(
            func is work for _sids, func, *_rest in connection.run_on_commit):
        return None
    return work


def once(name: str, make: Callable[[], AtCommit]) -> AtCommit:
    """The work under ``name`` this transaction owes at its commit: the one registered already, else ``make()``,
    registered now."""
    work = pending(name)
    if work is None:
        connection = transaction.get_connection()
        work = make()
        if not hasattr(connection, "_at_commit"):
            connection._at_commit = {}
        connection._at_commit[name] = work
        transaction.on_commit(work)
    return work
