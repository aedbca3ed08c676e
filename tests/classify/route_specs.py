"""Route-matrix specs for the category and duplicate suggestion (registered into tests/test_route_matrix.py).

Who may ask, by hand: the holders of petition.view — 党务管理员 (dangwu, and zuzhi for 办公室), the leaders (shuji,
banzi) and the 纪检组长 (jijian). It writes nothing."""

from __future__ import annotations

PETITION_READERS = {"dangwu", "zuzhi", "shuji", "banzi", "jijian"}
URL = "/api/v1/supervision/petitions/suggest"


def spec_api_suggest(ctx, role):
    from tests import route_matrix as m

    body = {"subject": "小区门口道路积水", "content": "雨后积水严重，请尽快处理。"}
    return [m.Case("api suggest", "POST", URL, role in PETITION_READERS, json=body, writes=False, denied=(403,)),
            m.Case("api suggest empty", "POST", URL, False, json={"subject": " "}, denied=(403, 422))]


SPECS = {"api:supervision_petition_suggest": spec_api_suggest}
API_METHODS = {"supervision_petition_suggest": {"POST"}}
