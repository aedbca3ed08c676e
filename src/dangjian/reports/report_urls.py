"""Routes of the report_urls pages."""

urlpatterns: list = []
