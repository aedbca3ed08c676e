"""Parallel writers on the embedded SQLite file: WAL + BEGIN IMMEDIATE + a busy timeout mean that
concurrent write transactions queue instead of failing with "database is locked"."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from dangjian.core import audit
from dangjian.orgs import services
from dangjian.orgs.models import Person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.IS_POSTGRES, reason="SQLite's locking is what is tested here"),
]

THREADS = 6
ROUNDS = 8


def test_the_database_runs_in_wal_mode_with_immediate_transactions(tx_demo):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert settings.DATABASES["default"]["OPTIONS"]["timeout"] >= 5
    assert not connection.is_in_memory_db()


def test_parallel_write_transactions_all_succeed(tx_demo):
    from dangjian.accounts.models import User

    actor = User.objects.get(username="dangwu")
    people = list(Person.objects.order_by("id").values_list("pk", flat=True)[:THREADS])
    audit_before = audit.AuditEvent.objects.count()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(pk):
        try:
            start.wait()
            for n in range(ROUNDS):
                with transaction.atomic():  # read-then-write: the pattern that deadlocks under DEFERRED
                    person = Person.objects.get(pk=pk)
                    person.job_title = f"并发{n}"
                    services.do_update_person(person, actor=actor, expected_version=person.version)
                    audit.record("test.concurrent", actor=actor, target_repr=str(pk))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(pk,)) for pk in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert all(p.job_title == f"并发{ROUNDS - 1}" for p in Person.objects.filter(pk__in=people))
    assert audit.AuditEvent.objects.count() == audit_before + THREADS * ROUNDS * 2
