from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "基础"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from . import panels, rule_settings, workdays
        from .jobs import queue_notices
        from .uploads import remove_rolled_back_files

        panels.register(panels.Panel("后台任务", (), notices=queue_notices))

        request_finished.connect(remove_rolled_back_files, dispatch_uid="dangjian.remove_rolled_back_files")
        # a rule changed through another server or worker is in force from this request on
        request_started.connect(rule_settings.refresh, dispatch_uid="dangjian.rule_settings_refresh")
        request_started.connect(workdays.refresh, dispatch_uid="dangjian.workdays_refresh")
