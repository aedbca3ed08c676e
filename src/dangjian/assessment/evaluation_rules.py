"""Configurable rules of 考评 (core.rule_settings registry; imported by AssessmentConfig.ready) and the default
评分细则 written from the five dimensions of 工作汇报一(三)."""

from dangjian.core import rule_settings

GROUP = "考评"

EXCELLENT_CAP = rule_settings.register(
    "assessment.excellent_cap", "年度考核优秀等次比例上限", "1/5", kind="fraction", group=GROUP, minimum=0, maximum=0.25,
    capability="assessment.change",
    source="《公务员考核规定》（2020年）：优秀等次人数一般不超过参加年度考核人数的20%，特殊情况经公务员主管部门同意最多不超过25%",
    help="党组审定时，优秀人数超过参评人数乘以此比例的，不予审定")
REVIEW_DAYS = rule_settings.register(
    "assessment.review_days", "申请复核期限（工作日）", 22, kind="int", group=GROUP, minimum=1, maximum=60,
    capability="assessment.change",
    source="《公务员法》申诉控告章：对定期考核定为不称职等人事处理不服的，可以自知道之日起三十日内向原处理机关申请复核；"
           "22个工作日不短于30日",
    help="自考核结果审定之日起计算")
REVIEW_ANSWER_DAYS = rule_settings.register(
    "assessment.review_answer_days", "复核答复期限（工作日）", 15, kind="int", group=GROUP, minimum=1, maximum=22,
    capability="assessment.change",
    source="《公务员法》申诉控告章：原处理机关应当自接到复核申请书后的三十日内作出复核决定；本单位默认15个工作日，在法定期限内",
    help="自申请之日起计算；逾期未答复的在考评页标明，并留在答复人的待办中")
MEMBER_EXCELLENT_CAP = rule_settings.register(
    "assessment.member_excellent_cap", "民主评议党员优秀比例上限", "1/3", kind="fraction", group=GROUP,
    minimum=0, maximum=1, capability="assessment.change",
    source="共产党员网《民主评议党员》：评定为“优秀”的比例一般不超过党员总数的1/3；党员总数指正式党员，预备党员不评定等次")
CORRECT_MONTHS = rule_settings.register(
    "assessment.correct_months", "不合格党员限期改正期限（月）", 12, kind="int", group=GROUP, minimum=1, maximum=12,
    capability="assessment.change", source="《中国共产党章程》第九条（限期改正）；期限为本单位默认，党章未规定")
BALLOT_RATE = rule_settings.register(
    "assessment.ballot_per_minute", "民主测评页每分钟请求上限（每个地址）", 300, kind="int", group=GROUP, minimum=10,
    maximum=10000, help="同一会场的投票人常共用一个出口地址，上限须容得下全场在一分钟内投票")


def _item(code, name, kind, points, cap, rule, evidence, source=""):
    return {"code": code, "name": name, "kind": kind, "points": points, "cap": cap, "rule": rule,
            "evidence": evidence, "source": source}


# The demo agency's first version (a new version is written on the 评分细则 page). Each item's ``source`` names
# the pre-fill source (evaluation_prefill.PREFILL_SOURCES) that proposes its deductions or bonuses from the records.
DEFAULT_DIMENSIONS = [
    {"code": "party", "name": "党性修养", "points": 20, "items": [
        _item("study_absent", "缺席学习未补学", "deduct", 1, 5, "学习缺席且未按期补学的，每次扣1分", "出席记录", "study"),
        _item("branch_duty", "三会一课未按期召开", "deduct", 2, 6, "任支部书记期间所在支部三会一课缺项，每项扣2分",
              "三会一课缺项记录", "branch_duty"),
    ]},
    {"code": "law", "name": "遵纪守法", "points": 20, "items": [
        _item("talk", "被约谈或诫勉", "deduct", 3, 9, "受到提醒谈话、约谈、诫勉等的，每次扣3分", "谈话记录", "talk"),
        _item("conduct_negative", "作风台账负面记录", "deduct", 2, 10, "作风台账每条负面记录扣2分", "作风台账条目",
              "conduct_negative"),
    ]},
    {"code": "discipline", "name": "工作纪律", "points": 20, "items": [
        _item("overdue_matter", "承办事项超期", "deduct", 1, 6, "本人承办的事项超过办理时限，每件扣1分", "事项督办记录",
              "overdue_matter"),
    ]},
    {"code": "attitude", "name": "工作态度", "points": 20, "items": [
        _item("task_late", "责任状任务逾期", "deduct", 2, 6, "责任状任务逾期未完成，每项扣2分", "责任状任务", "task"),
        _item("task_done", "责任状任务按期完成", "bonus", 0.5, 2, "责任状任务按期完成，每项加0.5分", "责任状任务",
              "task_done"),
        # 量化承诺 (the ledger's commitments): its source is registered by the ledger's module when present.
        _item("commitment", "量化承诺未兑现", "deduct", 1, 4, "年终核定未兑现的量化承诺，每项扣1分", "承诺年终核定记录",
              "commitment"),
    ]},
    {"code": "style", "name": "工作作风", "points": 20, "items": [
        _item("finding", "监督检查发现问题", "deduct", 2, 6, "本人负责整改的监督检查问题，每个扣2分", "监督检查问题",
              "finding"),
        _item("conduct_positive", "表扬、典型、承诺兑现", "bonus", 1, 4, "作风台账每条正面记录加1分", "作风台账条目",
              "conduct_positive"),
    ]},
]
