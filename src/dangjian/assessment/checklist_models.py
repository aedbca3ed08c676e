"""两个责任清单考核: one leader's year-end score against the checklist of their duty — 主体责任 (第一责任人, 领导责任·分管)
or 监督责任 — under the checklist version in force when scored (its items kept on the record)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from dangjian.core.models import ScopedModel
from dangjian.duties.models import DutyKind


class ChecklistKind(models.TextChoices):
    """The duties a checklist is scored for (duties.DutyKind values; 具体责任 is scored through the 责任状)."""

    PRIMARY = DutyKind.PRIMARY.value, "主体责任（第一责任人）"
    LEADERSHIP = DutyKind.LEADERSHIP.value, "主体责任（领导责任·分管）"
    SUPERVISION = DutyKind.SUPERVISION.value, "监督责任"


class ChecklistScore(ScopedModel):
    """两个责任清单得分: ``items`` are the checklist's items as scored ({code, text, points, rule}), ``marks`` each
    item's score and, below its points, the evidence of the deduction ({code, score, evidence}). Scored by the
    党组书记 (``scored_by``) or, for whom the rules say, by the higher body (``scored_body``, recorded by the staff).
    Approved (``approved_on``), it is frozen."""

    scope_capability = "assessment"
    self_field = "person__user"  # the leader reads their own score

    year = models.PositiveIntegerField("年度")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="checklist_scores",
                               verbose_name="领导干部")
    kind = models.CharField("责任类型", max_length=16, choices=ChecklistKind.choices)
    rule_version = models.PositiveIntegerField("清单版本")
    items = models.JSONField("考核项目（评分时的版本）", default=list)
    marks = models.JSONField("各项得分与扣分佐证", default=list)
    total = models.DecimalField("得分", max_digits=5, decimal_places=1)
    scored_on = models.DateField("评分日期")
    scored_by = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="评分人")
    scored_body = models.CharField("评定机关", max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="录入人")
    approved_on = models.DateField("审定日期", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审定登记人")

    class Meta:
        verbose_name = verbose_name_plural = "两个责任清单得分"
        ordering = ["-year", "kind", "person_id"]
        constraints = [models.UniqueConstraint(fields=["year", "person", "kind"], name="checklist_once_a_year")]

    def __str__(self):
        return f"{self.year}年{self.get_kind_display()}清单：{self.person}"

    @property
    def frozen(self) -> bool:
        return self.approved_on is not None

    @property
    def scorer_text(self) -> str:
        return str(self.scored_by) if self.scored_by_id else self.scored_body

    def get_absolute_url(self) -> str:
        return reverse("assessment:checklist", args=[self.year, self.person_id, self.kind])
