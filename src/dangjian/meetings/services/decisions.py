"""议题与“三重一大”决策: a meeting's topics and the decision recorded on each.

The decision rules (docs/rules.md) are checked in :func:`do_record_decision` at the moment the decision is
recorded; a refused attempt is itself written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, rule_settings, workdays
from dangjian.core.actions import refusal_text
from dangjian.core.models import lock_row

from ..models import (
    PARTY_GROUP_MEETING,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Opinion,
    Outcome,
    Recusal,
    Stance,
    Topic,
    TopicCategory,
)
from .records import group_members, principal_of, require_change


def cn_fraction(value: Fraction) -> str:
    """2/3 → 三分之二, 1/2 → 半数: how the rules are worded in refusals."""
    if value == Fraction(1, 2):
        return "半数"
    digits = "零一二三四五六七八九十"
    if value.denominator <= 10 and value.numerator <= 10:
        return f"{digits[value.denominator]}分之{digits[value.numerator]}"
    return str(value)



# ---- topics and 三重一大 decisions -------------------------------------------------------------

def _title_key(title: str) -> str:
    return "".join(title.split())


def do_add_topic(topic: Topic, *, actor) -> Topic:
    meeting = topic.meeting
    with transaction.atomic():
        require_change(actor, meeting.org_path, f"为“{meeting}”添加议题")
        # the meeting's row is locked so that two topics added at once get different numbers
        lock_row(Meeting, meeting.pk)
        existing = list(meeting.topics.values_list("order", "title"))
        same = next((order for order, title in existing if _title_key(title) == _title_key(topic.title)), None)
        if same is not None:
            raise ValidationError({"title": f"议题：本次会议已有相同议题“{topic.title.strip()}”（序号{same}），请勿重复添加"})
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
            topic.order = max((order for order, _title in existing), default=0) + 1
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


def standing_recusals(topic: Topic):
    """The recusals in force on a topic: recorded in any round, not lifted."""
    return Recusal.objects.filter(topic=topic, lifted_at__isnull=True).select_related("person")


def do_record_decision(topic: Topic, votes: list[Vote], *, recused_ids=(), decision_text: str = "", actor) -> Topic:
    """Record a collective decision; a decision that breaks a rule is refused and the attempt logged.

    Recusal belongs to the person and the topic: those recused in an earlier round (a 缓议 topic voted
    again) stay recused, whatever this round's form says, until the recusal is lifted with a reason."""
    require_change(actor, topic.org_path, f"记录“{topic}”的决定")
    try:
        with transaction.atomic():
            topic = lock_row(Topic, topic.pk, "meeting__kind", "meeting__org")
            standing = {r.person_id for r in standing_recusals(topic)}
            broken, facts = check_decision(topic, votes, set(recused_ids) | standing)
            if broken:
                raise ValidationError(broken)
            topic.entitled, topic.present, topic.recused = facts["entitled"], facts["present"], facts["recused"]
            topic.tally, topic.rule_versions, topic.outcome = facts["tally"], facts["rule_versions"], facts["outcome"]
            topic.decision_text = decision_text.strip()
            topic.decided_at, topic.decided_by = timezone.now(), actor
            audit.save_audited(topic, actor=actor, action="meeting.decide",
                               message=f"{topic.get_category_display()}：{topic.get_outcome_display()}")
            for person in facts["recused"]:
                if person["id"] not in standing:
                    audit.save_audited(Recusal(topic=topic, person_id=person["id"], org_id=topic.org_id,
                                               org_path=topic.org_path, recorded_by=actor,
                                               reason=f"{topic.meeting.date:%Y-%m-%d}表决时登记回避"),
                                       actor=actor, action="meeting.recusal")
            Opinion.objects.filter(topic=topic).delete()  # a deferred topic's earlier round is in the log
            Opinion.objects.bulk_create(
                Opinion(topic=topic, person_id=v.person_id, order=i, stance=v.stance, reason=v.reason.strip()[:300],
                        is_principal=v.person_id == facts["principal"], org_id=topic.org_id, org_path=topic.org_path)
                for i, v in enumerate(facts["spoken"], start=1))
    except ValidationError as exc:
        audit.record("meeting.decide_refused", actor=actor, target=topic, success=False,
                     message=refusal_text(exc))
        raise
    return topic


def do_lift_recusal(recusal: Recusal, reason: str, *, actor) -> Recusal:
    """解除回避: only with a reason, by someone who may record the topic's decision; the recusal stays on record."""
    with transaction.atomic():
        require_change(actor, recusal.org_path, f"解除“{recusal}”")
        recusal = lock_row(Recusal, recusal.pk, "person", "topic")
        if recusal.lifted_at:
            raise ValidationError({"lift_reason": f"该回避已于{timezone.localtime(recusal.lifted_at):%Y-%m-%d %H:%M}解除"})
        if not reason.strip():
            raise ValidationError({"lift_reason": "解除回避理由：请说明为何解除回避"})
        recusal.lifted_at, recusal.lifted_by, recusal.lift_reason = timezone.now(), actor, reason.strip()[:200]
        audit.save_audited(recusal, actor=actor, action="meeting.recusal_lift")
    return recusal
