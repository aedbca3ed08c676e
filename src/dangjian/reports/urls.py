"""年度报告: the dashboards (dashboard_urls.py), the periodic summary (summary_urls.py) and the annual report
(report_urls.py)."""

from django.urls import include, path

app_name = "reports"
urlpatterns = [
    path("dashboard/", include("dangjian.reports.dashboard_urls")),
    path("summary/", include("dangjian.reports.summary_urls")),
    path("", include("dangjian.reports.report_urls")),
]
