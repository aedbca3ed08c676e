"""Pages that draw on several modules, so they sit at the top beside urls.py: the home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from dangjian.core.panels import panels_for
from dangjian.core.scope import has_capability
from dangjian.core.todos import todos_for
from dangjian.orgs.models import PartyStatus
from dangjian.orgs.services import member_counts_for


@login_required
def home(request):
    counts = member_counts_for(request.user)
    figures = [(label, counts[value]) for value, label in PartyStatus.choices]
    return render(request, "home.html", {
        "figures": figures, "total": sum(counts.values()), "person": getattr(request.user, "person", None),
        "party_total": counts["full"] + counts["probationary"], "panels": panels_for(request.user),
        "todos": todos_for(request.user, timezone.localdate()),
        "can_dashboard": has_capability(request.user, "org.view"),
    })
