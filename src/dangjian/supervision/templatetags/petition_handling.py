"""The handling panel of a petition (归并、答复、送达): ``{% petition_handling as h %}`` gives what
supervision/petitions/_handling.html shows, in a fixed number of queries whatever the size of the group. The panel
is included by the petition's page (which names it ``p``) and by the handling page (``petition``)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from dangjian.core.scope import path_in_scope
from dangjian.matters.models import Status
from dangjian.orgs.services import agency_of

from .. import replies, verdicts
from ..petition_models import Petition, PetitionReply, PetitionVerdict, ReplyStatus
from ..reply_forms import DeliveryForm, MergeForm, ReplyForm, ReviewForm, VerdictForm

register = template.Library()


@register.simple_tag(takes_context=True)
def petition_handling(context, petition: Petition | None = None) -> dict:
    petition = petition or context.get("petition") or context["p"]
    user = context["request"].user
    original = petition.duplicate_of if petition.duplicate_of_id else petition
    matter = original.matter if original.matter_id else None
    members = list(Petition.objects.visible_to(user).filter(replies.group_q(original)).select_related("org")
                   .order_by("received_at", "pk")) if path_in_scope(user, "petition.view", original.org_path) else []
    # The original (and the matter named after it) only for who may see it: a source of 办公室 merged into the
    # agency's original tells a reader of 办公室 no more than that it was merged.
    original_visible = original.pk == petition.pk or any(m.pk == original.pk for m in members)
    reply = PetitionReply.objects.filter(matter=matter).select_related("approved_by", "drafted_by").first() \
        if matter else None
    delivered = {d.petition_id: d for d in reply.deliveries.select_related("delivered_by")} if reply else {}
    for member in members:
        member.delivery = delivered.get(member.pk)
    can_change = path_in_scope(user, "petition.change", petition.org_path) and \
        Petition.objects.visible_to(user, "change").filter(pk=petition.pk).exists()
    is_open = matter is not None and matter.status != Status.CLOSED
    status = reply.status if reply else ""
    published = status == ReplyStatus.PUBLISHED
    return {
        "petition": petition, "original": original, "original_visible": original_visible, "members": members,
        "matter": matter, "reply": reply, "can_change": can_change, "published": published,
        "is_duplicate": petition.duplicate_of_id is not None,
        "merge_form": MergeForm() if can_change and not petition.duplicate_of_id and not petition.matter_id else None,
        "can_unmerge": can_change and petition.duplicate_of_id and not published,
        "reply_form": ReplyForm(initial={"text": reply.text if reply else "", "loaded_version": reply.version
                                         if reply else None}) if can_change and is_open and status in ("", "draft")
        else None,
        "can_submit": can_change and is_open and status == ReplyStatus.DRAFT,
        "review_form": ReviewForm(initial={"loaded_version": reply.version}) if status == ReplyStatus.SUBMITTED
        and is_open and replies.may_approve(user, matter) else None,
        "can_publish": can_change and is_open and status == ReplyStatus.APPROVED,
        "pending": _pending(members) if can_change and published else [],
        "verdict": PetitionVerdict.objects.filter(petition_id=original.pk).prefetch_related("cadres__person").first()
        if original_visible and matter and matter.status == Status.CLOSED else None,
        "verdict_form": VerdictForm(agency_path=agency_of(original.org).path)
        if original_visible and verdicts.decidable(user, original) else None,
    }


def _pending(members) -> list[Petition]:
    """The sources still to be told, each with its own delivery form (distinct field ids on one page)."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    pending = [m for m in members if m.delivery is None]
    for m in pending:
        m.delivery_form = DeliveryForm(initial={"delivered_at": now}, auto_id=f"deliver{m.pk}_%s")
    return pending
