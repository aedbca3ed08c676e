from django.urls import path

from . import petition_import_views, petition_views, reply_views, views

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
    # 群众监督 (staff side)
    path("petitions/", petition_views.petition_list, name="petitions"),
    path("petitions/new/", petition_views.petition_add, name="petition_add"),
    path("petitions/categories/", petition_views.category_list, name="petition_categories"),
    path("petitions/categories/<int:pk>/", petition_views.category_edit, name="petition_category"),
    path("petitions/<int:pk>/", petition_views.petition_detail, name="petition"),
    path("petitions/<int:pk>/attachments/<int:attachment_id>/", petition_views.petition_attachment,
         name="petition_attachment"),
    path("petitions/<int:pk>/classify/", petition_views.petition_classify, name="petition_classify"),
    path("petitions/<int:pk>/accept/", petition_views.petition_accept, name="petition_accept"),
    path("petitions/<int:pk>/decline/", petition_views.petition_decline, name="petition_decline"),
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
    path("petitions/replies/<int:pk>/verdict/", reply_views.verdict, name="petition_verdict"),
]
