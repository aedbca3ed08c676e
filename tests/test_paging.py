"""The roster's pager (orgs/paging.py): next/previous seek from a cursor, a jump is cut in the database;
either way exactly the rows visible_to lists, in order, with the same number of queries on every page."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.orgs.models import Person
from dangjian.orgs.paging import ArmsPaginator, parse_key, person_arms
from tests.conftest import signed_in

PER_PAGE = 7


def _ids(page) -> list[int]:
    return [p.pk for p in page.object_list]


def test_walking_by_next_by_previous_and_by_jumps_lists_exactly_the_visible_rows(demo):
    walked = 0
    for user in demo["users"].values():
        expected = list(Person.objects.visible_to(user).order_by("org_path", "id").values_list("id", flat=True))
        paginator = ArmsPaginator(person_arms(user, Person.objects.all()), PER_PAGE)
        assert paginator.count == len(expected), user.username
        jumped = [pk for n in paginator.page_range for pk in _ids(paginator.page(n))]
        assert jumped == expected, user.username
        forward, page = [], paginator.page(1)
        while True:
            forward += _ids(page)
            if not page.has_next():
                break
            page = paginator.page(page.next_page_number(), after=page.after)
        assert forward == expected, user.username
        backward, page = [], paginator.page(paginator.num_pages)
        while True:
            backward = _ids(page) + backward
            if not page.has_previous():
                break
            page = paginator.page(page.previous_page_number(), before=page.before)
        assert backward == expected, user.username
        walked += len(paginator.arms) > 1 and paginator.num_pages > 2
    assert walked >= 2  # users whose scope makes several arms and several pages


def test_every_page_costs_the_same_queries(demo):
    user = demo["users"]["dangwu"]
    arms = person_arms(user, Person.objects.all())
    paginator = ArmsPaginator(arms, PER_PAGE)
    assert paginator.num_pages > 3 and len(arms) > 1
    first, last = paginator.page(1), paginator.page(paginator.num_pages)
    counts = []
    for kwargs in ({"number": 1}, {"number": 2}, {"number": paginator.num_pages - 1}, {"number": paginator.num_pages},
                   {"number": 2, "after": first.after}, {"number": paginator.num_pages - 1, "before": last.before}):
        fresh = ArmsPaginator(person_arms(user, Person.objects.all()), PER_PAGE)
        with CaptureQueriesContext(connection) as ctx:
            fresh.page(**kwargs)
        counts.append(len(ctx.captured_queries))
    assert counts == [len(arms) + 2] * len(counts)  # a COUNT per arm, the page's keys, its rows


def test_a_cursor_is_only_a_path_and_an_id():
    assert parse_key("00010003A.42") == ("00010003A", 42)
    for bad in ("", "42", "0001.x", "0001'--.1", "a.1", "0001.1e3", None, "0001." + "9" * 19):
        assert parse_key(bad) is None


def test_the_roster_page_links_next_and_previous_by_cursor(demo):
    client = signed_in(demo["users"]["dangwu"])
    total = Person.objects.visible_to(demo["users"]["dangwu"]).filter(is_active=True).count()
    assert total > 50, "the demo has more than one roster page for the Party-affairs administrator"
    html = client.get("/people/").content.decode()
    after = re.search(r'page=2&amp;after=([0-9A-Z]+\.\d+)">下一页', html).group(1)
    second = client.get(f"/people/?page=2&after={after}").content.decode()
    jumped = client.get("/people/?page=2").content.decode()
    listed = re.findall(r'href="/people/(\d+)/"', second)
    assert listed and listed == re.findall(r'href="/people/(\d+)/"', jumped)
    before = re.search(r'page=1&amp;before=([0-9A-Z]+\.\d+)">上一页', second).group(1)
    back = client.get(f"/people/?page=1&before={before}").content.decode()
    assert re.findall(r'href="/people/(\d+)/"', back) == re.findall(r'href="/people/(\d+)/"', html)
