"""Route-matrix specs of the dashboards (tests/test_route_matrix.py): a node's dashboard and its 大屏 for probe
nodes in every corner of the tree, the default node, forged and overflowing node ids, and a bad period."""

from __future__ import annotations

from django.urls import reverse

from ..route_matrix import ANON, HUGE, MISSING, Case, holds, holds_anywhere

NODES = ("SXX", "SXX-BGS", "SXX-ZB2", "SXX-ZB2-XZ1", "SXX-CWK")


def _spec(name: str):
    def spec(ctx, role):
        url = reverse(name)
        cases = [Case(f"{name} node {code}", "GET", f"{url}?node={ctx.orgs[code].pk}&period=2026",
                      holds(role, "org.view", code)) for code in NODES]
        return cases + [
            Case(f"{name} default node", "GET", url, role != ANON and holds_anywhere(role, "org.view")),
            *[Case(f"{name} node id {pk}", "GET", f"{url}?node={pk}", False) for pk in (MISSING, HUGE, "abc")],
            Case(f"{name} bad period", "GET", f"{url}?period=2026-13", False, denied=(400, 403, 404)),
        ]
    return spec


SPECS = {"reports:dashboard": _spec("reports:dashboard"), "reports:dashboard_screen": _spec("reports:dashboard_screen")}
API_METHODS: dict = {}
