"""Base models shared by every module, and the append-only audit log (留痕)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .action_labels import action_label
from .scope import ScopedQuerySet, has_capability, path_condition


class ScopedModel(models.Model):
    """A business record that belongs to one org node.

    ``org_path`` is the node's materialised path copied onto the row, so that the scope test is a
    path-prefix condition on this table alone (docs/architecture.md: Scope), whatever the depth of the tree.
    ``version`` is bumped by every audited save and gives optimistic locking: an edit made from
    a stale copy is refused instead of overwriting someone else's change.
    """

    # Which path columns place the record in the tree; a model may name more than one
    # (a person belongs to a section and to a Party branch).
    scope_paths: tuple[str, ...] = ("org_path",)
    # The own-record rule: the field path(s) to the User who may always see the record, being party to it
    # (e.g. "user"; a meeting's "attendance__person__user"; a tuple when one may be party in several ways).
    self_field: str | tuple[str, ...] | None = None
    # The capability prefix used for permission checks, e.g. "person" → "person.view".
    scope_capability: str = ""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, verbose_name="所属组织", related_name="+")
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.org_id and (not self.org_path or self._org_changed()):
            self.org_path = self.org.path
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "org_path"}
        super().save(*args, **kwargs)
        self._loaded_org_id = self.org_id
        self._loaded_paths = self._paths_now()

    def _org_changed(self) -> bool:
        """Whether ``org_path`` may no longer be the org's: a different org object was set, or only its id
        (a restore, a form's cleaned id) — setting the id drops the cached org, so that alone says nothing."""
        cached = self._state.fields_cache.get("org")
        if cached is not None:
            return cached.path != self.org_path
        return self.org_id != getattr(self, "_loaded_org_id", self.org_id)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_org_id = instance.__dict__.get("org_id")
        # the nodes it belonged to when read: a change drops the figure values there too (core/figure_cache.py)
        instance._loaded_paths = instance._paths_now()
        return instance

    def _paths_now(self) -> tuple[str, ...]:
        """The values of its path columns as they stand ("" for one not read)."""
        return tuple(self.__dict__.get(name, "") for name in self.scope_paths)


def lock_row(model, pk, *related):
    """The row ``pk`` of ``model`` locked for the rest of the transaction, then read with ``related``.

    The locking statement has no join: after waiting for a lock PostgreSQL re-reads only the locked row,
    and a joined row (an outer join's above all) could come back as NULL. DoesNotExist if it is gone.
    """
    model._default_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()
    return model._default_manager.select_related(*related).get(pk=pk)


# Confidential records (监督): target type (app_label.model) → the capability without which their audit records are
# not read, even by those who read the audit log there (registered with core.audit.register_confidential).
CONFIDENTIAL_TARGETS: dict[str, str] = {}


def _confidential_condition(user) -> models.Q:
    """Audit records of no confidential type, or of one whose capability the user holds where the record is."""
    if not CONFIDENTIAL_TARGETS:
        return models.Q()
    condition = ~models.Q(target_type__in=list(CONFIDENTIAL_TARGETS))
    for capability in sorted(set(CONFIDENTIAL_TARGETS.values())):
        labels = [label for label, cap in CONFIDENTIAL_TARGETS.items() if cap == capability]
        condition |= models.Q(target_type__in=labels) & path_condition(user, capability, ("org_path",))
    return condition


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Audit records of the org subtrees where the user holds the audit capability (a confidential record's
        only where they also hold its capability); the 审计管理员 (security_log.view) also sees the security
        events that belong to no org."""
        condition = path_condition(user, "audit.view", ("org_path",)) & _confidential_condition(user)
        if has_capability(user, "security_log.view"):
            condition |= models.Q(org_path="")
        return self.filter(condition)

    def update(self, **kwargs):  # append-only: refuse at the ORM as the database triggers do
        raise TypeError("审计记录只能追加，不能修改")

    def delete(self):
        raise TypeError("审计记录只能追加，不能删除")


class AuditEvent(models.Model):
    """One entry of the append-only log: business changes (with before/after) and security events."""

    class Category(models.TextChoices):
        BUSINESS = "business", "业务操作"
        SECURITY = "security", "安全事件"

    # Set before insert (not auto_now_add) because the chain hash covers it.
    at = models.DateTimeField("时间(UTC)", default=timezone.now, db_index=True)
    category = models.CharField("类别", max_length=16, choices=Category.choices, default=Category.BUSINESS)
    action = models.CharField("操作", max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name="操作人",
        db_constraint=False, related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("地址", null=True, blank=True)
    request_id = models.CharField("请求标识", max_length=32, blank=True)
    org_path = models.CharField("组织路径", max_length=255, blank=True, db_index=True)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象标识", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=255, blank=True)
    before = models.JSONField("修改前", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", null=True, blank=True, encoder=DjangoJSONEncoder)
    success = models.BooleanField("成功", default=True)
    message = models.CharField("说明", max_length=500, blank=True)
    # The HMAC-SM3 chain (core.audit_chain): place in the chain, previous link and this link.
    seq = models.BigIntegerField("链序号", null=True, blank=True, db_index=True, editable=False)
    prev_hash = models.CharField("前一条链值", max_length=64, blank=True, editable=False)
    chain_hash = models.CharField("链值(HMAC-SM3)", max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["action", "target_repr", "at"]),
            models.Index(fields=["action", "ip", "at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise TypeError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("审计记录只能追加，不能删除")

    @property
    def action_label(self) -> str:
        return action_label(self.action)


class AuditChainHead(models.Model):
    """The single row naming the last link of the audit chain; every writer locks it."""

    last_seq = models.BigIntegerField("最后序号", default=0)
    last_hash = models.CharField("最后链值", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self):
        return f"审计链头 #{self.last_seq}"


class HolidayYear(models.Model):
    """A year's official holiday schedule (国务院办公厅放假安排) entered in the system.

    Years the chinese-calendar package does not know are counted Monday–Friday (provisional)
    until someone enters them here; an entered year also overrides the package.
    """

    year = models.PositiveIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, blank=True, help_text="如：国办发明电〔2026〕X号")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "法定节假日安排"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年节假日安排"


class ScheduleNeeded(models.Model):
    """A year whose holiday schedule a computed date needed before anyone entered it (the date was counted
    provisionally): the administrators were told once, and the rules page shows it until the year is entered."""

    year = models.PositiveIntegerField("年份", unique=True)
    first_date = models.DateField("首个涉及的日期")
    noted_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "待录入的节假日安排"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年节假日安排待录入"


class HolidayDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    schedule = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days", verbose_name="年度安排")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("节日", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class RuleSetting(models.Model):
    """One version of a configurable rule's value (core.rule_settings); the newest version is in force."""

    key = models.CharField("规则", max_length=64)
    version = models.PositiveIntegerField("版本")
    value = models.JSONField("取值", encoder=DjangoJSONEncoder)
    reason = models.CharField("修改理由", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="修改人")
    set_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "规则设置"
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="uniq_rule_version")]
        ordering = ["key", "-version"]

    def __str__(self):
        return f"{self.key} v{self.version}"


class Notification(models.Model):
    """An in-app message (站内通知); e-mail copies are sent by core.notify."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name="接收人")
    category = models.CharField("类别", max_length=32, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed = models.BooleanField("已发邮件", default=False)
    # E-mail copy: written with the note in the caller's transaction, sent after commit by the delivery
    # queue (core.notify.deliver_pending), which claims a row before sending it so that two deliverers
    # never send the same note. "" = no e-mail wanted or no address.
    mail_state = models.CharField("邮件状态", max_length=8, blank=True, default="",
                                  choices=[("pending", "待发送"), ("sending", "发送中"), ("sent", "已发送"),
                                           ("failed", "发送失败")])
    mail_attempts = models.PositiveSmallIntegerField("邮件发送次数", default=0)
    mail_claimed_at = models.DateTimeField("邮件领取时间", null=True, blank=True)
    mail_error = models.CharField("邮件错误", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at"]),
                   models.Index(fields=["mail_state"], name="notification_mail_due",
                                condition=models.Q(mail_state__in=["pending", "sending"]))]

    def __str__(self):
        return self.title


class JobRun(models.Model):
    """One run of a periodic job: when it started and when it finished (docs/architecture.md, Tasks).

    A run that started and never finished (the consumer died) is run again when a consumer starts
    (core.jobs.resume_unfinished); every job is written to be safe to run twice. ``key`` names what the
    run is for (the job and its day), so a repeat of the same work is the same row."""

    class State(models.TextChoices):
        QUEUED = "queued", "已提交，等待执行"
        RUNNING = "running", "正在执行"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=60)
    key = models.CharField("任务标识", max_length=120, unique=True)
    args = models.JSONField("参数", default=list, blank=True)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.QUEUED)
    queued_at = models.DateTimeField("提交时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    result = models.CharField("结果", max_length=200, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务运行记录"
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["job", "-queued_at"], name="jobrun_job_recent"),
                   models.Index(fields=["state"], name="jobrun_unfinished",
                                condition=models.Q(state__in=["queued", "running"]))]

    def __str__(self):
        return f"{self.job} {self.key}（{self.get_state_display()}）"
