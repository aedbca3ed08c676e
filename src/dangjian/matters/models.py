"""事项督办: problem lists, matters of every kind, their measures, progress, contacts, milestones,
transitions (the timeline), weekly 督办单 and periodic summaries.

Every row carries its matter's org (ScopedModel), so that scope is a path test on the row itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.models import ScopedModel
from dangjian.core.scope import ScopedQuerySet

from . import kinds, workflow
from .states import OPEN_STATUSES, HandlingClass, Satisfaction, Status


class ProblemList(ScopedModel):
    """问题清单: a set of problems from one document, e.g. 市委《贯彻落实市委有关精神存在的具体问题清单》."""

    scope_capability = "matter"

    title = models.CharField("清单名称", max_length=200)
    source = models.CharField("来源文件", max_length=200, blank=True)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "问题清单"
        ordering = ["-id"]

    def __str__(self):
        return self.title


class MatterQuerySet(ScopedQuerySet):
    # Owners, co-owners and the responsible leader always see their matters: Matter.self_field, the
    # scope mechanism's own-record rule.

    def open(self):
        return self.exclude(status=Status.CLOSED)

    def handoff_late(self, today):
        """Open 要事 whose hand-off was late, or is still waiting after its hand-off day (交办超时)."""
        return self.filter(handoff_late_q(today), status__in=OPEN_STATUSES)

    def next_filing_number(self, year: int) -> str:
        """The next 销号备案 number of ``year``."""
        filed = self.filter(closed_on__year=year).exclude(filing_number="").count()
        return f"销号备案〔{year}〕{filed + 1}号"


def handoff_late_q(today) -> Q:
    """交办超时 as one SQL condition: handed off late, or still 登记 after the day it had to be handed off."""
    return Q(handoff_due_on__isnull=False) & (Q(handoff_late=True) | Q(status=Status.REGISTERED,
                                                                        handoff_due_on__lt=today))


class Matter(ScopedModel):
    """事项: one tracked matter of any kind, moved only by the workflow (workflow.py / services/transitions.py)."""

    scope_capability = "matter"
    self_field = ("owner__user", "responsible_leader__user", "co_owners__user")

    kind = models.CharField("类别", max_length=20, choices=kinds.choices)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容", blank=True)
    source = models.CharField("来源", max_length=200, blank=True, help_text="来源文件或事件，如 市委《…问题清单》")
    problem_list = models.ForeignKey(ProblemList, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="matters", verbose_name="问题清单")
    number = models.CharField("编号", max_length=40, blank=True, help_text="问题序号、建议/提案号、交办文号")
    category = models.CharField("分类", max_length=50, blank=True)
    batch = models.CharField("批次", max_length=30, blank=True)
    level = models.CharField("层级", max_length=30, blank=True, help_text="分层：如 班子、科室、个人")
    handling_class = models.CharField("办理方式", max_length=10, choices=HandlingClass.choices, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED)
    responsible_leader = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="led_matters", verbose_name="责任领导（分管领导）")
    owner = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_matters", verbose_name="责任人")
    co_owners = models.ManyToManyField("orgs.Person", blank=True, related_name="co_owned_matters",
                                       verbose_name="协办人")
    received_on = models.DateField("登记日期")
    assigned_on = models.DateField("交办日期", null=True, blank=True)
    # 要事马上办: the working day by which it must be handed off (the day it was registered, or the next
    # working day when registered on a day off), frozen at registration; and whether the hand-off was late.
    handoff_due_on = models.DateField("应交办日期", null=True, blank=True)
    handoff_late = models.BooleanField("交办超时", default=False)
    # The deadline as computed when it was set (frozen), how it was computed, and whether it is provisional.
    due_on = models.DateField("完成时限", null=True, blank=True)
    due_provisional = models.BooleanField("时限暂按周末计算", default=False)
    due_basis = models.CharField("时限依据", max_length=80, blank=True)
    due_rule_version = models.PositiveIntegerField("时限规则版本", default=0)
    # Proposals (人大建议 / 政协提案) and assigned matters.
    proposer = models.CharField("代表/委员", max_length=100, blank=True)
    reply_text = models.TextField("答复内容", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    satisfaction = models.CharField("代表委员满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    # 备案销号.
    completion_statement = models.TextField("完成情况说明", blank=True)
    evidence = models.TextField("佐证材料", blank=True, help_text="材料名称与说明；文件可作为进展附件上传")
    submitted_on = models.DateField("提交销号日期", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="销号审批人")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    filing_number = models.CharField("备案编号", max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登记人")

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "事项"
        ordering = ["-id"]
        indexes = [
            # The scope test is a path prefix (LIKE 'p%'): pattern ops make it a range of this index whatever the
            # collation, and the columns the list filters on ride along (INCLUDE), so that counting a city's
            # matters, or finding the ids of a page sorted by due date (views.ids_first), is an index-only scan
            # instead of a visit to every heap page holding one of them. submitted_on, replied_on and satisfaction
            # ride along for the registered figures (matters/figures.py): evaluating all of them for a subtree is
            # then an index-only scan too (bench/figures.py: a city's 1,000 ms → 320 ms, a county's 85 → 40 ms).
            models.Index(fields=["org_path", "status"], name="matter_scope_cover",
                         opclasses=["varchar_pattern_ops", "varchar_ops"],
                         include=["kind", "due_on", "received_on", "handling_class", "handoff_due_on", "handoff_late",
                                  "id", "submitted_on", "replied_on", "satisfaction"]),
            models.Index(fields=["status", "due_on"], name="matter_status_due"),
            models.Index(fields=["kind", "received_on"], name="matter_kind_received"),
        ]

    def __str__(self):
        return self.title

    @property
    def spec(self) -> kinds.KindSpec:
        return kinds.kind(self.kind)

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def closed_on_time(self) -> bool | None:
        if not self.closed_on or not self.due_on:
            return None
        return self.closed_on <= self.due_on


class Measure(ScopedModel):
    """整改措施: each with its own owner and deadline."""

    scope_capability = "matter"
    self_field = "owner__user"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="measures", verbose_name="事项")
    text = models.TextField("整改措施")
    owner = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="责任人")
    due_on = models.DateField("完成时限")
    due_provisional = models.BooleanField("时限暂按周末计算", default=False)
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改措施"
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.text[:40]


class Progress(ScopedModel):
    """进展: a dated entry on the matter's timeline, with an optional attachment."""

    scope_capability = "matter"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="progress", verbose_name="事项")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="填报人")
    text = models.TextField("进展情况")
    attachment = models.FileField("附件", upload_to="matters/%Y/%m/", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "进展"
        ordering = ["-id"]

    def __str__(self):
        return self.text[:40]

    @property
    def masked_attachment(self) -> str:
        # core.audit.snapshot logs ``masked_<field>`` in place of the field: the file is logged by name.
        return self.attachment.name or ""


class Contact(ScopedModel):
    """接待/面商/沟通: 难事热情办's reception record, and the 面商/沟通 with a delegate on a proposal."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", "接待（难事热情办）"
        MEETING = "meeting", "面商"
        CALL = "call", "沟通（电话/书面）"

    scope_capability = "matter"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="contacts", verbose_name="事项")
    kind = models.CharField("方式", max_length=12, choices=Kind.choices)
    held_on = models.DateField("日期")
    who = models.CharField("来访/沟通对象", max_length=100)
    explained = models.TextField("解释说明的内容")
    resolution = models.TextField("解决情况", blank=True)
    unresolved_reason = models.TextField("暂不能解决的原因", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="记录人")

    class Meta:
        verbose_name = verbose_name_plural = "接待与沟通记录"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.who}"


class Milestone(ScopedModel):
    """大事快速办: the plan laid out day by day (时间节点安排到每一天), each day ticked off."""

    scope_capability = "matter"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="milestones", verbose_name="事项")
    day = models.DateField("日期")
    task = models.CharField("当日节点", max_length=200)
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "时间节点"
        ordering = ["day", "id"]
        constraints = [models.UniqueConstraint(fields=["matter", "day"], name="uniq_milestone_day")]

    def __str__(self):
        return f"{self.day} {self.task}"


class Transition(ScopedModel):
    """One status change (or recorded event) of a matter: the timeline, append-only."""

    scope_capability = "matter"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="transitions", verbose_name="事项")
    name = models.CharField("操作", max_length=30)
    from_status = models.CharField("原状态", max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=Status.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="操作人")
    actor_name = models.CharField("操作人姓名", max_length=50, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.TextField("理由/说明", blank=True)
    on_time = models.BooleanField("按时", null=True, blank=True, help_text="要事交办是否在当日（工作日）完成")
    public = models.BooleanField("对外公开", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "流转记录"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.matter_id} {self.name} {self.from_status}→{self.to_status}"

    EVENT_LABELS = {"register": "登记", "measure": "添加整改措施", "measure_done": "措施完成", "contact": "接待与沟通",
                    "milestones": "安排时间节点", "deadline": "重算完成时限", "satisfaction": "登记满意度"}

    @property
    def name_label(self) -> str:
        step = workflow.TRANSITIONS.get(self.name)
        return step.label if step else self.EVENT_LABELS.get(self.name, self.name)


class SupervisionSheet(models.Model):
    """督办单 (weekly) and 小结/总结 (half-month, month): kept as issued, with the document."""

    class Period(models.TextChoices):
        WEEK = "week", "一周一督办"
        HALF_MONTH = "half_month", "半月一小结"
        MONTH = "month", "一月一总结"

    period = models.CharField("周期", max_length=12, choices=Period.choices)
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    issued_at = models.DateTimeField("生成时间", auto_now_add=True)
    figures = models.JSONField("统计数字", default=dict)
    document = models.BinaryField("文档", null=True, blank=True)
    # Set in the transaction that wrote the 督办单's notifications: a second run of the weekly job for the
    # same day writes them when this is empty (the first run died, or predates it) and never twice.
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    # Beyond the retention rule the lines are exported to this file of the document store and removed.
    archive_file = models.CharField("明细归档文件", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办单与小结"
        ordering = ["-end", "-id"]
        constraints = [models.UniqueConstraint(fields=["period", "end"], name="uniq_sheet_period_end")]

    def __str__(self):
        return f"{self.get_period_display()} {self.start:%Y-%m-%d}～{self.end:%Y-%m-%d}"


class SupervisionLines(ScopedModel):
    """The lines of one weekly 督办单 for one 责任人 in one unit: the open matters and their state that week.

    The sheet is kept as issued, but compactly: one row per sheet, unit and 责任人 (the scope and the
    own-record rule apply to the row as they did to each line), with the lines in ``lines`` as
    ``[matter id, 责任领导 id, status, 完成时限, 交办超时]`` (overdue = 完成时限 before the sheet's day). At
    province scale that is about one row per 责任人 a week instead of one per open matter (bench/weekly.py).
    Copied in one INSERT … SELECT … GROUP BY from the matters (supervision.copy_lines), so its references
    carry no database constraint (see the sheet's cascade and the matters' own constraints); ``leaders``
    (",3,17,") lets a 责任领导 find the rows holding their lines. Rows older than the retention rule
    ``matters.supervision_retention_years`` are archived per year (``archive_supervision``) and removed.
    """

    scope_capability = "matter"
    self_field = "owner__user"

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, verbose_name="所属组织", related_name="+",
                            db_constraint=False, db_index=False)
    org_path = models.CharField("组织路径", max_length=255, editable=False)
    sheet = models.ForeignKey(SupervisionSheet, on_delete=models.CASCADE, related_name="lines",
                              verbose_name="督办单", db_constraint=False, db_index=False)
    owner = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="责任人", db_constraint=False, db_index=False)
    count = models.PositiveIntegerField("在办事项", default=0)
    overdue = models.PositiveIntegerField("已超期", default=0)
    handoff_late = models.PositiveIntegerField("交办超时", default=0)
    leaders = models.TextField("责任领导", blank=True, default="")
    lines = models.JSONField("事项及状态", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "督办单事项（按责任人）"
        ordering = ["sheet", "owner"]
        indexes = [models.Index(fields=["sheet", "org_path"], name="supervision_lines_sheet_scope",
                                opclasses=["int8_ops", "varchar_pattern_ops"])]


class SavedFilter(models.Model):
    """A user's named list filter (the query string of the matters list)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="账号")
    name = models.CharField("名称", max_length=40)
    query = models.CharField("筛选条件", max_length=500)

    class Meta:
        verbose_name = verbose_name_plural = "常用筛选"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="uniq_saved_filter_name")]

    def __str__(self):
        return self.name
