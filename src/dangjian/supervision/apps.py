from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    verbose_name = "监督"

    def ready(self):
        from dangjian.core import action_labels, audit, todos
        from dangjian.core.panels import HOME_PANELS

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            rule_settings,  # noqa: F401  (registers the checklist rule and the kind 监督检查问题)
            tasks,  # noqa: F401  (the daily follow-up reminder)
        )
        from .models import Finding, Inspection, InspectionPlan, Talk
        from .panels import home_panel
        from .todos import my_todos

        todos.register(my_todos)
        if ("纪委监督", home_panel) not in HOME_PANELS:
            HOME_PANELS.append(("纪委监督", home_panel))
        # Confidential: their audit records and history pages are the discipline team's only.
        for model in (InspectionPlan, Inspection, Finding, Talk):
            audit.register_confidential(model, "supervision.view")
        action_labels.register({
            "supervision.plan_create": "制定监督检查计划", "supervision.inspection_create": "登记监督检查",
            "supervision.finding_create": "登记检查发现的问题", "supervision.talk_create": "登记谈话",
            "supervision.talk_follow_up": "登记谈话回访"})
        action_labels.register({"supervision.category_retrain": "诉求分类模型重新训练",
                                "supervision.category_model_drop": "诉求分类模型停用（改按关键词建议）"})
