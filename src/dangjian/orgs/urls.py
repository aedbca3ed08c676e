"""组织与人员 pages: the org tree, people, positions and the roster import (under /orgs/, /people/, /positions/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/search/", views.org_search, name="org_search"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<int:parent_pk>/add/", views.org_edit, name="org_add"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_edit, name="person_add"),
    path("people/import/", views.roster_import, name="roster_import"),
    path("people/import/template.xlsx", views.roster_template, name="roster_template"),
    path("people/export/full/", views.roster_export_full, name="roster_export_full"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/positions/", views.position_add, name="position_add"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
]
