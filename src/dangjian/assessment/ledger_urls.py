from django.urls import path

from . import ledger_views as views

# 作风台账、量化承诺、典型、问责、目标责任考核、干部考评档案 (names without a prefix: the app namespace is "assessment").
urlpatterns = [
    path("", views.index, name="index"),
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/new/", views.entry_add, name="entry_add"),
    path("ledger/mine/", views.my_ledger, name="my_ledger"),
    path("people/<int:pk>/ledger/", views.person_ledger, name="person_ledger"),
    path("people/<int:pk>/file/", views.person_file, name="person_file"),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/new/", views.commitment_add, name="commitment_add"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/progress/", views.commitment_progress, name="commitment_progress"),
    path("commitments/<int:pk>/check/", views.commitment_check, name="commitment_check"),
    path("commendations/", views.commendations, name="commendations"),
    path("commendations/new/", views.commendation_add, name="commendation_add"),
    path("commendations/<int:pk>/", views.commendation_detail, name="commendation"),
    path("accountability/", views.accountability, name="accountability"),
    path("accountability/new/", views.accountability_add, name="accountability_add"),
    path("accountability/<int:pk>/", views.accountability_detail, name="accountability_record"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter_scores, name="letter_scores"),
    path("tasks/<int:pk>/score/", views.task_score, name="task_score"),
]
