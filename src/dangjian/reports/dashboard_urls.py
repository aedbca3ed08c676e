"""Routes of the dashboard_urls pages."""

urlpatterns: list = []
