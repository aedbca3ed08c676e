from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    verbose_name = "责任体系"

    def ready(self):
        from . import demo  # noqa: F401  (registers this module's demo records)
