from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "dangjian.matters"
    verbose_name = "事项督办"

    def ready(self):
        from dangjian.core import action_labels, panels, todos, workdays

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            figures,  # noqa: F401  (registers this module's figures)
            rule_settings,  # noqa: F401  (registers the kinds and their rules)
            tasks,  # noqa: F401  (registers the tracked jobs, which pages submit)
        )
        from .panels import PANEL
        from .services import recompute_deadlines
        from .todos import my_todos
        from .workflow import TRANSITIONS

        # When a year's official holiday schedule is entered, open deadlines are computed again.
        workdays.schedule_changed.connect(lambda sender, year, actor, **_: recompute_deadlines(year, actor=actor),
                                          weak=False, dispatch_uid="matters.recompute_deadlines")
        panels.register(PANEL)
        todos.register(my_todos)
        action_labels.register({
            "matter.create": "登记事项", "matter.update": "修改事项", "matter.list_create": "新建问题清单",
            "matter.measure_add": "添加整改措施", "matter.measure_done": "整改措施完成", "matter.progress": "报告进展",
            "matter.contact": "登记沟通联系", "matter.milestone_plan": "计划办理节点", "matter.milestone_done": "办理节点完成",
            "matter.satisfaction": "登记满意度", "matter.deadline_recomputed": "重新计算期限",
            "matter.supervision_run": "一周一督办",
            # every workflow step by its own name (销号 is "审批销号（备案）")
            **{f"matter.{step.name}": step.label for step in TRANSITIONS.values()}})
