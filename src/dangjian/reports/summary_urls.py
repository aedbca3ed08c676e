"""Routes of the periodic summary (统计小结): /reports/summary/?node=&period= and its .docx."""

from django.urls import path

from . import summary_views

urlpatterns = [
    path("", summary_views.summary_page, name="summary"),
    path("document.docx", summary_views.summary_document, name="summary_document"),
]
