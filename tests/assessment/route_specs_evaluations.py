"""Route-matrix specs for 考评 (评分细则, rounds, results, 民主测评, 民主评议党员), gathered by tests/test_route_matrix.py.

Who reads is written out by hand: assessment.view over the whole agency (dangwu, shuji, jijian), over 办公室 and two
more sections (banzi), over 办公室 only (zuzhi, a 党务管理员 there). Changers: dangwu everywhere, zuzhi in 办公室.
Approvers (assessment.approve, the LEADER role): shuji everywhere, banzi in their sections. A person sees their own
result (dangyuan's in the agency round, kezhang's in 办公室's). The vote page is public.
"""

from __future__ import annotations

from django.urls import reverse

WHOLE = {"dangwu", "shuji", "jijian"}
OFFICE_READERS = WHOLE | {"banzi", "zuzhi"}
READERS = OFFICE_READERS
CHANGERS_ALL, CHANGERS_OFFICE = {"dangwu"}, {"dangwu", "zuzhi"}


def _m():
    from tests import route_matrix as m

    return m


def probes(ctx):
    """A 评分细则 version, an agency round with dangyuan's result, an 办公室 round with kezhang's, a 民主评议."""
    if hasattr(ctx, "eval_probes"):
        return ctx.eval_probes
    from dangjian.assessment import evaluation_members as member_review
    from dangjian.assessment import evaluations as ev
    from dangjian.assessment.evaluation_models import Evaluation, EvaluationRound, MemberReview
    from dangjian.assessment.evaluation_rules import DEFAULT_DIMENSIONS

    dangwu = ctx.users["dangwu"]
    if ev.current_rules() is None:
        ev.do_save_rules(DEFAULT_DIMENSIONS, actor=dangwu)
    agency = EvaluationRound.objects.filter(org=ctx.orgs["SXX"], year=2027, period="annual").first() or \
        ev.do_create_round(EvaluationRound(title="矩阵全单位考评", year=2027, period="annual", org=ctx.orgs["SXX"]),
                           actor=dangwu)
    office = EvaluationRound.objects.filter(org=ctx.orgs["SXX-BGS"], year=2027, period="q3").first() or \
        ev.do_create_round(EvaluationRound(title="矩阵办公室考评", year=2027, period="q3", org=ctx.orgs["SXX-BGS"]),
                           actor=dangwu)
    review = MemberReview.objects.filter(org=ctx.orgs["SXX-ZB2"], year=2027).first() or \
        member_review.do_open_member_review(ctx.orgs["SXX-ZB2"].pk, 2027, actor=dangwu)
    ctx.eval_probes = {
        "agency": agency, "office": office, "review": review,
        "own": Evaluation.objects.get(round=agency, person=ctx.users["dangyuan"].person),
        "kezhang": Evaluation.objects.get(round=office, person=ctx.users["kezhang"].person),
    }
    # A reason on each result, which must not reach anyone who may not read that result (on every route).
    m = _m()
    for key, marker in (("own", "等次说明探针甲"), ("kezhang", "等次说明探针乙")):
        result = ev.do_set_grade(ctx.eval_probes[key], "competent", reason=marker, actor=dangwu)
        ctx.eval_probes[key] = result
        ctx.probes.append(m.Probe("assessment", result, markers=[marker]))
        owner = "dangyuan" if key == "own" else "kezhang"
        for role in m.ROLES:
            ctx._seen[(role, "assessment", result.pk)] = _reads_result_of(role, result.person) or role == owner
    return ctx.eval_probes


def _bogus(route, methods=("GET",)):
    m = _m()
    return m._bogus(route, lambda x: reverse(route, args=[x]), methods)


def spec_index(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("evaluations", "GET", reverse("assessment:eval_index"), role != m.ANON,
                   must_show=("矩阵全单位考评",) if role in WHOLE else ())]


def spec_round_add(ctx, role):
    m = _m()
    data = {"title": "矩阵新考评", "year": 2027, "period": "q1", "org": ctx.orgs["SXX-BGS"].pk, "weight_self": 10,
            "weight_leader": 40, "weight_peer": 20, "weight_democratic": 30}
    return [m.Case("round add", "POST", reverse("assessment:eval_round_add"), role in CHANGERS_OFFICE, data=data),
            m.Case("round add by GET", "GET", reverse("assessment:eval_round_add"), False, denied=(404, 405))]


def spec_rules(ctx, role):
    m = _m()
    from dangjian.assessment import evaluations as ev

    url = reverse("assessment:eval_rules")
    return [m.Case("rules", "GET", url, role in READERS),
            m.Case("rules save", "POST", url, role in CHANGERS_ALL, data={"text": ev.rules_text(None), "note": "矩阵"})]


def spec_round(ctx, role):
    m = _m()
    p = probes(ctx)
    url = lambda r: reverse("assessment:eval_round", args=[p[r].pk])  # noqa: E731
    return [m.Case("agency round", "GET", url("agency"), role in WHOLE),
            m.Case("office round", "GET", url("office"), role in OFFICE_READERS)] + _bogus("assessment:eval_round")


def spec_round_action(ctx, role):
    m = _m()
    p = probes(ctx)
    office = reverse("assessment:eval_round_action", args=[p["office"].pk])
    agency = reverse("assessment:eval_round_action", args=[p["agency"].pk])
    return [m.Case("prefill office", "POST", office, role in CHANGERS_OFFICE, data={"op": "prefill"}),
            m.Case("prefill agency", "POST", agency, role in CHANGERS_ALL, data={"op": "prefill"}),
            # nobody scored yet: the approval is refused (a flash message), nothing written
            m.Case("approve unscored", "POST", agency, role == "shuji", data={"op": "approve"}, writes=False),
            m.Case("action by GET", "GET", agency, False, denied=(404, 405))] + _bogus(
        "assessment:eval_round_action", ("POST",))


def spec_round_codes(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("assessment:eval_round_codes", args=[p["office"].pk])
    return [m.Case("codes", "POST", url, role in CHANGERS_OFFICE, data={"count": 2}),
            m.Case("codes by GET", "GET", url, False, denied=(404, 405))] + _bogus(
        "assessment:eval_round_codes", ("POST",))


def _reads_result_of(role, person) -> bool:
    """A result is read where its person works: banzi over 办公室, 人事科 and 党建办; zuzhi over 办公室."""
    m = _m()
    code = person.org.code
    return role in WHOLE or (role == "banzi" and code in m.BGS | {"SXX-RSK", "SXX-DJB"}) or (
        role == "zuzhi" and code in m.BGS)


def spec_detail(ctx, role):
    m = _m()
    p = probes(ctx)
    url = lambda k: reverse("assessment:eval_detail", args=[p[k].pk])  # noqa: E731
    return [m.Case("own result", "GET", url("own"), _reads_result_of(role, p["own"].person) or role == "dangyuan"),
            m.Case("kezhang result", "GET", url("kezhang"), role in OFFICE_READERS or role == "kezhang")] + _bogus(
        "assessment:eval_detail")


def spec_action(ctx, role):
    m = _m()
    p = probes(ctx)
    url = lambda k: reverse("assessment:eval_action", args=[p[k].pk])  # noqa: E731
    return [m.Case("leader score", "POST", url("kezhang"), role in CHANGERS_OFFICE,
                   data={"op": "score", "rater": "leader", "score": "88"}),
            m.Case("self score", "POST", url("own"), role == "dangyuan",
                   data={"op": "score", "rater": "self", "score": "90"}),
            m.Case("action by GET", "GET", url("own"), False, denied=(404, 405))] + _bogus(
        "assessment:eval_action", ("POST",))


def spec_vote(ctx, role):
    m = _m()
    url = reverse("assessment:eval_vote")
    return [m.Case("vote page", "GET", url, True, public=True),
            m.Case("vote bad code", "POST", url, True, public=True, writes=False,
                   data={"code": "ABCDEFGHJK", "cast": "1"})]


def spec_members(ctx, role):
    m = _m()
    probes(ctx)
    url = reverse("assessment:eval_members")
    return [m.Case("member reviews", "GET", url, role in READERS),
            m.Case("member review open", "POST", url, role in CHANGERS_ALL,
                   data={"branch": ctx.orgs["SXX-ZB2"].pk, "year": 2028})]


def spec_member_review(ctx, role):
    m = _m()
    p = probes(ctx)
    return [m.Case("member review", "GET", reverse("assessment:eval_member_review", args=[p["review"].pk]),
                   role in WHOLE)] + _bogus("assessment:eval_member_review")


def spec_member_action(ctx, role):
    m = _m()
    from dangjian.assessment import evaluation_members as member_review

    p = probes(ctx)
    data = {f"g{pk}": "qualified" for pk in member_review.branch_members(ctx.orgs["SXX-ZB2"]).values_list("pk", flat=True)}
    url = reverse("assessment:eval_member_action", args=[p["review"].pk])
    return [m.Case("member grades", "POST", url, role in CHANGERS_ALL, data=data),
            m.Case("member grades by GET", "GET", url, False, denied=(404, 405))] + _bogus(
        "assessment:eval_member_action", ("POST",))


SPECS = {
    "assessment:eval_index": spec_index, "assessment:eval_round_add": spec_round_add,
    "assessment:eval_rules": spec_rules, "assessment:eval_round": spec_round,
    "assessment:eval_round_action": spec_round_action, "assessment:eval_round_codes": spec_round_codes,
    "assessment:eval_detail": spec_detail, "assessment:eval_action": spec_action, "assessment:eval_vote": spec_vote,
    "assessment:eval_members": spec_members, "assessment:eval_member_review": spec_member_review,
    "assessment:eval_member_action": spec_member_action,
}
API_METHODS: dict[str, set[str]] = {}
