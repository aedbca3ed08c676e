"""The database connection dropped while a request was being served (an administrator's pg_terminate_backend,
a restarted server): a read is answered on a new connection, anything else with a clear Chinese page — never a
500. The backend serving the page is really terminated, from another session, in the middle of the request."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from dangjian.accounts.models import User
from dangjian.orgs.models import Person

from ..conftest import signed_in
from .helpers import edit_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="terminates a PostgreSQL backend"),
]


class TerminateOnce:
    """Before the first statement that names ``table``, end the serving backend from another session."""

    def __init__(self, table: str):
        self.table, self.fired = table, False

    def __call__(self, execute, sql, params, many, context):
        if not self.fired and self.table in sql:
            self.fired = True
            terminate(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)


def terminate(pid: int) -> None:
    import psycopg

    params = {k: v for k, v in connection.get_connection_params().items()
              if k in ("dbname", "user", "host", "port", "password")}
    with psycopg.connect(**params, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline
            time.sleep(0.01)


def test_a_read_is_answered_on_a_new_connection_and_a_write_gets_a_clear_page(tx_demo):
    person = Person.objects.filter(branch__isnull=False, joined_party_on__isnull=False).order_by("pk").first()
    client = signed_in(User.objects.get(username="dangwu"), raise_request_exception=False)

    killer = TerminateOnce("orgs_person")
    with connection.execute_wrapper(killer):
        page = client.get(f"/people/{person.pk}/")
    assert killer.fired
    assert page.status_code == 200 and person.name in page.content.decode()

    killer = TerminateOnce("core_auditchainhead")  # inside the edit's transaction, after the person is locked
    with connection.execute_wrapper(killer):
        page = client.post(f"/people/{person.pk}/edit/", edit_data(person, job_title="断线时的修改"))
    assert killer.fired
    assert page.status_code == 503 and "数据库连接中断，请稍后重试" in page.content.decode()
    assert Person.objects.get(pk=person.pk).job_title != "断线时的修改"

    # Between requests: the server's request start (Django's close_old_connections, which the test client leaves
    # out) checks the connection (CONN_HEALTH_CHECKS) and opens a new one…
    terminate(connection.connection.info.backend_pid)
    close_old_connections()
    assert client.get(f"/people/{person.pk}/").status_code == 200
    # …and where the lost connection is found before the view (a middleware's query), the page says so too.
    terminate(connection.connection.info.backend_pid)
    page = client.get(f"/people/{person.pk}/")
    assert page.status_code == 503 and "数据库连接中断，请稍后重试" in page.content.decode()
    assert client.get(f"/people/{person.pk}/").status_code == 200
