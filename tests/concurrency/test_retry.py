"""A write the database aborts for a deadlock (PostgreSQL) or a held write lock (SQLite) is rolled back and run
again by the page's one transaction entry (core.db.in_transaction), and succeeds; when every attempt fails the
user gets the clear 503 page, never a 500. Two real connections each time: the page's and another session's."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import ApiToken, User
from dangjian.core import db
from dangjian.core.models import AuditEvent
from dangjian.orgs import services
from dangjian.orgs.models import PartyStatus, Person, Position

from ..conftest import signed_in
from ..route_matrix import probe_id_number
from .helpers import edit_data

pytestmark = pytest.mark.django_db(transaction=True)
on_sqlite = pytest.mark.skipif(settings.IS_POSTGRES, reason="SQLite's file lock")
on_postgres = pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL's deadlock detection")


class _OnRetry(logging.Handler):
    """Runs ``action`` (once) when core.db says it is about to run a transaction again."""

    def __init__(self, action=None):
        super().__init__()
        self.action, self.retries = action, []

    def emit(self, record):
        self.retries.append(record.getMessage())
        if self.action is not None and len(self.retries) == 1:
            self.action()


@pytest.fixture
def on_retry():
    handlers = []

    def attach(action=None):
        handler = _OnRetry(action)
        logging.getLogger(db.__name__).addHandler(handler)
        handlers.append(handler)
        return handler

    yield attach
    for handler in handlers:
        logging.getLogger(db.__name__).removeHandler(handler)


def _member():
    return Person.objects.filter(party_status=PartyStatus.FULL, is_active=True, branch__isnull=False,
                                 joined_party_on__isnull=False).select_related("org", "branch").order_by("pk").first()


def _to_probationary(person):
    return edit_data(person, party_status=PartyStatus.PROBATIONARY)


@on_postgres
def test_a_deadlocked_write_is_run_again_and_saved_once(tx_demo, on_retry):
    """The page's transaction holds a row and waits for one that another session holds; that session then asks
    for the page's row: PostgreSQL aborts the page's transaction (the one with the shorter deadlock_timeout),
    which runs again once the other session is done, and is saved once. The records the page had changed in
    memory start again as they were: a new person without the id of its rolled-back insert, a position without
    the end date its rolled-back attempt set (else the retry would refuse it as already ended)."""
    client = signed_in(User.objects.get(username="dangwu"), raise_request_exception=False)
    counter = "SELECT count FROM orgs_orgmembercount WHERE org_path = %s AND party_status = 'full' FOR UPDATE"
    head = "SELECT id FROM core_auditchainhead FOR UPDATE"
    actions = ["person.update", "person.create", "position.end"]

    person, events = _member(), _count(actions)
    page = _deadlock(client, on_retry, f"/people/{person.pk}/edit/", _to_probationary(person),
                     (counter, [person.branch.path[:4]]), (head, []))
    assert page.status_code == 302, page.content.decode()[:500]
    assert Person.objects.get(pk=person.pk).party_status == PartyStatus.PROBATIONARY
    assert _count(actions) == events + 1

    person, events = _member(), _count(actions)
    page = _deadlock(client, on_retry, "/people/new/", edit_data(
        person, name="甄重试", id_number=probe_id_number(77), birth_date="1990-01-01", joined_party_on="2015-07-01",
        full_member_on="2016-07-01", loaded_version=""), (counter, [person.branch.path[:4]]), (head, []))
    assert page.status_code == 302, page.content.decode()[:500]
    assert Person.objects.filter(name="甄重试").count() == 1
    assert _count(actions) == events + 1
    assert services.count_differences() == []

    position, events = Position.objects.filter(end_date__isnull=True).order_by("pk").first(), _count(actions)
    page = _deadlock(client, on_retry, f"/positions/{position.pk}/end/", {},
                     (head, []), ("SELECT id FROM orgs_position WHERE id = %s FOR UPDATE", [position.pk]))
    said = list(get_messages(page.wsgi_request))  # the earlier pages' messages too: this client read none
    assert str(said[-1]) == f"已免去职务：{position.get_title_display()}。" and not [m for m in said if m.level_tag == "error"]
    assert Position.objects.get(pk=position.pk).end_date is not None
    assert _count(actions) == events + 1


def _count(actions) -> int:
    return AuditEvent.objects.filter(action__in=actions).count()


def _deadlock(client, on_retry, url, data, first, second):
    """POST ``url`` while another session holds the row of ``first`` (sql, params) and, once the page waits for
    it, asks for the row of ``second``, which the page holds: a deadlock the page's session detects."""
    import psycopg

    params = {k: v for k, v in connection.get_connection_params().items()
              if k in ("dbname", "user", "host", "port", "password")}
    with psycopg.connect(**params, autocommit=False) as other, psycopg.connect(**params, autocommit=True) as watcher:
        other.execute("SET deadlock_timeout = '30s'")  # the page's session finds the deadlock, not this one
        other.execute(*first)

        def ask_for_the_pages_row():
            deadline = time.monotonic() + 20
            while not watcher.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                    "AND pid <> %s", [other.info.backend_pid]).fetchone():
                assert time.monotonic() < deadline, "the page never waited for the other session's row"
                time.sleep(0.02)
            other.execute(*second)  # granted once the page's transaction is aborted
            other.commit()

        side, retried = threading.Thread(target=ask_for_the_pages_row), on_retry()
        with connection.cursor() as cursor:
            cursor.execute("SET deadlock_timeout = '200ms'")
        side.start()
        try:
            page = client.post(url, data)
        finally:
            side.join(timeout=30)
            with connection.cursor() as cursor:
                cursor.execute("RESET deadlock_timeout")
    assert len(retried.retries) == 1 and "deadlock detected" in retried.retries[0]
    return page


@pytest.fixture
def sqlite_writer():
    """Another process's connection to the test database file (it takes the write lock when the test says so),
    and a short busy wait on the page's connection (the server waits 20 s before it gives up; the test need not)."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 150")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()
    connections.close_all()  # the next connection waits as the settings say


@on_sqlite
def test_an_edit_that_found_the_database_locked_is_run_again_and_saved(tx_demo, on_retry, sqlite_writer):
    person, client = _member(), signed_in(User.objects.get(username="dangwu"), raise_request_exception=False)
    retried = on_retry(lambda: sqlite_writer.execute("COMMIT"))  # the other writer finishes after the first try
    sqlite_writer.execute("BEGIN IMMEDIATE")
    page = client.post(f"/people/{person.pk}/edit/", _to_probationary(person))
    assert len(retried.retries) == 1 and "database is locked" in retried.retries[0]
    assert page.status_code == 302, page.content.decode()[:500]
    assert Person.objects.get(pk=person.pk).party_status == PartyStatus.PROBATIONARY
    assert services.count_differences() == []


@on_sqlite
def test_when_every_attempt_finds_the_database_locked_the_page_says_so_and_saves_nothing(tx_demo, on_retry,
                                                                                         sqlite_writer):
    person, client = _member(), signed_in(User.objects.get(username="dangwu"), raise_request_exception=False)
    retried = on_retry()
    sqlite_writer.execute("BEGIN IMMEDIATE")
    page = client.post(f"/people/{person.pk}/edit/", _to_probationary(person))
    sqlite_writer.execute("ROLLBACK")
    assert len(retried.retries) == db.ATTEMPTS - 1
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "正被他人修改" in page.content.decode() and "未保存任何内容" in page.content.decode()
    stored = Person.objects.get(pk=person.pk)
    assert (stored.party_status, stored.version) == (PartyStatus.FULL, person.version)


@on_sqlite
def test_an_api_write_that_found_the_database_locked_is_run_again_and_saved_once(tx_demo, on_retry, sqlite_writer):
    """The API's write operations run in the same retried transaction as the pages (DangjianAPI)."""
    person = _member()
    token, key = ApiToken.issue(User.objects.get(username="dangwu"), "重试测试")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no stamp: the operation meets the lock
    events = _count(["person.update"])
    retried = on_retry(lambda: sqlite_writer.execute("COMMIT"))
    sqlite_writer.execute("BEGIN IMMEDIATE")
    answer = Client(raise_request_exception=False).patch(
        f"/api/v1/people/{person.pk}", {"version": person.version, "job_title": "重试后的职务"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert len(retried.retries) == 1 and "database is locked" in retried.retries[0]
    assert answer.status_code == 200, answer.content.decode()[:500]
    stored = Person.objects.get(pk=person.pk)
    assert (stored.job_title, stored.version) == ("重试后的职务", person.version + 1)
    assert _count(["person.update"]) == events + 1
