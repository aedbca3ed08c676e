"""Routes of the dashboards (reports/dashboard_views.py)."""

from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("screen/", dashboard_views.screen, name="dashboard_screen"),
]
