"""Configurable rules of 监督 (core.rule_settings registry) and the matter kind its findings are filed as."""

from dangjian.core import rule_settings
from dangjian.matters.kinds import KindSpec, register_kind

GROUP = "监督"

# The checklist the discipline team keeps (a versioned rule: each change is a new, audited version, and a plan
# stores the version it was made with). Changed by the holders of supervision.change over the whole agency.
rule_settings.register(
    "supervision.checklist", "纪委监督检查项目", [
        "政治纪律和政治规矩", "中央八项规定精神", "两个责任落实", "三重一大决策执行", "三会一课落实"],
    kind="choices", group=GROUP, capability="supervision.change",
    source="工作汇报一(三)“纪委监督”；《中国共产党党内监督条例》",
    help="每项一个名称，用逗号或顿号分隔；修改后新制定的检查计划使用新版本")

# 监督检查问题: a finding of an inspection, rectified and closed (备案销号) like every matter.
INSPECTION = register_kind(KindSpec("inspection", "监督检查问题", 20, "工作日", 3, source_hint="纪委监督检查",
                                    register_capability="supervision.change"))

# 群众诉求: an accepted petition (or a merged group of them) handled and replied to like every matter. The reply
# deadline per type of petition is its own rule (supervision.petition_reply_days.*).
PETITION = register_kind(KindSpec("petition", "群众诉求", 15, "工作日", 3, submit_requires=("reply_text",),
                                  source_hint="群众监督", register_capability="petition.change"))

# 群众监督 public portal: limits per address, counted only in the cache (core.ratelimit), never stored with a record.
rule_settings.register(
    "supervision.portal_submit_per_minute", "群众监督平台提交限流（每地址每分钟）", 3, kind="int", group=GROUP,
    minimum=1, maximum=1000, capability="security_setting.manage", source="GB/T 22239-2019 8.1.3.5 入侵防范",
    help="同一地址每分钟提交意见建议、投诉、检举控告的次数上限；超出返回 429。计数只保存在缓存中，不随诉求保存。")
rule_settings.register(
    "supervision.portal_lookup_per_minute", "群众监督平台查询码查询限流（每地址每分钟）", 10, kind="int", group=GROUP,
    minimum=1, maximum=1000, capability="security_setting.manage", source="GB/T 22239-2019 8.1.3.5 入侵防范",
    help="同一地址每分钟凭查询码查询、补充信息、评价的次数上限；超出返回 429，使随机猜测查询码不可行。")
# 群众诉求的答复时限 (working days from acceptance), per type. Defaults stay well inside the 60 days from
# acceptance that 《信访工作条例》 allows for handling a matter (docs/rules.md); an 检举控告 needs verification.
PETITION_REPLY_DAYS = {"suggestion": ("意见建议", 15), "complaint": ("投诉", 15), "accusation": ("检举控告", 30)}
for _key, (_label, _days) in PETITION_REPLY_DAYS.items():
    rule_settings.register(
        f"supervision.petition_reply_days.{_key}", f"群众诉求答复时限：{_label}（工作日）", _days, kind="int", group=GROUP,
        minimum=1, maximum=60, capability="petition.change",
        source="《信访工作条例》：信访事项自受理之日起60日内办结", help="自受理（生成办理事项）之日起计算的工作日数")
# 分类建议: at or above this confidence the suggested category is put on a new petition (for staff to confirm);
# below it the petition waits in triage with no category (supervision/classify.py).
rule_settings.register(
    "supervision.category_threshold", "诉求分类建议置信度阈值", 0.6, kind="decimal", group=GROUP,
    capability="petition.change", minimum=0.0, maximum=1.0, source="本系统规则（群众监督 分类归并）",
    help="0 到 1 之间；新诉求的建议分类置信度达到此值时预填分类（待工作人员确认），低于此值转人工分类")
# 重复件识别 (supervision.duplicates): which earlier petitions a new one is compared with, and the score from which
# a suggested duplicate is pre-selected for merging (staff still confirm every merge).
rule_settings.register(
    "supervision.duplicate_window_days", "群众诉求重复件识别：已办结诉求的比对期限（天）", 90, kind="int", group=GROUP,
    minimum=0, maximum=3650, source="本单位群众诉求分类归并办法",
    help="未办结的诉求都参与比对；已办结（销号）或不予受理的，只比对办结不超过此天数的")
rule_settings.register(
    "supervision.duplicate_threshold", "群众诉求重复件识别：建议归并的相似度阈值", 0.35, kind="decimal", group=GROUP,
    minimum=0.05, maximum=1, source="本单位群众诉求分类归并办法",
    help="相似度（0～1）不低于此值的疑似重复件预先勾选为建议归并，仍须工作人员确认；地点或单位名称不同的"
         "诉求相似度至多约 0.33，阈值高于此值时不会被建议归并")
