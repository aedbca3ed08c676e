from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    verbose_name = "责任体系"

    def ready(self):
        from dangjian.core import todos
        from dangjian.core.panels import HOME_PANELS

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            services,  # noqa: F401  (re-checks duties when the 四个不直接分管 rule changes)
        )
        from .panels import panel
        from .todos import my_todos

        HOME_PANELS.append(("责任体系", panel))
        todos.register(my_todos)
