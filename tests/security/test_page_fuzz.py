"""Item 10: the pages' query parameters, fuzzed beside the API's (test_api_fuzz.py).

Every GET page of the route matrix is asked once, as a role allowed to see it, to learn which query
parameters it reads (Django's QueryDict is watched while the page answers); each page that reads any
is then asked again with each hostile value in all of those parameters at once. No answer may be a 5xx.
The values are a fixed list, so a run is bounded (about 350 requests) and fails the same way twice.
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import transaction
from django.http import QueryDict

from ..conftest import signed_in
from ..route_matrix import ANON, ROLES, Ctx
from ..test_route_matrix import SPECS, is_bogus

pytestmark = pytest.mark.django_db

# Negative, a year past 9999, a 32-bit overflow, a 64-bit overflow, empty, digits Python's int() takes but a
# database does not (full-width), the last date there is, and text that is no number (right-to-left, quotes).
HOSTILE = ["-1", "10000", "2147483648", "9" * 30, "", "２０２６", "9999-12-31", "\u202e𝕏'\"<"]
# Roles tried first: wide scope, so that a page's parameters have records to work on.
PREFERRED = ["dangwu", "shenji", "admin", "shuji", "anquan"]


@contextlib.contextmanager
def reads():
    """The names a view reads from a QueryDict while this block runs."""
    names: set[str] = set()
    originals = {m: getattr(QueryDict, m) for m in ("get", "__getitem__", "__contains__", "getlist")}

    def watch(method):
        def watched(self, key, *args, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return originals[method](self, key, *args, **kwargs)
        return watched

    for method in originals:
        setattr(QueryDict, method, watch(method))
    try:
        yield names
    finally:
        for method, original in originals.items():
            setattr(QueryDict, method, original)


def _pages(ctx: Ctx) -> list[tuple[str, str, str]]:
    """(route, role, url): each GET page with one role allowed to see it (the API has its own fuzz)."""
    pages = []
    for route in sorted(SPECS):
        for role in PREFERRED + [r for r in ROLES if r not in PREFERRED and r != ANON]:
            case = next((c for c in SPECS[route](ctx, role) if c.method == "GET" and c.allowed
                         and not is_bogus(c) and not c.url.startswith("/api/")), None)
            if case is not None:
                pages.append((route, role, case.url))
                break
    return pages


def test_no_page_answers_a_hostile_query_parameter_with_a_5xx(demo):
    ctx = Ctx(demo)
    clients, problems = {}, []
    pages = _pages(ctx)
    assert len(pages) > 50, pages  # the matrix's pages, not a handful
    for route, role, url in pages:
        if role not in clients:
            clients[role] = signed_in(ctx.users[role], raise_request_exception=False)
        client = clients[role]
        path, query = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        with transaction.atomic(), reads() as names:
            first = client.get(url)
            transaction.set_rollback(True)
        if first.status_code >= 500:
            problems.append(f"{route} {role} {url} → {first.status_code}")
        names -= {"export", "next"}  # a download and the log-in's redirect: not parameters of the page
        for value in HOSTILE if names else ():
            sent = f"{path}?{urlencode({**query, **dict.fromkeys(sorted(names), value)})}"
            with transaction.atomic():
                response = client.get(sent)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                problems.append(f"{route} {role} {sent} → {response.status_code}")
    assert not problems, f"{len(problems)} page(s) failed:\n" + "\n".join(problems[:80])
