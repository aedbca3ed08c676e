"""会议类型: the one agency-wide list of meeting kinds and who may keep it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.core import audit
from dangjian.core.scope import path_in_scope
from dangjian.orgs.models import Org

from ..models import (
    PARTY_GROUP_MEETING,
    STUDY_DAY,
    Audience,
    Meeting,
    MeetingKind,
)
from ..rule_settings import FREQUENCY_RULES

# ---- meeting kinds (会议类型) ---------------------------------------------------------------------

def can_configure(actor) -> bool:
    """会议类型 is one list for the whole agency: kept by whoever may change meetings across all of it."""
    roots = Org.objects.filter(depth=1).values_list("path", flat=True)
    return bool(roots) and all(path_in_scope(actor, "meeting.change", p) for p in roots)


def do_save_kind(kind: MeetingKind, *, actor, expected_version: int | None = None) -> MeetingKind:
    if not can_configure(actor):
        raise PermissionDenied("无权维护会议类型：须对全机关的会议有管理权限")
    with transaction.atomic():
        errors = {}
        stored = MeetingKind.objects.select_for_update().filter(pk=kind.pk).first() if kind.pk else None
        if stored and stored.code != kind.code:
            errors["code"] = "代码已被会议和规则引用，不能修改"
        if stored and stored.is_study != kind.is_study and Meeting.objects.filter(kind=stored).exists():
            # each attendance row's hours were counted by this flag when it was recorded
            errors["is_study"] = "已有会议使用该类型，出席记录已按原设置计算学习时长，不能再更改“计入学习时长”"
        if kind.frequency_months and kind.code in FREQUENCY_RULES:
            errors["frequency_months"] = (f"“{kind.name}”的召开频次由规则“{FREQUENCY_RULES[kind.code][1]}”规定，"
                                          "请在规则设置中修改")
        elif kind.frequency_months and kind.audience == Audience.GROUP:
            errors["frequency_months"] = "召开频次按党支部检查，党组成员参加的会议不设频次"
        if kind.code in (PARTY_GROUP_MEETING, STUDY_DAY) and not kind.is_active:
            errors["is_active"] = f"“{kind.name}”是“三重一大”决策和集中学习日所依据的会议类型，不能停用"
        elif kind.code in FREQUENCY_RULES and not kind.is_active:
            errors["is_active"] = f"“{kind.name}”的召开频次由规则规定（三会一课），不能停用"
        if errors:
            raise ValidationError(errors)
        audit.save_audited(kind, actor=actor, action="meeting.kind" if stored else "meeting.kind_create",
                           expected_version=expected_version)
    return kind
