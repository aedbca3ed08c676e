"""Route-matrix specs for the 作风台账 part of 考评 (registered into tests/test_route_matrix.py SPECS).

Who reads and changes is written out by hand. assessment.view: 党务管理员 dangwu, 党组书记 shuji and 纪检组长 jijian
over the agency, 班子成员 banzi over 办公室/人事科/党建办, and zuzhi (a 党务管理员 of 办公室); assessment.change: dangwu
and zuzhi (办公室). The 干部考评档案 opens for assessment.file (dangwu, jijian, zuzhi in 办公室) and the 党组书记. A cadre
reads their own records. The probes' texts go into the matrix's oracle, so every route checks they do not leak.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

AGENCY_READERS = {"dangwu", "shuji", "jijian"}
BGS_READERS = AGENCY_READERS | {"banzi", "zuzhi"}  # 办公室
RSK_READERS = AGENCY_READERS | {"banzi"}  # 人事科
READERS = BGS_READERS
CHANGERS = {"dangwu", "zuzhi"}


def _m():
    from tests import route_matrix as m

    return m


def probes(ctx):
    """Entries, commitments, a 典型 and a 问责 in and out of the constrained roles' scope: made once per matrix."""
    if hasattr(ctx, "ledger_probes"):
        return ctx.ledger_probes
    from dangjian.assessment import ledger
    from dangjian.assessment.ledger_models import Accountability, AccountabilityForm, Commendation, Commitment
    from dangjian.assessment.models import ConductKind
    from dangjian.duties.models import LetterTask, ResponsibilityLetter
    from dangjian.orgs.models import Person

    m = _m()
    staff, today = ctx.users["dangwu"], timezone.localdate()
    head, member = ctx.users["kezhang"].person, ctx.users["dangyuan"].person  # 办公室, 人事科
    outsider = Person.objects.filter(org__code="SXX-CWK").exclude(
        user__in=[u for u in ctx.users.values() if u is not None]).order_by("pk").first()
    day = dt.date(today.year, 1, 2)
    entry_in = ledger.do_add_entry(head, kind=ConductKind.PRAISE, on=day, summary="台账探针甲", evidence="通报",
                                   actor=staff)
    entry_out = ledger.do_add_entry(outsider, kind=ConductKind.NOTICE, on=day, summary="台账探针乙", evidence="通报",
                                    actor=staff)
    own = ledger.do_create_commitment(Commitment(person=member, year=today.year, title="承诺探针甲", unit="次",
                                                 target_value=Decimal(3), due_on=dt.date(today.year, 12, 31)),
                                      actor=staff)
    other = ledger.do_create_commitment(Commitment(person=outsider, year=today.year, title="承诺探针乙", unit="次",
                                                   target_value=Decimal(2), due_on=dt.date(today.year, 12, 31)),
                                        actor=staff)
    ledger.do_report_progress(other, actor=staff, on=day, value=Decimal(2), note="完成", evidence="记录")
    model = ledger.do_register_commendation(Commendation(
        person=outsider, title="典型探针乙", conferred_by="党组", basis="事迹", conferred_on=day, period_start=day),
        actor=staff)
    blame = ledger.do_record_accountability(Accountability(
        person=outsider, form=AccountabilityForm.NOTICE, basis="问责探针乙", decided_by="党组", decided_on=day),
        actor=staff)
    letter = ResponsibilityLetter.objects.filter(year=today.year, signed_on__isnull=False).order_by("id").first()
    task = next(t for t in LetterTask.objects.filter(letter=letter).order_by("seq") if ledger.result_known(t, today))
    seen = {entry_in: BGS_READERS | {"kezhang"}, entry_out: AGENCY_READERS, own: RSK_READERS | {"dangyuan"},
            other: AGENCY_READERS, model: AGENCY_READERS, blame: AGENCY_READERS}
    markers = {entry_in: ["台账探针甲"], entry_out: ["台账探针乙"], own: ["承诺探针甲"], other: ["承诺探针乙"],
               model: ["典型探针乙"], blame: ["问责探针乙"]}
    for obj, roles in seen.items():
        kind = f"assessment.{obj._meta.model_name}"
        ctx.probes.append(m.Probe(kind, obj, markers=markers[obj]))
        for role in m.ROLES:
            ctx._seen[(role, kind, obj.pk)] = role in roles
    ctx.ledger_probes = {"head": head, "member": member, "outsider": outsider, "own": own, "other": other,
                         "letter": letter, "task": task, "model": model, "blame": blame}
    return ctx.ledger_probes


def _get(route, pk, allowed, **kw):
    m = _m()
    return [m.Case(route, "GET", reverse(route, args=[pk]), allowed, **kw)] + m._bogus(
        route, lambda x: reverse(route, args=[x]))


def _post(route, pk, allowed, data):
    m = _m()
    return [m.Case(route, "POST", reverse(route, args=[pk]), allowed, data=data),
            m.Case(f"{route} by GET", "GET", reverse(route, args=[pk]), False, denied=(404, 405))] + m._bogus(
        route, lambda x: reverse(route, args=[x]), ("POST",))


def spec_index(ctx, role):
    m = _m()
    return [m.Case("assessment index", "GET", reverse("assessment:index"), role != m.ANON)]


def spec_ledger(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("ledger", "GET", reverse("assessment:ledger"), role in READERS,
                   must_show=("台账探针甲",)),
            m.Case("ledger filtered", "GET", reverse("assessment:ledger") + "?kind=praise&year=99999&q=探针",
                   role in READERS, echo=("探针",))]


def spec_entry_add(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("assessment:entry_add")
    data = {"person": p["head"].pk, "kind": "praise", "on": "2026-01-05", "summary": "表扬", "evidence": "通报"}
    return [m.Case("entry form", "GET", url, role in CHANGERS),
            m.Case("entry add", "POST", url, role in CHANGERS, data=data)]


def spec_my_ledger(ctx, role):
    m = _m()
    user = ctx.users.get(role)
    has_person = user is not None and getattr(user, "person", None) is not None
    return [m.Case("my ledger", "GET", reverse("assessment:my_ledger"), has_person, denied=(404,))]


def spec_person_ledger(ctx, role):
    p = probes(ctx)
    return (_get("assessment:person_ledger", p["head"].pk, role in BGS_READERS | {"kezhang"})
            + _get("assessment:person_ledger", p["outsider"].pk, role in AGENCY_READERS))


def spec_person_file(ctx, role):
    m = _m()
    p = probes(ctx)
    openers_bgs, openers_all = {"dangwu", "jijian", "shuji", "zuzhi"}, {"dangwu", "jijian", "shuji"}
    return [m.Case("file bgs", "GET", reverse("assessment:person_file", args=[p["head"].pk]), role in openers_bgs,
                   writes=True),
            m.Case("file other", "GET", reverse("assessment:person_file", args=[p["outsider"].pk]),
                   role in openers_all, writes=True)] + m._bogus(
        "assessment:person_file", lambda x: reverse("assessment:person_file", args=[x]))


def spec_commitments(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("commitments", "GET", reverse("assessment:commitments"), role != m.ANON,
                   must_show=("承诺探针甲",) if role in RSK_READERS | {"dangyuan"} else ()),
            m.Case("commitments bad year", "GET", reverse("assessment:commitments") + "?year=-1", role != m.ANON)]


def spec_commitment_add(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("assessment:commitment_add")
    year = timezone.localdate().year
    data = {"person": p["head"].pk, "year": year, "title": "新承诺", "target_value": "5", "unit": "次",
            "due_on": f"{year}-12-31"}
    return [m.Case("commitment form", "GET", url, role in CHANGERS),
            m.Case("commitment add", "POST", url, role in CHANGERS, data=data)]


def spec_commitment(ctx, role):
    p = probes(ctx)
    return (_get("assessment:commitment", p["own"].pk, role in RSK_READERS | {"dangyuan"}, must_show=("承诺探针甲",))
            + _get("assessment:commitment", p["other"].pk, role in AGENCY_READERS))


def spec_commitment_progress(ctx, role):
    p = probes(ctx)
    data = {"on": timezone.localdate().isoformat(), "value": "1", "note": "进展", "evidence": "记录"}
    return _post("assessment:commitment_progress", p["own"].pk, role in {"dangwu", "dangyuan"}, data)


def spec_commitment_check(ctx, role):
    p = probes(ctx)
    data = {"result": "met", "result_reason": "已完成"}
    return _post("assessment:commitment_check", p["other"].pk, role == "dangwu", data)


def spec_commendations(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("commendations", "GET", reverse("assessment:commendations"), role != m.ANON,
                   must_show=("典型探针乙",) if role in AGENCY_READERS else ())]


def spec_commendation_add(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("assessment:commendation_add")
    data = {"person": p["head"].pk, "title": "标兵", "conferred_by": "党组", "conferred_on": "2026-01-05",
            "period_start": "2026-01-05", "basis": "事迹"}
    return [m.Case("commendation form", "GET", url, role in CHANGERS),
            m.Case("commendation add", "POST", url, role in CHANGERS, data=data)]


def spec_commendation(ctx, role):
    return _get("assessment:commendation", probes(ctx)["model"].pk, role in AGENCY_READERS, must_show=("典型探针乙",))


def spec_accountability_record(ctx, role):
    return _get("assessment:accountability_record", probes(ctx)["blame"].pk, role in AGENCY_READERS,
                must_show=("问责探针乙",))


def spec_accountability(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("accountability", "GET", reverse("assessment:accountability"), role != m.ANON,
                   must_show=("问责探针乙",) if role in AGENCY_READERS else ())]


def spec_accountability_add(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("assessment:accountability_add")
    data = {"form": "admonition", "person": p["head"].pk, "decided_by": "党组", "decided_on": "2026-01-05",
            "basis": "事由"}
    return [m.Case("accountability form", "GET", url, role in CHANGERS),
            m.Case("accountability add", "POST", url, role in CHANGERS, data=data)]


def spec_letters(ctx, role):
    m = _m()
    return [m.Case("letters", "GET", reverse("assessment:letters"), role != m.ANON),
            m.Case("letters year", "GET", reverse("assessment:letters") + "?year=10000", role != m.ANON)]


def spec_letter_scores(ctx, role):
    p = probes(ctx)
    # the duties module's scope of the agency's letter (duty.view over the agency) and its two parties
    return _get("assessment:letter_scores", p["letter"].pk, role in {"dangwu", "shuji", "jijian", "banzi"})


def spec_task_score(ctx, role):
    p = probes(ctx)
    task = p["task"]
    data = {f"t{task.pk}-score": "90", f"t{task.pk}-comment": "部分未完成"}
    return _post("assessment:task_score", task.pk, role == "shuji", data)


SPECS = {
    "assessment:index": spec_index, "assessment:ledger": spec_ledger, "assessment:entry_add": spec_entry_add,
    "assessment:my_ledger": spec_my_ledger, "assessment:person_ledger": spec_person_ledger,
    "assessment:person_file": spec_person_file, "assessment:commitments": spec_commitments,
    "assessment:commitment_add": spec_commitment_add, "assessment:commitment": spec_commitment,
    "assessment:commitment_progress": spec_commitment_progress, "assessment:commitment_check": spec_commitment_check,
    "assessment:commendations": spec_commendations, "assessment:commendation": spec_commendation,
    "assessment:accountability_record": spec_accountability_record, "assessment:commendation_add": spec_commendation_add,
    "assessment:accountability": spec_accountability, "assessment:accountability_add": spec_accountability_add,
    "assessment:letters": spec_letters, "assessment:letter_scores": spec_letter_scores,
    "assessment:task_score": spec_task_score,
}
API_METHODS: dict[str, set[str]] = {}
