"""Shared fixtures: the demo agency built once per test database, and a logged-in client per role."""

import os
import time
import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from dangjian.core import rule_settings, workdays
from dangjian.orgs.demo import build_demo, demo_exists

from . import snapshot

# The tests' clock reads Beijing time, as the system's users do (TIME_ZONE): a test's dt.date.today() is the
# system's timezone.localdate() even between 16:00 and 24:00 UTC, when the two dates differ. Subprocesses inherit it.
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()

PASSWORD = "Demo-pass-2026"
ROLE_USERS = ["admin", "anquan", "shenji", "dangwu", "shuji", "banzi", "jijian", "kezhang", "zhibu", "dangyuan"]
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the test authenticator of the administrator accounts


@pytest.fixture(autouse=True)
def _fresh_cache(request, django_db_blocker):
    # Rule values, the calendar, rate-limit and lock-out counters are cached: a test's rolled-back
    # change or its log-ins must not outlive it. The rules are then read once, as a running server
    # has them cached, so that query counts measure the steady state.
    for alias in ("default", "ratelimit"):
        caches[alias].clear()
    workdays.CALENDARS.start()  # a transactional test's flush changes the schedules unseen
    rule_settings.STAMP.refresh()  # a fresh stamp if the cleared cache held it (Redis), before the rules are read
    rule_settings.forget_local()
    if "django_db_setup" in request.fixturenames:
        with django_db_blocker.unblock():
            rule_settings._load_modules()
            for key in list(rule_settings.REGISTRY):
                rule_settings.get(key)
    yield
    for alias in ("default", "ratelimit"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 is the production hasher (asserted in test_accounts); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _figures_read_afresh(settings):
    # A test changes records (bulk updates too) and reads figures at once: values are not cached unless the
    # test is about the cache (core.figures.cached; the production default is 300 s).
    settings.FIGURES_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _own_checkpoints(settings):
    # Each test's audit checkpoints in a file of its own: a checkpoint of a rolled-back test's chain
    # would otherwise read as a cut-off chain in the next.
    path = settings.DATA_DIR / "checkpoints" / f"{uuid.uuid4().hex}.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    yield
    path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    # A test database need not survive a power cut: on PostgreSQL its commits do not wait for the disk
    # (migrations, the demo, the live-server tests' flushes and restores), which the suite's time budget feels.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c synchronous_commit=off").strip()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        if not demo_exists():
            build_demo(PASSWORD, extras=False)  # the year of petitions: tests/supervision/test_petition_demo.py
        snapshot.take()  # transactional tests put this back after their flush instead of rebuilding


def demo_records() -> dict:
    """The demo agency's main records, by role name and org code."""
    from dangjian.accounts.models import User
    from dangjian.orgs.models import Org

    users = {u.username: u for u in User.objects.filter(username__in=ROLE_USERS)}
    orgs = {o.code: o for o in Org.objects.all()}
    return {"users": users, "orgs": orgs}


@pytest.fixture
def demo(db):
    """The demo agency's main records, by role name."""
    return demo_records()


def totp_code(username: str) -> str:
    """A fresh code of the user's test authenticator (enrolled on first use, like a real user)."""
    import pyotp
    from django.utils import timezone

    from dangjian.accounts.models import TotpDevice, User

    user = User.objects.get(username=username)
    # Each code is accepted once: start from a clean window so that many log-ins in one test run work.
    TotpDevice.objects.update_or_create(user=user, defaults={
        "name": "动态口令", "confirmed": True, "secret": TOTP_SECRET, "confirmed_at": timezone.now(),
        "last_step": 0})
    return pyotp.TOTP(TOTP_SECRET).now()


def login(username: str) -> Client:
    """Log in through the form, with the second factor where the account has or needs one."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    if response.url.startswith("/accounts/2fa/"):
        response = client.post("/accounts/2fa/", {"code": totp_code(username)})
        assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def client_for(db):
    return login


def signed_in(user, **client_options) -> Client:
    """A client signed in as ``user`` without going through the form (fast; for matrix tests).

    The session carries ``login_at`` as a real log-in does, so the absolute-lifetime check passes.
    """
    from django.utils import timezone

    client = Client(**client_options)
    if user is not None:
        client.force_login(user)
        session = client.session
        session["login_at"] = timezone.now().timestamp()  # as accounts.services does (a frozen day included)
        session.save()
    return client


def _audit_trigger_sql(connection):
    from importlib import import_module

    migration = import_module("dangjian.core.migrations.0002_audit_append_only")
    return migration.POSTGRES if connection.vendor == "postgresql" else migration.SQLITE


def audit_triggers(enabled: bool) -> None:
    """Drop or re-create the append-only triggers on the audit table.

    Transactional tests (live server, parallel writers) end with Django flushing every table,
    which the triggers rightly refuse; they are dropped just for that flush and put back before
    the next test that needs them.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        if enabled:
            for sql in _audit_trigger_sql(connection):
                cursor.execute(sql)


@pytest.fixture
def tx_demo(transactional_db):
    """For transactional tests: the demo agency (restored from the snapshot after the previous test's
    flush) and the audit triggers in place while the test runs."""
    if not demo_exists():
        audit_triggers(False)
        snapshot.restore()
        for alias in ("default", "ratelimit"):
            caches[alias].clear()  # what was cached while the database was empty
    audit_triggers(True)
    yield
    audit_triggers(False)  # let the flush that follows empty the audit table


def freeze_today(monkeypatch, day):
    """Make ``day`` today (noon in Beijing) for the code under test: timezone.now, and so localdate."""
    import datetime as dt

    from django.utils import timezone

    fixed = dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    return day


@pytest.fixture
def frozen_today(monkeypatch):
    """Today is 2026-11-30 for the code under test, so that a date rule ("not after today") is checked
    against a fixed day and the test does not change with the calendar."""
    import datetime as dt

    return freeze_today(monkeypatch, dt.date(2026, 11, 30))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose changes count as committed at its end (the test's transaction never commits): the
    on-commit callbacks run, among them the one that starts the changed nodes' generations."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def monday_without_sheet(demo):
    """2026-11-30, the Monday the weekly 督办单 tests issue their sheet for, with no sheet kept for it yet. The
    demo is built as of the real date and keeps the sheets of the weeks already passed, 2026-11-30's among them
    from that day on; the test's transaction is rolled back afterwards."""
    import datetime as dt

    from dangjian.matters.models import SupervisionLines, SupervisionSheet

    monday = dt.date(2026, 11, 30)
    sheets = SupervisionSheet.objects.filter(period=SupervisionSheet.Period.WEEK, end=monday)
    SupervisionLines.objects.filter(sheet__in=sheets).delete()
    sheets.delete()
    return monday
