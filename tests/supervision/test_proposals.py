"""检查建议: each figure counts exactly the records its label names, and lists them (demo data of matters and meetings)."""

import pytest
from django.utils import timezone

from dangjian.matters.models import Matter
from dangjian.matters.states import OPEN_STATUSES
from dangjian.meetings.models import Attendance, Topic
from dangjian.supervision.proposals import ROW_LIMIT, proposals
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_figures_for_a_person_count_their_records(demo):
    jijian, person = demo["users"]["jijian"], demo["users"]["kezhang"].person
    today = timezone.localdate()
    figures = {f.key: f for f in proposals(jijian, today.year, today, person=person)}
    overdue = Matter.objects.filter(owner=person, status__in=OPEN_STATUSES, due_on__lt=today)
    assert figures["overdue"].count == overdue.count() > 0
    assert {link for _text, link in figures["overdue"].rows} == {f"/matters/{pk}/" for pk in overdue.values_list("pk", flat=True)}
    topics = Topic.objects.filter(year=today.year, proposer=person.org.name, outcome__in=["rejected", "deferred"]).exclude(
        category="")
    assert figures["topics"].count == topics.count() > 0 and "办公室提出的" in figures["topics"].label
    missed = Attendance.objects.filter(person=person, year=today.year, meeting__kind__is_study=True,
                                       status__in=["absent", "leave"])
    assert figures["study"].count == missed.count()


def test_the_figures_for_a_section_and_who_may_see_them(demo):
    section, today = demo["orgs"]["SXX-XMJS"], timezone.localdate()
    figures = {f.key: f for f in proposals(demo["users"]["jijian"], today.year, today, section=section)}
    missed = Attendance.objects.filter(person__org=section, year=today.year, meeting__kind__is_study=True,
                                       status__in=["absent", "leave"])
    assert figures["study"].count == missed.count() > 0
    listed = missed.order_by("meeting__date", "pk").values_list("meeting_id", flat=True)[:ROW_LIMIT]  # the rest counted
    assert {link for _t, link in figures["study"].rows} == {f"/meetings/{m}/" for m in listed}
    assert figures["overdue"].count == Matter.objects.filter(
        org__code__startswith="SXX-XMJS", status__in=OPEN_STATUSES, due_on__lt=today).count()
    url = f"/supervision/proposals/?section={section.pk}"
    html = signed_in(demo["users"]["jijian"]).get(url).content.decode()
    assert f"集中学习缺勤（{today.year}年，含请假）：<strong>{missed.count()}</strong>" in html
    assert signed_in(demo["users"]["banzi"]).get(url).status_code == 404


def test_the_meeting_gaps_of_the_branches_concerned_are_those_of_the_meetings_report(demo, frozen_today):
    """三会一课缺项: the gaps of the person's own branch (of the section's people's branches), each one a period
    in which that branch held no meeting of that kind, linked to the branch's 三会一课 page."""
    import datetime as dt

    from dangjian.meetings.compliance import gap_report, requirements
    from dangjian.meetings.models import Meeting, MeetingStatus
    from dangjian.orgs.models import Person

    jijian, year = demo["users"]["jijian"], frozen_today.year
    people = Person.objects.filter(branch__isnull=False, is_active=True).select_related("branch", "org")
    by_branch = {}
    for person in people:
        by_branch.setdefault(person.branch, person)
    checked = 0
    for branch, person in by_branch.items():
        figure = {f.key: f for f in proposals(jijian, year, frozen_today, person=person)}["meeting_gaps"]
        gaps = [g for g in gap_report(branch.path, year, today=frozen_today)[1] if g.branch_id == branch.pk]
        assert figure.count == len(gaps) == len(figure.rows)
        assert {link for _t, link in figure.rows} <= {f"/meetings/compliance/?year={year}&org={branch.pk}"}
        months = {r.name: r.months for r in requirements()}
        for g in gaps:  # each gap: no meeting of that kind held in that period, by the meetings themselves
            first = 1 if months[g.kind] == 12 else next(m for m in range(1, 13, months[g.kind])
                                                        if g.period.endswith(_label(year, m, months[g.kind])))
            start = dt.date(year, first, 1)
            end = dt.date(year + (first + months[g.kind] - 1) // 12, (first + months[g.kind] - 1) % 12 + 1, 1)
            assert not Meeting.objects.filter(org_path__startswith=branch.path, kind__name=g.kind, date__gte=start,
                                              date__lt=end, status=MeetingStatus.HELD).exists()
            checked += 1
    assert checked >= 3  # the demo leaves gaps in two branches
    section = demo["orgs"]["SXX-BGS"]
    figure = {f.key: f for f in proposals(jijian, year, frozen_today, section=section)}["meeting_gaps"]
    branches = set(Person.objects.filter(org__path__startswith=section.path, is_active=True, branch__isnull=False)
                   .values_list("branch_id", flat=True))
    assert figure.count == sum(1 for b in branches for g in gap_report(
        by_branch_path(b), year, today=frozen_today)[1] if g.branch_id == b)
    html = signed_in(jijian).get(f"/supervision/proposals/?section={section.pk}").content.decode()
    assert f"三会一课等组织生活缺项（{year}年，已结束的期间）：<strong>{figure.count}</strong>" in html


def _label(year, first, months):
    from dangjian.meetings.compliance import period_label

    return period_label(year, first, months)


def by_branch_path(pk):
    from dangjian.orgs.models import Org

    return Org.objects.get(pk=pk).path
