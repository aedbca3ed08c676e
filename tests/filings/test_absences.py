"""外出报备: every refusal (the overlap naming the other filing, bad dates, the wrong people) writes nothing but
the overlap's failed audit entry; approval by the 党组书记; the return and the 作风台账 entries; the calendar."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.assessment.models import ConductEntry, ConductKind
from dangjian.core.models import AuditEvent
from dangjian.filings import services
from dangjian.filings.models import Absence, AbsenceStatus

from ..conftest import freeze_today, signed_in
from .conftest import JAN, file

pytestmark = pytest.mark.django_db


def _counts():
    return (Absence.objects.count(), ConductEntry.objects.count(),
            AuditEvent.objects.exclude(action="filings.absence_refused").count())


def test_the_principal_and_the_presiding_deputy_are_never_away_together(leaders):
    principal, banzi, d1 = leaders["principal"], leaders["banzi"], leaders["d1"]
    theirs = file(principal, acting=banzi, days=4)
    before, refused = _counts(), AuditEvent.objects.filter(action="filings.absence_refused").count()
    # the deputy presiding meanwhile tries to leave on one of those days: refused, naming the principal's filing
    with pytest.raises(ValidationError) as exc:
        file(banzi, start=JAN + dt.timedelta(days=4), acting=d1)
    assert "leaves_on" in exc.value.error_dict
    text = exc.value.messages[0]
    assert f"第{theirs.pk}号报备" in text and principal.name in text and "不得同时外出" in text
    assert _counts() == before  # nothing written…
    failed = AuditEvent.objects.filter(action="filings.absence_refused").order_by("-id")
    assert failed.count() == refused + 1 and not failed[0].success and f"第{theirs.pk}号报备" in failed[0].message
    # …and the other way round: the principal may not name as presiding a deputy who is away then
    own = file(d1, start=JAN + dt.timedelta(days=10), acting=banzi)
    with pytest.raises(ValidationError) as exc:
        file(principal, start=JAN + dt.timedelta(days=9), acting=d1)
    assert "acting" in exc.value.error_dict and f"第{own.pk}号报备" in exc.value.messages[0]
    # a deputy who does not preside may be away with the principal; days that do not meet are no overlap
    file(d1, start=JAN, acting=banzi)
    file(banzi, start=JAN + dt.timedelta(days=5), acting=d1)
    # a refused filing is not away
    rejected = file(leaders["d2"], start=JAN + dt.timedelta(days=20), acting=banzi)
    services.do_decide_absence(rejected, actor=principal.user, approve=False, note="工作需要，暂缓外出")
    file(principal, start=JAN + dt.timedelta(days=20), acting=leaders["d2"])


def test_bad_filings_are_refused_naming_the_field_and_write_nothing(leaders, demo):
    principal, banzi = leaders["principal"], leaders["banzi"]
    kezhang = demo["users"]["kezhang"].person
    before = _counts()
    cases = [
        ({"person": banzi, "start": JAN, "days": -1, "acting": principal}, "returns_on", "早于离开日期"),
        ({"person": banzi, "start": dt.date(2026, 11, 27), "acting": principal}, "leaves_on", "须事先报备"),
        ({"person": banzi, "acting": banzi}, "acting", "不能是外出领导本人"),
        ({"person": banzi, "acting": kezhang}, "acting", "不是本单位领导班子成员"),
        ({"person": principal}, "acting", "须明确主持工作的副职"),
        ({"person": kezhang, "actor": demo["users"]["dangwu"]}, "person", "不是本单位领导班子成员"),
        ({"person": banzi, "where": "  ", "acting": principal}, "destination", "外出地点：不能为空"),
    ]
    for kwargs, field, words in cases:
        person = kwargs.pop("person")
        with pytest.raises(ValidationError) as exc:
            file(person, **kwargs)
        assert field in exc.value.error_dict and words in exc.value.messages[0], (field, exc.value.messages)
    with pytest.raises(PermissionDenied):  # a leader files for no one else; the staff (filing.change) may
        file(leaders["d1"], actor=banzi.user, acting=principal)
    assert _counts() == before


def test_approval_return_and_the_conduct_entries(leaders, demo, monkeypatch):
    principal, banzi, d1 = leaders["principal"], leaders["banzi"], leaders["d1"]
    dangwu = demo["users"]["dangwu"]
    trip = file(banzi, acting=d1)
    assert not services.may_decide(banzi.user, trip) and not services.may_decide(dangwu, trip)
    with pytest.raises(PermissionDenied):
        services.do_decide_absence(trip, actor=dangwu, approve=True)
    with pytest.raises(ValidationError) as exc:
        services.do_decide_absence(trip, actor=principal.user, approve=False)
    assert "decision_note" in exc.value.error_dict
    trip = services.do_decide_absence(trip, actor=principal.user, approve=True)
    assert trip.status == AbsenceStatus.APPROVED and trip.decided_by == principal.user
    # the 党组书记's own filing: the staff enter the higher organisation's answer; the 党组书记 does not approve it
    own = file(principal, start=JAN + dt.timedelta(days=7), acting=banzi)
    assert services.may_decide(dangwu, own) and not services.may_decide(principal.user, own)
    services.do_decide_absence(own, actor=dangwu, approve=True, note="市委办公室已同意")

    # a return past the filed day is confirmed late: one 作风台账 entry, tracing to the filing
    freeze_today(monkeypatch, JAN + dt.timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        services.do_confirm_return(trip, actor=banzi.user, returned_on=JAN - dt.timedelta(days=1))
    assert "returned_on" in exc.value.error_dict
    services.do_confirm_return(trip, actor=banzi.user, returned_on=JAN + dt.timedelta(days=4))
    entry = ConductEntry.objects.get(source_type="filings.absence", source_id=str(trip.pk))
    assert entry.person == banzi and entry.kind == ConductKind.ABSENCE_UNFILED and "超期返岗" in entry.summary
    assert entry.source_url == f"/filings/absences/{trip.pk}/"

    # the principal's return (due 2027-01-20, a Wednesday) is not confirmed: the first working day after is the
    # last day to confirm; from the day after that the daily check enters it, once
    freeze_today(monkeypatch, dt.date(2027, 1, 21))
    services.run_daily_checks(dt.date(2027, 1, 21))
    assert not ConductEntry.objects.filter(source_type="filings.absence", source_id=str(own.pk)).exists()
    for _ in range(2):
        services.run_daily_checks(dt.date(2027, 1, 22))
    entry = ConductEntry.objects.get(source_type="filings.absence", source_id=str(own.pk))
    assert entry.person == principal and entry.on == dt.date(2027, 1, 21) and "逾期未销假" in entry.summary

    # an absence found without a filing: recorded by the staff, entered at once, shown as away
    with pytest.raises(ValidationError) as exc:
        services.do_record_unfiled(Absence(person=d1, destination="外省", leaves_on=dt.date(2027, 1, 25),
                                           returns_on=dt.date(2027, 1, 26)), actor=dangwu, evidence="未到会")
    assert "leaves_on" in exc.value.error_dict  # not yet happened
    with pytest.raises(PermissionDenied):
        services.do_record_unfiled(Absence(person=d1, destination="外省", leaves_on=dt.date(2027, 1, 18),
                                           returns_on=dt.date(2027, 1, 19)), actor=banzi.user, evidence="未到会")
    found = services.do_record_unfiled(Absence(person=d1, destination="外省", leaves_on=dt.date(2027, 1, 18),
                                               returns_on=dt.date(2027, 1, 19)), actor=dangwu, evidence="周一例会未到")
    entry = ConductEntry.objects.get(source_type="filings.absence", source_id=str(found.pk))
    assert found.status == AbsenceStatus.UNFILED and entry.person == d1 and entry.evidence == ""


def test_a_cancelled_filing_frees_its_days_and_is_never_an_unconfirmed_return(leaders, demo, monkeypatch):
    principal, banzi, d1 = leaders["principal"], leaders["banzi"], leaders["d1"]
    theirs = services.do_decide_absence(file(principal, acting=banzi), actor=demo["users"]["dangwu"], approve=True)
    with pytest.raises(ValidationError):
        file(banzi, acting=d1)
    with pytest.raises(PermissionDenied):  # the presiding deputy cancels no one else's trip
        services.do_cancel_absence(theirs, actor=banzi.user)
    cancelled = services.do_cancel_absence(theirs, actor=principal.user)
    assert cancelled.status == AbsenceStatus.CANCELLED
    mine = file(banzi, acting=d1)  # the days are free now
    with pytest.raises(ValidationError) as exc:
        services.do_cancel_absence(cancelled, actor=principal.user)
    assert "不能撤销" in exc.value.messages[0]
    services.do_decide_absence(mine, actor=principal.user, approve=True)
    freeze_today(monkeypatch, JAN)  # the day of leaving: too late to cancel
    with pytest.raises(ValidationError) as exc:
        services.do_cancel_absence(mine, actor=banzi.user)
    assert "已到，不能撤销" in exc.value.messages[0]
    freeze_today(monkeypatch, dt.date(2027, 2, 1))
    services.run_daily_checks(dt.date(2027, 2, 1))
    assert not ConductEntry.objects.filter(source_type="filings.absence", source_id=str(cancelled.pk)).exists()
    assert ConductEntry.objects.filter(source_type="filings.absence", source_id=str(mine.pk)).exists()


def test_the_calendar_shows_who_is_away_each_day_in_one_page(leaders, demo, django_assert_max_num_queries):
    principal, banzi, d1 = leaders["principal"], leaders["banzi"], leaders["d1"]
    file(principal, acting=banzi, days=2)  # 11–13 January
    file(d1, start=JAN + dt.timedelta(days=1), acting=banzi, days=0)  # 12 January
    refused = file(leaders["d2"], start=JAN, acting=banzi)
    services.do_decide_absence(refused, actor=principal.user, approve=False, note="不同意")
    client = signed_in(demo["users"]["shuji"])
    client.get("/filings/calendar/?month=2027-01")  # warm the caches a server has
    with django_assert_max_num_queries(12):
        html = client.get("/filings/calendar/?month=2027-01").content.decode()

    def cell(day):
        start = html.index(f'data-day="{day}"')
        return html[start:html.index("</td>", start)]

    assert principal.name in cell("2027-01-11") and d1.name not in cell("2027-01-11")
    assert principal.name in cell("2027-01-12") and d1.name in cell("2027-01-12")
    assert principal.name in cell("2027-01-13") and principal.name not in cell("2027-01-14")
    assert leaders["d2"].name not in html  # a refused filing: nobody was away
    assert "本月外出（2 人次）" in html
    # a plain member reads no filings: the grid is empty for them
    other = signed_in(demo["users"]["dangyuan"]).get("/filings/calendar/?month=2027-01").content.decode()
    assert principal.name not in other and "本月无人外出" in other
    # a bad month falls back to this month
    assert signed_in(demo["users"]["shuji"]).get("/filings/calendar/?month=2027-13").status_code == 200
