from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    verbose_name = "监督"

    def ready(self):
        from dangjian.core import action_labels, audit, panels, todos

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            figures,  # noqa: F401  (registers this module's figures)
            rule_settings,  # noqa: F401  (registers the checklist rule and the kind 监督检查问题)
            tasks,  # noqa: F401  (the daily follow-up reminder)
        )
        from .models import Finding, Inspection, InspectionPlan, Talk
        from .panels import PANEL
        from .petition_models import (
            Petition,
            PetitionAttachment,
            PetitionSupplement,
            PetitionVerdict,
            VerdictCadre,
        )
        from .todos import my_todos, petition_todos

        todos.register(my_todos)
        todos.register(petition_todos)
        from .replies import approval_todos
        todos.register(approval_todos)  # 群众诉求答复待审核
        panels.register(PANEL)
        # Confidential: their audit records and history pages are the discipline team's only.
        for model in (InspectionPlan, Inspection, Finding, Talk):
            audit.register_confidential(model, "supervision.view")
        action_labels.register({
            "supervision.plan_create": "制定监督检查计划", "supervision.inspection_create": "登记监督检查",
            "supervision.finding_create": "登记检查发现的问题", "supervision.talk_create": "登记谈话",
            "supervision.talk_follow_up": "登记谈话回访"})
        action_labels.register({"supervision.petition_import": "导入历史诉求",
                                "supervision.petition_category_import": "导入历史诉求时新建分类"})
        # 群众监督 portal (the petitioner, never named): what they add with the 查询码, and their rating.
        action_labels.register({"supervision.petition_supplement": "补充诉求信息",
                                "supervision.petition_rate": "评价诉求答复"})
        # 群众监督: the audit trail of petitions (a 检举控告's above all) is the discipline team's to read in the
        # audit log; staff read a petition's history on its own page (检举控告工作规则 第四十七条).
        for model in (Petition, PetitionAttachment, PetitionSupplement, PetitionVerdict, VerdictCadre):
            audit.register_confidential(model, "supervision.view")
        action_labels.register({
            "supervision.petition_receive": "登记群众诉求", "supervision.petition_attach": "上传诉求附件",
            "supervision.petition_classify": "确认或更正诉求分类", "supervision.petition_accept": "受理群众诉求",
            "supervision.petition_decline": "群众诉求不予受理", "supervision.petition_category_create": "添加诉求分类",
            "supervision.petition_category_update": "修改诉求分类"})
        action_labels.register({  # 归并与逐项答复 (replies.py)
            "supervision.petition_merge": "归并群众诉求", "supervision.petition_unmerge": "撤销归并",
            "supervision.reply_draft": "拟写诉求答复", "supervision.reply_submit": "提交答复审核",
            "supervision.reply_approve": "审核同意答复", "supervision.reply_return": "退回答复修改",
            "supervision.reply_publish": "发布诉求答复", "supervision.reply_to_matter": "登记事项答复内容",
            "supervision.reply_deliver": "登记答复送达", "supervision.petition_verdict": "认定群众诉求查实结果"})
        action_labels.register({"supervision.category_retrain": "诉求分类模型重新训练",
                                "supervision.category_model_drop": "诉求分类模型停用（改按关键词建议）"})
