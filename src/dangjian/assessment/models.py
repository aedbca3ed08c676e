"""考评: the conduct ledger (作风台账) every module writes to when a cadre's conduct shows, and from which the
evaluations pre-fill their deductions and bonuses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.text import Truncator

from dangjian.core.models import ScopedModel


class Polarity(models.TextChoices):
    POSITIVE = "positive", "正面"
    NEGATIVE = "negative", "负面"


class ConductKind(models.TextChoices):
    """The kinds of entry (工作汇报三(三)“作风台账”), each positive or negative (POLARITY)."""

    PRAISE = "praise", "表扬"
    MODEL = "model", "典型"
    COMMITMENT_KEPT = "commitment_kept", "承诺兑现"
    NOTICE = "notice", "通报批评"
    TALK = "talk", "约谈"
    ADMONITION = "admonition", "诫勉"
    ACCOUNTABILITY = "accountability", "问责"
    COMPLAINT_UPHELD = "complaint_upheld", "投诉查实"
    OVERDUE = "overdue", "超期未办"
    ABSENCE_UNFILED = "absence_unfiled", "外出未报备"
    REPORT_LATE = "report_late", "重大事项迟报漏报"
    OTHER_POSITIVE = "other_positive", "其他正面表现"
    OTHER_NEGATIVE = "other_negative", "其他负面表现"


POLARITY = {
    ConductKind.PRAISE: Polarity.POSITIVE, ConductKind.MODEL: Polarity.POSITIVE,
    ConductKind.COMMITMENT_KEPT: Polarity.POSITIVE, ConductKind.OTHER_POSITIVE: Polarity.POSITIVE,
}


def polarity_of(kind: str) -> str:
    return POLARITY.get(kind, Polarity.NEGATIVE)


class ConductEntry(ScopedModel):
    """作风台账条目: one dated fact about one cadre's conduct, with the record it came from (``source_type``
    app_label.model and ``source_id``) or, for an entry made by hand, its evidence."""

    scope_capability = "assessment"
    self_field = "person__user"  # a cadre reads their own ledger

    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="conduct_entries",
                               verbose_name="干部")
    on = models.DateField("日期")
    kind = models.CharField("类别", max_length=20, choices=ConductKind.choices)
    polarity = models.CharField("性质", max_length=10, choices=Polarity.choices)
    summary = models.CharField("摘要", max_length=300)
    source_type = models.CharField("来源记录类型", max_length=60, blank=True)
    source_id = models.CharField("来源记录标识", max_length=64, blank=True)
    source_label = models.CharField("来源", max_length=200, blank=True)
    source_url = models.CharField("来源链接", max_length=200, blank=True)
    evidence = models.TextField("佐证材料", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "作风台账条目"
        ordering = ["-on", "-id"]
        constraints = [
            # One entry per kind and source record: a module that records an event twice changes nothing.
            models.UniqueConstraint(fields=["kind", "source_type", "source_id"], name="conduct_once_per_source",
                                    condition=~models.Q(source_id="")),
        ]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()} {Truncator(self.summary).chars(40)}"  # “…” where cut

# 量化承诺、先进典型、问责、目标责任考核 (ledger_models), loaded with this app's models.
# 评分细则、考评、民主测评、民主评议 (evaluation_models), 两个责任清单考核 (checklist_models), loaded with this app's models.
from .checklist_models import ChecklistKind, ChecklistScore  # noqa: E402,F401
from .evaluation_models import *  # noqa: E402,F401,F403
from .ledger_models import (  # noqa: E402,F401
    Accountability,
    AccountabilityForm,
    Commendation,
    Commitment,
    CommitmentProgress,
    CommitmentResult,
    TaskScore,
)
