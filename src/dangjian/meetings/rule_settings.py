"""Configurable rules of 会议学习 (docs/rules.md: collective decisions, organisational life, study day)."""

from dangjian.core.rule_settings import register

DECISION = "集体决策（民主集中制、三重一大）"
LIFE = "组织生活（三会一课）"
STUDY = "集中学习日"

register("meetings.quorum", "会议到会比例（须超过）", "1/2", kind="fraction", group=DECISION,
         source="《中国共产党党组工作条例》；《中国共产党支部工作条例（试行）》第十二条",
         help="到会成员须超过应到会成员的这一比例，会议方可召开")
register("meetings.cadre_quorum", "干部任免到会比例（不少于）", "2/3", kind="fraction", group=DECISION,
         source="《党政领导干部选拔任用工作条例》", help="讨论决定干部任免，到会成员不少于应到会成员的这一比例")
register("meetings.pass_share", "表决通过比例（同意须超过应到会成员的）", "1/2", kind="fraction", group=DECISION,
         source="《党政领导干部选拔任用工作条例》；支部工作条例第十一条")
register("meetings.large_fund_threshold", "大额资金标准（万元）", 50.0, kind="decimal", group=DECISION,
         minimum=0, maximum=10_000_000, source="本单位“三重一大”决策制度",
         help="金额达到此标准的事项为“大额资金使用”，须集体决策")
register("meetings.agenda_notice_workdays", "议题材料提前送达（工作日）", 1, kind="int", group=DECISION,
         minimum=0, maximum=30, source="本单位“三重一大”决策制度")
register("meetings.signin_minutes", "扫码签到二维码有效期（分钟）", 30, kind="int", group=LIFE, minimum=1, maximum=1440)

# 三会一课 frequencies: at least once every N months (docs/rules.md, 支部工作条例).
FREQUENCY_RULES = {
    "branch_general": ("meetings.freq.branch_general", "支部党员大会（每几个月至少一次）", 3, "支部工作条例第十一条"),
    "branch_committee": ("meetings.freq.branch_committee", "支部委员会（每几个月至少一次）", 1, "支部工作条例第十二条"),
    "cell": ("meetings.freq.cell", "党小组会（每几个月至少一次）", 1, "支部工作条例第十三条"),
    "lecture": ("meetings.freq.lecture", "党课（每几个月至少一次）", 3, "支部工作条例第十六条；本地规定"),
    "theme_day": ("meetings.freq.theme_day", "主题党日（每几个月至少一次）", 1, "支部工作条例"),
}
for _kind, (_key, _label, _default, _source) in FREQUENCY_RULES.items():
    register(_key, _label, _default, kind="int", group=LIFE, minimum=1, maximum=12, source=_source,
             help="填 1（每月）、3（每季度）、6（每半年）或 12（每年）")

register("meetings.study_weekday", "集中学习日（星期几，1=周一）", 4, kind="int", group=STUDY, minimum=1, maximum=7,
         source="工作汇报一（二）“坚持每个周四下午为集中学习日”")
register("meetings.study_start", "集中学习开始时间", "14:30", kind="text", group=STUDY)
register("meetings.study_end", "集中学习结束时间", "17:00", kind="text", group=STUDY)
