"""Person pages: validation in Chinese naming the field, masking, reveal, and a constant query count."""

import datetime as dt

import pytest

from dangjian.core.ids import id_check_digit
from dangjian.core.models import AuditEvent
from dangjian.orgs import services
from dangjian.orgs.models import PartyStatus, Person

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def valid_id(seq: int, born: str = "19900101") -> str:
    first17 = f"110101{born}{seq:03d}"
    return first17 + id_check_digit(first17)


def form_data(org, **changes):
    data = {"name": "测试人", "gender": "M", "id_number": valid_id(501), "phone": "",
            "education": "", "job_title": "", "org": org.pk, "branch": "", "party_status": "masses",
            "joined_party_on": "", "full_member_on": "", "activist_since": ""}
    data.update(changes)
    return data


def counts():
    return Person.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("changes, label, message", [
    ({"name": ""}, "姓名", "必填"),
    ({"id_number": "110101199001015010"}, "居民身份证号", "校验码不正确"),
    ({"id_number": "12345"}, "居民身份证号", "应为18位"),
    ({"phone": "12345"}, "手机号", "手机号应为以1开头的11位数字"),
    ({"id_number": valid_id(501, born="20261201")}, "居民身份证号", "中的出生日期（2026-12-01）晚于今天"),
    ({"id_number": valid_id(501, born="18991231")}, "居民身份证号", "中的出生日期（1899-12-31）早于1900年"),
    ({"party_status": "full"}, "入党日期", "党员须填写入党日期"),
    ({"party_status": "masses", "joined_party_on": "2010-07-01"}, "入党日期", "群众不应填写入党日期"),
    ({"party_status": "full", "joined_party_on": "2000-07-01", "branch": "BRANCH"}, "入党日期", "入党时应年满十八周岁"),
    ({"branch": "SECTION"}, "所在党支部", "有效的选项"),
])
def test_bad_input_shows_a_chinese_message_naming_the_field_and_writes_nothing(demo, frozen_today, changes, label,
                                                                             message):
    client = signed_in(demo["users"]["dangwu"])
    org = demo["orgs"]["SXX-BGS"]
    changes = {k: (demo["orgs"]["SXX-ZB1"].pk if v == "BRANCH" else demo["orgs"]["SXX-CWK"].pk if v == "SECTION"
                   else v) for k, v in changes.items()}
    before = counts()
    response = client.post("/people/new/", form_data(org, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{label}：" in html and message in html, html[html.find('class="field has-error'):][:600]
    assert counts() == before


def test_a_duplicate_id_number_is_refused_by_name(demo):
    client = signed_in(demo["users"]["dangwu"])
    existing = Person.objects.first()
    before = counts()
    response = client.post("/people/new/", form_data(demo["orgs"]["SXX-BGS"], id_number=existing.id_number))
    assert "居民身份证号：" in response.content.decode() and "已存在" in response.content.decode()
    assert counts() == before


def test_editing_with_bad_input_writes_nothing(demo):
    client = signed_in(demo["users"]["dangwu"])
    person = Person.objects.get(user__username="dangyuan")
    before = counts(), person.version
    data = form_data(person.org, name="", id_number="",
                     party_status=person.party_status, branch=person.branch_id,
                     joined_party_on=person.joined_party_on.isoformat(), loaded_version=person.version)
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert "姓名：" in response.content.decode()
    person.refresh_from_db()
    assert (counts(), person.version) == before


def test_a_good_edit_keeps_the_id_number_when_left_blank_and_a_stale_one_is_refused(demo):
    client = signed_in(demo["users"]["dangwu"])
    person = Person.objects.get(user__username="dangyuan")
    data = form_data(person.org, name=person.name, id_number="",
                     party_status=person.party_status, branch=person.branch_id, job_title="新职级",
                     joined_party_on=person.joined_party_on.isoformat(), loaded_version=person.version)
    assert client.post(f"/people/{person.pk}/edit/", data).status_code == 302
    stored = Person.objects.get(pk=person.pk)
    assert stored.job_title == "新职级" and stored.id_number == person.id_number
    assert stored.version == person.version + 1
    response = client.post(f"/people/{person.pk}/edit/", {**data, "job_title": "旧版本上的修改"})
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert Person.objects.get(pk=person.pk).job_title == "新职级"


def test_lists_and_pages_show_masked_numbers_only(demo):
    client = signed_in(demo["users"]["shuji"])
    person = Person.objects.exclude(phone_index="").first()
    for url in ("/people/?q=" + person.name, f"/people/{person.pk}/", f"/history/orgs.person/{person.pk}/"):
        html = client.get(url).content.decode()
        assert person.id_number not in html and person.phone not in html, url
    html = client.get("/people/?q=" + person.name).content.decode()
    assert person.masked_id_number in html and person.masked_phone in html


def test_reveal_needs_its_permission_and_is_audited(demo):
    person = Person.objects.exclude(phone_index="").first()
    for username in ("shuji", "banzi", "dangyuan"):  # may see the person (or not), may not reveal
        before = AuditEvent.objects.filter(action="person.reveal").count()
        response = signed_in(demo["users"][username]).post(f"/people/{person.pk}/reveal/")
        assert response.status_code in (403, 404)
        assert person.id_number not in response.content.decode()
        assert AuditEvent.objects.filter(action="person.reveal").count() == before
    response = signed_in(demo["users"]["dangwu"]).post(f"/people/{person.pk}/reveal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert person.id_number in html and person.phone in html
    event = AuditEvent.objects.filter(action="person.reveal").first()
    assert event.actor == demo["users"]["dangwu"] and event.target_id == str(person.pk)
    assert event.category == AuditEvent.Category.SECURITY
    assert signed_in(demo["users"]["dangwu"]).get(f"/people/{person.pk}/reveal/").status_code == 405


def _add_people(org, branch, start, n):
    for i in range(start, start + n):
        first17 = f"11010119850101{i:03d}"
        Person(name=f"加人{i:02d}", gender="F", birth_date=dt.date(1985, 1, 1),
               id_number=first17 + id_check_digit(first17), org=org, branch=branch, phone="13900000000",
               party_status=PartyStatus.FULL, joined_party_on=dt.date(2010, 7, 1)).save()


@pytest.mark.parametrize("username", ["dangwu", "banzi", "zhibu"])
def test_the_roster_list_takes_the_same_number_of_queries_for_5_and_50_rows(demo, username,
                                                                           django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(demo["users"][username])
    org, branch = demo["orgs"]["SXX-DJB"], demo["orgs"]["SXX-ZB2"]  # inside all three roles' scope

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/people/?q=加人")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count('<tr><td><a href="/people/')

    _add_people(org, branch, 0, 5)
    client.get("/people/?q=加人")  # warm-up (session, caches)
    few, rows = measure()
    assert rows == 5
    _add_people(org, branch, 5, 45)
    many, rows = measure()
    assert rows == 50
    assert few == many, f"5 rows took {few} queries, 50 rows {many}"
    with django_assert_num_queries(many):
        client.get("/people/?q=加人")


def test_member_counts_follow_a_change_of_status(demo):
    actor = demo["users"]["dangwu"]
    person = Person.objects.filter(party_status=PartyStatus.MASSES, branch__isnull=True).first()
    root = demo["orgs"]["SXX"]
    before = services.member_counts([root.path])
    person.party_status = PartyStatus.FULL
    person.branch = demo["orgs"]["SXX-ZB3"]
    person.joined_party_on = dt.date(2020, 7, 1)
    services.do_update_person(person, actor=actor, expected_version=person.version)
    after = services.member_counts([root.path])
    assert after["full"] == before["full"] + 1 and after["masses"] == before["masses"] - 1
    zb3 = demo["orgs"]["SXX-ZB3"]
    assert services.member_counts([zb3.path])["full"] == Person.objects.filter(
        branch_path__startswith=zb3.path, party_status="full", is_active=True).count()


@pytest.mark.parametrize("method, url", [
    ("GET", "/orgs/?q=%00"), ("GET", "/accounts/users/?q=a%00"), ("GET", "/people/?q=%00"),
    ("POST", "/people/new/"), ("GET", "/history/orgs%00.person/1/"),
])
def test_a_nul_character_anywhere_is_a_400_not_a_500(demo, method, url):
    client = signed_in(demo["users"]["dangwu"], raise_request_exception=False)
    before = counts()
    if method == "POST":
        response = client.post(url, form_data(demo["orgs"]["SXX-BGS"], name="甲\x00乙"))
    else:
        response = client.get(url)
    assert response.status_code == 400 and "空字符" in response.content.decode()
    assert counts() == before


def test_a_province_sized_org_picker_is_a_search_box_that_posts_the_code(demo, settings):
    """Over DANGJIAN_ORG_PICKER_LIMIT choices the picker is a search box; suggestions stay in scope."""
    from dangjian.orgs.forms import PositionForm

    settings.DANGJIAN_ORG_PICKER_LIMIT = 3
    dangwu, zhibu = demo["users"]["dangwu"], demo["users"]["zhibu"]
    form = PositionForm(user=dangwu)
    html = str(form["org"])
    assert 'data-org-search="person.change"' in html and "<datalist" in html and "<option" not in html
    bound = PositionForm({"title": "secretary", "org": "SXX-ZB2", "start_date": "2026-01-05"}, user=dangwu)
    bound.is_valid()
    assert "org" not in bound.errors and bound.cleaned_data["org"].code == "SXX-ZB2"
    outside = PositionForm({"title": "secretary", "org": "SXX-BGS", "start_date": "2026-01-05"}, user=zhibu)
    assert not outside.is_valid() and "org" in outside.errors

    found = signed_in(zhibu).get("/orgs/search/?cap=person.change&q=SXX").json()["results"]
    assert found and all(r["code"].startswith("SXX-ZB2") for r in found)
    assert signed_in(zhibu).get("/orgs/search/?cap=setting.manage&q=SXX").json()["results"] == []
    by_name = signed_in(dangwu).get("/orgs/search/?cap=person.change&q=财务").json()["results"]
    assert [r["code"] for r in by_name] == ["SXX-CWK"]


@pytest.mark.skipif(not __import__("django.conf").conf.settings.IS_POSTGRES,
                    reason="row locks and lock_timeout are PostgreSQL's (SQLite locks the whole file, tested apart)")
def test_an_edit_that_cannot_get_its_row_lock_is_a_clear_503_not_a_500(demo):
    """Another session holds the person's row: the page and the API say so, and write nothing."""
    import psycopg
    from django.db import connection

    client = signed_in(demo["users"]["dangwu"], raise_request_exception=False)
    person = Person.objects.get(user__username="dangyuan")
    data = form_data(person.org, name=person.name, id_number="",
                     party_status=person.party_status, branch=person.branch_id, job_title="等锁时的修改",
                     joined_party_on=person.joined_party_on.isoformat(), loaded_version=person.version)
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "host", "port", "password")},
                         autocommit=False) as holder:
        holder.execute("SELECT id FROM orgs_person WHERE id = %s FOR UPDATE", [person.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            page = client.post(f"/people/{person.pk}/edit/", data)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        holder.rollback()
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "正被他人修改" in page.content.decode() and "未保存任何内容" in page.content.decode()
    assert Person.objects.get(pk=person.pk).job_title != "等锁时的修改"


def _api(user):
    from django.test import Client

    from dangjian.accounts.models import ApiToken

    _, key = ApiToken.issue(user, "测试")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def call(method, url, body=None):
        import json

        return client.generic(method, "/api/v1" + url, json.dumps(body) if body is not None else "",
                              content_type="application/json")
    return call


def test_a_phone_changed_only_in_its_masked_digits_is_saved_by_the_api_and_the_page(demo):
    """Issue 11 item 5: the save compared the masked values (138****5678 before and after) and dropped the edit."""
    dangwu = demo["users"]["dangwu"]
    person = Person.objects.get(user__username="dangyuan")
    person.phone = "13812345678"
    services.do_update_person(person, actor=dangwu, expected_version=person.version)
    version = person.version

    response = _api(dangwu)("PATCH", f"/people/{person.pk}", {"version": version, "phone": "13899995678"})
    assert response.status_code == 200, response.content
    stored = Person.objects.get(pk=person.pk)
    assert stored.phone == "13899995678" and stored.version == version + 1
    event = AuditEvent.objects.filter(target_type="orgs.person", target_id=str(person.pk)).order_by("-id").first()
    assert event.action == "person.update" and event.message == "已修改（脱敏后显示相同）：手机号"
    assert event.before["phone"] == event.after["phone"] == "138****5678"  # still masked in the log

    data = form_data(stored.org, name=stored.name, id_number="", phone="13800005678",
                     party_status=stored.party_status, branch=stored.branch_id,
                     joined_party_on=stored.joined_party_on.isoformat(), loaded_version=stored.version)
    assert signed_in(dangwu).post(f"/people/{person.pk}/edit/", data).status_code == 302
    assert Person.objects.get(pk=person.pk).phone == "13800005678"


def test_the_birth_date_is_shown_as_a_year_wherever_the_id_number_is_masked(demo):
    """Issue 11 item 6: 430***********5373 beside 1986年3月9日 left about 91 candidates for the number."""
    dangwu, shuji = demo["users"]["dangwu"], demo["users"]["shuji"]
    person = Person.objects.get(user__username="dangyuan")
    born = person.birth_date
    full = {born.isoformat(), f"{born.year}年{born.month}月{born.day}日", f"{born:%Y%m%d}"}
    person.job_title = "改过职级"
    services.do_update_person(person, actor=dangwu, expected_version=person.version)

    detail = signed_in(shuji).get(f"/people/{person.pk}/").content.decode()
    history = signed_in(dangwu).get(f"/history/orgs.person/{person.pk}/").content.decode()
    api = _api(dangwu)("GET", f"/people/{person.pk}").json()
    event = AuditEvent.objects.filter(target_type="orgs.person", target_id=str(person.pk)).order_by("-id").first()
    assert f"{born.year}年" in detail and api["birth_year"] == born.year and "birth_date" not in api
    assert event.before["birth_date"] == event.after["birth_date"] == f"{born.year}年"
    for text in (detail, history, str(api), str(event.after)):
        assert not any(f in text for f in full), text[:300]
    # the form does not show it either: the birth date is the one in the ID number
    assert born.isoformat() not in signed_in(dangwu).get(f"/people/{person.pk}/edit/").content.decode()
    revealed = signed_in(dangwu).post(f"/people/{person.pk}/reveal/").content.decode()
    assert f"{born.year}年{born.month}月{born.day}日" in revealed


def test_the_api_refuses_a_birth_date_that_is_not_the_id_numbers_or_lies_ahead(demo, frozen_today):
    """Issue 11 item 15: the birth date is checked against the ID number and today; left out, it is taken from it."""
    call = _api(demo["users"]["dangwu"])
    org = demo["orgs"]["SXX-CWK"].pk
    base = {"name": "日期人", "gender": "F", "org_id": org}
    before = counts()
    for body, field, message in [
        ({"id_number": valid_id(601), "birth_date": "1990-01-02"}, "birth_date",
         "出生日期（1990-01-02）与居民身份证号中的出生日期（1990-01-01）不符"),
        ({"id_number": valid_id(602, born="20261201")}, "id_number", "居民身份证号中的出生日期（2026-12-01）晚于今天"),
        ({"id_number": valid_id(603), "birth_date": "2026-12-01"}, "birth_date", "出生日期（2026-12-01）晚于今天"),
    ]:
        response = call("POST", "/people", {**base, **body})
        assert response.status_code == 422, response.content
        assert response.json()["errors"] == {field: [message]}, response.json()
    assert counts() == before
    created = call("POST", "/people", {**base, "id_number": valid_id(604, born="19851130")})
    assert created.status_code == 201, created.content
    assert Person.objects.get(pk=created.json()["id"]).birth_date.isoformat() == "1985-11-30"
