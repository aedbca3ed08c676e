"""The pages of 报告报备: a leader files, the 党组书记 approves, the leader confirms the return — each through its
form, refusals shown on the form naming the field; the lists page on the server with a fixed number of queries."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from dangjian.filings import services
from dangjian.filings.models import Absence, AbsenceStatus, Occasion, PersonalReport

from ..conftest import freeze_today, signed_in
from .conftest import JAN, file

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_file_approve_and_return_through_the_pages(leaders, demo, monkeypatch):
    banzi, principal, d1 = leaders["banzi"], leaders["principal"], leaders["d1"]
    client = signed_in(demo["users"]["banzi"])
    form = client.get("/filings/absences/new/").content.decode()
    assert 'name="person"' not in form and 'name="acting"' in form  # a leader files their own
    data = {"destination": "上海", "leaves_on": "2027-01-11", "returns_on": "2027-01-10", "reason": "开会",
            "acting": d1.pk}
    page = client.post("/filings/absences/new/", data)
    assert page.status_code == 200 and "返回日期" in page.content.decode() and "早于离开日期" in page.content.decode()
    assert not Absence.objects.filter(person=banzi, leaves_on=JAN).exists()
    # the 党组书记 is away then and banzi presides: the page names the other filing
    theirs = file(principal, acting=banzi, days=3)
    page = client.post("/filings/absences/new/", {**data, "returns_on": "2027-01-12"})
    assert f"第{theirs.pk}号报备" in page.content.decode()
    response = client.post("/filings/absences/new/", {**data, "leaves_on": "2027-01-20", "returns_on": "2027-01-21"})
    trip = Absence.objects.get(person=banzi, leaves_on=dt.date(2027, 1, 20))
    assert response.status_code == 302 and response["Location"] == f"/filings/absences/{trip.pk}/"

    shuji = signed_in(demo["users"]["shuji"])
    soon = file(d1, start=dt.date(2026, 12, 1), days=1, acting=banzi)  # this week: on the approver's home page
    home = shuji.get("/").content.decode()
    assert f"审批外出报备：{soon}" in home and f"/filings/absences/{soon.pk}/" in home
    assert "审批外出报备" not in client.get("/").content.decode()
    assert "提交审批" in shuji.get(f"/filings/absences/{trip.pk}/").content.decode()
    assert "提交审批" not in client.get(f"/filings/absences/{trip.pk}/").content.decode()  # not one's own
    refused = shuji.post(f"/filings/absences/{trip.pk}/decide/", {"decision": "reject", "decision_note": "",
                                                                  "loaded_version": trip.version})
    assert any("审批意见" in m for m in _messages(refused))
    shuji.post(f"/filings/absences/{trip.pk}/decide/", {"decision": "approve", "loaded_version": trip.version})
    trip.refresh_from_db()
    assert trip.status == AbsenceStatus.APPROVED
    assert client.post(f"/filings/absences/{trip.pk}/decide/", {"decision": "approve"}).status_code == 403

    freeze_today(monkeypatch, dt.date(2027, 1, 21))
    client = signed_in(demo["users"]["banzi"])  # a session of the new day
    assert "确认返岗" in client.get(f"/filings/absences/{trip.pk}/").content.decode()
    client.post(f"/filings/absences/{trip.pk}/return/", {"returned_on": "2027-01-21", "loaded_version": trip.version})
    trip.refresh_from_db()
    assert trip.status == AbsenceStatus.RETURNED and trip.returned_on == dt.date(2027, 1, 21)
    # a plain member may not file
    assert signed_in(demo["users"]["dangyuan"]).get("/filings/absences/new/").status_code == 403


def test_lists_page_with_a_fixed_number_of_queries(leaders, demo, django_assert_max_num_queries):
    dangwu, banzi = demo["users"]["dangwu"], leaders["banzi"]
    client = signed_in(dangwu)
    urls = ["/filings/", "/filings/reports/", "/filings/personal/", "/filings/calendar/?month=2027-01"]
    for url in urls:
        client.get(url)  # warm the caches a running server has
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(20) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    for n in range(6):
        file(leaders["d1" if n % 2 else "d2"], start=JAN + dt.timedelta(days=5 * n), acting=banzi)
    services.do_file_personal_report(PersonalReport(person=banzi, occasion=Occasion.EVENT, category="marriage",
                                                    event_on=dt.date(2026, 11, 20), content="内容"), actor=banzi.user)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
    # the personal list names the cadres, never the content
    assert "内容" not in client.get("/filings/personal/").content.decode().split("报告内容加密保存")[1]
