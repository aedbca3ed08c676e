"""Every page and API route of 责任体系 for every demo role, on a record inside and outside their scope."""

import pytest
from django.utils import timezone

from dangjian.duties.models import Duty, DutyKind, Institution, LetterTask, ResponsibilityLetter
from tests.conftest import ROLE_USERS, login, signed_in

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year

# Who sees the 办公室 (BGS) records and who sees the 财务科 (CWK) ones.
SEES_OFFICE = {"dangwu", "shuji", "jijian", "banzi", "kezhang"}
SEES_FINANCE = {"dangwu", "shuji", "jijian"}
CHANGES = {"dangwu"}
LISTS = {"dangwu", "shuji", "banzi", "jijian", "kezhang", "zhibu"}  # hold duty.view somewhere


@pytest.fixture
def records(agency):
    def pick(section):
        letter = ResponsibilityLetter.objects.get(year=YEAR, org=section)
        task = LetterTask.objects.filter(letter=letter).exclude(owner__user__username__in=ROLE_USERS).first()
        duty = Duty.objects.current().get(kind=DutyKind.SPECIFIC, org=section)
        return {"letter": letter, "task": task, "duty": duty, "section": section}

    return {"office": pick(agency["office"]), "finance": pick(agency["finance"])}


def _pages(r):
    return [f"/duties/letters/{r['letter'].pk}/", f"/duties/letters/{r['letter'].pk}/docx/",
            f"/duties/tasks/{r['task'].pk}/", f"/duties/sections/{r['section'].pk}/domains/",
            f"/history/duties.responsibilityletter/{r['letter'].pk}/",
            f"/api/v1/duties/letters/{r['letter'].pk}", f"/api/v1/duties/chain?org_id={r['section'].pk}"]


@pytest.mark.parametrize("role", ROLE_USERS)
def test_record_pages_inside_and_outside_scope(role, records):
    client = login(role)
    for where, allowed in (("office", SEES_OFFICE), ("finance", SEES_FINANCE)):
        for url in _pages(records[where]):
            status = client.get(url).status_code
            if role in allowed:
                assert status == 200, (role, url, status)
            else:
                assert status == 404, (role, url, status)


@pytest.mark.parametrize("role", ROLE_USERS)
def test_lists_show_only_what_is_in_scope(role, records):
    client = login(role)
    office_head = records["office"]["letter"].counterpart.name
    finance_head = records["finance"]["letter"].counterpart.name
    for url in ("/duties/", "/duties/letters/", "/duties/group/", "/duties/rules/", "/duties/conflicts/"):
        response = client.get(url)
        owns_a_task = LetterTask.objects.filter(owner__user__username=role).exists()
        if role not in LISTS and not (url == "/duties/letters/" and owns_a_task):
            assert response.status_code == 403, (role, url)
            continue
        assert response.status_code == 200, (role, url)
    if role in LISTS:
        letters_page = client.get("/duties/letters/").content.decode()
        assert (f">{office_head}</a>" in letters_page) == (role in SEES_OFFICE)
        assert (f">{finance_head}</a>" in letters_page) == (role in SEES_FINANCE)
        matrix = client.get("/duties/").content.decode()
        assert ("财务科</a></th>" in matrix) == (role in SEES_FINANCE)
    api = client.get(f"/api/v1/duties/letters?year={YEAR}")
    ids = {x["id"] for x in api.json()["items"]} if api.status_code == 200 else set()
    assert (records["finance"]["letter"].pk in ids) == (role in SEES_FINANCE)
    assert (records["office"]["letter"].pk in ids) == (role in SEES_OFFICE)


@pytest.mark.parametrize("role", ROLE_USERS)
def test_changes_are_refused_outside_scope_and_nothing_is_written(role, records, agency):
    client = login(role)
    letter = records["finance"]["letter"]
    duty = records["finance"]["duty"]
    version = letter.version
    responses = [
        client.post(f"/duties/letters/{letter.pk}/sign/", {"signed_on": f"{YEAR}-03-01"}),
        client.post(f"/duties/{duty.pk}/end/", {"end_date": f"{YEAR}-03-01", "version": duty.version}),
        client.post(f"/api/v1/duties/letters/{letter.pk}/sign", {"signed_on": f"{YEAR}-03-01"},
                    content_type="application/json"),
        client.post(f"/duties/rules/{Institution.objects.first().pk}/edit/", {"title": "x"}),
    ]
    codes = [r.status_code for r in responses]
    if role in CHANGES:
        assert codes[1] == 302
    elif role in SEES_FINANCE:
        assert codes[:3] == [403, 403, 403], (role, codes)
    else:
        assert codes[:3] == [404, 404, 404], (role, codes)
    if role not in CHANGES:
        assert codes[3] in (403, 404)
        letter.refresh_from_db()
        duty.refresh_from_db()
        assert letter.version == version and duty.end_date is None
    assert client.get("/duties/assign/").status_code == (200 if role in CHANGES else 403)


def test_a_section_head_sees_their_own_letter_and_tasks_a_leader_those_they_oversee(agency):
    kezhang, banzi = agency["users"]["kezhang"], agency["users"]["banzi"]
    own = set(ResponsibilityLetter.objects.visible_to(kezhang).values_list("counterpart__user__username", flat=True))
    assert own == {"kezhang"}
    tasks = LetterTask.objects.visible_to(kezhang)
    assert tasks.exists() and all(t.org_id == agency["office"].pk or t.owner.user_id == kezhang.pk for t in tasks)
    overseen = set(ResponsibilityLetter.objects.visible_to(banzi).values_list("org__code", flat=True))
    assert overseen == {"SXX-BGS", "SXX-RSK", "SXX-DJB", "SXX"}  # the three sections + banzi's own letter
    assert set(ResponsibilityLetter.objects.visible_to(banzi).filter(org__code="SXX")
               .values_list("counterpart__user__username", flat=True)) == {"banzi"}


def test_a_task_owner_outside_the_scope_sees_only_their_own_task(agency):
    task = LetterTask.objects.filter(letter__year=YEAR).exclude(owner__user__isnull=True).exclude(
        owner__user__username__in=ROLE_USERS).first()
    client = signed_in(task.owner.user)  # a demo person without a password log-in (only the role accounts have one)
    assert client.get(f"/duties/tasks/{task.pk}/").status_code == 200
    other = LetterTask.objects.exclude(owner=task.owner).first()
    assert client.get(f"/duties/tasks/{other.pk}/").status_code == 404


def test_api_assign_refuses_the_principal_and_writes_nothing(agency):
    client = login("dangwu")
    before = Duty.objects.count()
    response = client.post("/api/v1/duties/duties", {
        "person_id": agency["secretary"].pk, "kind": "leadership", "org_id": agency["finance"].pk,
        "start_date": timezone.localdate().isoformat()}, content_type="application/json")
    assert response.status_code == 422
    assert "四个不直接分管" in str(response.json()["errors"])
    assert Duty.objects.count() == before
    matrix = client.get("/api/v1/duties/matrix").json()
    assert matrix["domain_overseers"]["财务"][0]["section"] == "财务科"
