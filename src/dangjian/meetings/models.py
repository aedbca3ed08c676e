"""会议学习: one Meeting model for 党组会议, 三会一课 and study days, one attendance mechanism,
agenda topics with 三重一大 decisions, study plans and education activities."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.models import ScopedModel


class Audience(models.TextChoices):
    GROUP = "group", "党组成员"
    COMMITTEE = "committee", "支部委员"
    PARTY = "party", "本组织党员"
    EVERYONE = "everyone", "全体干部职工"


FREQUENCY_CHOICES = [(1, "每月至少一次"), (3, "每季度至少一次"), (6, "每半年至少一次"), (12, "每年至少一次")]


class MeetingKind(models.Model):
    """会议类型: the configurable list (seeded by a data migration; more can be added)."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    audience = models.CharField("应到人员", max_length=16, choices=Audience.choices, default=Audience.PARTY)
    is_study = models.BooleanField("计入学习时长", default=False)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    # For a kind the 三会一课 rules do not cover (rules.FREQUENCY_RULES): how often each branch must hold it.
    frequency_months = models.PositiveSmallIntegerField("党支部应召开频次", null=True, blank=True,
                                                        choices=FREQUENCY_CHOICES)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "会议类型"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


# Codes the rules refer to (the decision rule and the 三会一课 frequencies).
PARTY_GROUP_MEETING = "party_group"
STUDY_DAY = "study_day"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划召开"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class StudyForm(models.TextChoices):
    LEADER = "leader", "班子成员领学"
    DISCUSSION = "discussion", "专题讨论学"
    EXPERT = "expert", "党校专家辅导学"
    LECTURE = "lecture", "党课示范学"


class StudyPlan(ScopedModel):
    """年度学习计划 of an org, with its topics and materials."""

    scope_capability = "meeting"

    year = models.PositiveIntegerField("年度")
    title = models.CharField("标题", max_length=100)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "学习计划"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="uniq_study_plan_year")]

    def __str__(self):
        return self.title


class StudyTopic(ScopedModel):
    """学习专题: one line of a study plan (month, subject, materials)."""

    scope_capability = "meeting"

    plan = models.ForeignKey(StudyPlan, on_delete=models.CASCADE, related_name="topics", verbose_name="学习计划")
    month = models.PositiveSmallIntegerField("月份")
    title = models.CharField("学习内容", max_length=200)
    materials = models.TextField("学习材料", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "学习专题"
        ordering = ["plan", "month", "id"]

    def __str__(self):
        return f"{self.month}月 {self.title}"


class Meeting(ScopedModel):
    """会议: held by an org; its attendance, topics and minutes. Everyone expected at it or present (an
    attendance row) sees it, whatever their grants (the own-record rule)."""

    scope_capability = "meeting"
    self_field = "attendance__person__user"

    kind = models.ForeignKey(MeetingKind, on_delete=models.PROTECT, related_name="+", verbose_name="会议类型")
    title = models.CharField("会议名称", max_length=120)
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    place = models.CharField("地点", max_length=100, blank=True)
    host = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="主持人")
    recorder = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="记录人")
    status = models.CharField("状态", max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    study_form = models.CharField("学习形式", max_length=12, choices=StudyForm.choices, blank=True)
    study_topic = models.ForeignKey(StudyTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="学习专题")
    minutes = models.TextField("会议记录", blank=True)
    # Rotated to invalidate every QR code shown so far (e.g. after a photo of it was passed around).
    signin_nonce = models.CharField("签到码批次", max_length=16, default="", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议"
        ordering = ["-date", "-start_time", "-id"]
        indexes = [models.Index(fields=["org_path", "date"]), models.Index(fields=["date", "kind", "status"]),
                   # the held meetings in the order they are listed, read backwards from the newest without a sort,
                   # the subtree and the kind tested in the index (PostgreSQL): a province's figure pages
                   models.Index(fields=["status", "date", "start_time", "id"], include=["org_path", "kind"],
                                name="meeting_status_listing")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def hours(self) -> float:
        start = dt.datetime.combine(self.date, self.start_time)
        return max(0.0, round((dt.datetime.combine(self.date, self.end_time) - start).seconds / 3600, 1))

    def starts(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.start_time))

    def ends(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.end_time))


def attachment_path(instance, filename):
    # ``filename`` is already random (core.uploads.random_name); the uploader's name is kept in ``name``.
    return f"meetings/{instance.meeting_id}/{filename}"


class MeetingAttachment(ScopedModel):
    """会议附件 (agenda papers, minutes scans, sign-in sheets): stored under a random name and served
    only through a scope-checked view; ``name`` keeps the uploader's file name for display and download."""

    scope_capability = "meeting"
    self_field = "meeting__attendance__person__user"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name="会议")
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="上传人")

    class Meta:
        verbose_name = verbose_name_plural = "会议附件"
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.name

    @property
    def masked_file(self) -> str:  # core.audit.snapshot logs the stored file's name
        return self.file.name or ""

    @property
    def download_stem(self) -> str:
        """The uploader's file name without its extension (the stored file's extension is the checked one)."""
        stem = self.name.rsplit(".", 1)[0] if "." in self.name else self.name
        return stem or f"会议附件{self.pk}"


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", "待签到"
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class Attendance(ScopedModel):
    """出席: one row per expected attendee; carries the make-up study (补学) of an absentee."""

    scope_capability = "meeting"
    self_field = "person__user"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name="会议")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    status = models.CharField("出席情况", max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.EXPECTED)
    reason = models.CharField("请假事由", max_length=200, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    via_qr = models.BooleanField("扫码签到", default=False)
    hours = models.DecimalField("计入学习时长", max_digits=5, decimal_places=1, default=0)
    makeup_required = models.BooleanField("须补学", default=False)
    makeup_done_on = models.DateField("补学日期", null=True, blank=True)
    makeup_note = models.TextField("补学情况", blank=True)
    # Copied from the meeting so that per-person yearly hours need no join.
    year = models.PositiveIntegerField("年度", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "出席记录"
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="uniq_attendance_person")]
        indexes = [
            models.Index(fields=["person", "year"]),
            # A year's study hours per person for a subtree (study.hours_by_person) read from the index alone:
            # the path prefix needs the pattern operator class on PostgreSQL (LIKE 'p%' under a non-C collation).
            models.Index(fields=["year", "org_path"], name="attendance_year_scope_cover",
                         opclasses=["int4_ops", "varchar_pattern_ops"],
                         include=["person", "meeting", "hours", "status", "makeup_required", "makeup_done_on"]),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_status_display()}"

    @property
    def makeup_open(self) -> bool:
        return self.makeup_required and not self.makeup_done_on


class TopicCategory(models.TextChoices):
    NONE = "", "一般事项"
    MAJOR = "major", "重大问题决策"
    CADRE = "cadre", "重要干部任免"
    INVESTMENT = "investment", "重大项目投资决策"
    FUND = "fund", "大额资金使用"


class Outcome(models.TextChoices):
    PENDING = "", "未决"
    PASSED = "passed", "通过"
    REJECTED = "rejected", "未通过"
    DEFERRED = "deferred", "缓议"


class Topic(ScopedModel):
    """议题 of a meeting; a 三重一大 topic's decision freezes who was entitled, present and recused."""

    scope_capability = "meeting"
    self_field = "meeting__attendance__person__user"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topics", verbose_name="会议")
    order = models.PositiveSmallIntegerField("序号", default=0, help_text="不填则排在本次会议已有议题之后")
    title = models.CharField("议题", max_length=200)
    category = models.CharField("“三重一大”类别", max_length=12, choices=TopicCategory.choices, blank=True)
    amount = models.DecimalField("涉及金额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    proposer = models.CharField("提出单位或个人", max_length=60, blank=True)
    materials_sent_on = models.DateField("材料送达日期", null=True, blank=True)
    outcome = models.CharField("决定", max_length=10, choices=Outcome.choices, blank=True)
    decision_text = models.TextField("决定事项", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="记录人")
    # Frozen at decision time (OpenSlides style): who should attend, who was there, who left the topic,
    # the counts and the versions of the rules the decision was checked against.
    entitled = models.JSONField("应到会成员", default=list, blank=True)
    present = models.JSONField("实到会成员", default=list, blank=True)
    recused = models.JSONField("回避成员", default=list, blank=True)
    tally = models.JSONField("表决结果", default=dict, blank=True)
    rule_versions = models.JSONField("所依据规则版本", default=dict, blank=True)
    year = models.PositiveIntegerField("年度", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "议题"
        ordering = ["meeting", "order", "id"]

    def __str__(self):
        return self.title

    @property
    def is_major(self) -> bool:
        return bool(self.category)


class Recusal(ScopedModel):
    """回避: a member's recusal from a topic. It holds for every round on the topic (a 缓议 topic voted again)
    until it is lifted, with a reason, by someone who may record the decision; both stay in the record."""

    scope_capability = "meeting"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="recusals", verbose_name="议题")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="成员")
    reason = models.CharField("回避事由", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="登记人")
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="解除人")
    lift_reason = models.CharField("解除理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避记录"
        ordering = ["topic", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "person"], condition=models.Q(lifted_at__isnull=True),
                                               name="uniq_standing_recusal")]

    def __str__(self):
        return f"{self.person}回避“{self.topic}”"


class Stance(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    DEFER = "defer", "缓议"


class Opinion(ScopedModel):
    """表态: one member's stated opinion on a topic, in speaking order."""

    scope_capability = "meeting"
    self_field = "topic__meeting__attendance__person__user"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="opinions", verbose_name="议题")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="成员")
    order = models.PositiveSmallIntegerField("发言顺序")
    stance = models.CharField("意见", max_length=10, choices=Stance.choices)
    reason = models.CharField("理由", max_length=300, blank=True)
    is_principal = models.BooleanField("主要负责人", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "表态"
        ordering = ["topic", "order"]
        constraints = [models.UniqueConstraint(fields=["topic", "person"], name="uniq_opinion_person")]

    def __str__(self):
        return f"{self.person}：{self.get_stance_display()}"


class ActivityKind(models.TextChoices):
    RED = "red", "红色教育（传统教育）"
    WARNING = "warning", "警示教育"
    OATH = "oath", "重温入党誓词"
    OTHER = "other", "其他教育活动"


class Activity(ScopedModel):
    """教育活动: organised by an org (``org``) with participating units and people."""

    scope_capability = "meeting"
    self_field = "participants__person__user"

    kind = models.CharField("活动类型", max_length=10, choices=ActivityKind.choices)
    title = models.CharField("活动名称", max_length=120)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=120)
    description = models.TextField("活动内容", blank=True)
    units = models.ManyToManyField("orgs.Org", blank=True, related_name="+", verbose_name="参加单位")

    class Meta:
        verbose_name = verbose_name_plural = "教育活动"
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title


class Participant(ScopedModel):
    """活动参加人 and their 心得体会."""

    scope_capability = "meeting"
    self_field = "person__user"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants",
                                 verbose_name="教育活动")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    reflection = models.TextField("心得体会", blank=True)
    reflected_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "活动参加人"
        ordering = ["activity", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="uniq_participant")]

    def __str__(self):
        return f"{self.activity} · {self.person}"


def photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"activities/{instance.activity_id}/{secrets.token_hex(8)}.{ext}"


class ActivityPhoto(ScopedModel):
    """活动照片 (served only through a scope-checked view)."""

    scope_capability = "meeting"
    self_field = "activity__participants__person__user"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos", verbose_name="教育活动")
    image = models.FileField("照片", upload_to=photo_path)
    caption = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "活动照片"

    def __str__(self):
        return self.caption or self.image.name

    @property
    def masked_image(self) -> str:  # the audit log keeps the stored file's name (core.audit.snapshot)
        return self.image.name


class CalendarFeed(models.Model):
    """A person's secret iCal subscription address (日程订阅); reset by making a new token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name="账号")
    token = models.CharField("令牌", max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "日程订阅"

    def __str__(self):
        return f"{self.user} 日程订阅"
