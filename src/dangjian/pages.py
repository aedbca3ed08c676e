"""Pages that draw on several modules, so they sit at the top beside urls.py: the home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from dangjian.core.figures import Period
from dangjian.core.panels import figures_shown, panels_for
from dangjian.core.scope import has_capability
from dangjian.core.todos import todos_for
from dangjian.orgs.figures import MEMBER_KEYS


@login_required
def home(request):
    # the member figures of the registry over the user's scope (read from the kept counters), each linking to its page
    members = figures_shown(request.user, MEMBER_KEYS, Period.year(timezone.localdate().year))
    return render(request, "home.html", {
        "members": members if any(f.value != "0" for f in members) else [],
        "person": getattr(request.user, "person", None), "panels": panels_for(request.user),
        "todos": todos_for(request.user, timezone.localdate()),
        "can_dashboard": has_capability(request.user, "org.view"),
    })
