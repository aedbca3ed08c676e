from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "基础"

    def ready(self):
        from django.core.signals import request_finished

        from .uploads import remove_rolled_back_files

        request_finished.connect(remove_rolled_back_files, dispatch_uid="dangjian.remove_rolled_back_files")
