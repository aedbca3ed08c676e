"""Helpers for the matters tests: fresh matters made through the real services."""

import datetime as dt

import pytest

from dangjian.matters import services
from dangjian.matters.models import Matter


@pytest.fixture
def people(demo):
    users = demo["users"]
    return {name: users[name].person for name in ("kezhang", "banzi", "shuji", "dangyuan", "zhibu", "jijian")}


@pytest.fixture
def make_matter(demo, people):
    def make(kind="rectify", org_code="SXX-BGS", owner="kezhang", leader="banzi", received=None, **fields):
        matter = Matter(kind=kind, title=fields.pop("title", "测试事项：制度不完善"), org=demo["orgs"][org_code],
                        owner=people[owner] if owner else None, responsible_leader=people[leader] if leader else None,
                        received_on=received or dt.date.today(), **fields)
        return services.do_create_matter(matter, actor=demo["users"]["dangwu"])

    return make


@pytest.fixture
def fresh_calendar():
    """Entered holiday years are cached by generation: bump it afterwards so a rolled-back year is forgotten."""
    yield
    from dangjian.core import workdays

    workdays.CALENDARS.start()

