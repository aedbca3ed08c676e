"""纪委监督: inspection plans (定期检查), inspection records with their checklist results and findings, and
talks (约谈、谈话提醒、函询…). Findings are rectified as Matters of kind 监督检查问题 (matters' workflow).

Confidential (保密): every record here is read by the discipline team (capability ``supervision.view``) and
the Party group secretary (党组书记) of the agency; the person talked to sees only the date, the kind and their
own commitments of their talks (services.reads_in_full). Everyone else: 404, as for a record that is not there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.models import ScopedModel
from dangjian.core.scope import ScopedQuerySet, scope_conditions
from dangjian.orgs.models import Org, PositionTitle
from dangjian.orgs.services import agency_of, current_positions

_SECRETARY_CACHE_ATTR = "_dangjian_secretary_paths"


def secretary_paths(user) -> list[str]:
    """The agencies (by path) whose 党组书记 the user is today, read once per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get(_SECRETARY_CACHE_ATTR)
    if cached is None:
        orgs = Org.objects.filter(pk__in=current_positions([PositionTitle.SECRETARY]).filter(
            person__user=user).values("org_id"))
        cached = sorted({agency_of(org).path for org in orgs})
        user.__dict__[_SECRETARY_CACHE_ATTR] = cached
    return cached


class SupervisionQuerySet(ScopedQuerySet):
    """The scope mechanism, plus the one reader the role table cannot name: the agency's 党组书记 (a position,
    not a role) reads every supervision record of the agency; they change none."""

    def reads_all_under(self, user, paths) -> bool:
        secretary = secretary_paths(user)
        return all(super(SupervisionQuerySet, self).reads_all_under(user, [path])
                   or any(path.startswith(p) for p in secretary) for path in paths)

    def visible_to(self, user, action: str = "view"):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q()
        for condition in scope_conditions(self.model, user, action):
            q |= condition
        for path in secretary_paths(user) if action == "view" else ():
            q |= Q(org_path__pathprefix=path)
        return self.filter(q)


class Period(models.TextChoices):
    YEAR = "year", "全年"
    H1 = "h1", "上半年"
    H2 = "h2", "下半年"
    Q1 = "q1", "第一季度"
    Q2 = "q2", "第二季度"
    Q3 = "q3", "第三季度"
    Q4 = "q4", "第四季度"


class InspectionPlan(ScopedModel):
    """定期检查计划: the year and period, who and which sections are checked, and the checklist in force."""

    scope_capability = "supervision"

    title = models.CharField("计划名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    period = models.CharField("检查周期", max_length=8, choices=Period.choices)
    people = models.ManyToManyField("orgs.Person", blank=True, related_name="+",
                                    verbose_name="检查对象（班子成员、责任科室负责人）")
    sections = models.ManyToManyField("orgs.Org", blank=True, related_name="+", verbose_name="检查科室")
    # The checklist as it stood when the plan was made (rule supervision.checklist), and its version.
    checklist = models.JSONField("检查项目", default=list)
    checklist_version = models.PositiveIntegerField("检查项目规则版本", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="制定人")

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "监督检查计划"
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title


class Result(models.TextChoices):
    GOOD = "good", "符合要求"
    PARTIAL = "partial", "基本符合"
    FAILED = "failed", "存在问题"


class Inspection(ScopedModel):
    """监督检查记录: one check of one person or section under a plan, with the result of each checklist item."""

    scope_capability = "supervision"

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections",
                             verbose_name="检查计划")
    held_on = models.DateField("检查日期")
    inspectors = models.ManyToManyField("orgs.Person", related_name="+", verbose_name="检查人")
    person = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="被检查人")
    section = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="被检查科室")
    scope_text = models.TextField("检查内容")
    # [{"item": 检查项目, "result": Result, "note": 说明}], one per item of the plan's checklist, in its order.
    results = models.JSONField("逐项检查结果", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "监督检查记录"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} 检查 {self.person or self.section}"

    @property
    def checked_label(self) -> str:
        return str(self.person or self.section or "")

    def result_rows(self) -> list[dict]:
        labels = dict(Result.choices)
        return [{**row, "label": labels.get(row.get("result"), "")} for row in self.results]


class Finding(ScopedModel):
    """检查发现的问题: rectified as the Matter of kind 监督检查问题 it became (matters' one workflow)."""

    scope_capability = "supervision"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings",
                                   verbose_name="检查记录")
    item = models.CharField("检查项目", max_length=100, blank=True)
    text = models.TextField("问题描述")
    matter = models.OneToOneField("matters.Matter", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="整改事项")

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "监督检查问题"
        ordering = ["id"]

    def __str__(self):
        return self.text[:40]


class TalkKind(models.TextChoices):
    """The first of the 四种形态 (《中国共产党党内监督条例》第七条: 批评和自我批评、约谈函询): only these are
    recorded here; 党纪处分 and 立案审查 (the second to fourth forms) are not (docs/rules.md)."""

    REMINDER = "reminder", "提醒谈话"
    CRITICISM = "criticism", "批评教育"
    SELF_EXAMINATION = "self_exam", "责令检查"
    ADMONITION = "admonition", "诫勉谈话"
    SUMMONS = "summons", "约谈"
    INQUIRY_TALK = "inquiry_talk", "谈话函询（谈话）"
    INQUIRY_LETTER = "inquiry_letter", "谈话函询（函询）"


class Talk(ScopedModel):
    """约谈等谈话: who talked with whom, why, what was said, the person's account and commitments, the follow-up."""

    scope_capability = "supervision"
    self_field = "subject__user"  # the person talked to sees their talks (date, kind, commitments only)

    kind = models.CharField("方式", max_length=16, choices=TalkKind.choices)
    held_on = models.DateField("日期")
    talker = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="谈话人")
    subject = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="谈话对象")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="talks",
                                verbose_name="事由（检查发现的问题）")
    # 事由: a finding, a petition (群众反映), or free text.
    petition = models.ForeignKey("supervision.Petition", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="talks", verbose_name="事由（群众诉求）")
    reason = models.TextField("事由", blank=True, help_text="未关联检查问题或群众诉求时填写")
    content = models.TextField("谈话内容")
    account = models.TextField("本人说明", blank=True)
    commitments = models.TextField("本人承诺", blank=True)
    follow_up_on = models.DateField("回访日期", null=True, blank=True)
    followed_up_on = models.DateField("已回访日期", null=True, blank=True)
    follow_up_note = models.TextField("回访情况", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "谈话记录"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def reason_text(self) -> str:
        if self.finding_id:
            return self.finding.text
        if self.petition_id:
            return f"群众诉求：{self.petition.subject}"
        return self.reason


# 群众监督 (public supervision): its records live in their own module, loaded with this app's models.
from .classify_models import CategoryModel  # noqa: E402,F401
from .petition_models import (  # noqa: E402,F401
    Channel,
    Petition,
    PetitionAttachment,
    PetitionCategory,
    PetitionKind,
    PetitionReply,
    PetitionStatus,
    PetitionSupplement,
    ReplyDelivery,
)
