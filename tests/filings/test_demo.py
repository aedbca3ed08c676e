"""The demo agency's 报告报备: filings of each kind, the refused overlap (only as a failed audit entry), and the
late report, the absence without a filing and the unconfirmed return in the 作风台账, each tracing to its record."""

import pytest

from dangjian.assessment.models import ConductEntry, ConductKind
from dangjian.core.models import AuditEvent
from dangjian.filings.models import Absence, AbsenceStatus, AgencyReport, Occasion, PersonalReport

pytestmark = pytest.mark.django_db


def test_the_demo_has_filings_of_each_kind_and_their_conduct_entries(demo):
    assert AgencyReport.objects.filter(reply__gt="").exists() and AgencyReport.objects.count() == 2
    assert {r.occasion for r in PersonalReport.objects.all()} == {Occasion.ANNUAL, Occasion.EVENT}
    statuses = set(Absence.objects.values_list("status", flat=True))
    assert {AbsenceStatus.PENDING, AbsenceStatus.APPROVED, AbsenceStatus.RETURNED, AbsenceStatus.UNFILED} <= statuses
    refused = AuditEvent.objects.get(action="filings.absence_refused")
    assert not refused.success and "不得同时外出" in refused.message
    # the refused filing was not written: its destination is on no filing
    assert not Absence.objects.filter(destination="广州").exists()
    entries = ConductEntry.objects.filter(source_type__startswith="filings.")
    by_source = {(e.source_type, e.kind) for e in entries}
    assert {("filings.agencyreport", ConductKind.REPORT_LATE), ("filings.personalreport", ConductKind.REPORT_LATE),
            ("filings.absence", ConductKind.ABSENCE_UNFILED)} <= by_source
    for e in entries:  # each entry links to the record behind it
        model = {"filings.agencyreport": AgencyReport, "filings.personalreport": PersonalReport,
                 "filings.absence": Absence}[e.source_type]
        assert model.objects.filter(pk=e.source_id).exists() and e.source_url.endswith(f"/{e.source_id}/")
    assert entries.filter(source_type="filings.absence").count() == 2  # the unfiled one, the unconfirmed return
