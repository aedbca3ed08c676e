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
