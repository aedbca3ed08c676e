"""The matter list's one filter: the page and the API return the same records for the same values."""

import datetime as dt

import pytest

from dangjian.accounts.models import ApiToken
from dangjian.matters.models import Matter, ProblemList

from ..test_list_filters import api_ids, page_ids

pytestmark = pytest.mark.django_db


def _page_ids(client, params: dict) -> set[int]:
    return page_ids(client, "/matters/", "/matters/", params)


def _api_ids(client, token: str, params: dict) -> set[int]:
    return api_ids(client, token, "/api/v1/matters/", params)


def test_the_page_and_the_api_filter_the_same_way(demo, make_matter, people, client_for):
    make_matter(title="筛选：制度不完善", handling_class="")
    make_matter(title="筛选：他人负责", owner="shuji", kind="npc")
    kezhang = demo["users"]["kezhang"]
    client, token = client_for("kezhang"), ApiToken.issue(kezhang, "筛选测试")[1]
    plist = ProblemList.objects.visible_to(kezhang).first()
    owner = people["kezhang"]
    cases = [
        {"q": "制度"}, {"kind": "npc"}, {"status": "registered"}, {"open": "1"}, {"due": "overdue"},
        {"due": "handoff_late"}, {"handling_class": "normal"}, {"org": demo["orgs"]["SXX-BGS"].pk},
        {"leader": people["banzi"].pk}, {"owner": owner.name}, {"mine": "owner"}, {"mine": "leader"},
        {"year": dt.date.today().year}, {"kind": "rectify", "open": "1", "owner": owner.name},
    ]
    if plist is not None:
        cases.append({"problem_list": plist.pk})
    everything = _page_ids(client, {})
    assert everything == _api_ids(client, token, {}) == set(Matter.objects.visible_to(kezhang).values_list("pk", flat=True))
    narrowed = 0
    for params in cases:
        shown = _page_ids(client, params)
        assert shown == _api_ids(client, token, params), params
        narrowed += shown != everything
    assert narrowed >= len(cases) // 2  # the filters do filter
    # the API's older id-based names pick the same records as the page's
    assert _api_ids(client, token, {"owner_id": owner.pk}) == _page_ids(client, {"owner": owner.name})
    assert _api_ids(client, token, {"org_id": demo["orgs"]["SXX-BGS"].pk}) == _page_ids(
        client, {"org": demo["orgs"]["SXX-BGS"].pk})
    assert _api_ids(client, token, {"leader_id": people["banzi"].pk}) == _page_ids(
        client, {"leader": people["banzi"].pk})


def test_the_api_refuses_a_filter_value_outside_the_users_scope(demo, client_for):
    token = ApiToken.issue(demo["users"]["kezhang"], "筛选测试")[1]
    outside = demo["orgs"]["SXX-XMJS"].pk
    response = client_for("kezhang").get(f"/api/v1/matters/?org_id={outside}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
