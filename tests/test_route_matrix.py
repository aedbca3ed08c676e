"""Every URL × every role × records inside and outside the role's scope (DESIGN.md: Scope).

The routes are ENUMERATED from ``dangjian.urls`` (the ninja API's operations included, with their
HTTP methods), and every route must have an entry in ``SPECS``, gathered from the specs kept beside
each module's tests (``tests/<module>/route_specs.py``; the foundation's in ``tests/foundation/``): a
function that, for one
role, lists the requests to make (the path filled with a record in the role's own org, a sibling,
an ancestor and a descendant, plus ids that do not exist or overflow) and whether the role may do
it. For each request the matrix checks:

* a request the role may not make is answered 403/404 (405 for a method the route does not take;
  a redirect to the log-in page, or 401 on the API, for an anonymous visitor) and writes nothing:
  the counts and versions of people, orgs, positions and role grants and the audit log are
  unchanged;
* a request the role may make succeeds, and a write it should make happens (so the matrix is
  not passing because every route refuses everyone);
* no response, allowed or refused, carries the data of a record the role may not see (the
  person's name, masked or full ID number, the org's code, a position's note, a username).

The expected scope of each role is written out by hand (``CAPS`` in ``tests/route_matrix.py``, with
the probes, the cases and the runner), not computed with ``visible_to``, so that the matrix checks the
scope code instead of repeating it.

A route added later without a SPECS entry fails ``test_every_route_has_a_spec`` with the names
of the routes to add.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.accounts.models import ApiToken

from .conftest import signed_in
from .route_matrix import ROLES, Case, Ctx, check, fingerprint, send

pytestmark = pytest.mark.django_db

# Every route's spec, gathered from the modules' route_specs.py (the foundation's in tests/foundation/).
SPECS: dict[str, Callable[[Ctx, str], list[Case]]] = {}
# The HTTP methods each API operation is expected to take (an operation that gains one fails).
API_METHODS: dict[str, set[str]] = {}


def _module_specs() -> None:
    """Modules keep their specs beside their tests (tests/<module>/route_specs.py: SPECS, API_METHODS)."""
    from importlib import import_module
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("*/route_specs.py")):
        module = import_module(f"{__package__}.{path.parent.name}.route_specs")
        SPECS.update(module.SPECS)
        API_METHODS.update(module.API_METHODS)


_module_specs()


def all_routes() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern, namespaced like ``api:list_people``."""
    found = []

    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                found.append((prefix + str(p.pattern), name))

    walk(get_resolver().url_patterns)
    return found


def api_operations() -> dict[str, set[str]]:
    from dangjian.api_site import api

    ops: dict[str, set[str]] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                ops.setdefault(getattr(op, "url_name", None) or op.view_func.__name__, set()).update(op.methods)
    return ops


def test_every_route_has_a_spec():
    routes = all_routes()
    unnamed = [r for r, name in routes if not name]
    missing = sorted({f"{name} ({route})" for route, name in routes if name and name not in SPECS})
    assert not unnamed, f"URL patterns without a name cannot be checked by the route matrix: {unnamed}"
    assert not missing, (
        "These routes have no entry in SPECS (tests/<module>/route_specs.py), so nobody has shown that they "
        "keep every role inside its scope. Add a spec function (records inside/outside the role's scope, "
        f"GET and POST as the route takes them) for: {', '.join(missing)}")
    stale = sorted(set(SPECS) - {name for _, name in routes})
    assert not stale, f"SPECS names routes that no longer exist: {stale}"
    ops = api_operations()
    assert ops == {name: API_METHODS.get(name) for name in ops}, (
        f"API operations and their methods changed; update API_METHODS and SPECS: {ops}")


@pytest.fixture
def ctx(demo):
    return Ctx(demo)


@pytest.mark.parametrize("route", sorted(SPECS))
def test_route_keeps_every_role_in_scope(route, ctx):
    problems: list[str] = []
    for role in ROLES:
        user = ctx.users.get(role)
        token = ApiToken.issue(user, "matrix")[1] if user is not None else None
        client = None
        for case in SPECS[route](ctx, role):
            if client is None or (user is not None and not client.cookies.get("sessionid", None)) or (
                    user is not None and not client.cookies["sessionid"].value):
                client = signed_in(user, raise_request_exception=False)  # again after a log-out
            with transaction.atomic():
                before = fingerprint()
                response = send(client, case, token)
                after = fingerprint()
                transaction.set_rollback(True)
            problems += check(ctx, role, case, response, before, after)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])
