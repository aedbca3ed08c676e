"""责任体系: the leading group, duties (两个责任、领导责任、具体责任), section domains,
annual responsibility letters (责任状) with their tasks, and the register of rules (制度汇编)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dangjian.core.models import ScopedModel
from dangjian.core.scope import ScopedQuerySet, grants_with
from dangjian.orgs.models import ancestor_paths


class DatedQuerySet(ScopedQuerySet):
    def current(self, on: dt.date | None = None):
        """Rows in force on a date (start on or before it, no end or an end on or after it)."""
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))

    def overlapping(self, start: dt.date, end: dt.date | None):
        q = self.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        return q.filter(start_date__lte=end) if end else q


# ---- 组织体系到位: the leading group ---------------------------------------------------------------

class LeadingGroup(ScopedModel):
    """党建工作领导小组 of an agency; its office (the section doing the daily work) is audited history."""

    scope_capability = "duty"

    name = models.CharField("名称", max_length=100, default="党建工作领导小组")
    established_on = models.DateField("成立日期")
    basis = models.CharField("成立依据（文号）", max_length=100, blank=True)
    office = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                               verbose_name="办事机构（具体负责科室）")

    class Meta:
        verbose_name = verbose_name_plural = "党建工作领导小组"
        ordering = ["org_path"]

    def __str__(self):
        return self.name


class GroupRole(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"


class GroupMember(ScopedModel):
    """A member of the leading group for a period: "who led this in 2025" is a dated query."""

    scope_capability = "duty"
    self_field = "person__user"

    group = models.ForeignKey(LeadingGroup, on_delete=models.CASCADE, related_name="members",
                              verbose_name="领导小组")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    role = models.CharField("小组职务", max_length=8, choices=GroupRole.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "领导小组成员"
        ordering = ["role", "start_date"]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"


# ---- 责任分工到位: duties ------------------------------------------------------------------------

class DutyKind(models.TextChoices):
    PRIMARY = "primary", "第一责任人（主体责任）"
    SUPERVISION = "supervision", "监督责任"
    LEADERSHIP = "leadership", "领导责任（分管）"
    SPECIFIC = "specific", "具体责任"


# Duties held for a section (the others are held for the whole agency).
SECTION_KINDS = {DutyKind.LEADERSHIP, DutyKind.SPECIFIC}


class Duty(ScopedModel):
    """A dated duty. ``org`` is the section (领导责任/具体责任) or the agency (第一责任人/监督责任)."""

    scope_capability = "duty"
    self_field = "person__user"

    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="duties", verbose_name="责任人")
    kind = models.CharField("责任类型", max_length=16, choices=DutyKind.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    rule_version = models.PositiveIntegerField("核验所依据的规则版本", default=0, editable=False)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "责任分工"
        ordering = ["org_path", "kind", "-start_date"]
        indexes = [models.Index(fields=["kind", "org_path"])]

    def __str__(self):
        return f"{self.person} · {self.get_kind_display()} · {self.org}"


class SectionDomains(ScopedModel):
    """The domains a section handles (财务、人事…), against which 四个不直接分管 is checked."""

    scope_capability = "duty"

    domains = models.JSONField("业务领域", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "科室业务领域"
        constraints = [models.UniqueConstraint(fields=["org"], name="uniq_section_domains")]

    def __str__(self):
        return f"{self.org}：{'、'.join(self.domains) or '无'}"


# ---- 责任状: annual responsibility letters -------------------------------------------------------

class LetterKind(models.TextChoices):
    LEADER = "leader", "班子成员"
    SECTION_HEAD = "section_head", "科室负责人"


class ResponsibilityLetter(ScopedModel):
    """党建工作责任状 signed by the secretary (甲方) with a leadership member or a section head (乙方).

    ``org`` is the section for a section head's letter and the agency for a leader's; the signer
    and the secretary always see the letter they signed (``self_field``).
    """

    scope_capability = "duty"
    self_field = ("counterpart__user", "secretary__user")  # both parties to the letter

    year = models.PositiveIntegerField("年度")
    kind = models.CharField("类型", max_length=16, choices=LetterKind.choices)
    secretary = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="甲方（党组书记）")
    counterpart = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="letters",
                                    verbose_name="乙方（责任人）")
    responsibilities = models.TextField("责任内容", blank=True)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    signed_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+", verbose_name="签订登记人")
    # Stored paths under MEDIA_ROOT (not FileFields: the audit snapshot keeps plain values).
    scan = models.CharField("签字扫描件", max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "党建工作责任状"
        ordering = ["-year", "kind", "org_path", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "counterpart"], name="uniq_letter_year_person")]

    def __str__(self):
        return f"{self.year}年度党建工作责任状（{self.counterpart}）"

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"


class LetterTaskQuerySet(ScopedQuerySet):
    def overdue(self, on: dt.date | None = None):
        return self.exclude(status=TaskStatus.DONE).filter(deadline__lt=on or timezone.localdate())


class LetterTask(ScopedModel):
    """A task decomposed into a letter (to move onto the matters engine when it lands)."""

    scope_capability = "duty"
    self_field = "owner__user"

    letter = models.ForeignKey(ResponsibilityLetter, on_delete=models.CASCADE, related_name="tasks",
                               verbose_name="责任状")
    seq = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("任务", max_length=200)
    target = models.CharField("量化目标", max_length=300)
    owner = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="letter_tasks",
                              verbose_name="责任人")
    deadline = models.DateField("完成时限")
    weight = models.PositiveSmallIntegerField("权重")
    status = models.CharField("状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    evidence = models.TextField("完成情况与佐证", blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)

    objects = LetterTaskQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "责任状任务"
        ordering = ["letter_id", "seq", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return self.title

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.status != TaskStatus.DONE and self.deadline < (on or timezone.localdate())

    @property
    def state_label(self) -> str:
        return "逾期" if self.is_overdue() else self.get_status_display()


class TaskProgress(ScopedModel):
    """A progress entry on a task: what was done, the evidence, and the status it moved to."""

    scope_capability = "duty"
    self_field = "task__owner__user"

    task = models.ForeignKey(LetterTask, on_delete=models.CASCADE, related_name="progress", verbose_name="任务")
    note = models.TextField("进展情况")
    evidence = models.CharField("佐证材料", max_length=300, blank=True)
    status = models.CharField("更新后状态", max_length=16, choices=TaskStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name="填报人")

    class Meta:
        verbose_name = verbose_name_plural = "任务进展"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.task}：{self.get_status_display()}"


# ---- 执行制度到位: the rule register -------------------------------------------------------------

class InstitutionCategory(models.TextChoices):
    DECISION = "decision", "议事决策"
    MAJOR = "major", "三重一大"
    INTEGRITY = "integrity", "党风廉政"
    FINANCE = "finance", "财务"
    CONDUCT = "conduct", "作风"
    STUDY = "study", "学习"
    REPORTING = "reporting", "报告报备"
    OTHER = "other", "其他"


class InstitutionQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        """Rules bind everyone under the issuing body: a grant on a section reads its agency's rules."""
        if action != "view" or not getattr(user, "is_authenticated", False):
            return super().visible_to(user, action)
        q = Q(pk__in=[])
        for grant in grants_with(user, "duty.view"):
            q |= Q(org_path__in=ancestor_paths(grant.org_path))
            if grant.subtree:
                q |= Q(org_path__pathprefix=grant.org_path)
        return self.filter(q)

    def in_force(self, on: dt.date):
        return self.filter(issued_on__lte=on).filter(Q(repealed_on__isnull=True) | Q(repealed_on__gt=on))


class Institution(ScopedModel):
    """A rule of the agency (制度) in the 制度汇编."""

    scope_capability = "duty"

    title = models.CharField("制度名称", max_length=200)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    category = models.CharField("类别", max_length=16, choices=InstitutionCategory.choices)
    issuer = models.CharField("制定机关", max_length=100)
    issued_on = models.DateField("印发日期")
    repealed_on = models.DateField("废止日期", null=True, blank=True)
    body = models.TextField("正文", blank=True)
    file = models.CharField("文件", max_length=255, blank=True, editable=False)
    file_name = models.CharField("原文件名", max_length=200, blank=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "制度"
        ordering = ["-issued_on", "id"]

    def __str__(self):
        return f"《{self.title}》"

    def in_force_on(self, on: dt.date) -> bool:
        return self.issued_on <= on and (self.repealed_on is None or self.repealed_on > on)
