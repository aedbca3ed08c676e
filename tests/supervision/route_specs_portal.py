"""Route-matrix specs for the 群众监督 public portal (/gongkai/, registered into tests/test_route_matrix.py SPECS).

Public: every role, the anonymous visitor included, gets the same answer, and none is sent to log in. A probe
petition's 查询码 is put into the matrix's oracle as a marker no role may read anywhere (it is shown only in the
answer to its own submission, and echoed only to the one who sends it), so that every route of the matrix checks
that no page leaks a code.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone


def _m():
    from tests import route_matrix as m

    return m


def probe(ctx):
    """A portal petition with a 查询码, and limits high enough for the matrix's many requests from one address."""
    if hasattr(ctx, "portal_probe"):
        return ctx.portal_probe
    from dangjian.core import rule_settings
    from dangjian.supervision import petitions
    from dangjian.supervision.petition_models import Channel, Petition

    m = _m()
    for key in ("security.rate_public_per_minute", "supervision.portal_submit_per_minute",
                "supervision.portal_lookup_per_minute"):
        rule_settings.set_rule(key, 1000, actor=None)
    petition, code = petitions.do_receive_petition(Petition(
        org=ctx.orgs["SXX"], kind="complaint", channel=Channel.PORTAL, received_at=timezone.now(),
        subject="门户探针标题", content="门户探针内容"))
    ctx.probes.append(m.Probe("portal_petition", petition, markers=[code]))
    for role in m.ROLES:
        ctx._seen[(role, "portal_petition", petition.pk)] = False
    ctx.portal_probe = {"petition": petition, "code": code}
    return ctx.portal_probe


def _public(what, method, name, **kw):
    return _m().Case(what, method, reverse(name), True, public=True, **kw)


def spec_index(ctx, role):
    probe(ctx)
    return [_public("portal index", "GET", "portal:index", must_show=("我要反映", "查询进度", "公开统计"))]


def spec_submit(ctx, role):
    from dangjian.core import captcha, counters

    token, _ = captcha.new_challenge()
    answer = counters.shared().get(f"dangjian:captcha:{token}")
    form = {"kind": "suggestion", "subject": f"矩阵建议{role}", "content": "建议内容", "identity": "anonymous",
            "captcha_token": token}
    return [_public("portal form", "GET", "portal:submit", must_show=("验证码",)),
            _public("portal submit", "POST", "portal:submit", data={**form, "captcha": answer},
                    must_show=("查询码",)),
            _public("portal submit, wrong captcha", "POST", "portal:submit", data={**form, "captcha": "x"},
                    ok=(400,), writes=False, must_show=("验证码：",))]


def spec_lookup(ctx, role):
    code = probe(ctx)["code"]
    return [_public("lookup form", "GET", "portal:lookup"),
            _public("lookup", "POST", "portal:lookup", data={"code": code}, writes=False, echo=(code,),
                    must_show=("门户探针标题", "待分类")),
            _public("lookup, unknown code", "POST", "portal:lookup", data={"code": "ABCD-EFGH"}, writes=False,
                    ok=(400,), must_show=("查询码：未找到",))]


def spec_stats(ctx, role):
    probe(ctx)
    return [_public("public statistics", "GET", "portal:stats", must_show=("按时答复率", "满意率")),
            _m().Case("public statistics, bad year", "GET", reverse("portal:stats") + "?year=99999&org=x", True,
                      public=True, must_show=("公开统计",))]


SPECS = {"portal:index": spec_index, "portal:submit": spec_submit, "portal:lookup": spec_lookup,
         "portal:stats": spec_stats}
API_METHODS: dict[str, set[str]] = {}
