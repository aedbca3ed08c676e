"""Deadlines on the official calendar: holiday weeks, adjusted working days, a year nobody has entered yet."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import rule_settings, workdays
from dangjian.core.models import AuditEvent
from dangjian.matters import workflow
from dangjian.matters.models import HandlingClass, Matter, Status, Transition

from ..conftest import freeze_today

D = dt.date
pytestmark = pytest.mark.django_db


def test_working_days_across_national_day_2026_count_the_adjusted_saturday():
    # 10月1日–7日 放假, 10月10日(六) 上班: 9/30 + 5 working days = 10/8, 10/9, 10/10, 10/12, 10/13
    due = workflow.compute_due("assigned", D(2026, 9, 30), count=5, unit="工作日")
    assert (due.date, due.provisional, due.basis) == (D(2026, 10, 13), False, "工作日:2026-09-30:5")


def test_working_days_across_spring_festival_2026():
    # 2月15日–23日 放假, 2月14日(六)、2月28日(六) 上班
    assert workflow.compute_due("rectify", D(2026, 2, 13), count=2, unit="工作日").date == D(2026, 2, 24)
    assert workflow.compute_due("rectify", D(2026, 2, 24), count=4, unit="工作日").date == D(2026, 2, 28)


def test_a_calendar_deadline_on_a_day_off_moves_to_the_next_working_day():
    # 3 months from 2026-07-01 is 2026-10-01, in the National Day week → 2026-10-08
    due = workflow.compute_due("npc", D(2026, 7, 1))
    assert due.date == D(2026, 10, 8) and not due.provisional


def test_a_deadline_into_an_unknown_year_is_provisional_never_an_error(fresh_calendar):
    due = workflow.compute_due("npc", D(2026, 11, 30))  # 2027-02-28 is a Sunday
    assert due.date == D(2027, 3, 1) and due.provisional and due.note == "暂按周末计算"
    due = workflow.compute_due("rectify", D(2026, 12, 28), count=20, unit="工作日")
    assert due.provisional and due.date == D(2027, 1, 25)


def test_urgent_matters_get_the_short_default_and_kinds_are_configurable(demo):
    assert workflow.compute_due("assigned", D(2026, 11, 2), HandlingClass.URGENT).date == D(2026, 11, 5)
    rule_settings.set_rule("matters.assigned.deadline", "15", actor=demo["users"]["admin"], reason="测试")
    assert workflow.compute_due("assigned", D(2026, 11, 2)).date == D(2026, 11, 23)
    rule_settings.set_rule("matters.assigned.unit", "自然日", actor=demo["users"]["admin"], reason="测试")
    assert workflow.compute_due("assigned", D(2026, 11, 2)).date == D(2026, 11, 17)


def test_a_typed_deadline_on_a_holiday_is_refused_with_the_next_working_day(demo, make_matter):
    count = Matter.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_matter(received=D(2026, 9, 1), due_on=D(2026, 10, 3))
    message = exc.value.message_dict["due_on"][0]
    assert "2026-10-03 不是工作日" in message and "2026-10-08" in message
    assert Matter.objects.count() == count
    with pytest.raises(ValidationError) as exc:
        make_matter(received=D(2026, 9, 1), due_on=D(2026, 8, 3))
    assert "不能早于登记日期" in exc.value.message_dict["due_on"][0]
    # a calendar-day kind accepts a Saturday
    assert make_matter(kind="npc", received=D(2026, 9, 1), due_on=D(2026, 10, 3)).due_on == D(2026, 10, 3)


def test_entering_next_years_schedule_recomputes_open_deadlines_and_logs_each(demo, make_matter, fresh_calendar,
                                                                             monkeypatch):
    admin = demo["users"]["admin"]
    # the matter is registered on the day it is received (a 登记日期 may not be after today)
    freeze_today(monkeypatch, D(2026, 12, 28))
    matter = make_matter(received=D(2026, 12, 28))  # 20 working days → 2027-01-25, provisional
    assert matter.due_provisional
    before = matter.due_on
    # Suppose the State Council's 2027 notice gives 1月1日–3日 off and one week in January off too.
    days = workdays.parse_schedule_lines("2027-01-01~2027-01-03 放假 元旦\n2027-01-18~2027-01-22 放假 测试假期")
    workdays.set_year_schedule(2027, days, actor=admin, source="国办发明电〔2026〕X号")
    matter.refresh_from_db()
    assert not matter.due_provisional and matter.due_on > before
    assert matter.due_on == workdays.add_workdays(D(2026, 12, 28), 20).date == D(2027, 2, 2)
    event = Transition.objects.get(matter=matter, name="deadline")
    assert "2027 年节假日安排" in event.reason and str(before) in event.reason
    assert AuditEvent.objects.filter(action="matter.deadline_recomputed", target_id=str(matter.pk)).exists()
    assert matter.status == Status.REGISTERED
