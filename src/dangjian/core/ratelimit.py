"""Rate limiting per client address (入侵防范): one mechanism for the log-in, API tokens and public pages.

A fixed one-minute window counted in the "ratelimit" cache: Redis when it is configured (several
app servers share it; its increment is atomic), else files under the data directory, shared by every
worker process of one server. The file cache increments by reading and then writing, so there the
count is taken under an exclusive file lock: without it, four workers let through about four times
the limit. (django-ratelimit was measured against this and counts no better on Redis; it refuses the
file cache outright, which would make Redis compulsory.) Limits are rules (hardening/rule_settings.py), so
an agency behind a shared NAT address can raise them. Over the limit: HTTP 429 with a Chinese message and a
Retry-After header; the first refusal of each window is a security event (not every one, so that
a flood cannot flood the audit log as well).
"""

from __future__ import annotations

import time
from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render

from . import audit, counters, rule_settings

WINDOW = 60
MESSAGE = "请求过于频繁，请稍后再试。"


def _key(scope: str, ip: str | None) -> str:
    return f"dangjian:ratelimit:{scope}:{ip or '-'}:{int(time.time() // WINDOW)}"


def hit(scope: str, ip: str | None, limit: int, *, record_address: bool = True) -> bool:
    """Count one request; True when the address is now over ``limit`` in this window. Pages that must not
    record who visits them (the public portal) pass ``record_address=False``: the block event then names
    no address."""
    count_now = counters.count(_key(scope, ip), WINDOW + 5)
    if count_now == limit + 1:
        who = f"地址 {ip}" if record_address else "某一地址（公开页面，不记录地址）"
        audit.security_event("ratelimit.block", success=False, target_repr=scope,
                             message=f"{who} 一分钟内超过 {limit} 次（{scope}），已限流")
    return count_now > limit


def is_limited(scope: str, ip: str | None, limit: int) -> bool:
    """Whether the address is over the limit, without counting this request."""
    return (counters.shared().get(_key(scope, ip)) or 0) > limit


def retry_after() -> int:
    return WINDOW - int(time.time() % WINDOW)


def too_many(request):
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=429)
    else:
        response = render(request, "429.html", status=429)
    response["Retry-After"] = str(retry_after())
    return response


def rate_limit(rule_key: str, *, scope: str, methods=("POST",)):
    """View decorator: count the requests of the given methods per address against the rule's limit."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and hit(scope, audit.current_ip(), rule_settings.get(rule_key)):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
