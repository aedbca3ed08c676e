"""Core's own pages: 即将上线 modules, record history, the audit log, rule settings and notifications."""

from django.urls import path

from . import figure_views, settings_views, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("coming/<slug:module>/", views.coming, name="coming"),
    path("history/<str:label>/<int:pk>/", views.history, name="history"),
    path("history/<str:label>/<int:pk>/restore/<int:event_id>/", views.restore, name="restore"),
    path("audit/", views.audit_log, name="audit_log"),
    path("settings/rules/", settings_views.rule_list, name="rule_list"),
    path("settings/rules/<str:key>/", settings_views.rule_edit, name="rule_edit"),
    path("settings/holidays/", settings_views.holiday_list, name="holiday_list"),
    path("figures/", figure_views.figure_index, name="figure_index"),
    path("figures/<str:key>/", figure_views.figure_detail, name="figure"),
    path("notifications/", settings_views.notification_list, name="notification_list"),
]
