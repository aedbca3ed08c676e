"""群众监督 public portal: no log-in (portal_views)."""

from django.urls import path

from . import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.index, name="index"),
    path("tijiao/", portal_views.submit, name="submit"),
    path("chaxun/", portal_views.lookup, name="lookup"),
    path("tongji/", portal_views.stats, name="stats"),
]
