from django.urls import path

from . import checklist_views as views

# 两个责任清单考核 and the 一级抓一级 chain (names without a prefix: the app namespace is "assessment").
urlpatterns = [
    path("checklists/", views.checklists, name="checklists"),
    path("checklists/<int:year>/<int:person_id>/<str:kind>/", views.checklist_page, name="checklist"),
    path("checklists/<int:pk>/approve/", views.checklist_approve, name="checklist_approve"),
    path("chain/", views.chain, name="chain"),
]
