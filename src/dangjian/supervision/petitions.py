"""Actions of 群众监督 (do_*): one transaction each, audited. Intake is one function for every channel — the
portal (no actor, no log-in), the staff entering a letter or a call, and the history import — so that the same
checks hold whichever way a petition arrives.

Anonymity: a petition from the portal is saved with no actor; the audit event it causes names no actor and no
address (``anonymous_request``), and nothing about the sender is stored beyond what they typed.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, uploads
from dangjian.core.models import lock_row
from dangjian.orgs.models import Org, OrgKind

from .petition_models import (
    Channel,
    Petition,
    PetitionAttachment,
    PetitionKind,
    PetitionReply,
    PetitionStatus,
    PetitionSupplement,
    ReplyStatus,
    hash_query_code,
)

SUBJECT_MAX = 200
CONTENT_MAX = 5000
SUPPLEMENT_MAX = 2000
ATTACHMENT_KINDS = ("pdf", "docx", "jpg", "png")
MAX_ATTACHMENTS = 5
# 查询码: 20 characters from an alphabet without look-alikes (no 0/O, 1/I/L): about 98 bits, so a guessed code
# finds nothing; shown grouped by four for reading over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 20


def new_query_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def find_by_code(code: str) -> Petition | None:
    """The petition a 查询码 opens (callers rate-limit the lookups), or None."""
    code = (code or "").strip()
    if not code:
        return None
    return Petition.objects.filter(query_code_hash=hash_query_code(code)).select_related("org").first()


@contextmanager
def anonymous_request():
    """Within: audit events name no address (the request's IP is dropped from the audit context)."""
    saved = audit._request_info.get()
    audit.set_request_info(None)
    try:
        yield
    finally:
        audit._request_info.set(saved)


def check_text(petition: Petition) -> None:
    """What every intake requires, each error naming its field."""
    errors = {}
    petition.subject = (petition.subject or "").strip()
    petition.content = (petition.content or "").strip()
    if not petition.subject:
        errors["subject"] = "标题：不能为空"
    elif len(petition.subject) > SUBJECT_MAX:
        errors["subject"] = f"标题：最多 {SUBJECT_MAX} 字（现有 {len(petition.subject)} 字）"
    if not petition.content:
        errors["content"] = "内容：不能为空"
    elif len(petition.content) > CONTENT_MAX:
        errors["content"] = f"内容：最多 {CONTENT_MAX} 字（现有 {len(petition.content)} 字）"
    if petition.kind not in PetitionKind.values:
        errors["kind"] = "类型：请选择意见建议、投诉或检举控告"
    if petition.channel not in Channel.values:
        errors["channel"] = "渠道：请选择收到的渠道"
    if petition.anonymous:
        petition.contact_name = petition.contact_phone = petition.contact_other = ""
    else:
        petition.contact_name = (petition.contact_name or "").strip()
        petition.contact_phone = (petition.contact_phone or "").strip()
        petition.contact_other = (petition.contact_other or "").strip()
        if not petition.contact_name:
            errors["contact_name"] = "联系人：实名提交时请填写姓名（或选择匿名）"
        if not (petition.contact_phone or petition.contact_other):
            errors["contact_phone"] = "联系电话：实名提交时请填写联系电话或其他联系方式"
    if errors:
        raise ValidationError(errors)


def validate_attachments(files, *, actor=None) -> list[tuple]:
    """(file, kind) for each attachment, type checked by content; call before the transaction."""
    files = [f for f in files or () if f]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"附件：最多 {MAX_ATTACHMENTS} 个（现有 {len(files)} 个）"})
    return [(f, uploads.validate_upload(f, ATTACHMENT_KINDS, field="attachments", actor=actor)) for f in files]


def do_receive_petition(petition: Petition, *, actor=None, files=(), give_code: bool | None = None,
                        ) -> tuple[Petition, str | None]:
    """受理登记: a petition from any channel, saved in the triage queue (待分类) of the agency ``petition.org``.

    ``actor`` is the staff member who entered it, or None for the portal (an anonymous sender is never an
    actor). A 查询码 is made for portal submissions (and for others when ``give_code``); it is returned once and
    only its digest is kept. Returns (petition, code or None).
    """
    check_text(petition)
    checked = validate_attachments(files, actor=actor)
    code = new_query_code() if (give_code if give_code is not None else petition.channel == Channel.PORTAL) else None
    petition.created_by = actor if getattr(actor, "pk", None) else None
    if code:
        petition.query_code_hash = hash_query_code(code)
    with transaction.atomic():
        with anonymous_request() if petition.created_by is None else _nothing():
            audit.save_audited(petition, actor=petition.created_by, action="supervision.petition_receive")
            _store_attachments(petition, checked, actor=petition.created_by)
    return petition, code


def _store_attachments(petition: Petition, checked, *, actor, supplement: PetitionSupplement | None = None) -> None:
    for file, kind in checked:
        name = uploads.store_upload(file, "petitions", kind)
        attachment = PetitionAttachment(petition=petition, supplement=supplement, org=petition.org,
                                        name=file.name[:200])
        attachment.file.name = name
        audit.save_audited(attachment, actor=actor, action="supervision.petition_attach")


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def published_reply(petition: Petition) -> PetitionReply | None:
    """The reply published for the petition's matter (shared by every member of a merged group), or None."""
    if not petition.matter_id:
        return None
    return PetitionReply.objects.filter(matter_id=petition.matter_id, status=ReplyStatus.PUBLISHED).first()


def do_add_supplement(petition: Petition, *, text: str, files=(), actor=None) -> PetitionSupplement:
    """补充信息: what the petitioner adds later with the 查询码 (``actor`` None: the portal, audited with no actor
    and no address), with attachments checked like the submission's."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "补充内容：不能为空"})
    if len(text) > SUPPLEMENT_MAX:
        raise ValidationError({"text": f"补充内容：最多 {SUPPLEMENT_MAX} 字（现有 {len(text)} 字）"})
    actor = _actor(actor)
    checked = validate_attachments(files, actor=actor)
    with transaction.atomic(), anonymous_request() if actor is None else _nothing():
        supplement = PetitionSupplement(petition=petition, org=petition.org, text=text)
        audit.save_audited(supplement, actor=actor, action="supervision.petition_supplement")
        _store_attachments(petition, checked, actor=actor, supplement=supplement)
    return supplement


SATISFACTION_VALUES = ("satisfied", "basic", "unsatisfied")


def do_rate_reply(petition: Petition, *, satisfaction: str, actor=None) -> Petition:
    """评价答复: once, and only after the reply to the petition's matter is published (``actor`` None: the
    petitioner on the portal; staff record the rating of other channels' petitioners)."""
    if satisfaction not in SATISFACTION_VALUES:
        raise ValidationError({"satisfaction": "满意度：请选择满意、基本满意或不满意"})
    actor = _actor(actor)
    with transaction.atomic(), anonymous_request() if actor is None else _nothing():
        # Locked, so that two ratings sent at once cannot both pass the "not rated yet" check.
        petition = lock_row(Petition, petition.pk)
        if published_reply(petition) is None:
            raise ValidationError({"satisfaction": "满意度：答复发布后才能评价"})
        if petition.rated_at:
            raise ValidationError({"satisfaction": "满意度：已经评价过，不能重复评价"})
        petition.satisfaction = satisfaction
        petition.rated_at = timezone.now()
        audit.save_audited(petition, actor=actor, action="supervision.petition_rate")
    return petition


@contextmanager
def _nothing():
    yield


def portal_agencies():
    """The agencies (机关单位) the portal receives for: the deployment's agencies, else its root nodes."""
    agencies = list(Org.objects.filter(kind=OrgKind.AGENCY).order_by("path"))
    return agencies or list(Org.get_root_nodes())


def agency_petitions(agency):
    """Every petition received by an agency (its subtree): the public statistics' records."""
    return Petition.objects.filter(org_path__pathprefix=agency.path)


def public_progress(petition: Petition) -> dict:
    """What the petitioner sees with the 查询码: the status, the steps so far (收到, 已受理/已归并/不予受理 with the
    reason, 已答复, 已评价), the published reply and what they added. Nothing of any other petition, not even
    the original a merged one joined, and no name of a staff member."""
    reply = published_reply(petition)
    matter = petition.matter
    steps = [("已收到", petition.received_at, f"渠道：{petition.get_channel_display()}")]
    if petition.status == PetitionStatus.ACCEPTED:
        steps.append(("已受理", matter.received_on if matter else None,
                      f"应于 {matter.due_on:%Y年%m月%d日} 前答复" if matter and matter.due_on and not reply else ""))
    elif petition.status == PetitionStatus.MERGED:
        steps.append(("已归并", petition.merged_at, "与反映同一问题的其他来件合并办理，答复时一并答复"))
    elif petition.status == PetitionStatus.DECLINED:
        steps.append(("不予受理", None, f"理由：{petition.decline_reason}" if petition.decline_reason else ""))
    if reply:
        steps.append(("已答复", reply.published_at, ""))
    if petition.rated_at:
        steps.append(("已评价", petition.rated_at, petition.get_satisfaction_display()))
    status = "已答复" if reply else petition.get_status_display()
    return {"status": status, "steps": steps, "reply": reply,
            "can_rate": reply is not None and not petition.rated_at,
            "supplements": list(petition.supplements.prefetch_related("attachments")),
            "attachments": [a for a in petition.attachments.all() if a.supplement_id is None]}
