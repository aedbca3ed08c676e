"""年度报告: the yearly report of an agency (抓基层党建工作情况汇报), its sections and, once frozen, its figures.

A report's sections hold prose that staff write, with figure references ``{{ matters.proposals.count }}``
filled from the one registry (core/figures.py) for the report's org and year. Freezing keeps each referenced
figure's value as read at that moment (FrozenFigure), while the live figures move on.
"""

from django.conf import settings
from django.db import models

from dangjian.core.models import ScopedModel


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FROZEN = "frozen", "已定稿"


class Part(models.TextChoices):
    """The parts of the report, in the order it is written (the seed's 一、二、三 after the opening)."""

    OPENING = "opening", "开头"
    PRACTICE = "practice", "一、主要作法"
    PROBLEMS = "problems", "二、存在问题"
    SUGGESTIONS = "suggestions", "三、下步建议"


class AnnualReport(ScopedModel):
    """年度报告 of an org (the agency) for a year: one per org and year."""

    scope_capability = "duty"  # the Party-affairs staff's (责任体系), as the menu's 年度报告 item

    year = models.PositiveIntegerField("年度")
    title = models.CharField("标题", max_length=100)
    subtitle = models.CharField("副标题", max_length=100, blank=True)
    status = models.CharField("状态", max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    frozen_at = models.DateTimeField("定稿时间", null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="定稿人")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="创建人")

    class Meta:
        verbose_name = verbose_name_plural = "年度报告"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="uniq_annual_report_org_year")]

    def __str__(self):
        return f"{self.year}年度{self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reports:report_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == ReportStatus.FROZEN


class ReportSection(ScopedModel):
    """One section: its number (（一）), heading and body; the body's ``{{ key }}`` are figure references."""

    scope_capability = "duty"

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="sections",
                               verbose_name="年度报告")
    part = models.CharField("部分", max_length=12, choices=Part.choices)
    order = models.PositiveSmallIntegerField("序号")
    number = models.CharField("编号", max_length=8, blank=True)
    heading = models.CharField("小标题", max_length=100, blank=True)
    body = models.TextField("正文", blank=True, help_text="用 {{ 统计数字代码 }} 引用统计数字，由系统按本单位、本年度填入")

    class Meta:
        verbose_name = verbose_name_plural = "报告章节"
        ordering = ["report", "order"]
        constraints = [models.UniqueConstraint(fields=["report", "order"], name="uniq_report_section_order")]

    def __str__(self):
        return f"{self.report.year}年度报告 {self.get_part_display()}{self.number}{self.heading}"


class FrozenFigure(models.Model):
    """A figure's value as read when its report was frozen (定稿): kept while the live figure moves on."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="frozen_figures",
                               verbose_name="年度报告")
    key = models.CharField("统计数字代码", max_length=80)
    label = models.CharField("统计数字", max_length=100)
    unit = models.CharField("单位", max_length=8, blank=True)
    definition = models.CharField("定义", max_length=300, blank=True)
    is_rate = models.BooleanField("比率", default=False)
    count = models.DecimalField("分子（数值）", max_digits=14, decimal_places=2)
    total = models.PositiveIntegerField("分母", null=True, blank=True)
    text = models.CharField("显示值", max_length=40)
    read_at = models.DateTimeField("读取时间")

    class Meta:
        verbose_name = verbose_name_plural = "定稿统计数字"
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="uniq_frozen_figure_key")]

    def __str__(self):
        return f"{self.label}：{self.text}"
