"""Figures of 会议学习 count what their labels say (issue 11 item 23): the home panels, the sign-in column."""

import datetime as dt
import random

import pytest
from django.db.models import Q, Sum
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment
from dangjian.core.panels import panels_for
from dangjian.core.scope import scope_roots
from dangjian.meetings import compliance
from dangjian.meetings import demo as meetings_demo
from dangjian.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus, Topic
from dangjian.meetings.services import records
from dangjian.orgs.models import Org
from tests.conftest import signed_in

from .helpers import dangwu, group_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned_year(demo, monkeypatch):
    """A complete past year of the demo's 三会一课 plan, and today frozen at its last day. The year is the one after
    the demo's grants start (they are dated), so that the roles hold them on that day."""
    year = RoleAssignment.objects.order_by("valid_from").first().valid_from.year + 1
    branches = list(Org.objects.filter(code__in=["SXX-ZB1", "SXX-ZB2", "SXX-ZB3"]).order_by("code"))
    kinds = {k.code: k for k in MeetingKind.objects.all()}
    meetings_demo.branch_meetings(branches, kinds, dt.date(year + 1, 1, 15), random.Random(year))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(year, 12, 31))
    return year


def test_a_section_heads_home_panels_count_her_scope_and_her_own_records(demo, planned_year):
    """The panels read the registry (meetings/figures.py): the scope's figures over her scope roots, the personal
    ones over her own attendance wherever the meeting was held (no longer mixed into the scope's count)."""
    year = planned_year
    user = demo["users"]["kezhang"]
    shown = {f.label: f for _title, figures in panels_for(user) for f in figures}
    roots = scope_roots(user, "meeting.view")
    in_scope = Q()
    for path in roots:
        in_scope |= Q(org_path__startswith=path)
    held = Meeting.objects.filter(in_scope, status=MeetingStatus.HELD, date__year=year)
    # her section holds no meetings of its own: the study days she attended count in her own figures below
    assert shown[f"{year}年已召开会议"].value == str(held.count())
    assert shown[f"{year}年已召开会议"].link == f"/figures/meetings.held/?period={year}"
    rows = Attendance.objects.filter(person__user=user, meeting__date__year=year, meeting__status=MeetingStatus.HELD)
    attended = rows.filter(status=AttendanceStatus.PRESENT).count()
    assert attended > 0 and shown[f"{year}年本人出席会议"].value == str(attended)
    hours = rows.filter(meeting__kind__is_study=True).aggregate(h=Sum("hours"))["h"]
    assert shown[f"{year}年本人学习时长"].value == f"{hours:.1f}".rstrip("0").rstrip(".")
    assert (shown[f"{year}年本人学习时长"].unit, shown[f"{year}年已召开会议"].unit) == ("小时", "次")  # beside the number
    everything = Attendance.objects.filter(person__user=user)
    makeups = everything.filter(makeup_required=True, makeup_done_on__isnull=True).count()
    assert shown["待补学"].value == str(makeups) and shown["待补学"].alert == bool(makeups)
    assert shown["待参加的会议"].value == str(everything.filter(
        meeting__date__gte=dt.date(year, 12, 31), meeting__status=MeetingStatus.PLANNED).count())
    undecided = Topic.objects.filter(in_scope).exclude(category="").filter(outcome__in=["", "deferred"]).count()
    assert shown["“三重一大”未决事项"].value == str(undecided)
    # 三会一课缺项: the branches of her scope with a gap in a cycle ended this year, a number, in red when any
    for reader in (user, demo["users"]["dangwu"]):
        gaps = compliance.branch_paths_with_gaps(tuple(scope_roots(reader, "meeting.view")), dt.date(year, 1, 1),
                                                 dt.date(year, 12, 31))
        gap_tile = {f.label: f for _title, figures in panels_for(reader) for f in figures}[f"{year}年三会一课缺项"]
        assert (gap_tile.value, gap_tile.alert) == (str(len(gaps)), bool(gaps))
        assert gap_tile.link == f"/figures/meetings.three_one.gaps/?period={year}"
    assert gaps, "the agency has branches with a gap that year"


def test_marking_by_hand_records_no_sign_in_time_and_says_so(demo):
    meeting = group_meeting(demo)  # attendance marked by the recorder, not scanned
    rows = list(meeting.attendance.all())
    assert rows and all(r.status == AttendanceStatus.PRESENT and r.signed_in_at is None and not r.via_qr
                        for r in rows)
    page = signed_in(dangwu(demo)).get(f"/meetings/{meeting.pk}/").content.decode()
    table = page.split('id="attendance"')[1]
    assert table.count("人工登记") == len(rows)
    # a recorder's later correction keeps a QR sign-in's own time
    row = rows[0]
    scanned = timezone.make_aware(dt.datetime.combine(meeting.date, dt.time(8, 55)))
    Attendance.objects.filter(pk=row.pk).update(via_qr=True, signed_in_at=scanned)
    records.do_mark_attendance(meeting, row.person_id, AttendanceStatus.PRESENT, actor=dangwu(demo))
    assert Attendance.objects.get(pk=row.pk).signed_in_at == scanned
    page = signed_in(dangwu(demo)).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "08:55 扫码" in page


def test_the_demo_gives_a_sign_in_time_only_to_scanned_attendance(demo):
    present = Attendance.objects.filter(status=AttendanceStatus.PRESENT)
    assert not present.filter(via_qr=False, signed_in_at__isnull=False).exists()
    assert present.filter(via_qr=True, signed_in_at__isnull=False).exists()
