"""查实认定 (群众监督 → 作风台账): once the matter handling a 投诉 or 检举控告 is closed (销号), who may decide records
whether it was verified — 查实, 部分查实 or 未查实 — what was found, and the cadre(s) concerned. A 查实 or 部分查实
sends ``complaint_upheld``, on which 考评 (assessment.ledger.record_complaint_upheld) records a 作风台账 entry of kind
投诉查实 for each named cadre, in the same transaction; supervision never imports assessment.

Who decides (the pattern of the reply's approval, replies.may_approve): a 检举控告 is the discipline team's
(``supervision.change`` over the petition, and the petition visible to them — so an accused person never decides
their own case); any other petition is decided by its matter's responsible leader holding ``petition.approve``.
Confidentiality holds: the cadre's ledger entry names the petition's kind and number, never its petitioner.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.scope import path_in_scope
from dangjian.matters.models import Matter, Status
from dangjian.orgs.models import Person
from dangjian.orgs.services import agency_of

from .petition_models import Petition, PetitionKind, PetitionVerdict, VerdictCadre, VerdictOutcome
from .replies import NOT_FOUND, handling_url, may_approve

# Sent when a verdict is 查实 or 部分查实: (verdict, cadres — the VerdictCadre rows, url — the petition's page, actor).
complaint_upheld = Signal()
UPHELD = (VerdictOutcome.UPHELD, VerdictOutcome.PARTLY)
VERIFIABLE = (PetitionKind.COMPLAINT, PetitionKind.ACCUSATION)
BASIS_MAX = 2000


def may_decide(user, petition: Petition, matter: Matter | None) -> bool:
    """The discipline team for a 检举控告 (and not if the petition is barred to them); the matter's responsible
    leader otherwise."""
    if not getattr(user, "is_authenticated", False) or matter is None:
        return False
    if petition.kind == PetitionKind.ACCUSATION:
        return (path_in_scope(user, "supervision.change", petition.org_path)
                and Petition.objects.visible_to(user).filter(pk=petition.pk).exists())
    return may_approve(user, matter)


def decidable(user, petition: Petition) -> bool:
    """Whether the handling page offers the user the 查实认定 form for ``petition`` (its original)."""
    original = petition.original
    matter = original.matter if original.matter_id else None
    return (original.kind in VERIFIABLE and matter is not None and matter.status == Status.CLOSED
            and not PetitionVerdict.objects.filter(petition_id=original.pk).exists()
            and may_decide(user, original, matter))


def _cadres(agency_path: str, ids) -> list[Person]:
    try:
        wanted = sorted({int(pk) for pk in ids or ()})
    except (TypeError, ValueError):
        raise ValidationError({"cadres": "涉及干部：请选择人员"}) from None
    found = {p.pk: p for p in Person.objects.filter(pk__in=wanted, org_path__startswith=agency_path)
             .select_related("org")}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError({"cadres": f"涉及干部：编号 {'、'.join(missing)} 的人员不存在或不属本单位"})
    return [found[pk] for pk in wanted]


@transaction.atomic
def do_record_verdict(petition: Petition, *, outcome: str, basis: str, cadre_ids, actor) -> PetitionVerdict:
    """查实认定 of ``petition``'s group (its original), once: its matter closed, the outcome, what was found, and the
    cadres concerned (at least one for 查实 or 部分查实, each of the petition's agency)."""
    pk = petition.pk
    if not (0 < (pk or 0) < 2**63):
        raise ValidationError({"outcome": f"诉求：编号 {pk} 的诉求{NOT_FOUND}"})
    stored = Petition.objects.filter(pk=pk).select_related("duplicate_of").first()
    if stored is None:
        raise ValidationError({"outcome": f"诉求：编号 {pk} 的诉求{NOT_FOUND}"})
    original = lock_row(Petition, stored.original.pk, "org", "matter")
    matter = lock_row(Matter, original.matter_id, "responsible_leader", "org") if original.matter_id else None
    if not may_decide(actor, original, matter):
        # a reader who may not even see the petition learns nothing more than that it does not exist
        if not Petition.objects.visible_to(actor).filter(pk=original.pk).exists() and not (
                matter is not None and may_approve(actor, matter)):
            raise ValidationError({"outcome": f"诉求：编号 {pk} 的诉求{NOT_FOUND}"})
        who = "纪检组" if original.kind == PetitionKind.ACCUSATION else "事项的责任领导"
        raise PermissionDenied(f"无权认定查实结果：{original.get_kind_display()}的查实结果由{who}认定")
    if original.kind not in VERIFIABLE:
        raise ValidationError({"outcome": f"查实结果：{original.get_kind_display()}无需认定查实情况（仅投诉、检举控告）"})
    if matter.status != Status.CLOSED:
        raise ValidationError({"outcome": f"查实结果：事项“{matter}”尚未办结销号（{matter.get_status_display()}），"
                                          "销号后方可认定"})
    existing = PetitionVerdict.objects.filter(petition=original).first()
    if existing is not None:
        raise ValidationError({"outcome": f"查实结果：已于 {existing.decided_on:%Y-%m-%d} 认定为“"
                                          f"{existing.get_outcome_display()}”，不能重复认定"})
    errors = {}
    if outcome not in VerdictOutcome.values:
        errors["outcome"] = "查实结果：请选择查实、部分查实或未查实"
    basis = (basis or "").strip()
    if not basis:
        errors["basis"] = "查实情况：不能为空"
    elif len(basis) > BASIS_MAX:
        errors["basis"] = f"查实情况：最多 {BASIS_MAX} 字（现有 {len(basis)} 字）"
    if errors:
        raise ValidationError(errors)
    people = _cadres(agency_of(original.org).path, cadre_ids)
    if outcome in UPHELD and not people:
        raise ValidationError({"cadres": f"涉及干部：认定为“{VerdictOutcome(outcome).label}”的，须写明涉及的干部"})
    verdict = PetitionVerdict(petition=original, org=original.org, outcome=outcome, basis=basis,
                              decided_on=timezone.localdate(), decided_by=actor)
    audit.save_audited(verdict, actor=actor, action="supervision.petition_verdict")
    rows = [audit.save_audited(VerdictCadre(verdict=verdict, person=person, org=original.org), actor=actor,
                               action="supervision.petition_verdict") for person in people]
    if outcome in UPHELD:
        complaint_upheld.send(sender=PetitionVerdict, verdict=verdict, cadres=rows, url=handling_url(original.pk),
                              actor=actor)
    return verdict
