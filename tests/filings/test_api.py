"""The API of 外出报备: the list is the user's scope; a leader files their own, the staff for a leader; a filing
that would leave nobody presiding is refused (422) naming the other filing — the page's rule, nothing written."""

import datetime as dt
import json

from dangjian.accounts.models import ApiToken
from dangjian.filings.models import Absence

from .conftest import JAN, file

URL = "/api/v1/filings/absences"


def _client(client_for, user):
    token = ApiToken.issue(user, "外出报备接口测试")[1]
    client = client_for(user.username)
    return lambda method, url, body=None: client.generic(method, url, json.dumps(body) if body else "",
                                                         content_type="application/json",
                                                         HTTP_AUTHORIZATION=f"Bearer {token}")


def test_absence_api_files_lists_and_refuses_an_overlap(demo, leaders, client_for):
    users = demo["users"]
    principal, d1 = leaders["principal"], leaders["d1"]
    away = file(principal, acting=d1)  # the 党组书记 away, d1 presiding
    banzi = _client(client_for, users["banzi"])
    body = {"destination": "上海", "leaves_on": JAN.isoformat(), "returns_on": (JAN + dt.timedelta(days=1)).isoformat(),
            "reason": "学习培训"}
    made = banzi("POST", URL, body)
    assert made.status_code == 201 and made.json()["person_id"] == leaders["banzi"].pk
    assert banzi("POST", URL, {**body, "person_id": d1.pk}).status_code == 403  # not for another leader
    # the staff file for d1 — but d1 presides while the 党组书记 is away: refused, naming that filing
    dangwu = _client(client_for, users["dangwu"])
    before = Absence.objects.count()
    refused = dangwu("POST", URL, {**body, "person_id": d1.pk})
    assert refused.status_code == 422 and f"第{away.pk}号报备" in refused.json()["errors"]["leaves_on"][0]
    assert Absence.objects.count() == before
    assert dangwu("POST", URL, {**body, "person_id": d1.pk, "acting_id": 2**40}).status_code == 422
    listed = {row["id"] for row in dangwu("GET", URL).json()["items"]}
    assert {away.pk, made.json()["id"]} <= listed
    # a cadre outside 报告报备's scope lists nothing and cannot read a filing
    zhibu = _client(client_for, users["zhibu"])
    assert zhibu("GET", URL).json()["items"] == [] and zhibu("GET", f"{URL}/{away.pk}").status_code == 404
    assert zhibu("POST", URL, body).status_code == 403
