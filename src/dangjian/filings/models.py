"""报告报备: 重大事项报告 (the agency's reports to the higher Party organisation; cadres' reports of personal
matters) and 外出报备 (leaders leaving the city). docs/rules.md: 报告报备.

Confidential (保密): a cadre's personal report (PersonalReport) is read by the 组织人事 staff and the discipline
team (capability ``filing_personal.view``) and by the cadre themself; everyone else gets 404. Its content is
encrypted at rest.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import ScopedModel


class ReportKind(models.TextChoices):
    REQUEST = "request", "请示"
    REPORT = "report", "报告"


class AgencyReport(ScopedModel):
    """重大事项请示报告: one matter the agency's Party group asks or tells the higher Party organisation, when it
    was due and sent, and the reply. ``due_on`` is the day it had to reach them (事前请示 before the act)."""

    scope_capability = "filing"

    kind = models.CharField("类别", max_length=10, choices=ReportKind.choices, default=ReportKind.REPORT)
    subject = models.CharField("事项", max_length=200)
    content = models.TextField("主要内容")
    recipient = models.CharField("报送对象", max_length=100, help_text="如：中共市委、市委组织部")
    responsible = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="责任人（报告的领导干部）")
    due_on = models.DateField("应报日期")
    reported_on = models.DateField("报送日期", null=True, blank=True, help_text="尚未报送的留空")
    reply = models.TextField("上级答复", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "重大事项请示报告"
        ordering = ["-due_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.subject}"

    def late_days(self, today: dt.date) -> int:
        """Days past ``due_on`` it was sent (or, not sent, is by today); 0 when on time."""
        return max(0, ((self.reported_on or today) - self.due_on).days)


class Occasion(models.TextChoices):
    ANNUAL = "annual", "年度集中报告"
    EVENT = "event", "事后报告（发生后30日内）"


class PersonalCategory(models.TextChoices):
    """《领导干部报告个人有关事项规定》（2017）第三条（一）至（八）和第四条（一）至（六）."""

    MARRIAGE = "marriage", "本人婚姻情况"
    PASSPORT = "passport", "本人持有普通护照以及因私出国的情况"
    HK_MACAO_TAIWAN = "hmt", "本人持有往来港澳台通行证以及因私往来港澳台的情况"
    CHILD_FOREIGN_MARRIAGE = "child_foreign", "子女与外国人、无国籍人通婚的情况"
    CHILD_HMT_MARRIAGE = "child_hmt", "子女与港澳以及台湾居民通婚的情况"
    EMIGRATION = "emigration", "配偶、子女移居国（境）外，或者虽未移居但连续在国（境）外工作、生活一年以上的情况"
    EMPLOYMENT = "employment", "配偶、子女及其配偶的从业情况"
    PROSECUTION = "prosecution", "配偶、子女及其配偶被司法机关追究刑事责任的情况"
    INCOME = "income", "本人工资及各类奖金、津贴、补贴"
    LABOUR_INCOME = "labour_income", "本人讲学、写作、咨询、审稿、书画等劳务所得"
    HOUSING = "housing", "本人、配偶、共同生活的子女的房产情况"
    SECURITIES = "securities", "本人、配偶、共同生活的子女持有有价证券、股票、基金、投资型保险等情况"
    UNLISTED = "unlisted", "配偶、共同生活的子女投资非上市公司、企业的情况"
    BUSINESS = "business", "配偶、共同生活的子女注册个体工商户、个人独资企业或者合伙企业的情况"


# 第六条: after the annual report, a change in one of 第三条's matters is reported within 30 days of it.
EVENT_CATEGORIES = (PersonalCategory.MARRIAGE, PersonalCategory.PASSPORT, PersonalCategory.HK_MACAO_TAIWAN,
                    PersonalCategory.CHILD_FOREIGN_MARRIAGE, PersonalCategory.CHILD_HMT_MARRIAGE,
                    PersonalCategory.EMIGRATION, PersonalCategory.EMPLOYMENT, PersonalCategory.PROSECUTION)
EVENT_REPORT_DAYS = 30


def annual_due(year: int) -> dt.date:
    """第五条: the report of ``year`` is made by 31 January of the next year."""
    return dt.date(year + 1, 1, 31)


class PersonalReport(ScopedModel):
    """领导干部个人有关事项报告: a cadre's annual report of a year, or the report of one change after it. A row
    with no ``reported_on`` is a report found missing (made by the daily check, so that the late report fills it)."""

    scope_capability = "filing_personal"
    self_field = "person__user"  # the cadre reads their own reports

    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="报告人")
    occasion = models.CharField("报告类型", max_length=10, choices=Occasion.choices)
    year = models.PositiveIntegerField("报告年度", null=True, blank=True)
    category = models.CharField("事项类别", max_length=20, choices=PersonalCategory.choices, blank=True)
    event_on = models.DateField("事项发生日期", null=True, blank=True)
    due_on = models.DateField("应报日期")
    reported_on = models.DateField("报告日期", null=True, blank=True)
    content = EncryptedTextField("报告内容", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "领导干部个人有关事项报告"
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="personal_report_one_annual_per_year",
                                    condition=models.Q(occasion="annual")),
        ]

    def __str__(self):
        # No category here: the name is shown where the report is not (the 作风台账's source, the audit log).
        what = f"{self.year}年度集中报告" if self.occasion == Occasion.ANNUAL else f"{self.event_on or ''}事项事后报告"
        return f"{self.person.name} 个人有关事项报告（{what}）"

    @property
    def late(self) -> bool:
        return self.reported_on is None or self.reported_on > self.due_on


class AbsenceStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "未同意"
    RETURNED = "returned", "已返岗"
    UNFILED = "unfiled", "未报备外出"
    CANCELLED = "cancelled", "已撤销"


# The filings whose person is (or was) away on their dates: a refused or cancelled one is not.
AWAY_STATUSES = (AbsenceStatus.PENDING, AbsenceStatus.APPROVED, AbsenceStatus.RETURNED, AbsenceStatus.UNFILED)


class Absence(ScopedModel):
    """外出报备: a leader's absence from the city, filed in advance (destination, dates, reason, who presides
    meanwhile), approved by the 党组书记, and the return confirmed. An absence found without a filing is
    recorded by the staff with the status 未报备外出."""

    scope_capability = "filing"
    self_field = "person__user"  # a leader reads their own filings

    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="外出领导")
    destination = models.CharField("外出地点", max_length=100)
    leaves_on = models.DateField("离开日期")
    returns_on = models.DateField("返回日期")
    reason = models.CharField("外出事由", max_length=300)
    acting = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="外出期间主持（负责）工作的同志")
    status = models.CharField("状态", max_length=10, choices=AbsenceStatus.choices, default=AbsenceStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="审批人")
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    returned_on = models.DateField("实际返岗日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "外出报备"
        ordering = ["-leaves_on", "-id"]
        indexes = [models.Index(fields=["leaves_on", "returns_on"])]

    def __str__(self):
        return (f"{self.person.name} {self.leaves_on:%Y-%m-%d}至{self.returns_on:%Y-%m-%d} 外出{self.destination}"
                f"（第{self.pk}号报备）" if self.pk else f"{self.person.name} 外出{self.destination}")

    @property
    def away_until(self) -> dt.date:
        """The last day away: the confirmed return day once confirmed (earlier or later than filed), else the filed one."""
        return self.returned_on or self.returns_on
