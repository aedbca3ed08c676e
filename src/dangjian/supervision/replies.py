"""归并与逐项答复 (群众监督): merging the sources of one complaint into a group handled as one Matter, and the reply
to that group — drafted, approved by the matter's responsible leader, published to every source of the group.

A group is an original and the petitions that name it (``duplicate_of``; one level). Each source keeps its own
record, contact and 查询码; the group shares the original's Matter (kind 群众诉求), and the Matter's one reply
(PetitionReply) reaches each of them: through the portal for a source with a 查询码, and by a recorded delivery
(phone, letter, QQ, e-mail, in person) for the others. Closing the matter is matters' own 备案销号 flow.

Every action is one transaction with the rows it reads locked, audited, and refused for a record the actor may
not change (a record outside their scope is refused exactly as one that does not exist).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from dangjian.core import audit, notify
from dangjian.core.models import lock_row
from dangjian.core.scope import has_capability
from dangjian.core.todos import Todo
from dangjian.matters.models import Matter, Status
from dangjian.matters.services import do_update_matter
from dangjian.matters.services.common import can_manage, is_leader, require_open
from dangjian.orgs.services import agency_of

from . import petitions
from .petition_models import (
    DeliveryMethod,
    Petition,
    PetitionKind,
    PetitionReply,
    PetitionStatus,
    ReplyDelivery,
    ReplyStatus,
)

NOT_FOUND = "不存在或不在您的权限范围内"
TEXT_MAX = 5000
SATISFACTION = dict(Petition._meta.get_field("satisfaction").choices)  # 满意 / 基本满意 / 不满意


def handling_url(petition_id: int) -> str:
    """The handling page of a petition (答复办理: its group, reply and deliveries)."""
    return reverse("supervision:petition_handling", args=[petition_id])


# ---- the group -------------------------------------------------------------------------------------

def group_q(original: Petition) -> Q:
    """The members of ``original``'s group: itself and every petition naming it."""
    return Q(pk=original.pk) | Q(duplicate_of_id=original.pk)


def reply_group_q(matter_id: int) -> Q:
    """Every source a matter's reply reaches: the petitions it handles and their duplicates."""
    return Q(matter_id=matter_id) | Q(duplicate_of__matter_id=matter_id)


def _changeable(actor, pk, field: str) -> Petition:
    """The petition ``pk``, locked, if the actor may change it; else refused as not found."""
    if not Petition.objects.visible_to(actor, "change").filter(pk=pk).exists():
        raise ValidationError({field: f"{'原件' if field == 'original' else '诉求'}：编号 {pk} 的诉求{NOT_FOUND}"})
    return lock_row(Petition, pk, "org", "matter")


def _open_matter_of(petition: Petition, field: str) -> Matter | None:
    if petition.matter_id and petition.matter.status == Status.CLOSED:
        raise ValidationError({field: f"诉求“{petition}”的事项“{petition.matter}”已销号，不能再变更归并"})
    return petition.matter


def _published(matter_id: int | None) -> PetitionReply | None:
    if not matter_id:
        return None
    return PetitionReply.objects.filter(matter_id=matter_id, status=ReplyStatus.PUBLISHED).first()


# ---- 归并 ------------------------------------------------------------------------------------------

@transaction.atomic
def do_merge(duplicate: Petition, original: Petition, *, actor, score: float | None = None,
             reason: str = "") -> Petition:
    """归并: staff confirm that ``duplicate`` repeats ``original``.

    One level: when ``original`` is itself a duplicate, the merge goes to its original; the duplicate's own
    duplicates move with it. The duplicate shares the original's Matter (when it has one) and is marked 已归并.
    A duplicate already accepted as its own Matter is refused, naming the matter: its handling (and perhaps its
    reply) has begun, and a petition is handled by one matter only — merge the other way, into it, instead.
    When the group's reply is already published, the new member gets it too (its portal delivery, or a place
    in the 待送达 list).
    """
    first, second = sorted([duplicate.pk, original.pk])
    locked = {pk: _changeable(actor, pk, "duplicate" if pk == duplicate.pk else "original") for pk in (first, second)}
    dup, orig = locked[duplicate.pk], locked[original.pk]
    if orig.duplicate_of_id:
        orig = _changeable(actor, orig.duplicate_of_id, "original")
    if dup.pk == orig.pk:
        raise ValidationError({"original": "原件：不能归并到本件自身（或本件的重复件）"})
    if dup.duplicate_of_id:
        raise ValidationError({"duplicate": f"本件已归并到“{dup.duplicate_of}”，请先撤销归并"})
    if agency_of(dup.org).pk != agency_of(orig.org).pk:
        raise ValidationError({"original": "原件：只能归并同一单位收到的诉求"})
    for p, field in ((dup, "duplicate"), (orig, "original")):
        if p.status == PetitionStatus.DECLINED:
            raise ValidationError({field: f"{'原件' if field == 'original' else '本件'}“{p}”已不予受理，不能归并"})
    if (dup.kind == PetitionKind.ACCUSATION) != (orig.kind == PetitionKind.ACCUSATION):
        # a 检举控告 is handled in confidence by the discipline team: never inside another petition's group
        raise ValidationError({"original": "原件：检举控告只能与检举控告归并"})
    if dup.matter_id and dup.matter_id != orig.matter_id:
        raise ValidationError({"duplicate": f"本件已作为事项“{dup.matter}”（{dup.matter.get_status_display()}）受理办理，"
                                            "不能再归并到其他诉求；如确属重复，请将另一件归并到本件"})
    matter = _open_matter_of(orig, "original")
    reason = (reason or "").strip()[:200]
    now = timezone.now()
    moved = list(Petition.objects.select_for_update().filter(duplicate_of_id=dup.pk).order_by("pk"))
    for member in [dup, *moved]:
        member.duplicate_of = orig
        member.status = PetitionStatus.MERGED
        member.matter = matter
        if member is dup:
            member.merge_score, member.merge_reason = score, reason
            member.merged_by, member.merged_at = actor, now
        audit.save_audited(member, actor=actor, action="supervision.petition_merge",
                           message=f"归并到“{orig}”" + (f"（随“{dup}”一并归并）" if member is not dup else ""))
    reply = _published(orig.matter_id)
    if reply is not None:
        _deliver_to_portal(reply, [dup, *moved], actor=actor, when=now)
    return dup


@transaction.atomic
def do_unmerge(duplicate: Petition, *, actor) -> Petition:
    """撤销归并: the duplicate stands alone again, back in the triage queue (待分类), before the group's reply is
    published (after it, the reply has reached the source as a member of the group)."""
    dup = _changeable(actor, duplicate.pk, "duplicate")
    if not dup.duplicate_of_id:
        raise ValidationError({"duplicate": f"“{dup}”未归并，无需撤销"})
    if _published(dup.matter_id) is not None:
        raise ValidationError({"duplicate": f"“{dup}”所在归并组已答复，不能撤销归并"})
    _open_matter_of(dup, "duplicate")
    original = dup.duplicate_of
    dup.duplicate_of = dup.matter = dup.merged_by = dup.merged_at = dup.merge_score = None
    dup.merge_reason = ""
    dup.status = PetitionStatus.TRIAGE
    audit.save_audited(dup, actor=actor, action="supervision.petition_unmerge", message=f"撤销归并到“{original}”")
    return dup


# ---- 逐项答复 --------------------------------------------------------------------------------------

def _lead_petition(actor, petition: Petition, field: str = "reply") -> tuple[Petition, Matter]:
    """The original of ``petition``'s group (which the actor may change) and its Matter, which must be open."""
    stored = _changeable(actor, petition.pk, field)
    original = stored.duplicate_of if stored.duplicate_of_id else stored
    if original.pk != stored.pk:
        original = _changeable(actor, original.pk, field)
    if not original.matter_id:
        raise ValidationError({field: f"诉求“{original}”尚未受理为事项，不能答复（请先受理）"})
    matter = lock_row(Matter, original.matter_id, "responsible_leader", "org")
    try:
        require_open(matter)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages[0]}) from None
    return original, matter


def _reply_for_change(actor, reply: PetitionReply, expected_version, *, status: str) -> tuple[PetitionReply, Matter]:
    stored = lock_row(PetitionReply, reply.pk, "matter")
    lead = Petition.objects.visible_to(actor, "change").filter(matter_id=stored.matter_id).order_by("pk").first()
    if lead is None:
        raise PermissionDenied(f"无权办理该答复：诉求{NOT_FOUND}")
    _, matter = _lead_petition(actor, lead)
    _check_version(stored, expected_version)
    if stored.status != status:
        raise ValidationError({"reply": f"答复当前为“{stored.get_status_display()}”，"
                                        f"只有“{ReplyStatus(status).label}”的答复可以这样办理"})
    return stored, matter


def _check_version(stored, expected_version) -> None:
    if expected_version is not None and stored.version != expected_version:
        raise audit.ConflictError(f"答复已被他人修改（当前版本 {stored.version}，您编辑的是版本 {expected_version}），"
                                  "请刷新后重新办理。")


@transaction.atomic
def do_draft_reply(petition: Petition, text: str, *, actor, expected_version: int | None = None) -> PetitionReply:
    """拟稿: the reply text of ``petition``'s group (its original's matter), new or edited while still a draft."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "答复内容：不能为空"})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"答复内容：最多 {TEXT_MAX} 字（现有 {len(text)} 字）"})
    _, matter = _lead_petition(actor, petition)
    reply = PetitionReply.objects.filter(matter=matter).first()
    if reply is None:
        reply = PetitionReply(matter=matter, org=matter.org)
    else:
        reply = lock_row(PetitionReply, reply.pk)
        _check_version(reply, expected_version)
        if reply.status != ReplyStatus.DRAFT:
            raise ValidationError({"text": f"答复已{reply.get_status_display()}，不能再修改"})
    reply.text, reply.drafted_by = text, actor
    return audit.save_audited(reply, actor=actor, action="supervision.reply_draft", expected_version=expected_version)


@transaction.atomic
def do_submit_reply(reply: PetitionReply, *, actor, expected_version: int | None = None) -> PetitionReply:
    """送审: to the matter's responsible leader, who is told (in-app and by mail) that it awaits approval."""
    stored, matter = _reply_for_change(actor, reply, expected_version, status=ReplyStatus.DRAFT)
    leader = matter.responsible_leader
    if leader is None:
        raise ValidationError({"reply": f"事项“{matter}”尚未指定责任领导，请先交办并指定责任领导"})
    stored.status = ReplyStatus.SUBMITTED
    audit.save_audited(stored, actor=actor, action="supervision.reply_submit")
    lead = Petition.objects.filter(matter=matter, duplicate_of__isnull=True).order_by("pk").first()
    notify.notify(leader, f"群众诉求答复待审核：{matter.title}", f"{actor.get_full_name()} 提交了答复稿，请审核。",
                  link=handling_url(lead.pk if lead else stored.pk), category="petition")
    return stored


def _leader_reply(actor, reply: PetitionReply, expected_version) -> tuple[PetitionReply, Matter]:
    """Only the matter's responsible leader, holding petition.approve, approves or returns its reply."""
    stored = lock_row(PetitionReply, reply.pk)
    matter = lock_row(Matter, stored.matter_id, "responsible_leader")
    if not may_approve(actor, matter):
        raise PermissionDenied(f"只有事项“{matter}”的责任领导可以审核其答复")
    require_open(matter)
    _check_version(stored, expected_version)
    if stored.status != ReplyStatus.SUBMITTED:
        raise ValidationError({"reply": f"答复当前为“{stored.get_status_display()}”，不在待审核状态"})
    return stored, matter


@transaction.atomic
def do_approve_reply(reply: PetitionReply, *, actor, expected_version: int | None = None) -> PetitionReply:
    """审核通过 by the matter's responsible leader."""
    stored, _ = _leader_reply(actor, reply, expected_version)
    stored.status, stored.approved_by, stored.approved_at = ReplyStatus.APPROVED, actor, timezone.now()
    return audit.save_audited(stored, actor=actor, action="supervision.reply_approve")


@transaction.atomic
def do_return_reply(reply: PetitionReply, reason: str, *, actor, expected_version: int | None = None) -> PetitionReply:
    """退回修改 by the responsible leader, with the reason (told to the drafter); the reply is a draft again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回理由：不能为空"})
    stored, matter = _leader_reply(actor, reply, expected_version)
    stored.status = ReplyStatus.DRAFT
    audit.save_audited(stored, actor=actor, action="supervision.reply_return",
                       message=f"退回理由：{reason}"[:500])
    lead = Petition.objects.filter(matter=matter, duplicate_of__isnull=True).order_by("pk").first()
    if stored.drafted_by_id:
        notify.notify(stored.drafted_by, f"群众诉求答复被退回：{matter.title}", f"退回理由：{reason}",
                      link=handling_url(lead.pk) if lead else "", category="petition")
    return stored


@transaction.atomic
def do_publish_reply(reply: PetitionReply, *, actor, expected_version: int | None = None,
                     ) -> tuple[PetitionReply, list[ReplyDelivery], list[Petition]]:
    """答复: the approved reply becomes the matter's reply (its 答复内容 and 答复日期, which its 办结 requires) and
    reaches every source of the group: published for each one with a 查询码 (a portal delivery), and listed as
    待送达 for the others, whose delivery staff record (do_record_delivery). Returns (reply, deliveries, pending)."""
    stored, matter = _reply_for_change(actor, reply, expected_version, status=ReplyStatus.APPROVED)
    now = timezone.now()
    stored.status, stored.published_at = ReplyStatus.PUBLISHED, now
    audit.save_audited(stored, actor=actor, action="supervision.reply_publish")
    matter.reply_text, matter.replied_on = stored.text, timezone.localdate(now)
    if can_manage(actor, matter):
        do_update_matter(matter, actor=actor, expected_version=None)
    else:  # the discipline team answers petitions without managing matters: the two fields, audited
        audit.save_audited(matter, actor=actor, action="supervision.reply_to_matter")
    members = list(Petition.objects.select_for_update(of=("self",)).filter(reply_group_q(matter.pk)).order_by("pk"))
    delivered = _deliver_to_portal(stored, members, actor=actor, when=now)
    reached = {d.petition_id for d in delivered}
    return stored, delivered, [p for p in members if p.pk not in reached]


def _deliver_to_portal(reply: PetitionReply, members, *, actor, when) -> list[ReplyDelivery]:
    """A portal delivery for each member with a 查询码: the reply is there when they look it up."""
    done = []
    for member in members:
        if member.query_code_hash and not ReplyDelivery.objects.filter(petition=member, reply=reply).exists():
            delivery = ReplyDelivery(petition=member, reply=reply, method=DeliveryMethod.PORTAL, delivered_at=when,
                                     delivered_by=actor, org=member.org, note="已在监督平台公开，凭查询码查看")
            done.append(audit.save_audited(delivery, actor=actor, action="supervision.reply_deliver"))
    return done


@transaction.atomic
def do_record_delivery(petition: Petition, method: str, delivered_at: dt.datetime, note: str = "", *, actor,
                       satisfaction: str = "") -> ReplyDelivery:
    """送达登记: how, when and by whom the published reply reached a source without the portal (phone, letter, QQ,
    e-mail, in person); with the petitioner's rating when they gave one then."""
    stored = _changeable(actor, petition.pk, "petition")
    original = stored.duplicate_of if stored.duplicate_of_id else stored
    reply = _published(original.matter_id)
    if reply is None:
        raise ValidationError({"petition": f"“{stored}”所在事项尚未发布答复，不能登记送达"})
    errors = {}
    if method not in DeliveryMethod.values or method == DeliveryMethod.PORTAL:
        errors["method"] = "送达方式：请选择电话、书面回函、QQ群、电子邮件或当面答复（平台查询在发布答复时自动送达）"
    if delivered_at is None:
        errors["delivered_at"] = "送达时间：不能为空"
    elif delivered_at > timezone.now():
        errors["delivered_at"] = "送达时间：不能晚于现在"
    elif delivered_at < reply.published_at.replace(second=0, microsecond=0):
        errors["delivered_at"] = f"送达时间：不能早于答复发布时间 {timezone.localtime(reply.published_at):%Y-%m-%d %H:%M}"
    if satisfaction and satisfaction not in SATISFACTION:
        errors["satisfaction"] = "满意度：请选择满意、基本满意或不满意"
    if ReplyDelivery.objects.filter(petition=stored, reply=reply).exists():
        errors["petition"] = f"“{stored}”已登记送达，无需重复登记"
    if errors:
        raise ValidationError(errors)
    delivery = ReplyDelivery(petition=stored, reply=reply, method=method, delivered_at=delivered_at,
                             delivered_by=actor, note=(note or "").strip()[:200], org=stored.org)
    audit.save_audited(delivery, actor=actor, action="supervision.reply_deliver")
    if satisfaction:
        _rate(stored, satisfaction, actor=actor, when=delivered_at)
    return delivery


@transaction.atomic
def do_record_rating(petition: Petition, satisfaction: str, *, actor) -> Petition:
    """满意度登记 by staff for a source told by phone, letter, etc. (a portal user rates it themselves)."""
    stored = _changeable(actor, petition.pk, "petition")
    if satisfaction not in SATISFACTION:
        raise ValidationError({"satisfaction": "满意度：请选择满意、基本满意或不满意"})
    if not stored.deliveries.exists():
        raise ValidationError({"satisfaction": f"“{stored}”尚未送达答复，不能登记满意度"})
    return _rate(stored, satisfaction, actor=actor, when=timezone.now())


def _rate(stored: Petition, satisfaction: str, *, actor, when) -> Petition:
    """Rated once, by the one rule the portal's petitioner is held to (petitions.do_rate_reply)."""
    return petitions.do_rate_reply(stored, satisfaction=satisfaction, actor=actor, when=when)


def may_approve(user, matter: Matter | None) -> bool:
    """The matter's responsible leader, holding petition.approve (as the leader steps of matters)."""
    return bool(matter) and is_leader(user, matter) and has_capability(user, "petition.approve")


def approval_todos(user, today, until) -> list[Todo]:
    """The home page's to-do (core.todos): the replies awaiting this leader's approval, due now."""
    if not has_capability(user, "petition.approve"):
        return []
    lead = Petition.objects.filter(matter_id=OuterRef("matter_id"), duplicate_of__isnull=True).order_by("pk")
    waiting = (PetitionReply.objects.filter(status=ReplyStatus.SUBMITTED, matter__responsible_leader__user=user)
               .annotate(lead_id=Subquery(lead.values("pk")[:1])).select_related("matter").order_by("pk"))
    return [Todo(today, f"群众诉求答复待审核：{r.matter.title}", handling_url(r.lead_id)) for r in waiting if r.lead_id]
