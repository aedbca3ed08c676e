"""Route-matrix specs for 监督 (registered into tests/test_route_matrix.py SPECS).

Who reads supervision records is written out by hand: the 纪检组长 (jijian, supervision.view and .change over the
whole agency) and the 党组书记 (shuji, by position, read only). The person talked to (dangyuan, in one probe talk)
sees that talk's date, kind and commitments and nothing else; everyone else gets 404. The probes' confidential
texts are put into the matrix's oracle, so that every route of the matrix checks that none of them leaks.
"""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse

READERS = {"jijian", "shuji"}
CHANGERS = {"jijian"}


def _m():
    from tests import route_matrix as m

    return m


def probes(ctx):
    """A plan, an inspection with a finding, and two talks (one with the plain member): made once per matrix."""
    if hasattr(ctx, "sup_probes"):
        return ctx.sup_probes
    from dangjian.orgs.models import Person
    from dangjian.supervision import services
    from dangjian.supervision.models import Inspection, InspectionPlan, Result, Talk, TalkKind

    m = _m()
    jijian, orgs = ctx.users["jijian"], ctx.orgs
    checked, held = ctx.users["kezhang"].person, dt.date(2026, 1, 5)
    outsider = Person.objects.filter(org__code="SXX-CWK").exclude(
        user__in=[u for u in ctx.users.values() if u is not None]).order_by("pk").first()
    plan = services.do_create_plan(InspectionPlan(title="计划探针", year=2026, period="h1", org=orgs["SXX"]),
                                   actor=jijian, people=[checked], sections=[orgs["SXX-BGS"]])
    inspection = services.do_record_inspection(Inspection(
        plan=plan, held_on=held, person=checked, scope_text="检查内容探针",
        results=[{"item": i, "result": Result.PARTIAL, "note": "检查结果探针"} for i in plan.checklist]),
        actor=jijian, inspectors=[jijian.person])
    finding = services.do_add_finding(inspection, actor=jijian, text="发现问题", owner=checked,
                                      leader=ctx.users["shuji"].person)
    own = services.do_record_talk(Talk(kind=TalkKind.REMINDER, held_on=held, talker=jijian.person,
                                       subject=ctx.users["dangyuan"].person, reason="谈话事由探针甲",
                                       content="谈话内容探针甲", account="本人说明探针甲", commitments="本人承诺甲",
                                       follow_up_on=held), actor=jijian)
    other = services.do_record_talk(Talk(kind=TalkKind.SUMMONS, held_on=held, talker=jijian.person, subject=outsider,
                                         finding=finding, content="谈话内容探针乙", commitments="本人承诺探针乙"),
                                    actor=jijian)
    for obj, markers in ((plan, ["计划探针"]), (inspection, ["检查内容探针", "检查结果探针"]),
                         (own, ["谈话事由探针甲", "谈话内容探针甲", "本人说明探针甲"]),
                         (other, ["谈话内容探针乙", "本人承诺探针乙"])):
        ctx.probes.append(m.Probe("supervision", obj, markers=markers))
        for role in m.ROLES:
            ctx._seen[(role, "supervision", obj.pk)] = role in READERS
    ctx.sup_probes = {"plan": plan, "inspection": inspection, "finding": finding, "own": own, "other": other}
    return ctx.sup_probes


def _get(ctx, role, route, pk, allowed):
    m = _m()
    return [m.Case(route, "GET", reverse(route, args=[pk]), allowed)] + m._bogus(
        route, lambda x: reverse(route, args=[x]))


def spec_index(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("supervision index", "GET", reverse("supervision:index"), role != m.ANON,
                   must_show=("计划探针",) if role in READERS else ("本人承诺甲",) if role == "dangyuan" else ())]


def spec_plan_add(ctx, role):
    m = _m()
    data = {"title": "新计划", "year": 2026, "period": "q3", "people": [ctx.users["kezhang"].person.pk]}
    return [m.Case("plan form", "GET", reverse("supervision:plan_add"), role in CHANGERS),
            m.Case("plan add", "POST", reverse("supervision:plan_add"), role in CHANGERS, data=data)]


def spec_plan(ctx, role):
    return _get(ctx, role, "supervision:plan", probes(ctx)["plan"].pk, role in READERS)


def spec_inspection_add(ctx, role):
    m = _m()
    p = probes(ctx)
    plan, url = p["plan"], reverse("supervision:inspection_add", args=[p["plan"].pk])
    data = {"held_on": "2026-02-02", "section": ctx.orgs["SXX-BGS"].pk, "inspectors": [ctx.users["jijian"].person.pk],
            "scope_text": "再查", **{f"result_{n}": "good" for n in range(len(plan.checklist))}}
    return [m.Case("inspection form", "GET", url, role in CHANGERS),
            m.Case("inspection add", "POST", url, role in CHANGERS, data=data)] + m._bogus(
        "supervision:inspection_add", lambda x: reverse("supervision:inspection_add", args=[x]), ("GET", "POST"))


def spec_inspection(ctx, role):
    return _get(ctx, role, "supervision:inspection", probes(ctx)["inspection"].pk, role in READERS)


def spec_finding_add(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("supervision:finding_add", args=[p["inspection"].pk])
    data = {"text": "新问题", "owner": ctx.users["kezhang"].person.pk, "leader": ctx.users["shuji"].person.pk}
    return [m.Case("finding add", "POST", url, role in CHANGERS, data=data),
            m.Case("finding add by GET", "GET", url, False, denied=(404, 405))] + m._bogus(
        "supervision:finding_add", lambda x: reverse("supervision:finding_add", args=[x]), ("POST",))


def spec_talks(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("talks", "GET", reverse("supervision:talks"), role in READERS)]


def spec_talk_add(ctx, role):
    m = _m()
    data = {"kind": "criticism", "held_on": "2026-02-03", "talker": ctx.users["jijian"].person.pk,
            "subject": ctx.users["kezhang"].person.pk, "reason": "事由", "content": "内容"}
    return [m.Case("talk form", "GET", reverse("supervision:talk_add"), role in CHANGERS),
            m.Case("talk add", "POST", reverse("supervision:talk_add"), role in CHANGERS, data=data)]


def spec_talk(ctx, role):
    m = _m()
    p = probes(ctx)
    return ([m.Case("own talk", "GET", reverse("supervision:talk", args=[p["own"].pk]),
                    role in READERS or role == "dangyuan", must_show=("本人承诺甲",))]
            + _get(ctx, role, "supervision:talk", p["other"].pk, role in READERS))


def spec_talk_follow_up(ctx, role):
    m = _m()
    p = probes(ctx)
    data = {"followed_up_on": "2026-02-04", "follow_up_note": "回访情况"}
    return [m.Case(f"follow-up {k}", "POST", reverse("supervision:talk_follow_up", args=[p[k].pk]), role in CHANGERS,
                   data=data) for k in ("own", "other")] + m._bogus(
        "supervision:talk_follow_up", lambda x: reverse("supervision:talk_follow_up", args=[x]), ("POST",))


def spec_proposals(ctx, role):
    m = _m()
    url = reverse("supervision:proposals")
    return [m.Case("proposals", "GET", url, role in READERS),
            m.Case("proposals person", "GET", f"{url}?person={ctx.users['kezhang'].person.pk}", role in READERS),
            m.Case("proposals section", "GET", f"{url}?section={ctx.orgs['SXX-BGS'].pk}", role in READERS),
            m.Case("proposals bogus", "GET", f"{url}?person=987654321", False),
            m.Case("proposals huge", "GET", f"{url}?section={m.HUGE}", False)]


# ---- API ----------------------------------------------------------------------------------------------

def _api(ctx, role, route, url, allowed, **kw):
    m = _m()
    return [m.Case(route, kw.pop("method", "GET"), url, allowed, **kw)]


def spec_api_plans(ctx, role):
    m = _m()
    probes(ctx)
    return _api(ctx, role, "api plans", "/api/v1/supervision/plans", role != m.ANON,
                must_show=("计划探针",) if role in READERS else ())


def spec_api_inspection(ctx, role):
    m = _m()
    pk = probes(ctx)["inspection"].pk
    return _api(ctx, role, "api inspection", f"/api/v1/supervision/inspections/{pk}", role in READERS) + m._bogus(
        "api inspection", lambda x: f"/api/v1/supervision/inspections/{x}")


def spec_api_talks(ctx, role):
    m = _m()
    probes(ctx)
    return _api(ctx, role, "api talks", "/api/v1/supervision/talks", role != m.ANON,
                must_show=("本人承诺甲",) if role in READERS | {"dangyuan"} else ())


def spec_api_talk(ctx, role):
    m = _m()
    p = probes(ctx)
    return (_api(ctx, role, "api own talk", f"/api/v1/supervision/talks/{p['own'].pk}",
                 role in READERS or role == "dangyuan", must_show=("本人承诺甲",))
            + _api(ctx, role, "api talk", f"/api/v1/supervision/talks/{p['other'].pk}", role in READERS)
            + m._bogus("api talk", lambda x: f"/api/v1/supervision/talks/{x}"))


def spec_api_talk_create(ctx, role):
    body = {"kind": "reminder", "held_on": "2026-02-03", "talker_id": ctx.users["jijian"].person.pk,
            "subject_id": ctx.users["kezhang"].person.pk, "reason": "事由", "content": "内容"}
    return _api(ctx, role, "api talk create", "/api/v1/supervision/talks", role in CHANGERS, method="POST", json=body,
                denied=(403, 404, 422))


def spec_api_figures(ctx, role):
    return _api(ctx, role, "api figures", "/api/v1/supervision/figures?year=2026", role in READERS)


SPECS = {
    "api:supervision_plans": spec_api_plans, "api:supervision_inspection": spec_api_inspection,
    "api:supervision_talks": spec_api_talks, "api:supervision_talk": spec_api_talk,
    "api:supervision_talk_create": spec_api_talk_create, "api:supervision_figures": spec_api_figures,
    "supervision:index": spec_index, "supervision:plan_add": spec_plan_add, "supervision:plan": spec_plan,
    "supervision:inspection_add": spec_inspection_add, "supervision:inspection": spec_inspection,
    "supervision:finding_add": spec_finding_add, "supervision:talks": spec_talks,
    "supervision:talk_add": spec_talk_add, "supervision:talk": spec_talk,
    "supervision:talk_follow_up": spec_talk_follow_up, "supervision:proposals": spec_proposals,
}
API_METHODS = {"supervision_plans": {"GET"}, "supervision_inspection": {"GET"}, "supervision_talks": {"GET"},
               "supervision_talk": {"GET"}, "supervision_talk_create": {"POST"}, "supervision_figures": {"GET"}}


# ---- 历史诉求导入 ------------------------------------------------------------------------------------

PETITION_CHANGERS = {"dangwu", "jijian", "zuzhi"}  # petition.change: the whole agency, and zuzhi for 办公室


def _petition_file():
    from dangjian.core.documents import write_xlsx

    f = io.BytesIO(write_xlsx("诉求", ["时间", "内容", "渠道"], [["2025-03-01", "矩阵导入诉求内容", "来信"]]))
    f.name = "历史诉求.xlsx"
    return f


def spec_petition_import(ctx, role):
    """Upload (stores a file, writes no record), confirm with a token signed for this user (imports: the agency's
    changers; zuzhi's token names the agency, outside its scope: sent back to upload), a forged token (nothing)."""
    from django.core.files.base import ContentFile

    from dangjian.core.uploads import store_upload
    from dangjian.supervision.petition_import_views import _sign

    m = _m()
    url, agency = reverse("supervision:petition_import"), ctx.orgs["SXX"]
    cases = [m.Case("petition import page", "GET", url, role in PETITION_CHANGERS),
             m.Case("petition import upload", "POST", url, role in PETITION_CHANGERS, writes=False,
                    data={"org": agency.pk, "file": _petition_file()})]
    mapping = {"col_received_at": "0", "col_content": "1", "col_channel": "2"}
    user = ctx.users.get(role)
    if user is not None:
        name = store_upload(ContentFile(_petition_file().getvalue(), name="x.xlsx"), "petition_imports", "xlsx")
        cases.append(m.Case("petition import confirm", "POST", url, role in PETITION_CHANGERS - {"zuzhi"},
                            data={"token": _sign(user, name, agency, "历史诉求.xlsx"), **mapping},
                            denied=(302, 403)))
    cases.append(m.Case("petition import forged token", "POST", url, False, data={"token": "x:y:z", **mapping},
                        denied=(302, 403)))
    return cases


SPECS["supervision:petition_import"] = spec_petition_import


# ---- API writes --------------------------------------------------------------------------------------------

def spec_api_plan_create(ctx, role):
    body = {"title": "接口计划", "year": 2026, "period": "q3", "people_ids": [ctx.users["kezhang"].person.pk]}
    return _api(ctx, role, "api plan create", "/api/v1/supervision/plans", role in CHANGERS, method="POST", json=body)


def spec_api_inspection_create(ctx, role):
    m = _m()
    plan = probes(ctx)["plan"]
    body = {"held_on": "2026-02-02", "section_id": ctx.orgs["SXX-BGS"].pk,
            "inspector_ids": [ctx.users["jijian"].person.pk], "scope_text": "接口检查",
            "results": [{"item": i, "result": "good"} for i in plan.checklist]}
    url = "/api/v1/supervision/plans/{}/inspections"
    return _api(ctx, role, "api inspection create", url.format(plan.pk), role in CHANGERS, method="POST",
                json=body) + [m.Case(f"api inspection create id {x}", "POST", url.format(x), False, json=body,
                                     denied=(403, 404)) for x in (m.MISSING, m.HUGE)]


def spec_api_finding_create(ctx, role):
    m = _m()
    inspection = probes(ctx)["inspection"]
    body = {"text": "接口问题", "owner_id": ctx.users["kezhang"].person.pk, "leader_id": ctx.users["shuji"].person.pk}
    url = "/api/v1/supervision/inspections/{}/findings"
    return _api(ctx, role, "api finding create", url.format(inspection.pk), role in CHANGERS, method="POST",
                json=body) + [m.Case(f"api finding create id {x}", "POST", url.format(x), False, json=body,
                                     denied=(403, 404)) for x in (m.MISSING, m.HUGE)]


def spec_api_talk_follow_up(ctx, role):
    m = _m()
    p = probes(ctx)
    body = {"followed_up_on": "2026-02-04", "follow_up_note": "接口回访"}
    url = "/api/v1/supervision/talks/{}/follow-up"
    return [m.Case(f"api follow-up {k}", "POST", url.format(p[k].pk), role in CHANGERS, json=body)
            for k in ("own", "other")] + [m.Case(f"api follow-up id {x}", "POST", url.format(x), False, json=body,
                                                 denied=(403, 404)) for x in (m.MISSING, m.HUGE)]


SPECS.update({"api:supervision_plan_create": spec_api_plan_create,
              "api:supervision_inspection_create": spec_api_inspection_create,
              "api:supervision_finding_create": spec_api_finding_create,
              "api:supervision_talk_follow_up": spec_api_talk_follow_up})
API_METHODS.update({"supervision_plan_create": {"POST"}, "supervision_inspection_create": {"POST"},
                    "supervision_finding_create": {"POST"}, "supervision_talk_follow_up": {"POST"}})
