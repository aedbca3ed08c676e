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
        from .replies import approval_todos
        todos.register(approval_todos)  # 群众诉求答复待审核
        if ("纪委监督", home_panel) not in HOME_PANELS:
            HOME_PANELS.append(("纪委监督", home_panel))
        # Confidential: their audit records and history pages are the discipline team's only.
        for model in (InspectionPlan, Inspection, Finding, Talk):
            audit.register_confidential(model, "supervision.view")
        action_labels.register({
            "supervision.plan_create": "制定监督检查计划", "supervision.inspection_create": "登记监督检查",
            "supervision.finding_create": "登记检查发现的问题", "supervision.talk_create": "登记谈话",
            "supervision.talk_follow_up": "登记谈话回访"})
        action_labels.register({  # 归并与逐项答复 (replies.py)
            "supervision.petition_merge": "归并群众诉求", "supervision.petition_unmerge": "撤销归并",
            "supervision.reply_draft": "拟写诉求答复", "supervision.reply_submit": "提交答复审核",
            "supervision.reply_approve": "审核同意答复", "supervision.reply_return": "退回答复修改",
            "supervision.reply_publish": "发布诉求答复", "supervision.reply_to_matter": "登记事项答复内容",
            "supervision.reply_deliver": "登记答复送达", "supervision.petition_rate": "登记答复满意度"})
