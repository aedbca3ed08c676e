"""A token every worker process reads from the cache they share, naming the version of data each keeps a copy
of: the rules in force (rule_settings), the working-day calendars (workdays).

A process reads the token once per request (connected to request_started) and, outside requests (the task
consumer, commands), at most every few seconds; its copies are good while the token stays. A change starts a
new token when its transaction commits, never before: until then no other process can see the change, and
the transaction that made it reads the rows themselves (``changing``), so that nothing read from uncommitted
rows is kept, by another process or by this one after a rollback. A token the shared cache lost (cleared,
restarted) is replaced by a fresh one, so that no process keeps copies made under an older one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from django.core.cache import caches

from . import at_commit
from .at_commit import AtCommit
from .figure_cache import forget_values, forget_values_at_commit

CHECK_EVERY = 5.0  # seconds between reads of the token outside requests


class SharedToken:
    def __init__(self, key: str, on_change: Callable[[], None] = lambda: None):
        self.key = key
        self.on_change = on_change  # drops this process's copies (run whenever the token it sees changes)
        self.seen: str | None = None
        self.at = 0.0

    def _see(self, token: str) -> str:
        if token != self.seen:
            self.on_change()
        self.seen, self.at = token, time.monotonic()
        return token

    def refresh(self, **_signal_kwargs) -> str:
        """Read the shared token (at each request)."""
        shared = caches["shared"]
        token = shared.get(self.key)
        if token is None:
            shared.add(self.key, secrets.token_hex(8), None)
            token = shared.get(self.key) or secrets.token_hex(8)
        return self._see(token)

    def current(self) -> str:
        """The token in force: this process's copies made under it are good."""
        if self.seen is None or time.monotonic() - self.at > CHECK_EVERY:
            return self.refresh()
        return self.seen

    def start(self) -> None:
        """A new token now: every process makes its copies anew at its next request, and every figure value (a
        figure may count by a rule or by working days) is read again."""
        self._new_token()
        forget_values()

    def _new_token(self) -> None:
        token = secrets.token_hex(8)
        caches["shared"].set(self.key, token, None)
        self._see(token)

    def changed(self) -> None:
        """The data changed in the open transaction (call within it): a new token, and every figure value read
        again, when it commits."""
        forget_values_at_commit()
        at_commit.once(self.key, lambda: _Commit(self))

    def changing(self) -> bool:
        """Whether this connection's open transaction changed the data and has not committed: its reads must see
        the rows, and keep nothing."""
        return at_commit.pending(self.key) is not None


class _Commit(AtCommit):
    """A change's new token, started when its transaction commits (once)."""

    def __init__(self, token: SharedToken):
        self.token = token

    def run(self) -> None:
        self.token._new_token()
