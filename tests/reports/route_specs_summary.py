"""Route-matrix specs for the periodic summary (reports/summary.py), registered into tests/test_route_matrix.py.

The summary of a node is open to whoever sees the node (org.view, written out by hand in route_matrix.CAPS):
404 for any other node and for forged ids, 400 for a bad period. Within it, a role sees only the figures of
the modules it reads there: the 事项督办 figures only where it holds matter.view (MATTER_CAPS, by hand).
"""

from __future__ import annotations

from django.urls import reverse

from tests.matters.route_specs import m_anywhere, m_holds

CODES = ("SXX", "SXX-BGS", "SXX-ZB2", "SXX-CWK")
MATTER_FIGURE = "新登记事项"  # a 事项督办 figure of every summary that may show them


def _cases(ctx, role, name, **kw):
    from tests import route_matrix as m

    url = reverse(name)
    cases = [m.Case(f"{name} node {code}", "GET", f"{url}?period=2026-11-1&node={ctx.orgs[code].pk}",
                    m.holds(role, "org.view", code), **kw,
                    must_show=(MATTER_FIGURE,) if name == "reports:summary" and m_holds(role, "view", code) else ())
             for code in CODES]
    return cases + [
        m.Case(f"{name} whole scope", "GET", f"{url}?period=2026-11", role != m.ANON, **kw,
               must_show=(MATTER_FIGURE,) if name == "reports:summary" and m_anywhere(role, "view") else ()),
        m.Case(f"{name} forged node", "GET", f"{url}?node={m.MISSING}", False),
        m.Case(f"{name} huge node", "GET", f"{url}?node={m.HUGE}", False),
        m.Case(f"{name} bad node", "GET", f"{url}?node=abc", False),
        m.Case(f"{name} bad period", "GET", f"{url}?period=2026-13", False, denied=(400, 403, 404)),
    ]


def spec_summary(ctx, role):
    return _cases(ctx, role, "reports:summary")


def spec_summary_document(ctx, role):
    # a download is audited (a security event): not a business write
    return _cases(ctx, role, "reports:summary_document", writes=None)


SPECS = {"reports:summary": spec_summary, "reports:summary_document": spec_summary_document}
API_METHODS: dict = {}
