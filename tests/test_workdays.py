"""The one working-day calendar: official holidays with adjusted working days, entered years, provisional years."""

import datetime as dt

import pytest

from dangjian.core import workdays

D = dt.date


@pytest.mark.django_db  # the calendar looks up years entered in the system first
def test_national_day_week_2026_skips_the_holiday_and_counts_the_adjusted_saturday():
    # 2026: 10月1日–7日 放假; 9月20日(日)、10月10日(六) 上班 (国办发明电〔2025〕7号)
    assert not workdays.is_workday(D(2026, 10, 1))
    assert workdays.is_workday(D(2026, 10, 10))
    result = workdays.add_workdays(D(2026, 9, 30), 1)
    assert result == workdays.WorkdayResult(D(2026, 10, 8), False)
    assert workdays.add_workdays(D(2026, 10, 9), 1).date == D(2026, 10, 10)


@pytest.mark.django_db
def test_spring_festival_2026():
    # 2026: 2月15日–23日 放假; 2月14日(六)、2月28日(六) 上班
    assert workdays.is_workday(D(2026, 2, 14))
    assert not workdays.is_workday(D(2026, 2, 16))
    assert workdays.add_workdays(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    count, provisional = workdays.workdays_between(D(2026, 2, 13), D(2026, 2, 28))
    assert (count, provisional) == (6, False)  # 14, 24, 25, 26, 27, 28


@pytest.mark.django_db
def test_an_unknown_year_counts_weekdays_and_is_marked_provisional():
    result = workdays.add_workdays(D(2026, 12, 30), 3)
    assert result.date == D(2027, 1, 4)  # 12-31, 1-1 (no schedule yet), 1-4
    assert result.provisional and result.note == "暂按周末计算"
    assert workdays.is_provisional(D(2027, 6, 1))


@pytest.mark.django_db
def test_entering_a_year_makes_it_official_and_notifies_listeners(demo):
    seen = []

    def receiver(sender, year, actor, **kwargs):
        seen.append((year, actor.username))

    workdays.schedule_changed.connect(receiver)
    try:
        days = workdays.parse_schedule_lines("2027-01-01~2027-01-03 放假 元旦\n2027-02-20 上班 春节")
        with pytest.raises(Exception) as exc:
            workdays.parse_schedule_lines("2027-13-01 放假 元旦")
        assert "第 1 行" in str(exc.value)
        workdays.set_year_schedule(2027, days, actor=demo["users"]["admin"], source="测试")
    finally:
        workdays.schedule_changed.disconnect(receiver)
    assert seen == [(2027, "admin")]
    assert not workdays.is_workday(D(2027, 1, 1))
    result = workdays.add_workdays(D(2026, 12, 30), 3)
    assert result == workdays.WorkdayResult(D(2027, 1, 5), False)
    assert workdays.is_workday(D(2027, 2, 20))


def test_workdays_between_counts_as_asking_each_day(db):
    """The year-by-year count equals the day-by-day one, across holidays, adjusted weekends and unknown years."""
    import random

    from dangjian.core import workdays

    rng = random.Random(4)
    for _ in range(300):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(1400))
        end = start + dt.timedelta(days=rng.randrange(-400, 900))
        lo, hi = min(start, end), max(start, end)
        days = [lo + dt.timedelta(days=i) for i in range(1, (hi - lo).days + 1)]
        # is_workday(d) day by day, each year's calendar fetched once
        calendars = {year: workdays.calendar_for(year) for year in {d.year for d in days}}
        expected = sum(calendars[d.year].is_workday(d) for d in days)
        provisional = any(calendars[d.year].provisional for d in days)
        assert workdays.workdays_between(start, end) == ((expected if end >= start else -expected), provisional)


@pytest.mark.django_db
def test_a_date_in_a_year_not_entered_tells_the_administrators_until_the_year_is_entered(demo):
    """Issue 11 item 18: a deadline in the probable Spring Festival week of an unknown year is not silent."""

    from dangjian.core.models import Notification, ScheduleNeeded
    from tests.conftest import signed_in

    year = max(workdays.PACKAGE_YEARS) + 2  # a year neither the package nor the demo knows
    assert workdays.calendar_for(year).provisional
    admin, dangwu = demo["users"]["admin"], demo["users"]["dangwu"]
    result = workdays.add_workdays(D(year, 1, 28), 10)  # runs into February, where the festival usually falls
    assert result.provisional
    need = ScheduleNeeded.objects.get(year=year)
    assert need.first_date == result.date
    notes = Notification.objects.filter(recipient=admin, category="workdays", link="/settings/holidays/")
    assert notes.count() == 1 and f"请录入{year}年法定节假日安排" == notes.get().title
    assert not Notification.objects.filter(recipient=dangwu, category="workdays").exists()  # not an administrator
    workdays.add_workdays(D(year, 3, 2), 5)  # the same year again: told once
    assert notes.count() == 1
    client = signed_in(admin)
    for url in ("/settings/rules/", "/settings/holidays/"):
        page = client.get(url).content.decode()
        assert f"{year}年法定节假日安排尚未录入" in page and f"{result.date:%Y-%m-%d}" in page, url
    workdays.set_year_schedule(year, workdays.parse_schedule_lines(f"{year}-02-06~{year}-02-13 放假 春节"),
                               actor=admin, source="测试")
    assert f"{year}年法定节假日安排尚未录入" not in client.get("/settings/rules/").content.decode()
    assert workdays.years_to_enter(D(year - 1, 6, 1)) == []


def test_from_november_next_year_is_asked_for_if_unknown(db):
    year = max(workdays.PACKAGE_YEARS) + 1
    assert (year, None) in workdays.years_to_enter(D(year - 1, 11, 15))
    assert (year, None) not in workdays.years_to_enter(D(year - 1, 10, 31))


def test_a_schedule_entered_in_a_rolled_back_transaction_is_kept_nowhere(demo, committed):
    """The transaction that enters a year reads it; once rolled back, the year counts as before (no calendar
    computed from the rows it never committed is kept); committed, it is in force at once."""
    from django.db import transaction

    year = max(workdays.PACKAGE_YEARS) + 2
    lines = workdays.parse_schedule_lines(f"{year}-02-06~{year}-02-13 放假 春节")
    holiday = D(year, 2, 9) if D(year, 2, 9).weekday() < 5 else D(year, 2, 10)
    assert workdays.is_workday(holiday) and workdays.is_provisional(holiday)

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        workdays.set_year_schedule(year, lines, actor=demo["users"]["admin"], source="测试")
        assert not workdays.is_workday(holiday) and not workdays.is_provisional(holiday)
        raise Undone
    assert workdays.is_workday(holiday) and workdays.is_provisional(holiday)
    with committed():
        workdays.set_year_schedule(year, lines, actor=demo["users"]["admin"], source="测试")
    assert not workdays.is_workday(holiday) and not workdays.is_provisional(holiday)
