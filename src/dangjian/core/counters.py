"""Counters shared by every worker process and server: the "ratelimit" cache (Redis when configured, else
files under the data directory). Used by the rate limits (core/ratelimit.py) and by the folding of anonymous
security events (core/audit.py)."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache


def shared():
    return caches["ratelimit"]


@contextmanager
def _file_lock():
    directory = Path(settings.CACHES["ratelimit"]["LOCATION"])
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield


def count(key: str, timeout: int) -> int:
    """Add one to a shared counter and return the new count.

    The file cache increments by reading and then writing, so there the count is taken under an exclusive
    file lock (without it, four workers let through about four times a limit), and written with its timeout
    (the file cache's incr would reset it to the default)."""
    cache = shared()
    if isinstance(cache, FileBasedCache):
        with _file_lock():
            value = (cache.get(key) or 0) + 1
            cache.set(key, value, timeout)
            return value
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)  # atomic on Redis, which keeps the key's expiry
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1
