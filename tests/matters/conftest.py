"""Helpers for the matters tests: fresh matters made through the real services."""

import datetime as dt

import pytest
from django.core.cache import cache

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

    try:
        cache.incr(workdays._CACHE_KEY)
    except ValueError:
        cache.set(workdays._CACHE_KEY, 2, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A live-server test runs on a transactional database that is flushed afterwards: build the demo again.

    The session-wide demo agency (tests/conftest.py) is what the following non-transactional tests read,
    so it is put back, with the audit triggers, as soon as the flush is done — after every fixture's
    teardown, which is why this is a hook and not a fixture.
    """
    yield
    if nextitem is None or "live_server" not in getattr(item, "fixturenames", ()):
        return  # the last test: the test database is being destroyed anyway
    from django.test import override_settings
    from pytest_django.plugin import blocking_manager_key

    from dangjian.orgs.demo import build_demo, demo_exists
    from tests.conftest import PASSWORD, audit_triggers

    with item.config.stash[blocking_manager_key].unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        audit_triggers(True)  # tx_demo dropped them for the flush
        if not demo_exists():
            build_demo(PASSWORD)
