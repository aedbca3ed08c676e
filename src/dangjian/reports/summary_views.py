"""Pages of the periodic summary (reports/summary.py): the page and its .docx, for a node and a period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.documents import docx_response
from dangjian.core.figure_views import node_from, period_from
from dangjian.core.figures import Period

from . import summary as summaries


def _summary(request) -> summaries.Summary:
    """The node (404 outside the user's 组织 scope, or a forged id) and the period (400 naming the format)."""
    return summaries.build(request.user, node_from(request, "org.view"), period_from(request))


@login_required
def summary_page(request):
    summary = _summary(request)
    node = summary.node
    query = f"period={summary.period.key}" + (f"&node={node.pk}" if node is not None else "")
    today = timezone.localdate()
    choices = (Period.half_month(today.year, today.month, 1 if today.day <= 15 else 2),
               Period.month(today.year, today.month), Period.year(today.year))
    return render(request, "reports/summary.html", {"summary": summary, "query": query, "choices": choices})


@login_required
def summary_document(request):
    summary = _summary(request)
    audit.security_event("report.summary_download", actor=request.user, target_repr=summary.title,
                         org_path=summary.node.path if summary.node is not None else "")
    return docx_response(summaries.document(summary), f"{summary.title}.docx")
