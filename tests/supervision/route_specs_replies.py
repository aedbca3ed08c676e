"""Route-matrix specs for 归并与逐项答复 and the 群众监督 figures (registered into tests/test_route_matrix.py SPECS).

Who may do what, by hand: petitions of the agency (org SXX) are changed by the 党务管理员 (dangwu) and the 纪检组长
(jijian), who hold petition.change over the whole agency, and read by them and the 党组书记 (shuji); a petition of
办公室 is read by 办公室's own 党务管理员 (zuzhi) and its 分管领导 (banzi) too. A reply is approved only by its
matter's responsible leader: banzi, for one probe group whose petition banzi cannot otherwise see. A petition
outside the actor's scope is refused as one that does not exist (404), a view-only reader's change with 403.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

AGENCY_CHANGERS = {"dangwu", "jijian"}
AGENCY_READERS = AGENCY_CHANGERS | {"shuji"}
PETITION_VIEW = AGENCY_READERS | {"banzi", "zuzhi"}  # holds petition.view somewhere


def _m():
    from tests import route_matrix as m

    return m


def probes(ctx):
    """Groups at each step of the reply: A (a draft, a merged duplicate), B (submitted, leader banzi), C (approved),
    D (published, a phone source still to be told); a petition in triage and one of 办公室."""
    if hasattr(ctx, "reply_probes"):
        return ctx.reply_probes
    from dangjian.matters import services as matter_services
    from dangjian.supervision import petitions, replies
    from dangjian.supervision.petition_demo import accept
    from dangjian.supervision.petition_models import Channel, Petition, PetitionKind

    dangwu, shuji, banzi, kezhang = (ctx.users[n] for n in ("dangwu", "shuji", "banzi", "kezhang"))
    today = timezone.localdate()

    def receive(subject, channel=Channel.HOTLINE, org="SXX", kind=PetitionKind.SUGGESTION):
        return petitions.do_receive_petition(Petition(
            org=ctx.orgs[org], channel=channel, kind=kind, received_at=timezone.now(), subject=subject,
            content=f"{subject}的具体情况"), actor=dangwu)[0]

    made = {}
    for key, leader, step in (("a", shuji, "draft"), ("b", banzi, "submit"), ("c", shuji, "approve"),
                              ("d", shuji, "publish")):
        original = made[key] = receive(f"答复探针{key}", Channel.PORTAL)
        accept(original, actor=dangwu, owner=kezhang.person, leader=leader.person, on=today)
        reply = replies.do_draft_reply(original, f"答复稿探针{key}", actor=dangwu)
        if step != "draft":
            reply = replies.do_submit_reply(reply, actor=dangwu)
        if step in ("approve", "publish"):
            reply = replies.do_approve_reply(reply, actor=leader)
        if step == "publish":
            made["d_call"] = receive("答复探针d电话")
            replies.do_merge(made["d_call"], original, actor=dangwu)
            replies.do_publish_reply(reply, actor=dangwu)
    # E: a 投诉 answered and closed (销号), its 查实认定 the responsible leader's (shuji)
    made["e"] = receive("答复探针e投诉", kind=PetitionKind.COMPLAINT)
    matter = accept(made["e"], actor=dangwu, owner=kezhang.person, leader=shuji.person, on=today)
    matter = matter_services.do_transition(matter, "start", actor=kezhang)
    reply = replies.do_draft_reply(made["e"], "答复稿探针e", actor=dangwu)
    replies.do_submit_reply(reply, actor=dangwu)
    replies.do_publish_reply(replies.do_approve_reply(reply, actor=shuji), actor=dangwu)
    matter = matter_services.do_transition(matter, "submit", actor=kezhang, completion_statement="已办结", evidence="答复函")
    matter_services.do_transition(matter, "close", actor=shuji)
    made["a_dup"] = receive("答复探针a重复")
    replies.do_merge(made["a_dup"], made["a"], actor=dangwu)
    made["triage"] = receive("答复探针待分类")
    made["bgs"] = receive("答复探针办公室", org="SXX-BGS")
    ctx.reply_probes = made
    return made


def _post(route, pk, allowed, data=None, **kw):
    m = _m()
    return [m.Case(route, "POST", reverse(route, args=[pk]), allowed, data=data or {}, **kw),
            m.Case(f"{route} by GET", "GET", reverse(route, args=[pk]), False, denied=(404, 405))] + m._bogus(
        route, lambda x: reverse(route, args=[x]), ("POST",))


def spec_figures(ctx, role):
    m = _m()
    url = reverse("supervision:petition_figures")
    return [m.Case("petition figures", "GET", f"{url}?year=2026", role in PETITION_VIEW,
                   must_show=("按时答复率",), denied=(404,)),
            m.Case("petition figures bad year", "GET", f"{url}?year={m.HUGE}", role in PETITION_VIEW, denied=(404,))]


def spec_handling(ctx, role):
    m = _m()
    p = probes(ctx)
    route = "supervision:petition_handling"
    return [m.Case("handling agency", "GET", reverse(route, args=[p["a"].pk]), role in AGENCY_READERS,
                   must_show=("答复稿探针a", "答复探针a重复")),
            m.Case("handling as leader", "GET", reverse(route, args=[p["b"].pk]), role in AGENCY_READERS | {"banzi"},
                   must_show=("答复稿探针b",)),
            m.Case("handling 办公室", "GET", reverse(route, args=[p["bgs"].pk]), role in PETITION_VIEW)] + m._bogus(
        route, lambda x: reverse(route, args=[x]))


def spec_merge(ctx, role):
    m = _m()
    p = probes(ctx)
    route = "supervision:petition_merge"
    # zuzhi may change 办公室's petition, but the agency's original is out of its scope: refused, nothing written
    return _post(route, p["triage"].pk, role in AGENCY_CHANGERS, {"original": p["a"].pk, "reason": "同一事项"}) + [
        m.Case("merge 办公室 into the agency's", "POST", reverse(route, args=[p["bgs"].pk]),
               role in AGENCY_CHANGERS | {"zuzhi"}, data={"original": p["a"].pk}, writes=role != "zuzhi")]


def spec_unmerge(ctx, role):
    return _post("supervision:petition_unmerge", probes(ctx)["a_dup"].pk, role in AGENCY_CHANGERS)


def spec_draft(ctx, role):
    return _post("supervision:petition_reply_draft", probes(ctx)["a"].pk, role in AGENCY_CHANGERS,
                 {"text": "修改后的答复稿"})


def spec_submit(ctx, role):
    return _post("supervision:petition_reply_submit", probes(ctx)["a"].pk, role in AGENCY_CHANGERS)


def spec_review(ctx, role):
    p = probes(ctx)
    return (_post("supervision:petition_reply_review", p["b"].pk, role == "banzi", {"decision": "approve"})
            + _post("supervision:petition_reply_review", p["b"].pk, role == "banzi",
                    {"decision": "return", "reason": "请补充办理时间"})[:1])


def spec_publish(ctx, role):
    return _post("supervision:petition_reply_publish", probes(ctx)["c"].pk, role in AGENCY_CHANGERS)


def spec_deliver(ctx, role):
    when = timezone.localtime().replace(second=0, microsecond=0)
    return _post("supervision:petition_reply_deliver", probes(ctx)["d_call"].pk, role in AGENCY_CHANGERS,
                 {"method": "phone", "delivered_at": when.strftime("%Y-%m-%dT%H:%M"), "note": "本人接听",
                  "satisfaction": "satisfied"})


def spec_verdict(ctx, role):
    """Only the responsible leader (shuji) decides a 投诉's 查实认定; the staff who handle it are refused (403)."""
    return _post("supervision:petition_verdict", probes(ctx)["e"].pk, role == "shuji",
                 {"outcome": "upheld", "basis": "经核实属实", "cadres": [ctx.users["kezhang"].person.pk]})


SPECS = {
    "supervision:petition_figures": spec_figures, "supervision:petition_handling": spec_handling,
    "supervision:petition_merge": spec_merge, "supervision:petition_unmerge": spec_unmerge,
    "supervision:petition_reply_draft": spec_draft, "supervision:petition_reply_submit": spec_submit,
    "supervision:petition_reply_review": spec_review, "supervision:petition_reply_publish": spec_publish,
    "supervision:petition_reply_deliver": spec_deliver, "supervision:petition_verdict": spec_verdict,
}
API_METHODS: dict[str, set[str]] = {}
