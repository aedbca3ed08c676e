from django.urls import path

from . import views, views_reports

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_edit, name="add"),
    path("my/", views.my_meetings, name="my"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/attendance/", views.attendance_mark, name="attendance"),
    path("<int:pk>/close/", views.meeting_close, name="close"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/minutes/", views.minutes_save, name="minutes"),
    path("<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("<int:pk>/qr.svg", views.signin_qr, name="qr"),
    path("<int:pk>/qr/rotate/", views.signin_rotate, name="qr_rotate"),
    path("<int:pk>/topics/", views.topic_add, name="topic_add"),
    path("topics/<int:pk>/decide/", views.topic_decide, name="decide"),
    path("signin/<str:token>/", views.signin, name="signin"),
    path("makeup/<int:pk>/", views_reports.makeup_done, name="makeup"),
    path("study/", views_reports.study_overview, name="study"),
    path("study/generate/", views_reports.study_generate, name="study_generate"),
    path("compliance/", views_reports.compliance_report, name="compliance"),
    path("ledger/", views_reports.ledger, name="ledger"),
    path("activities/", views_reports.activity_list, name="activities"),
    path("activities/new/", views_reports.activity_edit, name="activity_add"),
    path("activities/<int:pk>/", views_reports.activity_detail, name="activity"),
    path("activities/<int:pk>/photos/", views_reports.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views_reports.photo, name="photo"),
    path("reflections/<int:pk>/", views_reports.my_reflection, name="reflection"),
    path("calendar/", views_reports.calendar_feed_page, name="calendar"),
    path("ical/<str:token>.ics", views_reports.ical, name="ical"),
]
