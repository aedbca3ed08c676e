"""检查建议: each figure counts exactly the records its label names, and lists them (demo data of matters and meetings)."""

import pytest
from django.utils import timezone

from dangjian.matters.models import Matter
from dangjian.matters.states import OPEN_STATUSES
from dangjian.meetings.models import Attendance, Topic
from dangjian.supervision.proposals import proposals
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
    assert {link for _t, link in figures["study"].rows} == {f"/meetings/{m}/" for m in missed.values_list("meeting_id", flat=True)}
    assert figures["overdue"].count == Matter.objects.filter(
        org__code__startswith="SXX-XMJS", status__in=OPEN_STATUSES, due_on__lt=today).count()
    url = f"/supervision/proposals/?section={section.pk}"
    html = signed_in(demo["users"]["jijian"]).get(url).content.decode()
    assert f"集中学习缺勤（{today.year}年，含请假）：<strong>{missed.count()}</strong>" in html
    assert signed_in(demo["users"]["banzi"]).get(url).status_code == 404
