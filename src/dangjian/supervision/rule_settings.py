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

# 分类建议: at or above this confidence the suggested category is put on a new petition (for staff to confirm);
# below it the petition waits in triage with no category (supervision/classify.py).
rule_settings.register(
    "supervision.category_threshold", "诉求分类建议置信度阈值", 0.6, kind="decimal", group=GROUP,
    capability="petition.change", minimum=0.0, maximum=1.0, source="本系统规则（群众监督 分类归并）",
    help="0 到 1 之间；新诉求的建议分类置信度达到此值时预填分类（待工作人员确认），低于此值转人工分类")
