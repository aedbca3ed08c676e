"""Routes of 年度报告 (/reports/)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("", report_views.report_list, name="report_list"),
    path("new/", report_views.report_create, name="report_create"),
    path("<int:pk>/", report_views.report_detail, name="report_detail"),
    path("<int:pk>/freeze/", report_views.report_freeze, name="report_freeze"),
    path("<int:pk>/export/", report_views.report_export, name="report_export"),
    path("sections/<int:pk>/edit/", report_views.section_edit, name="section_edit"),
]
