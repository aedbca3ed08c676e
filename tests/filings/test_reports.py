"""重大事项请示报告 and 领导干部个人有关事项报告: late and missing reports in the 作风台账, the content encrypted at
rest and out of the audit log, and who reads a personal report (组织人事, 纪检, the cadre) — everyone else 404."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from dangjian.assessment.models import ConductEntry, ConductKind
from dangjian.core.models import AuditEvent
from dangjian.filings import services
from dangjian.filings.models import AgencyReport, Occasion, PersonalCategory, PersonalReport, ReportKind

from ..conftest import freeze_today, signed_in

pytestmark = pytest.mark.django_db
SECRET = "配偶持有某科技公司股票3000股"


def _entry(record):
    return ConductEntry.objects.filter(source_type=record._meta.label_lower, source_id=str(record.pk))


def test_agency_reports_late_or_missing_become_conduct_entries(leaders, demo, monkeypatch):
    dangwu, principal = demo["users"]["dangwu"], leaders["principal"]
    on_time = services.do_save_report(AgencyReport(
        kind=ReportKind.REPORT, subject="按时报告", content="内容", recipient="中共市委", responsible=principal,
        due_on=dt.date(2026, 11, 20), reported_on=dt.date(2026, 11, 19)), actor=dangwu)
    late = services.do_save_report(AgencyReport(
        kind=ReportKind.REQUEST, subject="迟报的请示", content="内容", recipient="中共市委", responsible=principal,
        due_on=dt.date(2026, 11, 20), reported_on=dt.date(2026, 11, 25)), actor=dangwu)
    pending = services.do_save_report(AgencyReport(
        kind=ReportKind.REPORT, subject="未报的报告", content="内容", recipient="中共市委", responsible=principal,
        due_on=dt.date(2026, 12, 4)), actor=dangwu)
    assert not _entry(on_time).exists() and not _entry(pending).exists()
    assert _entry(late).get().summary == "重大事项请示“迟报的请示”迟报 5 天"
    assert _entry(late).get().kind == ConductKind.REPORT_LATE and _entry(late).get().person == principal
    # bad input: a reply before the report, a report sent in the future; nothing written
    before = AgencyReport.objects.count()
    for changes, field in (({"replied_on": dt.date(2026, 11, 1), "reply": "已阅"}, "replied_on"),
                           ({"reported_on": dt.date(2026, 12, 1)}, "reported_on"),
                           ({"reply": "已阅"}, "replied_on")):
        with pytest.raises(ValidationError) as exc:
            services.do_save_report(AgencyReport(kind=ReportKind.REPORT, subject="坏", content="内容", recipient="市委",
                                                 responsible=principal, due_on=dt.date(2026, 11, 20), **changes),
                                    actor=dangwu)
        assert field in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.do_save_report(AgencyReport(kind=ReportKind.REPORT, subject="无权", content="内容", recipient="市委",
                                             responsible=principal, due_on=dt.date(2026, 11, 20)),
                                actor=demo["users"]["shuji"])
    assert AgencyReport.objects.count() == before
    # the daily check: once past its due day, the report not sent is entered (once)
    freeze_today(monkeypatch, dt.date(2026, 12, 7))
    for _ in range(2):
        services.run_daily_checks(dt.date(2026, 12, 7))
    assert "逾期未报" in _entry(pending).get().summary


def test_personal_reports_due_dates_late_and_missing(leaders, demo, monkeypatch):
    banzi, dangwu = leaders["banzi"], demo["users"]["dangwu"]
    # a change (第六条): due 30 days after it; reported after that, it is entered in the 作风台账
    change = services.do_file_personal_report(PersonalReport(
        person=banzi, occasion=Occasion.EVENT, category=PersonalCategory.EMIGRATION, event_on=dt.date(2026, 10, 1),
        content=SECRET), actor=banzi.user)
    assert change.due_on == dt.date(2026, 10, 31) and change.reported_on == dt.date(2026, 11, 30)
    entry = _entry(change).get()
    assert entry.kind == ConductKind.REPORT_LATE
    assert not any(w in text for text in (entry.summary, entry.source_label) for w in (SECRET, "移居"))
    # refusals: not a cadre, a category of 第四条 as a change, an event after the report, the year not ended
    kezhang = demo["users"]["kezhang"].person
    bad = [({"person": kezhang, "occasion": Occasion.ANNUAL, "year": 2025}, "person", dangwu),
           ({"person": banzi, "occasion": Occasion.EVENT, "category": PersonalCategory.HOUSING,
             "event_on": dt.date(2026, 11, 1)}, "category", banzi.user),
           ({"person": banzi, "occasion": Occasion.EVENT, "category": PersonalCategory.MARRIAGE,
             "event_on": dt.date(2026, 12, 1)}, "event_on", banzi.user),
           ({"person": banzi, "occasion": Occasion.ANNUAL, "year": 2026}, "year", banzi.user),
           ({"person": banzi, "occasion": Occasion.ANNUAL, "year": 2025}, "year", banzi.user)]  # the demo's, reported
    before = PersonalReport.objects.count()
    for fields, field, actor in bad:
        with pytest.raises(ValidationError) as exc:
            services.do_file_personal_report(PersonalReport(content="内容", **fields), actor=actor)
        assert field in exc.value.error_dict, exc.value.messages
    with pytest.raises(PermissionDenied):  # someone else's report, by a leader who is not the 组织人事 staff
        services.do_file_personal_report(PersonalReport(person=leaders["d1"], occasion=Occasion.ANNUAL, year=2025,
                                                        content="内容"), actor=banzi.user)
    assert PersonalReport.objects.count() == before

    # 第五条: after 31 January 2027 a cadre without the 2026 annual report gets a row for it and one entry …
    freeze_today(monkeypatch, dt.date(2027, 2, 1))
    made = services.run_daily_checks(dt.date(2027, 2, 1))["personal"]
    missing = PersonalReport.objects.filter(year=2026, occasion=Occasion.ANNUAL)
    assert made == missing.count() == services.leaders_of(demo["orgs"]["SXX"], dt.date(2027, 1, 31)).count()
    row = missing.get(person=banzi)
    assert row.reported_on is None and "逾期未报" in _entry(row).get().summary
    assert services.run_daily_checks(dt.date(2027, 2, 2))["personal"] == 0
    # … and the late report completes that row (no second row, no second entry)
    freeze_today(monkeypatch, dt.date(2027, 2, 5))
    done = services.do_file_personal_report(PersonalReport(person=banzi, occasion=Occasion.ANNUAL, year=2026,
                                                           content=SECRET), actor=banzi.user)
    assert done.pk == row.pk and done.reported_on == dt.date(2027, 2, 5) and _entry(row).count() == 1


def test_personal_reports_are_encrypted_and_read_only_by_personnel_discipline_and_the_cadre(leaders, demo):
    banzi = leaders["banzi"]
    report = services.do_file_personal_report(PersonalReport(
        person=banzi, occasion=Occasion.EVENT, category=PersonalCategory.PASSPORT, event_on=dt.date(2026, 11, 20),
        content=SECRET), actor=banzi.user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT content FROM {PersonalReport._meta.db_table} WHERE id = %s", [report.pk])
        stored = cursor.fetchone()[0]
    assert SECRET not in stored and PersonalReport.objects.get(pk=report.pk).content == SECRET
    event = AuditEvent.objects.get(target_type="filings.personalreport", target_id=str(report.pk))
    assert event.after["content"] == "（已加密）"
    url = f"/filings/personal/{report.pk}/"
    for role, sees in {"dangwu": True, "jijian": True, "banzi": True, "shuji": False, "kezhang": False,
                       "zhibu": False, "dangyuan": False, "admin": False, "shenji": False}.items():
        user = demo["users"][role]
        response = signed_in(user).get(url)
        assert response.status_code == (200 if sees else 404), role
        assert (SECRET in response.content.decode()) is sees, role
        listing = signed_in(user).get("/filings/personal/").content.decode()
        assert (banzi.name in listing) is sees and SECRET not in listing, role
        # the audit log: its reader (shenji, dangwu, jijian) sees the record's entries only with filing_personal.view
        assert AuditEvent.objects.visible_to(user).filter(pk=event.pk).exists() is (role in ("dangwu", "jijian")), role
