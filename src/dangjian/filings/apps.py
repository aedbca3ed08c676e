from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "dangjian.filings"
    verbose_name = "报告报备"
