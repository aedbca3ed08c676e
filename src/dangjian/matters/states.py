"""The statuses and classes a matter takes (状态、办理方式、满意度): plain choices, below both the models and the
workflow, so that each imports them without importing the other."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    REGISTERED = "registered", "登记"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    PENDING = "pending", "办结待审"
    CLOSED = "closed", "已销号"


OPEN_STATUSES = (Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING)


class HandlingClass(models.TextChoices):
    """三办机制 (工作汇报一(五))."""

    NORMAL = "", "一般"
    MAJOR = "major", "大事（快速办）"
    URGENT = "urgent", "要事（马上办）"
    HARD = "hard", "难事（热情办）"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
