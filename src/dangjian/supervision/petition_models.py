"""群众监督: what the public writes (意见建议、投诉、检举控告) through the portal or any other channel, one record per
source; its category (the agency's own, suggested by what was learned from its history), its duplicate group
(the original it repeats), and the reply that reaches each source.

An accepted petition, or a merged group, is handled as one Matter of kind 群众诉求 (matters' one workflow); each
source keeps its own record, contact and 查询码 and is told the reply (ReplyDelivery).

Anonymity: a petition submitted anonymously stores no user, address, user agent or cookie — there is no column
for them. A named petitioner's contact is encrypted at rest (like ID numbers).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import ScopedModel
from dangjian.core.scope import ScopedQuerySet, path_condition, scope_conditions
from dangjian.orgs.models import Org, Person


class PetitionKind(models.TextChoices):
    SUGGESTION = "suggestion", "意见建议"
    COMPLAINT = "complaint", "投诉"
    ACCUSATION = "accusation", "检举控告"


class Channel(models.TextChoices):
    """Intake channels (工作汇报一(三)“群众监督”): the portal, and those staff enter one record per source."""

    PORTAL = "portal", "网上监督平台"
    WEBSITE = "website", "XX网"
    GOV_OPEN = "gov_open", "政务公开网"
    QQ = "qq", "QQ群"
    EMAIL = "email", "电子邮箱"
    HOTLINE = "hotline", "热线电话"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PROPOSAL = "proposal", "提案办理"
    ENTERPRISE = "enterprise", "服务企业"
    VILLAGE = "village", "联系村级发展"


class PetitionStatus(models.TextChoices):
    TRIAGE = "triage", "待分类"
    ACCEPTED = "accepted", "已受理"
    MERGED = "merged", "已归并"
    DECLINED = "declined", "不予受理"


class CategorySource(models.TextChoices):
    NONE = "", "未分类"
    SUGGESTED = "suggested", "系统建议（待确认）"
    CONFIRMED = "confirmed", "工作人员确认"
    CORRECTED = "corrected", "工作人员更正"
    IMPORTED = "imported", "历史导入"


_BARRED_CACHE_ATTR = "_dangjian_petition_barred"
PATH_STEP = 4  # orgs.Org.steplen: a tree path is made of steps of this many characters


def ancestor_paths(path: str) -> list[str]:
    """The path of an org and of every org above it."""
    return [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]


def barred_ids(user) -> tuple[list[int], list[int]]:
    """(the user's person ids, the ids of the orgs their person belongs to and every org above them), read once
    per request: a petition naming that person as accused, or an org in that list, is never theirs to find."""
    cached = user.__dict__.get(_BARRED_CACHE_ATTR)
    if cached is None:
        people = list(Person._base_manager.filter(user=user).values_list("pk", "org_path", "branch_path"))
        paths = {p for _pk, *own in people for path in own if path for p in ancestor_paths(path)}
        orgs = list(Org.objects.filter(path__in=paths).values_list("pk", flat=True)) if paths else []
        cached = ([pk for pk, *_ in people], orgs)
        user.__dict__[_BARRED_CACHE_ATTR] = cached
    return cached


class PetitionQuerySet(ScopedQuerySet):
    """The scope mechanism plus confidentiality (检举控告工作规则 第四十七条, docs/rules.md):

    - a 检举控告 is read only where the reader also holds ``supervision.view`` (the discipline team);
    - a petition naming an accused person or org is never found by that person, nor by anyone whose person
      belongs to that org or below it — whatever their role; they get what a record that does not exist gives.

    The child records (attachments, supplements, deliveries) apply the same test through their petition
    (``petition_prefix``)."""

    def reads_all_under(self, user, paths) -> bool:
        return False  # an accusation, or one naming the reader, is withheld wherever they hold a grant

    def visible_to(self, user, action: str = "view"):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        scope = Q()
        for condition in scope_conditions(self.model, user, action):
            scope |= condition
        prefix = getattr(self.model, "petition_prefix", "")
        accusation = Q(**{f"{prefix}kind": PetitionKind.ACCUSATION})
        discipline = path_condition(user, "supervision.view", (f"{prefix}org_path",))
        visible = self.filter(scope & (~accusation | discipline))
        people, orgs = barred_ids(user)
        if people:
            visible = visible.exclude(**{f"{prefix}accused_person_id__in": people})
        if orgs:
            visible = visible.exclude(**{f"{prefix}accused_org_id__in": orgs})
        return visible


class PetitionCategory(ScopedModel):
    """诉求分类: the agency's own categories, edited by its staff. ``keywords`` (one per line) give the suggestion
    while there is no classified history to learn from."""

    scope_capability = "petition"

    name = models.CharField("分类名称", max_length=50)
    keywords = models.TextField("关键词", blank=True, help_text="每行一个；无历史数据可学习时据此建议分类")
    active = models.BooleanField("启用", default=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "诉求分类"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="petition_category_unique_name")]

    def __str__(self):
        return self.name


def hash_query_code(code: str) -> str:
    """The stored form of a 查询码: only its digest is kept, so that the table reveals no code."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


class Petition(ScopedModel):
    """群众诉求 (one source): received by the agency ``org`` through ``channel``."""

    scope_capability = "petition"

    number = models.CharField("编号", max_length=40, blank=True, help_text="本系统编号或原渠道编号")
    kind = models.CharField("类型", max_length=12, choices=PetitionKind.choices, default=PetitionKind.SUGGESTION)
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField("收到时间")
    subject = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    anonymous = models.BooleanField("匿名", default=True)
    # A named petitioner's contact (encrypted at rest); anonymous ones leave these empty.
    contact_name = EncryptedTextField("联系人", blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True)
    contact_other = EncryptedTextField("其他联系方式", blank=True, help_text="邮箱、QQ号、通信地址等")
    # The digest of the 查询码 given to the petitioner (portal, or told by staff); empty when none was given.
    query_code_hash = models.CharField("查询码摘要", max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField("状态", max_length=10, choices=PetitionStatus.choices, default=PetitionStatus.TRIAGE)
    category = models.ForeignKey(PetitionCategory, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="petitions", verbose_name="分类")
    category_source = models.CharField("分类来源", max_length=10, choices=CategorySource.choices, blank=True)
    category_confidence = models.FloatField("分类置信度", null=True, blank=True)
    # 归并: the original this one repeats (one level: an original names no original), and who confirmed it.
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates", verbose_name="重复于（原件）")
    merge_score = models.FloatField("重复相似度", null=True, blank=True)
    merge_reason = models.CharField("归并理由", max_length=200, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="归并确认人")
    merged_at = models.DateTimeField("归并时间", null=True, blank=True)
    # The Matter (kind 群众诉求) that handles it: the original's, shared by every member of its group.
    matter = models.ForeignKey("matters.Matter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="petitions", verbose_name="办理事项")
    decline_reason = models.TextField("不予受理理由", blank=True)
    # Whom a 检举控告 names (被检举人/单位): they, and the people of that org, never find the record.
    accused_person = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name="被检举人")
    accused_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="被检举单位")
    # The petitioner's rating of the reply (portal, or recorded by staff for other channels).
    satisfaction = models.CharField("满意度", max_length=12, blank=True,
                                    choices=[("satisfied", "满意"), ("basic", "基本满意"),
                                             ("unsatisfied", "不满意")])
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    imported = models.BooleanField("历史导入", default=False)
    # The staff member who entered it (other channels, import); always empty for the portal.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "群众诉求"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "received_at"], name="petition_scope_received",
                         opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
            models.Index(fields=["status", "received_at"], name="petition_status_received"),
        ]

    def __str__(self):
        return f"{self.number or self.pk} {self.subject}"

    @property
    def original(self) -> Petition:
        return self.duplicate_of if self.duplicate_of_id else self


class PetitionAttachment(ScopedModel):
    """附件 of a petition or of what the petitioner added later (type checked by content, core.uploads)."""

    scope_capability = "petition"
    petition_prefix = "petition__"  # confidential through its petition (PetitionQuerySet)

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments",
                                 verbose_name="群众诉求")
    supplement = models.ForeignKey("PetitionSupplement", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="attachments", verbose_name="补充材料")
    file = models.FileField("文件", upload_to="petitions/%Y/%m/")
    name = models.CharField("文件名", max_length=200)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "诉求附件"
        ordering = ["id"]

    def __str__(self):
        return self.name


class PetitionSupplement(ScopedModel):
    """补充信息: what the petitioner adds later with the 查询码."""

    scope_capability = "petition"
    petition_prefix = "petition__"  # confidential through its petition (PetitionQuerySet)

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="supplements",
                                 verbose_name="群众诉求")
    text = models.TextField("补充内容")

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "诉求补充信息"
        ordering = ["id"]

    def __str__(self):
        return self.text[:40]


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", "拟稿"
    SUBMITTED = "submitted", "待领导审核"
    APPROVED = "approved", "已审核"
    PUBLISHED = "published", "已答复"


class PetitionReply(ScopedModel):
    """答复: drafted, approved by the matter's responsible leader, then published to every source of the group."""

    scope_capability = "petition"

    matter = models.OneToOneField("matters.Matter", on_delete=models.PROTECT, related_name="petition_reply",
                                  verbose_name="办理事项")
    text = models.TextField("答复内容")
    status = models.CharField("状态", max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="拟稿人")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="审核人")
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    published_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求答复"

    def __str__(self):
        return self.text[:40]


class DeliveryMethod(models.TextChoices):
    PORTAL = "portal", "平台查询（凭查询码）"
    PHONE = "phone", "电话告知"
    LETTER = "letter", "书面回函"
    QQ = "qq", "QQ群回复"
    EMAIL = "email", "电子邮件"
    IN_PERSON = "in_person", "当面答复"


class ReplyDelivery(ScopedModel):
    """答复送达: how, when and by whom the reply reached one source (the portal: published for its 查询码)."""

    scope_capability = "petition"
    petition_prefix = "petition__"  # confidential through its petition (PetitionQuerySet)

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="deliveries",
                                 verbose_name="群众诉求")
    reply = models.ForeignKey(PetitionReply, on_delete=models.PROTECT, related_name="deliveries",
                              verbose_name="答复")
    method = models.CharField("送达方式", max_length=10, choices=DeliveryMethod.choices)
    delivered_at = models.DateTimeField("送达时间")
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="经办人")
    note = models.CharField("说明", max_length=200, blank=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "答复送达记录"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["petition", "reply"], name="delivery_once_per_reply")]

    def __str__(self):
        return f"{self.get_method_display()} {self.delivered_at:%Y-%m-%d}"


class VerdictOutcome(models.TextChoices):
    UPHELD = "upheld", "查实"
    PARTLY = "partly", "部分查实"
    NOT_UPHELD = "not_upheld", "未查实"


class PetitionVerdict(ScopedModel):
    """查实认定 of a 投诉 or 检举控告 once its matter is closed (销号): the outcome, what was found, and who decided
    (the discipline team for a 检举控告, the matter's responsible leader otherwise). A 查实 or 部分查实 goes to the
    作风台账 of each cadre named (``cadres``), through the signal ``verdicts.complaint_upheld``."""

    scope_capability = "petition"
    petition_prefix = "petition__"  # confidential through its petition (PetitionQuerySet)

    petition = models.OneToOneField(Petition, on_delete=models.PROTECT, related_name="verdict",
                                    verbose_name="群众诉求（原件）")
    outcome = models.CharField("查实结果", max_length=12, choices=VerdictOutcome.choices)
    basis = models.TextField("查实情况")
    decided_on = models.DateField("认定日期")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="认定人")

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "群众诉求查实认定"

    def __str__(self):
        return f"{self.get_outcome_display()}：{self.petition}"


class VerdictCadre(ScopedModel):
    """A cadre a 查实认定 names (涉及干部): the source record of their 作风台账 entry of kind 投诉查实."""

    scope_capability = "petition"
    petition_prefix = "verdict__petition__"  # confidential through its petition (PetitionQuerySet)

    verdict = models.ForeignKey(PetitionVerdict, on_delete=models.PROTECT, related_name="cadres",
                                verbose_name="查实认定")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="涉及干部")

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "查实认定涉及干部"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["verdict", "person"], name="verdict_cadre_once")]

    def __str__(self):
        # what the cadre's ledger shows as the source: the kind and number of the petition, never its petitioner
        petition = self.verdict.petition
        return f"{petition.get_kind_display()}查实认定（诉求编号 {petition.number or petition.pk}）"
