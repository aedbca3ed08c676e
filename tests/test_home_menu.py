"""Every role's home and menu (issue 11 item 21): a dated to-do list (today, this week) and a menu of
what the role may use, each entry opening for it; no 即将上线 placeholder for those who will not use it."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from dangjian.core.navigation import menu_for
from tests.conftest import login


def _menu(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="nav">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', nav)


def _section(html: str, heading: str) -> str:
    return re.search(rf'<h2 class="plain">{heading} .*?</div>', html, re.S).group(0)


def test_a_party_member_gets_a_menu_of_their_own_pages_and_no_placeholders(demo):
    html = login("dangyuan").get("/").content.decode()
    assert _menu(html) == [("/", "首页"), ("/matters/ledger/", "我的整改台账"), ("/meetings/my/", "我的会议学习"),
                           ("/supervision/", "我的谈话"), ("/assessment/", "我的考评")]
    assert "即将上线" not in html


# the roles whose menus the rule shapes: own pages only, 三员 without placeholders, 纪检 with 监督 (live)
@pytest.mark.parametrize("role", ["dangyuan", "shenji", "jijian", "kezhang"])
def test_every_menu_entry_opens_for_the_role_that_sees_it(demo, role):
    from dangjian.accounts.models import User

    client = login(role)
    items = menu_for(User.objects.get(username=role), "/")
    assert items and items[0].label == "首页"
    for item in items:
        assert client.get(item.url).status_code == 200, (role, item.label, item.url)
    coming = {i.label for i in items if i.coming}
    assert coming == set(), role  # every module is live (年度报告 the last to open)


def test_the_home_page_lists_what_is_due_today_and_this_week(demo):
    from dangjian.matters.models import Matter
    from dangjian.matters.states import OPEN_STATUSES, Status
    from dangjian.meetings.models import Attendance

    today = timezone.localdate()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    html = login("kezhang").get("/").content.decode()
    today_box, week_box = _section(html, "今天"), _section(html, "本周")
    assert f"{today.month}月{today.day}日" in today_box and f"至{sunday.month}月{sunday.day}日" in week_box

    mine = Attendance.objects.filter(person__user__username="kezhang")
    makeups = mine.filter(makeup_required=True, makeup_done_on__isnull=True)
    assert makeups.exists() and today_box.count("补学：") == makeups.count()
    for a in mine.filter(meeting__status="planned", meeting__date__range=(today, sunday)):
        box = today_box if a.meeting.date == today else week_box
        assert f'href="/meetings/{a.meeting_id}/"' in box
    owned = Matter.objects.filter(owner__user__username="kezhang", status__in=OPEN_STATUSES,
                                  due_on__lte=sunday).exclude(status=Status.PENDING)
    assert owned.filter(due_on__lt=today).exists()
    for m in owned:
        box = today_box if m.due_on <= today else week_box
        line = re.search(rf'<li[^>]*>((?:(?!</li>).)*?/matters/{m.pk}/.*?)</li>', box, re.S).group(0)
        assert ("已超期" in line) == ('class="overdue"' in line) == (m.due_on < today), line
