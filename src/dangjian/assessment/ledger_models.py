"""考评 registers beside the conduct ledger: 量化承诺 (with progress and the year-end check), 先进典型, 问责, and the
year-end scores of the 责任状 tasks (目标责任考核). Each writes its conduct entry through conduct.record_conduct.

For the evaluations that read them: ``Commitment.result`` (met / partly / not_met, with ``year``),
``Accountability.form`` with ``decided_on`` and ``effect_until``, ``TaskScore.score`` (0–100 per task, weighted by
the task's weight into the letter's total).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from dangjian.core.models import ScopedModel


class CommitmentResult(models.TextChoices):
    MET = "met", "已兑现"
    PARTLY = "partly", "部分兑现"
    NOT_MET = "not_met", "未兑现"


class Commitment(ScopedModel):
    """量化承诺: one cadre's measurable target for a year (target value and unit, due date), its progress as the
    latest cumulative value reported, and the year-end check with its reason."""

    scope_capability = "assessment"
    self_field = "person__user"

    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="commitments",
                               verbose_name="干部")
    year = models.PositiveIntegerField("年度")
    title = models.CharField("承诺事项", max_length=200)
    target_value = models.DecimalField("目标值", max_digits=12, decimal_places=2)
    unit = models.CharField("计量单位", max_length=20)
    due_on = models.DateField("完成时限")
    # The cumulative value of the latest progress entry (derived: written under the commitment's row lock).
    reached_value = models.DecimalField("已完成值", max_digits=12, decimal_places=2, default=0, editable=False)
    result = models.CharField("年终核查结果", max_length=10, choices=CommitmentResult.choices, blank=True)
    result_reason = models.TextField("核查说明", blank=True)
    checked_on = models.DateField("核查日期", null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="核查人")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "量化承诺"
        ordering = ["-year", "person_id", "due_on", "id"]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self):
        return f"{self.year}年承诺：{self.title}"

    @property
    def percent(self) -> int:
        """Progress as a whole percentage of the target (capped at 100 for the bar; the value itself is shown)."""
        if not self.target_value:
            return 0
        return min(100, int(self.reached_value * 100 / self.target_value))


class CommitmentProgress(ScopedModel):
    """承诺进展: the cumulative value reached by a day, what was done and its evidence."""

    scope_capability = "assessment"
    self_field = "commitment__person__user"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="progress",
                                   verbose_name="量化承诺")
    on = models.DateField("日期")
    value = models.DecimalField("累计完成值", max_digits=12, decimal_places=2)
    note = models.TextField("进展情况")
    evidence = models.CharField("佐证材料", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name="填报人")

    class Meta:
        verbose_name = verbose_name_plural = "承诺进展"
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} 累计 {self.value}"


class Commendation(ScopedModel):
    """先进典型: a model cadre (称号), on what basis, by whom, for which period."""

    scope_capability = "assessment"
    self_field = "person__user"

    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="commendations",
                               verbose_name="干部")
    title = models.CharField("典型称号", max_length=100, help_text="如：优秀共产党员、岗位标兵")
    conferred_by = models.CharField("授予机关", max_length=100)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    basis = models.TextField("主要事迹与依据")
    conferred_on = models.DateField("授予日期")
    period_start = models.DateField("典型期间起")
    period_end = models.DateField("典型期间止", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "先进典型"
        ordering = ["-conferred_on", "-id"]

    def __str__(self):
        return f"{self.person}：{self.title}"


class AccountabilityForm(models.TextChoices):
    """问责方式 (《中国共产党问责条例》第八条): the first three for a Party organisation, the last four for a leader."""

    ORG_CHECK = "org_check", "检查（党组织）"
    ORG_NOTICE = "org_notice", "通报（党组织）"
    ORG_REORGANISE = "org_reorganise", "改组（党组织）"
    NOTICE = "notice", "通报"
    ADMONITION = "admonition", "诫勉"
    ORG_ADJUSTMENT = "org_adjustment", "组织调整或者组织处理"
    DISCIPLINE = "discipline", "纪律处分"


ORG_FORMS = frozenset({AccountabilityForm.ORG_CHECK, AccountabilityForm.ORG_NOTICE, AccountabilityForm.ORG_REORGANISE})


class Accountability(ScopedModel):
    """问责记录: a decision on a Party organisation (``person`` empty, ``org`` the organisation) or on a leader
    (``person``), its form, basis, date and deciding body, and the period during which it bars promotion
    (影响期, ``effect_until`` inclusive; empty = no such period)."""

    scope_capability = "assessment"
    self_field = "person__user"

    person = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="accountabilities", verbose_name="被问责领导干部")
    form = models.CharField("问责方式", max_length=16, choices=AccountabilityForm.choices)
    basis = models.TextField("问责事由及依据")
    decided_by = models.CharField("问责决定机关", max_length=100)
    doc_number = models.CharField("决定文号", max_length=100, blank=True)
    decided_on = models.DateField("决定日期")
    effect_until = models.DateField("影响期至", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "问责记录"
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return f"{self.decided_on:%Y-%m-%d} {self.get_form_display()}（{self.person or self.org}）"

    def in_effect(self, on: dt.date) -> bool:
        return self.effect_until is not None and self.decided_on <= on <= self.effect_until


class TaskScore(ScopedModel):
    """目标责任考核: the year-end score (0–100) of one 责任状 task, given by the 党组书记 who signed the letter as 甲方.
    The letter's result is Σ score × weight / 100 over its tasks (the weights sum to 100)."""

    scope_capability = "assessment"
    # the task's owner and the letter's signer read the score of their task
    self_field = ("task__owner__user", "task__letter__counterpart__user", "task__letter__secretary__user")

    task = models.OneToOneField("duties.LetterTask", on_delete=models.PROTECT, related_name="score",
                                verbose_name="责任状任务")
    score = models.DecimalField("得分", max_digits=4, decimal_places=1)
    comment = models.TextField("评分说明", blank=True)
    scored_on = models.DateField("评分日期")
    scored_by = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="评分人")

    class Meta:
        verbose_name = verbose_name_plural = "责任状任务得分"
        ordering = ["task_id"]

    def __str__(self):
        return f"{self.task}：{self.score}分"
