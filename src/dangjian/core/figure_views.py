"""Figure pages: every registered figure's value for a node and period, its definition, and the paged list of
the records it counts, scope-checked (core/figures.py). Every number shown anywhere links here."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import render

from . import figure_cache, figures
from .figure_records import figure_records
from .figure_summaries import evaluate_shown, figure_scope, module_label
from .scope import path_in_scope
from .web import paginate


def org_model():
    return apps.get_model("orgs", "Org")


def node_from(request, capability: str, fig: figures.FigureDef | None = None):
    """The org node of ``?node=`` if it lies in the user's scope for ``capability`` (or for the figure ``fig``;
    404 for any other id), or None for the whole of the user's scope."""
    raw = request.GET.get("node")
    if not raw:
        return None
    try:
        node = org_model().objects.get(pk=int(raw))
    except (ValueError, OverflowError, org_model().DoesNotExist) as exc:
        raise Http404("组织不存在或不在您的权限范围内") from exc
    if not (figures.node_in_scope(request.user, fig, node.path) if fig is not None
            else path_in_scope(request.user, capability, node.path)):
        raise Http404("组织不存在或不在您的权限范围内")
    return node


def period_from(request) -> figures.Period:
    try:
        return figures.Period.parse(request.GET.get("period") or request.GET.get("year"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc


def scope_for(request, fig: figures.FigureDef, period: figures.Period):
    """(FigureScope, node) for the request: the node's subtree, or every subtree the user holds the figure's
    view capability on; a personal figure counts the user's own records. 404 outside the user's scope."""
    node = None if fig.personal else node_from(request, fig.view_capability, fig)
    scope = figure_scope(request.user, fig, period, node)
    if scope is None:
        raise Http404("没有这个统计数字")
    return scope, node


def figure_or_404(key: str) -> figures.FigureDef:
    try:
        return figures.get(key)
    except KeyError as exc:
        raise Http404("没有这个统计数字") from exc


@login_required
def figure_detail(request, key):
    fig = figure_or_404(key)
    period = period_from(request)
    scope, node = scope_for(request, fig, period)
    part = "all" if request.GET.get("part") == "all" and fig.is_rate else ""
    with figure_cache.reading():  # the page's values, parts and listed subtrees: each read from the caches once
        behind = figure_records(fig, scope, request.user, denominator=bool(part))
        page = paginate(request, behind.records, count=behind.count)
    rows = [(obj, [c.read(obj) for c in fig.columns], link_of(fig, obj)) for obj in page.object_list]
    return render(request, "core/figure_detail.html", {
        "fig": fig, "value": behind.value, "period": period, "node": node, "part": part, "page": page,
        "rows": rows, "withheld": behind.withheld, "shown_sum": behind.shown_sum, "module": module_label(fig.module),
        "query": query_string(node, period),
    })


@login_required
def figure_index(request):
    """Every figure the user may see, by module, for a node (or their whole scope) and a period."""
    period = period_from(request)
    module = request.GET.get("module") or ""
    groups = []
    for name, defs in figures.by_module().items():
        if module and name != module:
            continue
        shown = []
        for fig in defs:
            try:
                scope, node = scope_for(request, fig, period)
            except Http404:
                continue
            shown.append((fig, scope))
        if shown:
            groups.append((module_label(name), evaluate_shown(shown)))
    node = node_from(request, "org.view") if request.GET.get("node") else None
    read_at = min((v.read_at for _label, values in groups for v in values), default=None)
    return render(request, "core/figure_index.html", {
        "groups": groups, "period": period, "node": node, "module": module, "query": query_string(node, period),
        "read_at": read_at,
    })


def link_of(fig: figures.FigureDef, obj) -> str:
    if fig.link is not None:
        return fig.link(obj)
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""


def query_string(node, period: figures.Period) -> str:
    return f"period={period.key}" + (f"&node={node.pk}" if node else "")
