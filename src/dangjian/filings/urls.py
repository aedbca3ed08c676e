"""报告报备: 重大事项报告 and 外出报备."""

from django.urls import path

from . import views

app_name = "filings"
urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.absence_calendar, name="calendar"),
    path("absences/new/", views.absence_add, name="absence_add"),
    path("absences/unfiled/", views.absence_unfiled, name="absence_unfiled"),
    path("absences/<int:pk>/", views.absence_detail, name="absence"),
    path("absences/<int:pk>/decide/", views.absence_decide, name="absence_decide"),
    path("absences/<int:pk>/return/", views.absence_return, name="absence_return"),
    path("absences/<int:pk>/cancel/", views.absence_cancel, name="absence_cancel"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_add, name="report_add"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("personal/", views.personal_list, name="personal"),
    path("personal/new/", views.personal_add, name="personal_add"),
    path("personal/<int:pk>/", views.personal_detail, name="personal_report"),
]
