"""The API of 考评: a cadre reads their own evaluation results and 作风台账 entries, and nobody else's."""

import datetime as dt
import json

from dangjian.accounts.models import ApiToken
from dangjian.assessment.conduct import record_conduct
from dangjian.assessment.evaluation_models import Evaluation
from dangjian.assessment.models import ConductEntry


def _get(client_for, user, url):
    token = ApiToken.issue(user, "考评接口测试")[1]
    response = client_for(user.username).get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return json.loads(response.content)["items"]


def test_own_conduct_and_evaluations_only(demo, frozen_today, client_for):
    users = demo["users"]
    kezhang, dangwu = users["kezhang"], users["dangwu"]
    mine = record_conduct(kezhang.person, kind="praise", on=dt.date(2026, 11, 2), summary="窗口服务获群众来信表扬",
                          evidence="表扬信", actor=dangwu)
    other = record_conduct(users["banzi"].person, kind="notice", on=dt.date(2026, 11, 3), summary="他人的通报批评",
                   evidence="通报", actor=dangwu)
    rows = _get(client_for, kezhang, "/api/v1/assessment/conduct/mine")
    own = set(ConductEntry.objects.filter(person=kezhang.person).values_list("pk", flat=True))
    assert {r["id"] for r in rows} == own and (mine.pk, "表扬") in {(r["id"], r["kind_label"]) for r in rows}
    assert other.pk not in own
    assert _get(client_for, kezhang, "/api/v1/assessment/conduct/mine?year=2025") == []
    # the staff who read everyone's ledger still get only their own here
    assert all(r["id"] != mine.pk for r in _get(client_for, dangwu, "/api/v1/assessment/conduct/mine"))
    results = _get(client_for, kezhang, "/api/v1/assessment/evaluations/mine")
    assert {r["id"] for r in results} == set(Evaluation.objects.filter(person=kezhang.person).values_list("pk", flat=True))
    assert results and all(r["review_deadline"] is None for r in results if not r["approved"])
