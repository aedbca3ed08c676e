"""Dashboard pages: a node's overview (/reports/dashboard/) and its full-screen 大屏 (/reports/dashboard/screen/).
The node is ``?node=`` (404 when forged or outside the user's org.view scope) or the user's top scope node; the
period is ``?period=`` (400 naming the format when bad). The charts and values come from reports/dashboards.py."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from dangjian.core.figure_views import node_from, period_from

from . import dashboards

SCREEN_REFRESH_SECONDS = 300


def _dashboard(request, template: str, screen: bool):
    period = period_from(request)
    node = node_from(request, "org.view")
    roots = dashboards.roots_of(request.user)
    if node is None:
        if not roots:
            raise Http404("您没有可查看的组织")
        node = roots[0]
    board = dashboards.build(request.user, node, period, roots, screen=screen)
    return render(request, template, {"board": board, "blob": board.as_json(), "refresh": SCREEN_REFRESH_SECONDS,
                                      "other_mode": dashboards.dashboard_url(node, period, not screen)})


@login_required
def dashboard(request):
    return _dashboard(request, "reports/dashboard.html", screen=False)


@login_required
def screen(request):
    return _dashboard(request, "reports/dashboard_screen.html", screen=True)
