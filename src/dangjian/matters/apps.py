from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "dangjian.matters"
    verbose_name = "事项督办"

    def ready(self):
        from dangjian.core import workdays
        from dangjian.core.panels import HOME_PANELS

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            rule_settings,  # noqa: F401  (registers the kinds and their rules)
            tasks,  # noqa: F401  (registers the tracked jobs, which pages submit)
        )
        from .panels import home_panel
        from .services import recompute_deadlines

        # When a year's official holiday schedule is entered, open deadlines are computed again.
        workdays.schedule_changed.connect(lambda sender, year, actor, **_: recompute_deadlines(year, actor=actor),
                                          weak=False, dispatch_uid="matters.recompute_deadlines")
        if ("事项督办", home_panel) not in HOME_PANELS:
            HOME_PANELS.append(("事项督办", home_panel))
