from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    verbose_name = "会议学习"

    def ready(self):
        from . import demo  # noqa: F401  (registers this module's demo records)
