from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    verbose_name = "会议学习"

    def ready(self):
        from dangjian.core import action_labels, panels, todos

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            figures,  # noqa: F401  (registers this module's figures)
            rule_settings,  # noqa: F401  (registers this module's rules)
        )
        from .panels import MINE, SCOPE
        from .todos import my_todos

        panels.register(MINE)
        panels.register(SCOPE)
        todos.register(my_todos)
        action_labels.register({
            "meeting.create": "登记会议", "meeting.update": "修改会议", "meeting.close": "登记为已召开",
            "meeting.cancel": "取消会议", "meeting.attendance": "出席登记", "meeting.signin": "扫码签到",
            "meeting.rotate_signin": "刷新签到码", "meeting.minutes": "保存会议记录", "meeting.topic": "添加议题",
            "meeting.decide": "记录决定", "meeting.decide_refused": "决定未通过核验", "meeting.makeup": "完成补学",
            "meeting.attachment": "上传附件", "meeting.attachment_remove": "删除附件", "meeting.kind": "修改会议类型",
            "meeting.kind_create": "新增会议类型", "meeting.study_plan": "修改学习计划",
            "meeting.study_plan_create": "新建学习计划", "meeting.study_topics": "修改学习专题",
            "meeting.generate_study_days": "生成集中学习日", "meeting.activity": "登记教育活动",
            "meeting.photo": "上传活动照片", "meeting.reflection": "提交心得体会", "meeting.recusal": "登记回避",
            "meeting.recusal_lift": "解除回避"})
