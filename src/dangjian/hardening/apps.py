from django.apps import AppConfig


class HardeningConfig(AppConfig):
    """安全加固（等保 2.0 三级）：审计链校验与归档、限流与上传检查的规则。"""

    name = "dangjian.hardening"
    verbose_name = "安全加固"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (check --deploy: keys and audit checkpoints apart from the database)
        )
