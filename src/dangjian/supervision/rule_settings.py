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
