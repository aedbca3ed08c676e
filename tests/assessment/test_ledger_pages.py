"""Pages of the 作风台账 and its registers: they open for the staff, a cadre reads their own records only, the readers
their scope; the 干部考评档案 opens for the three who may, each opening logged, in a fixed number of queries; the
figures on the pages are the records'."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.assessment import ledger
from dangjian.assessment.evaluation_models import Evaluation, RoundStatus
from dangjian.assessment.ledger_models import Accountability, AccountabilityForm, Commitment, TaskScore
from dangjian.assessment.ledger_views import FILE_YEARS
from dangjian.assessment.models import ConductEntry, ConductKind, Polarity
from dangjian.core.models import AuditEvent
from dangjian.duties.models import ResponsibilityLetter
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_pages_open_for_the_staff_and_show_the_records(demo):
    client = signed_in(demo["users"]["dangwu"])
    person = ConductEntry.objects.filter(kind=ConductKind.NOTICE).first().person
    letter = TaskScore.objects.first().task.letter
    commitment = Commitment.objects.exclude(result="").first()
    urls = ["/assessment/", "/assessment/ledger/", "/assessment/ledger/?kind=notice&year=2026&polarity=x&q=%E7%8E%8B",
            "/assessment/ledger/new/", f"/assessment/people/{person.pk}/ledger/",
            "/assessment/commitments/", "/assessment/commitments/?year=abc", "/assessment/commitments/new/",
            f"/assessment/commitments/{commitment.pk}/", "/assessment/commendations/",
            "/assessment/commendations/new/", "/assessment/accountability/", "/assessment/accountability/new/",
            "/assessment/letters/", f"/assessment/letters/{letter.pk}/"]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[url] = response.content.decode()
    # every entry of the person links to its source record or shows its evidence
    html = pages[f"/assessment/people/{person.pk}/ledger/"]
    for entry in ConductEntry.objects.filter(person=person):
        assert (f'href="{entry.source_url}"' in html) if entry.source_url else (f"佐证：{entry.evidence}" in html)
    entries = ConductEntry.objects.filter(person=person)
    assert f"正面 <a href=\"#entries\">{entries.filter(polarity=Polarity.POSITIVE).count()}</a> 条" in html
    assert f"负面 <a href=\"#entries\">{entries.filter(polarity=Polarity.NEGATIVE).count()}</a> 条" in html
    # a 典型's and a 问责's entry link to the record's own page
    for kind in (ConductKind.MODEL, ConductKind.ACCOUNTABILITY):
        entry = ConductEntry.objects.filter(kind=kind).first()
        assert client.get(entry.source_url).status_code == 200 and entry.source_url.endswith(f"/{entry.source_id}/")
    # the letter's total on the list is Σ score × weight / 100 of its tasks, once all are scored
    tasks = ledger.scored_tasks(letter.tasks.all())
    total = ledger.letter_total(tasks)
    shown = re.search(r"<dd data-total>([^<]*)</dd>", pages[f"/assessment/letters/{letter.pk}/"]).group(1)
    if total is None:
        assert "尚有任务未评分" in shown and any(t.score_record is None for t in tasks)
    else:
        assert shown == f"{total} 分"
    # the landing page has the block the evaluations fill
    assert "量化承诺" in pages["/assessment/"] and "目标责任考核" in pages["/assessment/"]


def test_a_cadre_reads_their_own_records_and_nobody_elses(demo):
    cadre = demo["users"]["dangyuan"]
    client = signed_in(cadre)
    own = client.get("/assessment/ledger/mine/")
    assert own.status_code == 302 and own["Location"] == f"/assessment/people/{cadre.person.pk}/ledger/"
    staff = demo["users"]["dangwu"]
    ledger.do_add_entry(cadre.person, kind=ConductKind.PRAISE, on=dt.date(2026, 3, 1), summary="本人表扬探针",
                        evidence="通报", actor=staff)
    other = ConductEntry.objects.exclude(person=cadre.person).first()
    assert "本人表扬探针" in client.get(own["Location"]).content.decode()
    assert client.get(f"/assessment/people/{other.person_id}/ledger/").status_code == 404
    assert client.get("/assessment/ledger/").status_code == 404
    assert client.get(f"/assessment/people/{cadre.person.pk}/file/").status_code == 404  # not even their own file
    ledger.do_record_accountability(Accountability(
        person=other.person, form=AccountabilityForm.NOTICE, basis="他人问责探针", decided_by="党组",
        decided_on=dt.date(2026, 3, 1)), actor=staff)
    for url in ("/assessment/accountability/", "/assessment/commitments/", "/assessment/commendations/"):
        html = client.get(url).content.decode()
        assert "他人问责探针" not in html and other.person.name not in html, url


def test_a_reader_sees_the_ledger_of_their_scope_only(demo):
    banzi = demo["users"]["banzi"]  # 班子成员 over 办公室, 人事科 and 党建办
    html = signed_in(banzi).get("/assessment/ledger/").content.decode()
    codes = {"SXX-BGS", "SXX-RSK", "SXX-DJB"}
    for entry in ConductEntry.objects.select_related("person", "org"):
        inside = entry.org.code in codes
        assert (f'data-entry="{entry.pk}"' in html) == inside, (entry, entry.org.code)
    outside = ConductEntry.objects.exclude(org__code__in=codes).first()
    assert signed_in(banzi).get(f"/assessment/people/{outside.person_id}/ledger/").status_code == 404
    assert signed_in(banzi).get("/assessment/ledger/new/").status_code == 403


def test_the_file_opens_for_three_logged_with_a_fixed_number_of_queries(demo):
    person = ConductEntry.objects.filter(kind=ConductKind.ACCOUNTABILITY).first().person
    url = f"/assessment/people/{person.pk}/file/"
    for role, allowed in (("dangwu", True), ("jijian", True), ("shuji", True), ("banzi", False),
                          ("kezhang", False), ("dangyuan", False), ("shenji", False)):
        before = AuditEvent.objects.filter(action="assessment.file_open").count()
        response = signed_in(demo["users"][role]).get(url)
        assert response.status_code == (200 if allowed else 404), role
        assert AuditEvent.objects.filter(action="assessment.file_open").count() == before + allowed, role
    event = AuditEvent.objects.filter(action="assessment.file_open").order_by("id").last()
    assert (event.category, event.target_id, event.actor.username) == ("security", str(person.pk), "shuji")

    html = signed_in(demo["users"]["dangwu"]).get(url).content.decode()
    active = [a for a in Accountability.objects.filter(person=person) if a.in_effect(dt.date.today())]
    assert html.count("data-flag>") == len(ledger.eligibility_flags(
        list(ConductEntry.objects.filter(person=person)), active, dt.date.today())) >= 1
    assert "第二十四条" in html
    # the results the Party group approved, each linking to its round; none of a round still open
    since = dt.date.today().year - FILE_YEARS + 1
    assert html.count("data-evaluation=") == Evaluation.objects.filter(
        person=person, round__status=RoundStatus.APPROVED, round__year__gte=since).count()
    approved = Evaluation.objects.filter(round__status=RoundStatus.APPROVED).select_related("round").first()
    page = signed_in(demo["users"]["dangwu"]).get(f"/assessment/people/{approved.person_id}/file/").content.decode()
    assert f'data-evaluation="{approved.pk}"' in page and approved.round.title in page
    assert not Evaluation.objects.filter(person_id=approved.person_id, round__status=RoundStatus.OPEN).filter(
        pk__in=[int(pk) for pk in re.findall(r'data-evaluation="(\d+)"', page)]).exists()

    client = signed_in(demo["users"]["dangwu"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # the session's and the rules' first reads
    first = count()
    assert first <= 25
    staff = demo["users"]["dangwu"]
    for n in range(5):  # more records of every kind: the same number of queries
        ledger.do_add_entry(person, kind=ConductKind.OTHER_POSITIVE, on=dt.date(2026, 5, n + 1), summary=f"加{n}",
                            evidence="材料", actor=staff)
        ledger.do_create_commitment(Commitment(person=person, year=2026, title=f"承诺{n}", target_value=Decimal(1),
                                               unit="项", due_on=dt.date(2026, 12, 31)), actor=staff)
        ledger.do_record_accountability(Accountability(person=person, form=AccountabilityForm.NOTICE, basis="事由",
                                                       decided_by="党组", decided_on=dt.date(2026, 6, n + 1)),
                                        actor=staff)
    assert count() == first


def test_the_letters_list_counts_the_scored_tasks(demo):
    html = signed_in(demo["users"]["shuji"]).get("/assessment/letters/?year=2026").content.decode()
    for letter in ResponsibilityLetter.objects.filter(year=2026):
        scored = TaskScore.objects.filter(task__letter=letter).count()
        assert f"<td>{scored} / {letter.tasks.count()}</td>" in html


def test_the_lists_take_the_same_queries_whatever_their_length(demo):
    from dangjian.assessment.ledger_models import Commendation

    staff = demo["users"]["dangwu"]
    client = signed_in(staff)
    person = demo["users"]["dangyuan"].person
    urls = ["/assessment/ledger/", f"/assessment/people/{person.pk}/ledger/", "/assessment/commitments/?year=2026",
            "/assessment/commendations/", "/assessment/accountability/", "/assessment/letters/?year=2026"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            found.append(len(ctx.captured_queries))
        return found

    ledger.do_add_entry(person, kind=ConductKind.PRAISE, on=dt.date(2026, 2, 1), summary="首条", evidence="材料",
                        actor=staff)  # an empty page reads no rows: compare lists that have some
    counts()
    before = counts()
    for n in range(4):
        day = dt.date(2026, 3, n + 1)
        ledger.do_add_entry(person, kind=ConductKind.PRAISE, on=day, summary=f"表扬{n}", evidence="材料", actor=staff)
        ledger.do_create_commitment(Commitment(person=person, year=2026, title=f"承诺{n}", target_value=Decimal(1),
                                               unit="项", due_on=dt.date(2026, 12, 31)), actor=staff)
        ledger.do_register_commendation(Commendation(person=person, title=f"标兵{n}", conferred_by="党组",
                                                     basis="事迹", conferred_on=day, period_start=day), actor=staff)
        ledger.do_record_accountability(Accountability(person=person, form=AccountabilityForm.ADMONITION,
                                                       basis="事由", decided_by="党组", decided_on=day), actor=staff)
    assert counts() == before
