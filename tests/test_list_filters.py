"""One filter per list: the page and the API return the same records for the same filter values
(roster, meetings, 责任状; the matter list in tests/matters/test_filters.py)."""

import datetime as dt
import re

import pytest

from dangjian.accounts.models import ApiToken
from dangjian.duties.filters import leaders_for
from dangjian.duties.models import ResponsibilityLetter
from dangjian.meetings.models import Meeting
from dangjian.orgs.models import OrgKind, PartyStatus, Person

pytestmark = pytest.mark.django_db


def page_ids(client, url: str, link: str, params: dict) -> set[int]:
    row = re.compile(rf'<a href="{link}(\d+)/">')
    ids, number = set(), 1
    while True:
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200
        html = response.content.decode()
        ids |= {int(pk) for pk in row.findall(html)}
        if "下一页" not in html:
            return ids
        number += 1


def api_ids(client, token: str, url: str, params: dict) -> set[int]:
    ids, number = set(), 1
    while True:
        response = client.get(url, {**params, "page": number, "page_size": 100}, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, response.content
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        if number * 100 >= body["count"]:
            return ids
        number += 1


@pytest.fixture
def dangwu(demo, client_for):
    return client_for("dangwu"), ApiToken.issue(demo["users"]["dangwu"], "筛选测试")[1]


def test_the_roster_page_and_api_filter_the_same_way(demo, dangwu):
    client, token = dangwu
    someone = Person.objects.filter(is_active=True).first()
    Person.objects.filter(pk=someone.pk).update(is_active=False)
    cases = [{}, {"q": someone.name[:1]}, {"party_status": PartyStatus.FULL}, {"org": demo["orgs"]["SXX-BGS"].pk},
             {"inactive": "on"}, {"q": someone.name, "inactive": "on"}]
    for params in cases:
        shown = page_ids(client, "/people/", "/people/", params)
        assert shown == api_ids(client, token, "/api/v1/people", {k: v if v != "on" else "true"
                                                                   for k, v in params.items()}), params
    assert someone.pk in page_ids(client, "/people/", "/people/", {"q": someone.name, "inactive": "on"})
    assert api_ids(client, token, "/api/v1/people", {"org_id": demo["orgs"]["SXX-BGS"].pk}) == page_ids(
        client, "/people/", "/people/", {"org": demo["orgs"]["SXX-BGS"].pk})


def test_the_meeting_page_and_api_filter_the_same_way(demo, dangwu):
    client, token = dangwu
    kind = Meeting.objects.values_list("kind__code", flat=True).first()
    year = dt.date.today().year
    for params in ({}, {"kind": kind}, {"year": year}, {"kind": kind, "year": year}, {"year": 2001}):
        assert page_ids(client, "/meetings/", "/meetings/", params) == api_ids(
            client, token, "/api/v1/meetings/meetings", params), params


def test_the_letter_page_and_api_filter_the_same_way(demo, dangwu):
    client, token = dangwu
    letter = ResponsibilityLetter.objects.filter(org__kind=OrgKind.SECTION).first()
    year = letter.year
    leader = leaders_for(demo["users"]["dangwu"]).first()
    cases = [{"year": year}, {"year": year, "leader": leader.pk},
             {"year": year, "section": letter.org_id}, {"year": year - 1}]
    for params in cases:
        assert page_ids(client, "/duties/letters/", "/duties/letters/", params) == api_ids(
            client, token, "/api/v1/duties/letters", params), params
