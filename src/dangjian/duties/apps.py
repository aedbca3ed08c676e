from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    verbose_name = "责任体系"

    def ready(self):
        from dangjian.core import action_labels, audit, panels, todos
        from dangjian.orgs.services import register_position_check

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            figures,  # noqa: F401  (registers this module's figures)
            services,  # noqa: F401  (re-checks duties when the 四个不直接分管 rule changes)
        )
        from .models import Duty, LeadingGroup
        from .panels import PANEL
        from .todos import my_todos

        panels.register(PANEL)
        todos.register(my_todos)
        register_position_check(services.check_position)  # a 党组书记 position goes through 四个不直接分管
        # restorable through duties' own rules; letters and their tasks move by signing and reporting only
        audit.register_restorer(Duty, services.do_restore_duty)
        audit.register_restorer(LeadingGroup, services.do_restore_group)
        action_labels.register({
            "duty.assign": "分配责任", "duty.end": "终止分工", "duty.restore": "恢复分工的历史版本",
            "duty.group_save": "设置领导小组", "duty.group_member_add": "添加领导小组成员",
            "duty.group_member_end": "领导小组成员离任", "duty.section_domains": "设置科室业务领域",
            "duty.recheck": "“四个不直接分管”核验", "institution.create": "新增制度", "institution.update": "修改制度",
            "letter.create": "起草责任状", "letter.sign": "签订责任状", "letter.task_add": "添加责任状任务",
            "letter.task_save": "修改责任状任务", "letter.task_delete": "删除责任状任务",
            "letter.task_progress": "报告任务进展", "letter.progress_entry": "记录任务进展"})
