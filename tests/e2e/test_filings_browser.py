"""报告报备 on a phone: a leader files a 外出报备 at 375 px, and the month calendar shows them away without the page
growing wider than the screen."""

import datetime as dt

from django.utils import timezone

from .conftest import shot


def test_a_leader_files_on_a_phone_and_the_calendar_shows_them(pages):
    today = timezone.localdate()
    start = (today.replace(day=1) + dt.timedelta(days=40)).replace(day=12)  # well after the demo's filings
    page = pages.login("banzi", width=375, height=812)
    page.goto("/filings/absences/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill("input[name=destination]", "上海")
    page.fill("input[name=leaves_on]", start.isoformat())
    page.fill("input[name=returns_on]", (start + dt.timedelta(days=1)).isoformat())
    page.fill("input[name=reason]", "参加项目对接会")
    page.select_option("select[name=acting]", index=1)
    page.click("form.card button")
    page.wait_for_url("**/filings/absences/*/")
    assert "待审批" in page.content()
    page.goto(f"/filings/calendar/?month={start:%Y-%m}")
    shot(page, "filings-calendar-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    cell = page.locator(f'td[data-day="{start.isoformat()}"] a.away')
    assert cell.count() == 1 and cell.first.is_visible()
    # seven columns fit: the last day of the week is on screen
    box = page.locator(f'td[data-day="{start.isoformat()}"]').bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
