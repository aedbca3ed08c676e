"""Every URL × every role × records inside and outside the role's scope (docs/architecture.md: Scope).

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

from .conftest import demo_records, signed_in
from .route_matrix import HUGE, MISSING, ROLES, Case, Ctx, check, fingerprint, send

pytestmark = pytest.mark.django_db

# Every route's spec, gathered from the modules' route_specs.py (the foundation's in tests/foundation/).
SPECS: dict[str, Callable[[Ctx, str], list[Case]]] = {}
# The HTTP methods each API operation is expected to take (an operation that gains one fails).
API_METHODS: dict[str, set[str]] = {}


def _module_specs() -> None:
    """Modules keep their specs beside their tests (tests/<module>/route_specs.py: SPECS, API_METHODS)."""
    from importlib import import_module
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("*/route_specs*.py")):
        module = import_module(f"{__package__}.{path.parent.name}.{path.stem}")
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


@pytest.fixture(scope="module")
def ctx(django_db_setup, django_db_blocker):
    """The probes, the oracle and a signed-in client and API token per role, built once for every route.

    They live in a transaction that spans this module and is rolled back at its end; each route's
    test runs in a savepoint inside it, and each request in a savepoint inside that, so nothing a
    route does reaches the next. Every spec is called once for every role here, so that the records
    a spec makes on first use (the modules' probe matters, meetings, saved filters…) belong to the
    module's transaction and not to the first route's savepoint.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            context = Ctx(demo_records())
            for route in sorted(SPECS):
                for role in ROLES:
                    SPECS[route](context, role)
            context.tokens = {role: ApiToken.issue(user, "matrix")[1] for role, user in context.users.items()}
            context.clients = {role: (signed_in(user, raise_request_exception=False), None)
                               for role, user in [(r, context.users.get(r)) for r in ROLES]}
            yield context
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def client_of(ctx: Ctx, role: str, route: str):
    """The role's signed-in client. Signed in again when a request (a log-out) cleared its session;
    a session made during another route's test was rolled back with it, so that one is replaced too."""
    user = ctx.users.get(role)
    client, made_in = ctx.clients[role]
    if made_in not in (None, route) or (user is not None and not getattr(client.cookies.get("sessionid"), "value", "")):
        client = signed_in(user, raise_request_exception=False)
        ctx.clients[role] = (client, route)
    return client


def is_bogus(case: Case) -> bool:
    """A request for a record that does not exist: every role gets the same answer."""
    return str(MISSING) in case.url or str(HUGE) in case.url


def bogus_roles(route: str, cases_by_role: dict[str, list[Case]]) -> set[str]:
    """The two roles that send a route's bogus ids: one that may use the route (so the lookup runs
    past the permission check), and one that turns with the route, so that every role meets bogus
    ids across the matrix."""
    reaching = [r for r in ROLES if any(c.allowed and not is_bogus(c) for c in cases_by_role[r])]
    first = reaching[0] if reaching else ROLES[0]
    others = [r for r in ROLES if r != first]
    return {first, others[sorted(SPECS).index(route) % len(others)]}


@pytest.mark.parametrize("route", sorted(SPECS))
def test_route_keeps_every_role_in_scope(route, ctx):
    problems: list[str] = []
    cases_by_role = {role: SPECS[route](ctx, role) for role in ROLES}
    send_bogus = bogus_roles(route, cases_by_role)
    for client, _made_in in ctx.clients.values():
        client.cookies.pop("messages", None)  # a flash message belongs to the route that left it
    for role in ROLES:
        for case in cases_by_role[role]:
            if is_bogus(case) and role not in send_bogus:
                continue
            client = client_of(ctx, role, route)
            with transaction.atomic():
                before = fingerprint()
                response = send(client, case, ctx.tokens.get(role))
                after = fingerprint()
                transaction.set_rollback(True)
            problems += check(ctx, role, case, response, before, after)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])
