from django.urls import path

from . import views, views_letters, views_register

app_name = "duties"
urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("assign/", views.duty_assign, name="duty_assign"),
    path("<int:pk>/end/", views.duty_end, name="duty_end"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("sections/<int:pk>/domains/", views.section_domains, name="section_domains"),
    path("group/", views.group, name="group"),
    path("group/new/", views.group_edit, name="group_add"),
    path("group/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("group/<int:pk>/members/", views.group_member_add, name="group_member_add"),
    path("group/members/<int:pk>/end/", views.group_member_end, name="group_member_end"),
    path("letters/", views_letters.letter_year, name="letter_year"),
    path("letters/new/", views_letters.letter_create, name="letter_create"),
    path("letters/<int:pk>/", views_letters.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/docx/", views_letters.letter_docx, name="letter_docx"),
    path("letters/<int:pk>/sign/", views_letters.letter_sign, name="letter_sign"),
    path("letters/<int:pk>/scan/", views_letters.letter_scan, name="letter_scan"),
    path("tasks/<int:pk>/", views_letters.task_detail, name="task_detail"),
    path("tasks/<int:pk>/delete/", views_letters.task_delete, name="task_delete"),
    path("rules/", views_register.rule_list, name="rule_list"),
    path("rules/new/", views_register.rule_edit, name="rule_add"),
    path("rules/<int:pk>/", views_register.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views_register.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/file/", views_register.rule_file, name="rule_file"),
]
