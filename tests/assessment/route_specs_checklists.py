"""Route-matrix specs for the 两个责任清单考核 and the 一级抓一级 chain (registered into tests/test_route_matrix.py SPECS).

The agency-wide readers of 考评 (dangwu, shuji, jijian) read the list, the chain and every checklist; a leader reads
their own (banzi); only the 党组书记 (shuji) scores a member's 领导责任 checklist; the staff with 考评管理 over the
agency (dangwu) record the approval. Forged ids and a kind that is not a checklist are 404 for everyone.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

AGENCY_READERS = {"dangwu", "shuji", "jijian"}


def _m():
    from tests import route_matrix as m

    return m


def _records(ctx):
    """This year's unapproved 领导责任 scores of the demo: banzi's own, and two other members' (one to re-score,
    one to approve)."""
    if hasattr(ctx, "checklist_records"):
        return ctx.checklist_records
    from dangjian.assessment.checklist_models import ChecklistScore

    mine = ctx.users["banzi"].person
    rows = ChecklistScore.objects.filter(year=timezone.localdate().year, kind="leadership", approved_on__isnull=True)
    others = list(rows.exclude(person=mine).order_by("person_id")[:2])
    ctx.checklist_records = {"own": rows.get(person=mine), "score": others[0], "approve": others[1]}
    return ctx.checklist_records


def _url(record, person_id=None, kind=None) -> str:
    return reverse("assessment:checklist", args=[record.year, person_id or record.person_id, kind or record.kind])


def spec_checklists(ctx, role):
    m = _m()
    url = reverse("assessment:checklists")
    return [m.Case("checklists", "GET", url, role in AGENCY_READERS),
            m.Case("checklists bad year", "GET", url + "?year=99999", role in AGENCY_READERS)]


def spec_checklist(ctx, role):
    m = _m()
    r = _records(ctx)
    record = r["score"]
    data = {f"s_{i['code']}": i["points"] for i in record.items} | {"loaded_version": ""}
    return [m.Case("own checklist", "GET", _url(r["own"]), role in AGENCY_READERS | {"banzi"}),
            m.Case("checklist", "GET", _url(record), role in AGENCY_READERS),
            m.Case("checklist score", "POST", _url(record), role == "shuji", data=data),
            m.Case("checklist not a kind", "GET", _url(record, kind="specific"), False, denied=(404,))] + m._bogus(
        "assessment:checklist", lambda pk: _url(record, person_id=pk))


def spec_checklist_approve(ctx, role):
    m = _m()
    record = _records(ctx)["approve"]
    url = reverse("assessment:checklist_approve", args=[record.pk])
    return [m.Case("checklist approve", "POST", url, role == "dangwu", data={}),
            m.Case("checklist approve by GET", "GET", url, False, denied=(404, 405))] + m._bogus(
        "assessment:checklist_approve", lambda pk: reverse("assessment:checklist_approve", args=[pk]), ("POST",))


def spec_chain(ctx, role):
    m = _m()
    url = reverse("assessment:chain")
    return [m.Case("chain", "GET", url, role in AGENCY_READERS),
            m.Case("chain year", "GET", url + "?year=2025", role in AGENCY_READERS)]


SPECS = {
    "assessment:checklists": spec_checklists, "assessment:checklist": spec_checklist,
    "assessment:checklist_approve": spec_checklist_approve, "assessment:chain": spec_chain,
}
API_METHODS: dict[str, set[str]] = {}
