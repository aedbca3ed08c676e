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

from dangjian.core import audit, uploads

from . import classify
from .petition_models import Channel, Petition, PetitionAttachment, PetitionKind, hash_query_code

SUBJECT_MAX = 200
CONTENT_MAX = 5000
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
        # The suggested category is set before the one save: one row write, one audit event (naming no actor
        # for the portal); a loaded model answers in a few milliseconds (docs/architecture.md).
        classify.apply_suggestion(petition)
        with anonymous_request() if petition.created_by is None else _nothing():
            audit.save_audited(petition, actor=petition.created_by, action="supervision.petition_receive")
            for file, kind in checked:
                name = uploads.store_upload(file, "petitions", kind)
                attachment = PetitionAttachment(petition=petition, org=petition.org, name=file.name[:200])
                attachment.file.name = name
                audit.save_audited(attachment, actor=petition.created_by, action="supervision.petition_attach")
    return petition, code


@contextmanager
def _nothing():
    yield
