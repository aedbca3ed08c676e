from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "dangjian.matters"
    verbose_name = "事项督办"

    def ready(self):
        from . import demo  # noqa: F401  (registers this module's demo records)
