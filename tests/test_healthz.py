"""/healthz: the load balancers' probe and the throughput benchmark's bare page."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def test_healthz_answers_without_a_session_and_pings_the_database_once(db):
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "detail": "服务正常"}
    assert [q["sql"] for q in ctx.captured_queries] == ["SELECT 1"]  # no session, no write
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
