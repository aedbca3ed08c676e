"""Configurable rules of 责任体系 (docs/rules.md), registered in the one rule registry (core.rule_settings)."""

from dangjian.core import rule_settings

# Every domain a section may carry; the principal-leader rule picks from these.
DOMAINS = ("财务", "人事", "工程项目", "物资采购", "行政审批", "党建", "综合", "政策法规", "业务")

EXCLUDED_DOMAINS = "duties.principal_excluded_domains"
DUE_SOON_WORKDAYS = "duties.due_soon_workdays"

rule_settings.register(
    EXCLUDED_DOMAINS, "四个不直接分管：党政主要负责人不直接分管的领域", ["财务", "人事", "工程项目", "物资采购"],
    kind="choices", group="责任体系", options=DOMAINS,
    source="市XX工作汇报 一(一)；《关于加强对“一把手”和领导班子监督的意见》（2021）及地方规定",
    help="有的地方另加“行政审批”。修改后将重新核验所有在任分工并列出冲突。",
)
rule_settings.register(
    DUE_SOON_WORKDAYS, "责任状任务临期提醒（工作日）", 5, kind="int", group="责任体系", minimum=0, maximum=60,
)
