"""The site: every app's pages and the API, assembled at the top of the layers (docs/architecture.md)."""

from django.urls import include, path

from dangjian import pages
from dangjian.api_site import api

urlpatterns = [
    path("", pages.home, name="home"),
    path("", include("dangjian.core.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("", include("dangjian.orgs.urls")),
    path("duties/", include("dangjian.duties.urls")),
    path("matters/", include("dangjian.matters.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("supervision/", include("dangjian.supervision.urls")),
    path("gongkai/", include("dangjian.supervision.portal_urls")),  # 群众监督 public portal, no log-in
    path("assessment/", include("dangjian.assessment.urls")),
    path("filings/", include("dangjian.filings.urls")),
    path("reports/", include("dangjian.reports.urls")),
    path("api/v1/", api.urls),
]

handler400 = "dangjian.core.views.bad_request"
handler403 = "dangjian.core.views.permission_denied"
handler404 = "dangjian.core.views.not_found"
handler500 = "dangjian.core.views.server_error"
