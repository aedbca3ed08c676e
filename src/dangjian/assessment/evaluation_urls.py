"""考评 pages (under /assessment/evaluations/): 评分细则, rounds, results, 民主测评, 民主评议党员."""

from django.urls import path

from . import evaluation_views as views

urlpatterns = [
    path("", views.index, name="eval_index"),
    path("new/", views.round_add, name="eval_round_add"),
    path("rules/", views.rules, name="eval_rules"),
    path("rounds/<int:pk>/", views.round_detail, name="eval_round"),
    path("rounds/<int:pk>/action/", views.round_action, name="eval_round_action"),
    path("rounds/<int:pk>/codes/", views.round_codes, name="eval_round_codes"),
    path("<int:pk>/", views.evaluation_detail, name="eval_detail"),
    path("<int:pk>/action/", views.evaluation_action, name="eval_action"),
    path("vote/", views.vote, name="eval_vote"),
    path("members/", views.members, name="eval_members"),
    path("members/<int:pk>/", views.member_review, name="eval_member_review"),
    path("members/<int:pk>/action/", views.member_action, name="eval_member_action"),
]
