"""The Chinese name of an audit action code (“matter.close” → “事项：销号”), for every page and export
that shows the audit log. A code is “<record>.<verb>” (a restore: “<app>.<model>.restore”); whole codes
that read better as one phrase (log-in, sessions…) are named as such. A module names its own actions
from its ``ready()`` with ``register`` (a workflow step by its step's label); those names come first."""

# filled by the modules' register() calls; a code named there wins over the composed name below
REGISTERED: dict[str, str] = {}


def register(labels: dict[str, str]) -> None:
    REGISTERED.update(labels)


PHRASES = {
    "login.success": "登录成功", "login.failure": "登录失败", "login.lockout": "登录锁定",
    "login.refused_locked": "锁定期间登录被拒", "session.expired": "会话超时", "session.unknown_cookie": "无效的会话凭据",
    "csrf.refused": "跨站请求被拒", "ratelimit.block": "请求过于频繁被限制", "upload.refused": "上传文件被拒",
    "file.download": "下载文件", "password.change": "修改密码", "token.issued": "签发接口令牌",
    "token.revoked": "吊销接口令牌", "role.grant": "授予角色", "role.revoke": "撤销角色", "rule.set": "修改规则设置",
    "workdays.set_year": "录入年度节假日安排", "demo.load": "载入演示数据", "demo.meetings": "载入演示会议",
    "crypto.rotate_keys": "轮换加密密钥", "backup.failed": "自动备份失败", "audit.archive": "归档审计记录", "audit.export": "导出审计日志",
    "audit.verify": "校验审计链", "person.reveal": "查看完整身份证号或手机号", "person.import": "导入花名册",
    "person.export": "导出花名册", "org.counts_repair": "修复人数统计", "account.reset_password": "重置账号密码",
    "report.summary_download": "下载统计小结（.docx）", "meeting.decide_refused": "会议学习：表决被拒（不符合规则）", "matter.deadline_recomputed": "事项：重算完成时限",
}

RECORDS = {
    "account": "账号", "user": "账号", "roleassignment": "角色授权", "audit": "审计", "duty": "责任分工",
    "leadinggroup": "领导小组", "groupmember": "领导小组成员", "institution": "制度", "letter": "责任状",
    "responsibilityletter": "责任状", "lettertask": "责任状任务", "matter": "事项", "measure": "整改措施",
    "problemlist": "问题清单", "meeting": "会议学习", "meetingkind": "会议类型", "attendance": "出席记录",
    "topic": "议题", "activity": "教育活动", "org": "组织", "person": "人员", "position": "职务",
    "rulesetting": "规则设置", "holidayyear": "节假日安排",
}

VERBS = {
    "create": "新建", "update": "修改", "delete": "删除", "restore": "恢复到历史版本", "enable": "启用",
    "disable": "停用", "export": "导出", "import": "导入", "end": "结束",
    # 责任体系
    "assign": "交办/分配", "recheck": "重新检查“四个不直接分管”", "section_domains": "设置科室业务领域",
    "group_save": "保存领导小组", "group_member_add": "增加领导小组成员", "group_member_end": "领导小组成员离任",
    "sign": "签订", "task_save": "保存任务", "task_add": "增加任务", "task_delete": "删除任务", "task_progress": "填报任务进展",
    "progress_entry": "填报进展",
    # 事项督办 (the steps of matters/workflow.py and the child records)
    "start": "开始办理", "decline": "退回交办", "submit": "办结，提请销号", "return": "退回重办", "close": "销号",
    "reopen": "重新打开", "contact": "沟通联系", "ledger_export": "导出台账", "list_create": "新建问题清单",
    "measure_add": "增加整改措施", "measure_done": "整改措施完成", "milestone_done": "时间节点完成",
    "milestone_plan": "制定时间节点", "progress": "填报进展", "satisfaction": "评价满意度",
    "summary_download": "下载小结/总结", "supervision_run": "生成督办单",
    # 会议学习
    "activity": "登记教育活动", "attachment": "上传附件", "attachment_remove": "删除附件", "attendance": "登记出席",
    "cancel": "取消", "decide": "表决", "generate_study_days": "生成集中学习日", "ical_token": "生成日程订阅地址",
    "kind": "保存会议类型", "makeup": "登记补学", "minutes": "保存纪要", "photo": "上传照片",
    "reflection": "填写心得体会", "rotate_signin": "更换签到二维码", "signin": "签到", "study_plan": "保存学习计划",
    "study_topics": "保存学习专题", "topic": "保存议题",
}


def action_label(code: str) -> str:
    if code in REGISTERED:
        return REGISTERED[code]
    if code in PHRASES:
        return PHRASES[code]
    parts = code.split(".")
    if len(parts) < 2:
        return code
    record, verb = parts[-2], parts[-1]
    if record in RECORDS and verb in VERBS:
        return f"{RECORDS[record]}：{VERBS[verb]}"
    return code  # a new code not named here yet: shown as it is rather than guessed
