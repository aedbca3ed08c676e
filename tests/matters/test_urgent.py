"""要事马上办: a 要事 is handed off (交办/分办) on the working day it is registered, or flagged 交办超时
on its page, on the overdue board of whoever sees it, and in the weekly 督办单."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.models import ApiToken
from dangjian.matters import services, supervision, workflow
from dangjian.matters.models import HandlingClass, Matter, Status, SupervisionLines, Transition

pytestmark = pytest.mark.django_db
D = dt.date
URGENT = HandlingClass.URGENT


@pytest.fixture
def urgent(make_matter):
    def make(received, **fields):
        return make_matter(kind="assigned", handling_class=URGENT, received=received,
                           title=fields.pop("title", f"要事：{received:%m月%d日}登记"), **fields)

    return make


def assign(demo, matter, on):
    return services.do_transition(matter, "assign", actor=demo["users"]["dangwu"], assigned_on=on)


def last_event(matter):
    return Transition.objects.filter(matter=matter).order_by("-id").first()


def test_a_urgent_matter_handed_off_the_day_it_came_in_is_on_time(demo, urgent):
    matter = urgent(D(2026, 11, 2))  # a Monday
    assert matter.handoff_due_on == D(2026, 11, 2)
    matter = assign(demo, matter, D(2026, 11, 2))
    assert (matter.status, matter.handoff_late) == (Status.ASSIGNED, False)
    event = last_event(matter)
    assert (event.name, event.on_time) == ("assign", True)
    assert "要事当日交办" in event.reason
    assert not workflow.handoff_flag(matter, timezone.localdate())
    assert not Matter.objects.handoff_late(timezone.localdate()).filter(pk=matter.pk).exists()


def test_a_urgent_matter_handed_off_a_day_later_is_late_and_stays_on_record(demo, urgent):
    matter = urgent(D(2026, 11, 2))
    today = timezone.localdate()
    # Waiting past its day: already flagged before anyone hands it off.
    assert workflow.handoff_flag(matter, today)
    assert Matter.objects.handoff_late(today).filter(pk=matter.pk).exists()
    matter = assign(demo, matter, D(2026, 11, 3))
    assert matter.handoff_late is True
    event = last_event(matter)
    assert event.on_time is False
    assert "交办超时：应于 2026-11-02 交办，实际 2026-11-03 交办" in event.reason
    assert "交办日期为补录" in event.reason  # entered afterwards: the record says so
    assert Matter.objects.handoff_late(today).filter(pk=matter.pk).exists()


@pytest.mark.parametrize("received, handoff_day", [
    (D(2026, 11, 21), D(2026, 11, 23)),  # Saturday → Monday
    (D(2026, 10, 3), D(2026, 10, 8)),  # National Day week (1–7 October off) → Thursday 8 October
    (D(2026, 10, 10), D(2026, 10, 10)),  # a Saturday that is an adjusted working day (调休上班) counts itself
    (D(2026, 9, 24), D(2026, 9, 24)),  # Thursday before the Mid-Autumn Friday off
])
def test_the_hand_off_day_is_the_working_day_of_registration_on_the_official_calendar(urgent, received,
                                                                                      handoff_day):
    assert urgent(received).handoff_due_on == handoff_day


def test_across_a_holiday_the_first_working_day_is_on_time_and_the_next_is_late(demo, urgent):
    on_time = assign(demo, urgent(D(2026, 10, 3), title="国庆节期间登记，节后首日交办"), D(2026, 10, 8))
    late = assign(demo, urgent(D(2026, 10, 3), title="国庆节期间登记，节后次日交办"), D(2026, 10, 9))
    assert (on_time.handoff_late, last_event(on_time).on_time) == (False, True)
    assert (late.handoff_late, last_event(late).on_time) == (True, False)
    # Thursday before the Mid-Autumn Friday off: Monday is already late, though only days off lie between.
    before_holiday = assign(demo, urgent(D(2026, 9, 24), title="中秋节前登记"), D(2026, 9, 28))
    assert before_holiday.handoff_late is True


def test_a_urgent_matter_names_its_owner_and_leader_when_registered(demo, make_matter):
    with pytest.raises(ValidationError) as exc:
        make_matter(kind="assigned", handling_class=URGENT, owner=None)
    assert "owner" in exc.value.error_dict
    assert "要事马上办须当日交办，登记时须指定责任人" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make_matter(kind="assigned", handling_class=URGENT, leader=None)
    assert "责任领导（分管领导）" in str(exc.value)
    assert not Matter.objects.filter(handling_class=URGENT, title="测试事项：制度不完善").exists()
    # Other classes may still be registered before anyone is named.
    assert make_matter(kind="assigned", owner=None).handoff_due_on is None


def test_sent_back_it_must_be_handed_off_again_on_the_day_it_came_back(demo, urgent):
    matter = assign(demo, urgent(D(2026, 11, 2)), D(2026, 11, 2))
    owner = demo["users"]["kezhang"]
    matter = services.do_transition(matter, "decline", actor=owner, reason="不属于本科室职责")
    today = timezone.localdate()
    assert matter.handoff_due_on == workflow.handoff_day(today)
    assert not workflow.handoff_flag(matter, today)  # today is still its day
    matter = assign(demo, matter, today)
    assert (matter.handoff_late, last_event(matter).on_time) == (False, True)


def test_becoming_a_urgent_matter_starts_the_clock_and_ceasing_stops_it(demo, make_matter):
    matter = make_matter(kind="assigned", received=D(2026, 11, 2))
    assert matter.handoff_due_on is None
    matter.handling_class = URGENT
    matter = services.do_update_matter(matter, actor=demo["users"]["dangwu"], expected_version=matter.version)
    assert matter.handoff_due_on == workflow.handoff_day(timezone.localdate())
    matter.handling_class = HandlingClass.NORMAL
    matter = services.do_update_matter(matter, actor=demo["users"]["dangwu"], expected_version=matter.version)
    assert (matter.handoff_due_on, matter.handoff_late) == (None, False)


def test_the_flag_shows_on_the_matter_page_and_on_the_board_of_whoever_sees_it(demo, urgent, client_for):
    from dangjian.orgs.models import Person

    inside = urgent(D(2026, 11, 2), title="要事：办公室未当日交办")
    outsider = Person.objects.filter(org__code="SXX-XMJS", user__isnull=False).first()
    outside = services.do_create_matter(Matter(
        kind="assigned", handling_class=URGENT, title="要事：项目建设科未当日交办", org=demo["orgs"]["SXX-XMJS"],
        owner=outsider, responsible_leader=demo["users"]["shuji"].person, received_on=D(2026, 11, 2)),
        actor=demo["users"]["dangwu"])
    on_time = assign(demo, urgent(D(2026, 11, 2), title="要事：办公室当日交办"), D(2026, 11, 2))
    page = client_for("kezhang").get(f"/matters/{inside.pk}/").content.decode()
    assert "交办超时" in page and "应交办日期" in page
    assert "交办超时" not in client_for("kezhang").get(f"/matters/{on_time.pk}/").content.decode().split(
        "流转记录")[0]
    board = client_for("kezhang").get("/matters/board/").content.decode()
    assert "要事：办公室未当日交办" in board
    assert "要事：项目建设科未当日交办" not in board  # out of the 科长's scope
    assert "要事：办公室当日交办" not in board.split("要事交办超时")[1].split("即将到期")[0]
    whole = client_for("dangwu").get("/matters/board/").content.decode()
    assert "要事：办公室未当日交办" in whole and "要事：项目建设科未当日交办" in whole
    listed = client_for("kezhang").get("/matters/?due=handoff_late").content.decode()
    assert "要事：办公室未当日交办" in listed and "要事：办公室当日交办" not in listed
    token = ApiToken.issue(demo["users"]["kezhang"], "测试")[1]
    api = client_for("kezhang").get(f"/api/v1/matters/{inside.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (api["handoff_late"], api["handoff_due_on"]) == (True, "2026-11-02")
    assert outside.handoff_due_on == D(2026, 11, 2)


def test_the_board_takes_the_same_number_of_queries_however_many_late_matters(demo, urgent, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("dangwu")
    urgent(D(2026, 11, 2))
    client.get("/matters/board/")
    with CaptureQueriesContext(connection) as one:
        client.get("/matters/board/")
    for n in range(5):
        urgent(D(2026, 11, 3), title=f"要事{n}")
    with CaptureQueriesContext(connection) as six:
        client.get("/matters/board/")
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_weekly_sheet_lists_late_hand_offs(demo, urgent, client_for, monday_without_sheet):
    waiting = urgent(D(2026, 11, 2), title="要事：至今未交办")
    late = assign(demo, urgent(D(2026, 11, 2), title="要事：次日才交办"), D(2026, 11, 3))
    on_time = assign(demo, urgent(D(2026, 11, 2), title="要事：当日交办"), D(2026, 11, 2))
    sheet = supervision.issue_weekly_sheet(D(2026, 11, 30), notify_people=False)
    flags = {line[0]: bool(line[4]) for row in SupervisionLines.objects.filter(sheet=sheet) for line in row.lines
             if line[0] in (waiting.pk, late.pk, on_time.pk)}
    assert flags == {waiting.pk: True, late.pk: True, on_time.pk: False}
    expected = Matter.objects.handoff_late(D(2026, 11, 30)).count()
    assert sheet.figures["handoff_late"] == expected >= 2
    page = client_for("dangwu").get(f"/matters/supervision/{sheet.pk}/").content.decode()
    assert "要事交办超时" in page
    assert "交办超时" in page.split("要事：至今未交办</a>")[1].split("</tr>")[0]
    assert "交办超时" not in page.split("要事：当日交办</a>")[1].split("</tr>")[0]
