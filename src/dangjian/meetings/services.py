"""Actions on meetings (do_*): scope re-checked, rules enforced, one transaction, audited.

The 三重一大 decision rules of RULES.md are checked in :func:`do_record_decision` at the moment
the decision is recorded; a refused attempt is itself written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit, rule_settings, workdays
from dangjian.core.notify import notify
from dangjian.core.scope import path_in_scope
from dangjian.core.uploads import random_name, validate_upload
from dangjian.orgs.models import LEADERSHIP_TITLES, Org, OrgKind, PartyStatus, Person, PositionTitle
from dangjian.orgs.services import current_positions

from .models import (
    PARTY_GROUP_MEETING,
    STUDY_DAY,
    Attendance,
    AttendanceStatus,
    Audience,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingStatus,
    Opinion,
    Outcome,
    Stance,
    Topic,
    TopicCategory,
)
from .rule_settings import FREQUENCY_RULES

COMMITTEE_TITLES = (PositionTitle.BRANCH_SECRETARY, PositionTitle.BRANCH_DEPUTY, PositionTitle.ORGANIZATION,
                    PositionTitle.PUBLICITY, PositionTitle.DISCIPLINE)
SIGNIN_SALT = "dangjian.meetings.signin"


def require_change(actor, org_path: str, what: str) -> None:
    if not path_in_scope(actor, "meeting.change", org_path):
        raise PermissionDenied(f"无权{what}")


def cn_fraction(value: Fraction) -> str:
    """2/3 → 三分之二, 1/2 → 半数: how the rules are worded in refusals."""
    if value == Fraction(1, 2):
        return "半数"
    digits = "零一二三四五六七八九十"
    if value.denominator <= 10 and value.numerator <= 10:
        return f"{digits[value.denominator]}分之{digits[value.numerator]}"
    return str(value)


# ---- who should attend --------------------------------------------------------------------------

def _current_positions(org_path: str, titles, on: dt.date):
    return current_positions(titles, on).filter(org_path=org_path)


def group_members(org_path: str, on: dt.date) -> list[Person]:
    """党组成员 on a day: current secretary, members and discipline head of the 党组 (principal first)."""
    rows = _current_positions(org_path, LEADERSHIP_TITLES, on).select_related("person").order_by("title", "id")
    seen, out = set(), []
    for p in sorted(rows, key=lambda r: LEADERSHIP_TITLES.index(r.title)):
        if p.person_id not in seen:
            seen.add(p.person_id)
            out.append(p.person)
    return out


def principal_of(org_path: str, on: dt.date) -> Person | None:
    row = _current_positions(org_path, [PositionTitle.SECRETARY], on).select_related("person").first()
    return row.person if row else None


def expected_people(meeting: Meeting) -> list[Person]:
    org, audience = meeting.org, meeting.kind.audience
    if audience == Audience.GROUP:
        return group_members(org.path, meeting.date)
    if audience == Audience.COMMITTEE:
        rows = _current_positions(org.path, COMMITTEE_TITLES, meeting.date).select_related("person")
        return list({r.person_id: r.person for r in rows}.values())
    people = Person.objects.filter(is_active=True)
    if audience == Audience.PARTY:
        # A 党小组's members are not recorded apart from its branch: the branch's members attend.
        base = org.path[: -org.steplen] if org.kind == OrgKind.CELL else org.path
        return list(people.filter(branch_path__pathprefix=base,
                                  party_status__in=[PartyStatus.FULL, PartyStatus.PROBATIONARY]).order_by("id"))
    return list(people.filter(Q(org_path__pathprefix=org.path) | Q(branch_path__pathprefix=org.path)).order_by("id"))


# ---- meetings -----------------------------------------------------------------------------------

def _validate_meeting(meeting: Meeting, *, date_changed: bool) -> None:
    errors = {}
    if meeting.start_time and meeting.end_time and meeting.end_time <= meeting.start_time:
        errors["end_time"] = "结束时间须晚于开始时间"
    today = timezone.localdate()
    if meeting.status == MeetingStatus.PLANNED and meeting.date and meeting.date < today and date_changed:
        errors["status"] = "会议日期已过，不能登记为“计划召开”：已开的会请登记为“已召开”"
    if meeting.status == MeetingStatus.HELD and meeting.date and meeting.date > today:
        errors["status"] = "会议日期在今天之后，不能登记为“已召开”"
    if meeting.study_form and not meeting.kind.is_study:
        errors["study_form"] = f"“{meeting.kind}”不是学习类会议，不填学习形式"
    if errors:
        raise ValidationError(errors)


def _attendance_rows(meeting: Meeting, people) -> list[Attendance]:
    return [Attendance(meeting=meeting, person=p, org=meeting.org, org_path=meeting.org_path, year=meeting.date.year)
            for p in people]


def do_create_meeting(meeting: Meeting, *, actor) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org.path, f"在“{meeting.org}”登记会议")
        _validate_meeting(meeting, date_changed=True)
        meeting.signin_nonce = secrets.token_hex(4)
        audit.save_audited(meeting, actor=actor, action="meeting.create")
        Attendance.objects.bulk_create(_attendance_rows(meeting, expected_people(meeting)))
    return meeting


def do_update_meeting(meeting: Meeting, *, actor, expected_version: int | None) -> Meeting:
    with transaction.atomic():
        stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
        require_change(actor, stored.org_path, f"修改“{stored}”")
        require_change(actor, meeting.org.path, f"把会议移到“{meeting.org}”")
        _validate_meeting(meeting, date_changed=stored.date != meeting.date or stored.status != meeting.status)
        audit.save_audited(meeting, actor=actor, action="meeting.update", expected_version=expected_version)
        if stored.date.year != meeting.date.year or stored.org_id != meeting.org_id:
            for model in (Attendance, Topic):
                for row in model.objects.filter(meeting=meeting):
                    row.year, row.org, row.org_path = meeting.date.year, meeting.org, meeting.org_path
                    row.save(update_fields=["year", "org", "org_path"])
    return meeting


def _study_hours(meeting: Meeting) -> Decimal:
    return Decimal(str(meeting.hours)) if meeting.kind.is_study else Decimal(0)


def do_mark_attendance(meeting: Meeting, person_id: int, status: str, *, actor, reason: str = "") -> Attendance:
    """The recorder enters one person's attendance (出席 / 请假 with reason / 缺席)."""
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"登记“{meeting}”的出席情况")
        row = Attendance.objects.select_for_update().filter(meeting=meeting, person_id=person_id).first()
        if row is None:
            raise ValidationError({"person": "此人不在本次会议的应到人员名单中"})
        if status not in AttendanceStatus.values or status == AttendanceStatus.EXPECTED:
            raise ValidationError({"status": "出席情况应为出席、请假或缺席"})
        if status == AttendanceStatus.LEAVE and not reason.strip():
            raise ValidationError({"reason": "请假须填写请假事由"})
        if status == AttendanceStatus.PRESENT and meeting.date > timezone.localdate():
            raise ValidationError({"status": "会议尚未召开，不能登记出席"})
        row.status, row.reason = status, reason.strip()[:200] if status == AttendanceStatus.LEAVE else ""
        row.signed_in_at = row.signed_in_at or (timezone.now() if status == AttendanceStatus.PRESENT else None)
        if status != AttendanceStatus.PRESENT:
            row.signed_in_at, row.via_qr = None, False
        row.hours = _study_hours(meeting) if status == AttendanceStatus.PRESENT else Decimal(0)
        row.makeup_required = meeting.status == MeetingStatus.HELD and meeting.kind.is_study and \
            status != AttendanceStatus.PRESENT
        audit.save_audited(row, actor=actor, action="meeting.attendance")
    return row


def do_close_meeting(meeting: Meeting, *, actor, expected_version: int | None = None) -> Meeting:
    """登记为已召开: whoever has not signed in is absent; study absentees get a make-up study task."""
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"登记“{meeting}”已召开")
        if meeting.date > timezone.localdate():
            raise ValidationError({"status": "会议日期在今天之后，不能登记为“已召开”"})
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError({"status": "会议已取消"})
        meeting.status = MeetingStatus.HELD
        audit.save_audited(meeting, actor=actor, action="meeting.close", expected_version=expected_version)
        missing = []
        for row in Attendance.objects.select_for_update(of=("self",)).filter(meeting=meeting).exclude(
                status=AttendanceStatus.PRESENT).select_related("person__user"):
            if row.status == AttendanceStatus.EXPECTED:
                row.status = AttendanceStatus.ABSENT
            row.makeup_required = meeting.kind.is_study
            audit.save_audited(row, actor=actor, action="meeting.attendance")
            if row.makeup_required:
                missing.append(row)
        for row in missing:
            notify(row.person, f"请补学：{meeting}", f"您未参加{meeting.kind}（{meeting.date:%Y-%m-%d}），请完成补学后登记。",
                   link="/meetings/my/", category="meetings")
    return meeting


def do_cancel_meeting(meeting: Meeting, *, actor) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"取消“{meeting}”")
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError({"status": "只有“计划召开”的会议可以取消"})
        meeting.status = MeetingStatus.CANCELLED
        audit.save_audited(meeting, actor=actor, action="meeting.cancel")
    return meeting


def do_complete_makeup(row: Attendance, note: str, *, actor) -> Attendance:
    """补学: done by the absentee themselves, or entered by someone who may change the meeting."""
    with transaction.atomic():
        row = Attendance.objects.select_for_update().select_related("meeting__kind", "person").get(pk=row.pk)
        own = row.person.user_id == actor.pk
        if not own:
            require_change(actor, row.org_path, f"登记{row.person}的补学")
        if not row.makeup_required:
            raise ValidationError({"makeup_note": "本次会议无须补学"})
        if row.makeup_done_on:
            raise ValidationError({"makeup_note": f"已于{row.makeup_done_on:%Y-%m-%d}完成补学"})
        if len(note.strip()) < 10:
            raise ValidationError({"makeup_note": "补学情况至少写10个字（学习了什么、怎么学的）"})
        row.makeup_done_on, row.makeup_note = timezone.localdate(), note.strip()
        row.hours = _study_hours(row.meeting)
        audit.save_audited(row, actor=actor, action="meeting.makeup")
    return row


def do_save_minutes(meeting: Meeting, minutes: str, *, actor, expected_version: int | None) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"填写“{meeting}”的会议记录")
        meeting.minutes = minutes
        audit.save_audited(meeting, actor=actor, action="meeting.minutes", expected_version=expected_version)
    return meeting


# ---- attachments -------------------------------------------------------------------------------

ATTACHMENT_KINDS = ("pdf", "docx", "doc", "xlsx", "jpg", "png")


def do_add_attachment(meeting: Meeting, upload, *, actor) -> MeetingAttachment:
    """会议附件: checked by content before the transaction (a refusal is a security event that a
    rollback must not lose), stored under a random name, the uploader's file name kept for display."""
    require_change(actor, meeting.org_path, f"为“{meeting}”上传附件")
    original = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    kind = validate_upload(upload, kinds=ATTACHMENT_KINDS, field="file", actor=actor)
    upload.name = random_name(kind)
    with transaction.atomic():
        stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if stored.status == MeetingStatus.CANCELLED:
            raise ValidationError({"file": "会议已取消，不能上传附件"})
        item = MeetingAttachment(meeting=stored, file=upload, name=original, size=upload.size, uploaded_by=actor,
                                 org_id=stored.org_id, org_path=stored.org_path)
        audit.save_audited(item, actor=actor, action="meeting.attachment", message=f"上传附件“{original}”")
    return item


def do_remove_attachment(item: MeetingAttachment, *, actor) -> None:
    """Only while the meeting is still 计划召开: once it is recorded as held (or cancelled) its papers
    are part of the record. The stored file is removed once the deletion has committed."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        require_change(actor, meeting.org_path, f"删除“{meeting}”的附件")
        item = MeetingAttachment.objects.select_for_update().get(pk=item.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError({"file": f"会议{meeting.get_status_display()}，附件已归档，不能再删除"})
        stored = item.file
        audit.delete_audited(item, actor=actor, action="meeting.attachment_remove")
        transaction.on_commit(lambda: stored.delete(save=False))


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


# ---- QR sign-in ---------------------------------------------------------------------------------

def signin_token(meeting: Meeting) -> str:
    return signing.TimestampSigner(salt=SIGNIN_SALT).sign(f"{meeting.pk}:{meeting.signin_nonce}")


def meeting_for_token(token: str) -> Meeting:
    """The meeting a sign-in code belongs to, or ValidationError naming why it cannot be used."""
    minutes = rule_settings.get("meetings.signin_minutes")
    try:
        value = signing.TimestampSigner(salt=SIGNIN_SALT).unsign(token, max_age=dt.timedelta(minutes=minutes))
    except signing.SignatureExpired as exc:
        raise ValidationError(f"签到码已过期（有效期 {minutes} 分钟），请请记录人刷新二维码后重新扫码") from exc
    except signing.BadSignature as exc:
        raise ValidationError("签到码无效，请重新扫描会场的二维码") from exc
    pk, _, nonce = value.partition(":")
    meeting = Meeting.objects.select_related("kind", "org").filter(pk=pk).first()
    if meeting is None or meeting.signin_nonce != nonce:
        raise ValidationError("签到码已作废，请重新扫描会场的二维码")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("会议已取消，无须签到")
    return meeting


def do_signin(token: str, *, actor) -> Attendance:
    meeting = meeting_for_token(token)
    person = getattr(actor, "person", None)
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(meeting=meeting, person=person).first() \
            if person else None
        if row is None:
            raise ValidationError("您不在本次会议的应到人员名单中，如需参会请联系记录人")
        if row.status == AttendanceStatus.PRESENT:
            at = timezone.localtime(row.signed_in_at).strftime("%H:%M") if row.signed_in_at else ""
            raise ValidationError(f"您已于{at}签到，每人只能签到一次")
        row.status, row.reason, row.via_qr = AttendanceStatus.PRESENT, "", True
        row.signed_in_at = timezone.now()
        row.hours = _study_hours(meeting)
        row.makeup_required = False
        audit.save_audited(row, actor=actor, action="meeting.signin", message="扫码签到")
    return row


def do_rotate_signin(meeting: Meeting, *, actor) -> Meeting:
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"刷新“{meeting}”的签到码")
        meeting.signin_nonce = secrets.token_hex(4)
        audit.save_audited(meeting, actor=actor, action="meeting.rotate_signin", message="已作废此前的签到码")
    return meeting


# ---- topics and 三重一大 decisions -------------------------------------------------------------

def do_add_topic(topic: Topic, *, actor) -> Topic:
    meeting = topic.meeting
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"为“{meeting}”添加议题")
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError("会议已取消，不能添加议题")
        threshold = Decimal(str(rule_settings.get("meetings.large_fund_threshold")))
        if topic.amount is not None and topic.amount >= threshold and not topic.category:
            # The seed's rule: 大额资金 must be decided collectively, whatever the proposer called it.
            topic.category = TopicCategory.FUND
        if topic.amount is not None and topic.amount < 0:
            raise ValidationError({"amount": "涉及金额不能为负数"})
        topic.org, topic.org_path, topic.year = meeting.org, meeting.org_path, meeting.date.year
        if not topic.order:
            topic.order = meeting.topics.count() + 1
        audit.save_audited(topic, actor=actor, action="meeting.topic")
    return topic


@dataclass
class Vote:
    person_id: int
    order: int
    stance: str
    reason: str = ""


def _people_json(people) -> list[dict]:
    return [{"id": p.pk, "name": p.name} for p in people]


def check_decision(topic: Topic, votes: list[Vote], recused_ids: set[int]) -> tuple[list[str], dict]:
    """Every rule the decision breaks (as the refusal names it) and the facts to freeze on the topic."""
    meeting = topic.meeting
    broken: list[str] = []
    major = topic.is_major
    if major and meeting.kind.code != PARTY_GROUP_MEETING:
        broken.append(f"不符合：“三重一大”事项须由党组会议集体决策（本次为{meeting.kind}）")
    if meeting.status == MeetingStatus.CANCELLED:
        broken.append("会议已取消，不能作出决定")
    if meeting.date > timezone.localdate():
        broken.append("会议尚未召开，不能记录决定")
    if topic.outcome and topic.outcome != Outcome.DEFERRED:
        broken.append(f"该议题已作出决定（{topic.get_outcome_display()}），不能重复表决")
    if major:
        entitled = group_members(meeting.org_path, meeting.date)
    else:
        entitled = [a.person for a in meeting.attendance.select_related("person")]
    entitled_ids = {p.pk for p in entitled}
    names = {p.pk: p.name for p in entitled}
    present_ids = set(meeting.attendance.filter(status=AttendanceStatus.PRESENT, person_id__in=entitled_ids)
                      .values_list("person_id", flat=True))
    recused_ids = recused_ids & entitled_ids
    sitting = present_ids - recused_ids
    n = len(entitled_ids)
    cadre = topic.category == TopicCategory.CADRE
    if cadre:
        share = rule_settings.get("meetings.cadre_quorum")
        if n == 0 or len(sitting) < share * n:
            broken.append(f"不符合：干部任免须{cn_fraction(share)}以上成员到会（应到{n}人，到会表决{len(sitting)}人）")
    else:
        share = rule_settings.get("meetings.quorum")
        if n == 0 or len(sitting) <= share * n:
            broken.append(f"不符合：须超过{cn_fraction(share)}的成员到会方可开会（应到{n}人，到会表决{len(sitting)}人）")
    by_person = {}
    for v in votes:
        if v.person_id in recused_ids:
            broken.append(f"不符合：回避成员不得参与表决（{names.get(v.person_id, v.person_id)}）")
        elif v.person_id not in entitled_ids:
            broken.append("不符合：只有应到会成员可以表态")
        elif v.person_id not in present_ids:
            broken.append(f"不符合：未到会成员不能当场表态（{names[v.person_id]}）")
        elif v.stance not in Stance.values:
            broken.append(f"{names[v.person_id]}的意见应为同意、不同意或缓议")
        else:
            if v.stance != Stance.AGREE and not v.reason.strip():
                broken.append(f"不符合：表态“{Stance(v.stance).label}”须说明理由（{names[v.person_id]}）")
            by_person[v.person_id] = v
    missing = [names[i] for i in sorted(sitting) if i not in by_person]
    if missing:
        broken.append(f"不符合：到会成员须逐一表态，缺少：{'、'.join(missing)}")
    orders = [v.order for v in by_person.values()]
    if len(set(orders)) != len(orders):
        broken.append("发言顺序有重复，请按实际发言先后逐一编号")
    principal = principal_of(meeting.org_path, meeting.date) if major else None
    spoken = sorted(by_person.values(), key=lambda v: v.order)
    if principal and principal.pk in by_person and spoken[-1].person_id != principal.pk:
        broken.append(f"不符合：主要负责人须末位表态（{principal.name}应最后发表意见）")
    notice = rule_settings.get("meetings.agenda_notice_workdays")
    if major and notice:
        latest = workdays.add_workdays(meeting.date, -notice).date
        if not topic.materials_sent_on or topic.materials_sent_on > latest:
            broken.append(f"不符合：议题材料须于会前{notice}个工作日送达参会成员（最迟{latest:%Y-%m-%d}）")
    should = n - len(recused_ids)
    count = {s: sum(1 for v in by_person.values() if v.stance == s) for s in Stance.values}
    pass_share = rule_settings.get("meetings.pass_share")
    if count[Stance.AGREE] > pass_share * should:
        outcome = Outcome.PASSED
    elif count[Stance.DEFER] and count[Stance.DEFER] >= count[Stance.DISAGREE]:
        outcome = Outcome.DEFERRED
    else:
        outcome = Outcome.REJECTED
    keys = ["meetings.cadre_quorum" if cadre else "meetings.quorum", "meetings.pass_share",
            "meetings.agenda_notice_workdays", "meetings.large_fund_threshold"]
    facts = {
        "entitled": _people_json(entitled), "present": [{"id": i, "name": names[i]} for i in sorted(present_ids)],
        "recused": [{"id": i, "name": names[i]} for i in sorted(recused_ids)],
        "tally": {**count, "should": should, "sitting": len(sitting)}, "outcome": outcome, "spoken": spoken,
        "principal": principal.pk if principal else None,
        "rule_versions": {k: rule_settings.version(k) for k in keys},
    }
    return list(dict.fromkeys(broken)), facts


def do_record_decision(topic: Topic, votes: list[Vote], *, recused_ids=(), decision_text: str = "", actor) -> Topic:
    """Record a collective decision; a decision that breaks a rule is refused and the attempt logged."""
    require_change(actor, topic.org_path, f"记录“{topic}”的决定")
    try:
        with transaction.atomic():
            topic = Topic.objects.select_for_update().select_related("meeting__kind", "meeting__org").get(pk=topic.pk)
            broken, facts = check_decision(topic, votes, set(recused_ids))
            if broken:
                raise ValidationError(broken)
            topic.entitled, topic.present, topic.recused = facts["entitled"], facts["present"], facts["recused"]
            topic.tally, topic.rule_versions, topic.outcome = facts["tally"], facts["rule_versions"], facts["outcome"]
            topic.decision_text = decision_text.strip()
            topic.decided_at, topic.decided_by = timezone.now(), actor
            audit.save_audited(topic, actor=actor, action="meeting.decide",
                               message=f"{topic.get_category_display()}：{topic.get_outcome_display()}")
            Opinion.objects.filter(topic=topic).delete()  # a deferred topic's earlier round is in the log
            Opinion.objects.bulk_create(
                Opinion(topic=topic, person_id=v.person_id, order=i, stance=v.stance, reason=v.reason.strip()[:300],
                        is_principal=v.person_id == facts["principal"], org_id=topic.org_id, org_path=topic.org_path)
                for i, v in enumerate(facts["spoken"], start=1))
    except ValidationError as exc:
        audit.record("meeting.decide_refused", actor=actor, target=topic, success=False,
                     message="；".join(exc.messages))
        raise
    return topic
