"""The own-record rule (core/scope.py ``self_field``): a person always sees the records they are party to,
whatever their grants — and nothing else beyond their grants (issue 11 item 30). One test per record type."""

import re

import pytest
from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment
from dangjian.core.scope import forget_grants, path_condition
from dangjian.duties.models import ResponsibilityLetter
from dangjian.matters.models import Matter
from dangjian.matters.services import do_create_matter
from dangjian.meetings.models import Activity, Attendance, AttendanceStatus, Meeting, MeetingAttachment, Topic
from dangjian.orgs.models import Person

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def _expected_or_present(user):
    return set(Attendance.objects.filter(person__user=user).values_list("meeting_id", flat=True))


def _granted(model, user):
    cap = f"{model.scope_capability}.view"
    return set(model.objects.filter(path_condition(user, cap, model.scope_paths)).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ["banzi", "kezhang", "dangyuan"])
def test_a_person_sees_every_meeting_they_were_expected_at_or_attended_and_no_other(demo, role):
    user = demo["users"][role]
    own = _expected_or_present(user)
    attended = set(Attendance.objects.filter(person__user=user, status=AttendanceStatus.PRESENT)
                   .values_list("meeting_id", flat=True))
    assert len(attended) > 20  # the demo: each of them attended dozens
    visible = set(Meeting.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == own | _granted(Meeting, user)
    page = signed_in(user).get("/meetings/").content.decode()
    assert f"共 {len(visible)} 条" in page or f"，共 {len(visible)} 条" in page


def test_a_member_without_grants_is_offered_only_the_meeting_pages_they_may_open(demo):
    client = signed_in(demo["users"]["dangyuan"])
    page = client.get("/meetings/").content.decode()
    offered = set(re.findall(r'href="(/meetings/[a-z/]*)"', page))
    assert {"/meetings/", "/meetings/my/"} <= offered
    assert {url: client.get(url).status_code for url in offered} == dict.fromkeys(offered, 200)


def test_an_attendee_reads_the_agenda_minutes_and_papers_of_their_meeting(demo):
    user = demo["users"]["dangyuan"]  # no grant at all
    meeting = Meeting.objects.filter(pk__in=_expected_or_present(user), topics__isnull=False).first() or \
        Meeting.objects.filter(pk__in=_expected_or_present(user)).first()
    page = signed_in(user).get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200 and meeting.title in page.content.decode()
    assert "无权" not in page.content.decode()
    topics = set(Topic.objects.filter(meeting__attendance__person__user=user).values_list("pk", flat=True))
    assert set(Topic.objects.visible_to(user).values_list("pk", flat=True)) == topics
    papers = set(MeetingAttachment.objects.filter(meeting__attendance__person__user=user).values_list("pk", flat=True))
    assert set(MeetingAttachment.objects.visible_to(user).values_list("pk", flat=True)) == papers
    own_rows = Attendance.objects.visible_to(user)
    assert set(own_rows.values_list("person__user", flat=True)) == {user.pk}
    other = Meeting.objects.exclude(pk__in=_expected_or_present(user)).first()
    assert signed_in(user).get(f"/meetings/{other.pk}/").status_code == 404


def test_a_participant_sees_their_education_activity(demo):
    user = demo["users"]["dangyuan"]
    mine = set(Activity.objects.filter(participants__person__user=user).values_list("pk", flat=True))
    assert mine and set(Activity.objects.visible_to(user).values_list("pk", flat=True)) == mine


def test_the_owner_the_leader_and_a_co_owner_see_their_matter_outside_their_grants(demo):
    users = demo["users"]
    people = {name: users[name].person for name in ("banzi", "dangyuan", "kezhang")}
    # 财务科 lies outside banzi's three sections and kezhang's 办公室
    matter = do_create_matter(Matter(kind="rectify", title="测试：财务报销制度不完善", org=demo["orgs"]["SXX-CWK"],
                                     owner=people["kezhang"], responsible_leader=people["banzi"],
                                     received_on=timezone.localdate()), actor=users["dangwu"])
    matter.co_owners.add(people["dangyuan"])
    for name in ("banzi", "kezhang", "dangyuan"):
        user = users[name]
        forget_grants(user)
        assert Matter.objects.visible_to(user).filter(pk=matter.pk).exists(), name
        assert signed_in(user).get(f"/matters/{matter.pk}/").status_code == 200, name
    # nobody else outside the section's grants: zhibu holds no grant on 财务科 and is not party to it
    assert not Matter.objects.visible_to(users["zhibu"]).filter(pk=matter.pk).exists()
    own = Q(owner__user=users["banzi"]) | Q(responsible_leader__user=users["banzi"]) | Q(
        co_owners__user=users["banzi"])
    assert set(Matter.objects.visible_to(users["banzi"]).values_list("pk", flat=True)) == (
        _granted(Matter, users["banzi"]) | set(Matter.objects.filter(own).values_list("pk", flat=True)))


def test_both_parties_see_the_letter_they_signed(demo):
    letter = ResponsibilityLetter.objects.select_related("secretary__user", "counterpart__user").first()
    secretary = letter.secretary.user
    RoleAssignment.objects.filter(user=secretary).delete()  # no grant left: only what they are party to
    forget_grants(secretary)
    signed = set(ResponsibilityLetter.objects.filter(Q(secretary__user=secretary) | Q(counterpart__user=secretary))
                 .values_list("pk", flat=True))
    assert letter.pk in signed
    assert set(ResponsibilityLetter.objects.visible_to(secretary).values_list("pk", flat=True)) == signed


def test_a_person_sees_their_study_record(demo):
    user = demo["users"]["dangyuan"]
    page = signed_in(user).get("/meetings/my/").content.decode()
    rows = Attendance.objects.filter(person__user=user)
    assert rows.exists()
    assert f"共 {rows.count()} 条" in page or rows.count() > 30
    assert re.search(r"学习时长", page)
    assert set(Person.objects.visible_to(user).values_list("pk", flat=True)) == {user.person.pk}


def test_an_attendees_minutes_name_only_whom_their_role_shows_and_count_everyone(demo):
    import io

    from docx import Document

    user = demo["users"]["dangyuan"]
    meeting = Meeting.objects.filter(pk__in=_expected_or_present(user), kind__code="study_day").first()
    response = signed_in(user).get(f"/meetings/{meeting.pk}/minutes.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    rows = meeting.attendance.select_related("person")
    assert f"应到{rows.count()}人" in text
    others = [r.person.name for r in rows if r.person.user_id != user.pk]
    assert others and not any(name in text for name in others)
    full = signed_in(demo["users"]["dangwu"]).get(f"/meetings/{meeting.pk}/minutes.docx")
    assert all(name in "\n".join(p.text for p in Document(io.BytesIO(full.content)).paragraphs)
               for name in others if rows.get(person__name=name).status == AttendanceStatus.PRESENT)
