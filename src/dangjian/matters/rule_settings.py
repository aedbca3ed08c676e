"""Configurable rules of 事项督办 (core.rule_settings registry); the per-kind deadline rules live in kinds.py."""

from dangjian.core import rule_settings

from . import kinds  # noqa: F401  (registers the per-kind deadline rules)

GROUP = "事项督办"

rule_settings.register("matters.urgent_days", "要事马上办：默认办理时限（工作日）", 3, kind="int", group=GROUP, minimum=1,
               maximum=30, source="工作汇报一(五)“要事马上办”")
rule_settings.register("matters.supervision_weekday", "一周一督办：每周督办日（1=周一…7=周日）", 1, kind="int", group=GROUP,
               minimum=1, maximum=7, source="工作汇报一(四)“一周一督办”")
rule_settings.register("matters.summary_item_limit", "小结/总结：每项数字后列出的事项上限", 200, kind="int", group=GROUP,
               minimum=10, maximum=5000, help="超过部分注明“等 N 项”，完整清单在系统中查看")
rule_settings.register("matters.supervision_retention_years", "一周一督办：督办单明细在系统中保留的年数（含本年）", 3,
               kind="int", group=GROUP, minimum=1, maximum=30,
               source="本单位督办制度；按年归档（文书档案按年度立卷）",
               help="更早年份的督办单明细按年导出为归档文件（文档库 archive/supervision/）后从数据库删除，督办单及其统计数字保留")
