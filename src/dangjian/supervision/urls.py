from django.urls import path

from . import reply_views, views

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
    # 归并与逐项答复 (reply_views)
    path("petitions/figures/", reply_views.figures, name="petition_figures"),
    path("petitions/<int:pk>/merge/", reply_views.merge, name="petition_merge"),
    path("petitions/<int:pk>/merge/undo/", reply_views.unmerge, name="petition_unmerge"),
    path("petitions/replies/<int:pk>/", reply_views.handling, name="petition_handling"),
    path("petitions/replies/<int:pk>/draft/", reply_views.draft, name="petition_reply_draft"),
    path("petitions/replies/<int:pk>/submit/", reply_views.submit, name="petition_reply_submit"),
    path("petitions/replies/<int:pk>/review/", reply_views.review, name="petition_reply_review"),
    path("petitions/replies/<int:pk>/publish/", reply_views.publish, name="petition_reply_publish"),
    path("petitions/replies/<int:pk>/deliver/", reply_views.deliver, name="petition_reply_deliver"),
]
