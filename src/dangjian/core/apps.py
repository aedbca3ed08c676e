from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "基础"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from . import rule_settings
        from .jobs import queue_panel
        from .panels import HOME_PANELS
        from .uploads import remove_rolled_back_files

        if ("后台任务", queue_panel) not in HOME_PANELS:
            HOME_PANELS.append(("后台任务", queue_panel))

        request_finished.connect(remove_rolled_back_files, dispatch_uid="dangjian.remove_rolled_back_files")
        # a rule changed through another server or worker is in force from this request on
        request_started.connect(rule_settings.refresh, dispatch_uid="dangjian.rule_settings_refresh")
