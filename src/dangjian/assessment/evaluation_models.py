"""考评: the scoring rules (评分细则, versioned), evaluation rounds with their pre-filled deductions and bonuses,
the anonymous 民主测评 ballots, and the annual 民主评议党员 of each branch (docs/rules.md: 考评)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.models import ScopedModel


class ScoringRules(ScopedModel):
    """评分细则 (one version): ``dimensions`` is a list of {"code", "name", "points", "items": [{"code", "name",
    "kind": "deduct"|"bonus", "points" (per event), "cap" (most per evaluation), "rule", "evidence",
    "source" (the pre-fill source key or "")}]}. A new edit is a new version; a round keeps the one it used."""

    scope_capability = "assessment"

    number = models.PositiveIntegerField("版本号", unique=True)
    dimensions = models.JSONField("评分维度与条目", default=list)
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="修订人")

    class Meta:
        verbose_name = verbose_name_plural = "评分细则"
        ordering = ["-number"]

    def __str__(self):
        return f"评分细则第{self.number}版"

    def items(self) -> dict[str, dict]:
        """Every item by its code, each with its dimension's name."""
        return {i["code"]: {**i, "dimension": d["name"]} for d in self.dimensions for i in d.get("items", [])}


class Period(models.TextChoices):
    Q1 = "q1", "第一季度"
    Q2 = "q2", "第二季度"
    Q3 = "q3", "第三季度"
    Q4 = "q4", "第四季度"
    ANNUAL = "annual", "年度"


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    APPROVED = "approved", "党组已审定"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASIC = "basic", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


class EvaluationRound(ScopedModel):
    """考评轮次: who is evaluated (the cadres of ``org``'s subtree), the raters' weights (percent, sum 100), the
    评分细则 version it is scored under. Approved by the Party group, its results are frozen."""

    scope_capability = "assessment"

    title = models.CharField("名称", max_length=100)
    year = models.PositiveIntegerField("年度")
    period = models.CharField("类型", max_length=10, choices=Period.choices)
    rules = models.ForeignKey(ScoringRules, on_delete=models.PROTECT, related_name="+", verbose_name="评分细则版本")
    weight_self = models.PositiveSmallIntegerField("自评权重（%）", default=10)
    weight_leader = models.PositiveSmallIntegerField("领导评价权重（%）", default=40)
    weight_peer = models.PositiveSmallIntegerField("同事互评权重（%）", default=20)
    weight_democratic = models.PositiveSmallIntegerField("民主测评权重（%）", default=30)
    status = models.CharField("状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    approved_on = models.DateField("党组审定日期", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审定人")
    excellent_cap = models.CharField("优秀比例上限（审定时）", max_length=20, blank=True)
    review_days = models.PositiveSmallIntegerField("申请复核期限（工作日，审定时）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考评轮次"
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "period"], name="evaluation_round_once")]

    def __str__(self):
        return self.title

    @property
    def frozen(self) -> bool:
        return self.status == RoundStatus.APPROVED


class Evaluation(ScopedModel):
    """一名干部在一轮考评中的结果: the raters' scores (0–100 each), the confirmed adjustments, total and grade."""

    scope_capability = "assessment"
    self_field = "person__user"  # the person sees their own result and its reasons

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="evaluations",
                              verbose_name="考评轮次")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="干部")
    self_score = models.DecimalField("自评", max_digits=5, decimal_places=2, null=True, blank=True)
    leader_score = models.DecimalField("领导评价", max_digits=5, decimal_places=2, null=True, blank=True)
    peer_score = models.DecimalField("同事互评", max_digits=5, decimal_places=2, null=True, blank=True)
    democratic_score = models.DecimalField("民主测评", max_digits=5, decimal_places=2, null=True, blank=True)
    adjustment = models.DecimalField("加减分（已确认）", max_digits=6, decimal_places=2, default=0)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=12, choices=Grade.choices, blank=True)
    grade_reason = models.TextField("等次说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考评结果"
        ordering = ["round", "person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="evaluation_once_per_round")]

    def __str__(self):
        return f"{self.round} · {self.person}"


class AdjustmentStatus(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "不予采纳"


class Adjustment(ScopedModel):
    """加减分: one deduction (negative) or bonus (positive) under an item of the 评分细则, pre-filled from a record
    (``source_type``/``source_id``, with a link) or entered by a rater with evidence; confirmed or rejected with
    a reason."""

    scope_capability = "assessment"
    self_field = "evaluation__person__user"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="adjustments",
                                   verbose_name="考评结果")
    item = models.CharField("评分条目", max_length=40)
    item_name = models.CharField("条目名称", max_length=100)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2)
    on = models.DateField("发生日期", null=True, blank=True)
    summary = models.CharField("事由", max_length=300)
    source_type = models.CharField("来源记录类型", max_length=60, blank=True)
    source_id = models.CharField("来源记录标识", max_length=64, blank=True)
    source_url = models.CharField("来源链接", max_length=200, blank=True)
    evidence = models.TextField("佐证", blank=True)
    status = models.CharField("状态", max_length=10, choices=AdjustmentStatus.choices,
                              default=AdjustmentStatus.PROPOSED)
    reason = models.CharField("确认或不予采纳的理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="确认人")

    class Meta:
        verbose_name = verbose_name_plural = "考评加减分"
        ordering = ["evaluation", "on", "id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "item", "source_type", "source_id"],
                                               name="adjustment_once_per_source", condition=~models.Q(source_id=""))]

    def __str__(self):
        return f"{self.item_name} {self.points:+}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "待答复"
    UPHELD = "upheld", "维持原结果"
    CHANGED = "changed", "调整结果"


class EvaluationReview(ScopedModel):
    """复核申请: asked by the person within the working days the rule allows after approval, answered by the
    Party group's staff (the answer and its date close it)."""

    scope_capability = "assessment"
    self_field = "evaluation__person__user"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="reviews",
                                   verbose_name="考评结果")
    asked_on = models.DateField("申请日期")
    due_on = models.DateField("答复期限")
    reason = models.TextField("申请理由")
    status = models.CharField("状态", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    answer = models.TextField("复核意见", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="答复人")

    class Meta:
        verbose_name = verbose_name_plural = "考评复核"
        ordering = ["-asked_on", "-id"]

    def __str__(self):
        return f"复核：{self.evaluation}"

    @property
    def overdue(self) -> bool:
        """Still unanswered after its due day (shown on the evaluation's page; the to-do stays until answered)."""
        return self.status == ReviewStatus.OPEN and self.due_on < timezone.localdate()


class BallotCode(models.Model):
    """民主测评票码: only the digest of a one-time code, and whether it was used. Nothing names the voter, and
    nothing says when it was used or which ballot it cast (anonymity: docs/architecture.md)."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="+", verbose_name="考评轮次")
    digest = models.CharField("票码摘要", max_length=64, unique=True)
    used = models.BooleanField("已使用", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "民主测评票码"

    def __str__(self):
        return "已使用" if self.used else "未使用"


class Ballot(models.Model):
    """一张民主测评票: a random key (no sequence, no time), the round, and its marks. No voter, no code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="+", verbose_name="考评轮次")

    class Meta:
        verbose_name = verbose_name_plural = "民主测评票"

    def __str__(self):
        return "民主测评票"


class BallotMark(models.Model):
    """One grade on a ballot for one evaluated cadre (a random key too: a sequence would tell the casting order)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks", verbose_name="测评票")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="+", verbose_name="考评结果")
    grade = models.CharField("评价", max_length=12, choices=Grade.choices)

    class Meta:
        verbose_name = verbose_name_plural = "民主测评评价"
        constraints = [models.UniqueConstraint(fields=["ballot", "evaluation"], name="ballot_mark_once")]

    def __str__(self):
        return self.get_grade_display()


class MemberGrade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class FollowUp(models.TextChoices):
    """不合格党员的组织处置 (党章第九条; 《关于稳妥有序开展不合格党员组织处置工作的意见》)."""

    CORRECT = "correct", "限期改正"
    PERSUADE = "persuade", "劝其退党"
    REMOVE = "remove", "除名"


class MemberReview(ScopedModel):
    """民主评议党员: one branch's annual review (``org`` is the branch)."""

    scope_capability = "assessment"

    year = models.PositiveIntegerField("年度")
    held_on = models.DateField("评议日期", null=True, blank=True)
    closed = models.BooleanField("已评定", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议党员"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="member_review_once")]

    def __str__(self):
        return f"{self.year}年{self.org}民主评议党员"


class MemberRating(ScopedModel):
    """One member's grade in a branch review; a 不合格 one carries its 组织处置 and is tracked until done."""

    scope_capability = "assessment"
    self_field = "person__user"

    review = models.ForeignKey(MemberReview, on_delete=models.CASCADE, related_name="ratings",
                               verbose_name="民主评议")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    grade = models.CharField("等次", max_length=12, choices=MemberGrade.choices)
    follow_up = models.CharField("组织处置", max_length=10, choices=FollowUp.choices, blank=True)
    follow_up_due = models.DateField("处置期限", null=True, blank=True)
    follow_up_done_on = models.DateField("处置完成日期", null=True, blank=True)
    follow_up_note = models.TextField("处置情况", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议等次"
        ordering = ["review", "person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "person"], name="member_rating_once")]

    def __str__(self):
        return f"{self.person} {self.get_grade_display()}"
