from django.urls import path

from . import views, views_reports

app_name = "matters"
urlpatterns = [
    path("", views.matter_list, name="list"),
    path("new/", views.matter_edit, name="add"),
    path("board/", views.board, name="board"),
    path("filters/", views.saved_filter_add, name="filter_add"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="filter_delete"),
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/edit/", views.matter_edit, name="edit"),
    path("<int:pk>/do/<str:name>/", views.transition, name="transition"),
    path("<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("measures/<int:pk>/done/", views.measure_done, name="measure_done"),
    path("<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("progress/<int:pk>/attachment/", views.progress_attachment, name="progress_attachment"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("<int:pk>/milestones/", views.milestones_plan, name="milestones_plan"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/satisfaction/", views.satisfaction, name="satisfaction"),
    path("lists/", views_reports.problem_lists, name="problem_lists"),
    path("lists/<int:pk>/", views_reports.problem_list, name="problem_list"),
    path("lists/template.xlsx", views_reports.import_template, name="import_template"),
    path("ledger/", views_reports.personal_ledger, name="ledger"),
    path("ledger/<int:person_pk>/", views_reports.personal_ledger, name="person_ledger"),
    path("supervision/", views_reports.sheet_list, name="sheets"),
    path("supervision/run/", views_reports.sheet_run, name="sheet_run"),
    path("supervision/<int:pk>/", views_reports.sheet_detail, name="sheet"),
    path("supervision/<int:pk>/document.docx", views_reports.sheet_document, name="sheet_document"),
    path("figures/", views_reports.figures, name="figures"),
    path("figures/<str:key>/", views_reports.figure_detail, name="figure"),
]
