from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    verbose_name = "会议学习"

    def ready(self):
        from dangjian.core import todos
        from dangjian.core.panels import HOME_PANELS

        from . import demo, rule_settings  # noqa: F401  (registers this module's demo records and rules)
        from .panels import my_panel, scope_panel
        from .todos import my_todos

        HOME_PANELS.append(("我的会议学习", my_panel))
        HOME_PANELS.append(("会议学习", scope_panel))
        todos.register(my_todos)
