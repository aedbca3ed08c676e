from django.urls import path

from . import petition_import_views, views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_add, name="plan_add"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/inspections/new/", views.inspection_add, name="inspection_add"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("proposals/", views.proposals, name="proposals"),
    path("talks/", views.talk_list, name="talks"),
    path("talks/new/", views.talk_add, name="talk_add"),
    path("talks/<int:pk>/", views.talk_detail, name="talk"),
    path("talks/<int:pk>/follow-up/", views.talk_follow_up, name="talk_follow_up"),
    path("petitions/import/", petition_import_views.petition_import_page, name="petition_import"),
]
