"""The REST API: token and session auth (CSRF), CRUD on people, Chinese 422s, 409s, hostile input."""

import json

import pytest
from django.test import Client

from dangjian.accounts.models import ApiToken
from dangjian.core.ids import id_check_digit
from dangjian.core.models import AuditEvent
from dangjian.orgs.models import Person

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def new_id(seq: int) -> str:
    first17 = f"11010119920303{seq:03d}"
    return first17 + id_check_digit(first17)


@pytest.fixture
def api(demo):
    """A client that calls the API with dangwu's bearer token."""
    _, key = ApiToken.issue(demo["users"]["dangwu"], "测试")

    class Api:
        client = Client()

        def call(self, method, url, body=None, **headers):
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {key}")
            data = body if isinstance(body, str | bytes) else json.dumps(body) if body is not None else None
            if data is None:
                return self.client.generic(method, "/api/v1" + url, **headers)
            return self.client.generic(method, "/api/v1" + url, data, content_type="application/json", **headers)

    return Api()


def test_a_token_authenticates_and_a_bad_one_does_not(api, demo):
    me = api.call("GET", "/me").json()
    assert me["username"] == "dangwu" and me["roles"][0]["role"] == "party_admin"
    for header in ("Bearer nope", "Bearer " + "x" * 500, "Bearer a\x00b", "Basic Zm9vOmJhcg=="):
        response = api.call("GET", "/me", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401 and response.json()["detail"] == "未登录或令牌无效"
    assert Client().get("/api/v1/people").status_code == 401


def test_list_detail_create_and_patch(api, demo):
    listed = api.call("GET", "/people?q=&page=2").json()
    assert listed["count"] == Person.objects.filter(is_active=True).count() and len(listed["items"]) <= 50
    person = Person.objects.get(user__username="dangyuan")
    detail = api.call("GET", f"/people/{person.pk}").json()
    assert detail["name"] == person.name and detail["id_number"] == person.masked_id_number
    assert person.id_number not in json.dumps(detail)
    org = demo["orgs"]["SXX-CWK"]
    created = api.call("POST", "/people", {"name": "接口新人", "gender": "F", "birth_date": "1992-03-03",
                                           "id_number": new_id(1), "org_id": org.pk, "phone": "13711112222"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["org_id"] == org.pk and body["phone"] == "137****2222" and body["version"] == 1
    assert AuditEvent.objects.filter(action="person.create", target_id=str(body["id"])).exists()
    patched = api.call("PATCH", f"/people/{body['id']}", {"version": 1, "job_title": "科员"})
    assert patched.status_code == 200 and patched.json()["job_title"] == "科员" and patched.json()["version"] == 2
    orgs = api.call("GET", "/orgs").json()
    assert orgs["count"] == 21 or orgs["count"] >= 20
    assert api.call("GET", f"/orgs/{org.pk}").json()["code"] == "SXX-CWK"
    stats = api.call("GET", f"/stats/members?org_id={demo['orgs']['SXX'].pk}").json()
    assert sum(stats.values()) == Person.objects.filter(is_active=True).count()


def test_a_stale_version_gets_409_and_changes_nothing(api):
    person = Person.objects.get(user__username="dangyuan")
    assert api.call("PATCH", f"/people/{person.pk}", {"version": person.version, "job_title": "甲"}).status_code == 200
    response = api.call("PATCH", f"/people/{person.pk}", {"version": person.version, "job_title": "乙"})
    assert response.status_code == 409 and "已被他人修改" in response.json()["detail"]
    assert Person.objects.get(pk=person.pk).job_title == "甲"


@pytest.mark.parametrize("payload, field, words", [
    ({"gender": "F", "birth_date": "1992-03-03", "id_number": "X"}, "name", "必填"),
    ({"name": "x" * 51, "gender": "F", "birth_date": "1992-03-03", "id_number": "1" * 18}, "name", "过长"),
    ({"name": "甲", "gender": "Q", "birth_date": "1992-03-03", "id_number": "1" * 18}, "gender", "不是可选的值"),
    ({"name": "甲", "gender": "F", "birth_date": "1992-13-03", "id_number": "1" * 18}, "birth_date", "日期"),
    ({"name": "甲", "gender": "F", "birth_date": "1992-03-03", "id_number": "110101199203030010"}, "id_number",
     "居民身份证号校验码不正确"),
    ({"name": "甲", "gender": "F", "birth_date": "1992-03-03", "id_number": "1" * 18, "org_id": 2**70}, "org_id",
     "过大"),
])
def test_bad_input_gets_422_in_chinese_naming_the_field(api, demo, payload, field, words):
    payload = {"org_id": demo["orgs"]["SXX-CWK"].pk, **payload}
    before = Person.objects.count(), AuditEvent.objects.count()
    response = api.call("POST", "/people", payload)
    assert response.status_code == 422, response.content
    text = json.dumps(response.json(), ensure_ascii=False)
    assert field in text and words in text, text
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("method, url, body", [
    ("POST", "/people", {"name": "甲\x00乙", "gender": "F", "birth_date": "1992-03-03", "id_number": "ID"}),
    ("PATCH", "/people/PK", {"version": 1, "job_title": "a\x00"}),
    ("GET", "/people?q=a%00b", None),
    ("GET", "/orgs?q=%00", None),
    ("GET", "/people/99999999999999999999999", None),
    ("GET", "/orgs/99999999999999999999999", None),
    ("GET", "/people?page=99999999999999999999999", None),
    ("GET", "/stats/members?org_id=99999999999999999999999", None),
    ("PATCH", "/people/PK", {"version": 99999999999999999999999, "job_title": "x"}),
    ("POST", "/people", "{not json"),
    ("POST", "/people", "[1, 2]"),
])
def test_hostile_input_gets_4xx_not_500(api, demo, method, url, body):
    person = Person.objects.get(user__username="dangyuan")
    url = url.replace("PK", str(person.pk))
    if isinstance(body, dict):
        body = {**body}
        if body.get("id_number") == "ID":
            body.update(id_number=new_id(9), org_id=demo["orgs"]["SXX-CWK"].pk)
    before = Person.objects.count(), person.version
    api.client.raise_request_exception = False
    response = api.call(method, url, body)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    person.refresh_from_db()
    assert (Person.objects.count(), person.version) == before


def test_session_auth_needs_the_csrf_token_for_unsafe_methods(demo):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    assert client.post("/accounts/login/", {"username": "dangwu", "password": PASSWORD,
                                            "csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/api/v1/me").json()["username"] == "dangwu"
    person = Person.objects.get(user__username="dangyuan")
    body = json.dumps({"version": person.version, "job_title": "无令牌"})
    refused = client.patch(f"/api/v1/people/{person.pk}", body, content_type="application/json")
    assert refused.status_code == 403
    assert Person.objects.get(pk=person.pk).version == person.version
    token = client.cookies["csrftoken"].value
    accepted = client.patch(f"/api/v1/people/{person.pk}", body, content_type="application/json",
                            HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200 and accepted.json()["job_title"] == "无令牌"


def test_a_member_reaches_only_themself_through_the_api(demo):
    _, key = ApiToken.issue(demo["users"]["dangyuan"], "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    items = client.get("/api/v1/people").json()["items"]
    assert [p["id"] for p in items] == [demo["users"]["dangyuan"].person.pk]
    other = Person.objects.exclude(user__username="dangyuan").first()
    assert client.get(f"/api/v1/people/{other.pk}").status_code == 404
    assert client.get("/api/v1/orgs").json()["count"] == 0


def test_openapi_and_docs_are_served_from_this_server(demo):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/people" in paths and "/api/v1/people/{person_id}" in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html and "https://" not in html.split("<body")[0], "the docs page loads assets from a CDN"
