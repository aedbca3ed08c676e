"""Actions of 群众监督 (do_*): one transaction each, audited. Intake is one function for every channel — the
portal (no actor, no log-in), the staff entering a letter or a call, and the history import — so that the same
checks hold whichever way a petition arrives.

Anonymity: a petition from the portal is saved with no actor; the audit event it causes names no actor and no
address (``anonymous_request``), and nothing about the sender is stored beyond what they typed.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from dangjian.core import audit, rule_settings, uploads, workdays
from dangjian.core.models import lock_row
from dangjian.core.scope import path_in_scope
from dangjian.matters import services as matter_services
from dangjian.matters.models import Matter
from dangjian.orgs.models import Org, OrgKind

from . import classify
from .petition_models import (
    CategorySource,
    Channel,
    Petition,
    PetitionAttachment,
    PetitionCategory,
    PetitionKind,
    PetitionReply,
    PetitionStatus,
    PetitionSupplement,
    ReplyStatus,
    hash_query_code,
)
from .rule_settings import PETITION

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
def anonymous_request(actor=None):
    """Within: audit events name no address (the request's IP is dropped from the audit context) — when there is
    no actor, that is, for the petitioner; a staff member's actions keep theirs."""
    if getattr(actor, "pk", None):
        yield
        return
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
        with anonymous_request(petition.created_by):
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
    with transaction.atomic(), anonymous_request(actor):
        supplement = PetitionSupplement(petition=petition, org=petition.org, text=text)
        audit.save_audited(supplement, actor=actor, action="supervision.petition_supplement")
        _store_attachments(petition, checked, actor=actor, supplement=supplement)
    return supplement


SATISFACTION_VALUES = ("satisfied", "basic", "unsatisfied")


def do_rate_reply(petition: Petition, *, satisfaction: str, actor=None, when=None) -> Petition:
    """评价答复: once, and only after the reply to the petition's matter is published (``actor`` None: the
    petitioner on the portal; staff record the rating of other channels' petitioners)."""
    if satisfaction not in SATISFACTION_VALUES:
        raise ValidationError({"satisfaction": "满意度：请选择满意、基本满意或不满意"})
    actor = _actor(actor)
    with transaction.atomic(), anonymous_request(actor):
        # Locked, so that two ratings sent at once cannot both pass the "not rated yet" check.
        petition = lock_row(Petition, petition.pk)
        if published_reply(petition) is None:
            raise ValidationError({"satisfaction": "满意度：答复发布后才能评价"})
        if petition.rated_at:
            raise ValidationError({"satisfaction": "满意度：已经评价过，不能重复评价"})
        petition.satisfaction = satisfaction
        petition.rated_at = when or timezone.now()
        audit.save_audited(petition, actor=actor, action="supervision.petition_rate")
    return petition


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
# ---- staff side: entry, triage (分类), acceptance (受理) and refusal, the categories -------------------------

CHANGE = "petition.change"


def _require_change(actor, petition: Petition, what: str) -> None:
    """The actor holds petition.change where the petition is, and may see it (a 检举控告: the discipline team;
    never the accused nor their org — PetitionQuerySet). A petition they cannot see: as if it did not exist."""
    if not Petition.objects.visible_to(actor).filter(pk=petition.pk).exists():
        raise Http404("记录不存在或不在您的权限范围内")
    if not path_in_scope(actor, CHANGE, petition.org_path):
        raise PermissionDenied(f"无权{what}（需要“{petition.org}”的群众监督办理权限）")


def do_enter_petition(petition: Petition, *, actor, files=(), give_code: bool = False) -> tuple[Petition, str | None]:
    """登记 a petition received through a channel other than the portal (a call, a letter, a visit…), entered by
    staff who hold petition.change where it belongs; the one intake (do_receive_petition) does the rest."""
    if petition.channel == Channel.PORTAL:
        raise ValidationError({"channel": "渠道：网上监督平台的诉求由群众本人提交，工作人员登记请选择其他渠道"})
    if petition.org_id is None or not path_in_scope(actor, CHANGE, petition.org.path):
        raise PermissionDenied("无权登记群众诉求（需要群众监督办理权限）")
    if petition.kind == PetitionKind.ACCUSATION and not path_in_scope(actor, "supervision.view", petition.org.path):
        raise PermissionDenied("检举控告由纪检人员登记（需要纪委监督权限）")
    return do_receive_petition(petition, actor=actor, files=files, give_code=give_code)


def _check_category(petition: Petition, category: PetitionCategory | None, *, actor) -> None:
    if category is None:
        raise ValidationError({"category": "分类：请选择分类"})
    if not (category.active and petition.org_path.startswith(category.org_path)
            and PetitionCategory.objects.visible_to(actor).filter(pk=category.pk).exists()):
        raise ValidationError({"category": f"分类：“{category}”不是本单位启用的分类"})


def _set_category(petition: Petition, category: PetitionCategory) -> None:
    """Staff's choice: 确认 when it keeps the category it had, else 更正 (both train the category model)."""
    same = petition.category_id == category.pk and petition.category_source != CategorySource.NONE
    petition.category_source = CategorySource.CONFIRMED if same else CategorySource.CORRECTED
    if not same:
        petition.category_confidence = None
    petition.category = category


def do_classify(petition: Petition, *, actor, category: PetitionCategory | None,
                expected_version: int | None = None) -> Petition:
    """分类: confirm or correct a petition's category."""
    with transaction.atomic():
        stored = lock_row(Petition, petition.pk, "org")
        _require_change(actor, stored, "确认分类")
        _check_category(stored, category, actor=actor)
        _set_category(stored, category)
        audit.save_audited(stored, actor=actor, action="supervision.petition_classify",
                           expected_version=expected_version)
    return stored


def reply_days(kind: str) -> int:
    return rule_settings.get(f"supervision.petition_reply_days.{kind}")


def _require_untouched_by_accusation(petition: Petition, people, field_names) -> None:
    """回避: whom a petition names as accused, or a person of the accused org, never handles it."""
    accused_org = petition.accused_org
    for person, field in zip(people, field_names, strict=True):
        if person is None:
            continue
        named = petition.accused_person_id == person.pk
        within = accused_org is not None and any(
            p and p.startswith(accused_org.path) for p in (person.org_path, person.branch_path))
        if named or within:
            raise ValidationError({field: f"{Matter._meta.get_field(field).verbose_name}：“{person}”是被反映人或其所在单位人员，应当回避"})


def do_accept(petition: Petition, *, actor, owner, leader, category: PetitionCategory | None = None,
              expected_version: int | None = None) -> Petition:
    """受理: the petition (and the duplicates already merged into it) becomes one Matter of kind 群众诉求, with the
    owner and responsible leader chosen and a reply deadline in working days per petition type (rule settings).

    A 检举控告's matter names neither its content nor its kind: its title is the petition's number, so that whoever
    reads matters where the owner works learns nothing of what it says or whom it names (检举控告工作规则 第四十七条)."""
    with transaction.atomic():
        stored = lock_row(Petition, petition.pk, "org", "accused_org")
        _require_change(actor, stored, "受理群众诉求")
        if stored.status != PetitionStatus.TRIAGE:
            raise ValidationError({"status": f"状态：“{stored.get_status_display()}”的诉求不能再受理"})
        if stored.duplicate_of_id:
            raise ValidationError({"status": "状态：已归并的诉求随原件一并办理，请受理原件"})
        if category is not None:
            _check_category(stored, category, actor=actor)
            if category.pk != stored.category_id or stored.category_source == CategorySource.SUGGESTED:
                _set_category(stored, category)
        if stored.category_id is None:
            raise ValidationError({"category": "分类：受理前请先确定分类"})
        if owner is None:
            raise ValidationError({"owner": "责任人：请选择"})
        if leader is None:
            raise ValidationError({"responsible_leader": "责任领导：请选择"})
        _require_untouched_by_accusation(stored, (owner, leader), ("owner", "responsible_leader"))
        today = timezone.localdate()
        secret = stored.kind == PetitionKind.ACCUSATION
        label = stored.number or f"第{stored.pk}号"
        matter = matter_services.do_create_matter(Matter(
            kind=PETITION.key, org=owner.org, owner=owner, responsible_leader=leader, received_on=today,
            due_on=workdays.add_workdays(today, reply_days(stored.kind)).date,
            title=f"群众诉求办理（{label}）" if secret else stored.subject[:200],
            content="内容保密，承办人在群众诉求记录中查阅。" if secret else stored.content,
            source=f"群众监督（{stored.get_channel_display()}）", number=stored.number[:40],
            category="" if secret else stored.category.name[:50]), actor=actor)
        stored.status, stored.matter = PetitionStatus.ACCEPTED, matter
        audit.save_audited(stored, actor=actor, action="supervision.petition_accept", expected_version=expected_version)
        for duplicate in Petition.objects.filter(duplicate_of=stored, matter__isnull=True).order_by("pk"):
            duplicate.matter = matter
            audit.save_audited(duplicate, actor=actor, action="supervision.petition_accept")
    return stored


def do_decline(petition: Petition, *, actor, reason: str, expected_version: int | None = None) -> Petition:
    """不予受理, with the reason (told to the petitioner with the 查询码)."""
    with transaction.atomic():
        stored = lock_row(Petition, petition.pk, "org")
        _require_change(actor, stored, "不予受理")
        if stored.status != PetitionStatus.TRIAGE:
            raise ValidationError({"status": f"状态：“{stored.get_status_display()}”的诉求不能不予受理"})
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"decline_reason": "不予受理理由：不能为空"})
        if len(reason) > 2000:
            raise ValidationError({"decline_reason": "不予受理理由：最多 2000 字"})
        stored.status, stored.decline_reason = PetitionStatus.DECLINED, reason
        audit.save_audited(stored, actor=actor, action="supervision.petition_decline",
                           expected_version=expected_version)
    return stored


def do_save_category(category: PetitionCategory, *, actor, expected_version: int | None = None) -> PetitionCategory:
    """诉求分类: add or edit one (name unique in the agency; keywords one a line); deactivating keeps the rows that
    use it, and it is no longer offered."""
    with transaction.atomic():
        if not path_in_scope(actor, CHANGE, category.org.path):
            raise PermissionDenied("无权维护诉求分类（需要群众监督办理权限）")
        category.name = (category.name or "").strip()
        if not category.name:
            raise ValidationError({"name": "分类名称：不能为空"})
        taken = PetitionCategory.objects.filter(org=category.org, name=category.name).exclude(pk=category.pk)
        if taken.exists():
            raise ValidationError({"name": f"分类名称：“{category.name}”已存在"})
        lines = [w.strip() for w in (category.keywords or "").splitlines() if w.strip()]
        if any(len(w) > 30 for w in lines):
            raise ValidationError({"keywords": "关键词：每个关键词最多 30 字（每行一个）"})
        category.keywords = "\n".join(dict.fromkeys(lines))
        action = "supervision.petition_category_update" if category.pk else "supervision.petition_category_create"
        if category.pk:
            stored = lock_row(PetitionCategory, category.pk, "org")
            if stored.org_id != category.org_id:
                raise ValidationError({"org": "所属单位：分类不能移到其他单位"})
        audit.save_audited(category, actor=actor, action=action, expected_version=expected_version)
    return category
