"""Anonymous requests cannot flood the audit log: their failed security events are folded, one per kind,
address and minute, with the tally recorded (issue 11 item 2)."""

import time

import pytest
from django.test import Client

from dangjian.core import audit
from dangjian.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_hundred_forged_session_cookies_are_one_event_and_a_tally(demo, monkeypatch):
    start = (int(time.time() // audit.AGGREGATE_WINDOW) + 1) * audit.AGGREGATE_WINDOW + 1  # a window's start
    monkeypatch.setattr(time, "time", lambda: start)
    attacker = Client(REMOTE_ADDR="10.66.0.1")
    for n in range(100):
        attacker.cookies["sessionid"] = f"forged{n:031d}"
        assert attacker.get("/accounts/login/").status_code == 200
    Client(REMOTE_ADDR="10.66.0.2", HTTP_COOKIE="sessionid=forged").get("/accounts/login/")  # another address
    events = AuditEvent.objects.filter(action="session.unknown_cookie").order_by("seq")
    by_address = [(e.ip, (e.after or {}).get("count")) for e in events]
    # the first of each address, then the running tally at 10 and 100: not 101 rows
    assert by_address == [("10.66.0.1", None), ("10.66.0.1", 10), ("10.66.0.1", 100), ("10.66.0.2", None)]
    for n in range(7):  # the next minute: 7 more, whose exact total is written with the next minute's first
        attacker.cookies["sessionid"] = f"again{n:032d}"
        monkeypatch.setattr(time, "time", lambda: start + 60)
        attacker.get("/accounts/login/")
    monkeypatch.setattr(time, "time", lambda: start + 600)
    attacker.cookies["sessionid"] = "later" + "0" * 32
    attacker.get("/accounts/login/")
    later = list(events.filter(ip="10.66.0.1").order_by("seq"))[3:]
    assert [(e.after or {}).get("count") for e in later] == [None, 7, None]  # 1, the total of its minute, 1
    tally = later[1]
    assert tally.after["final"] and "共 7 次（合并记录）" in tally.message and not tally.success
    # a signed-in user's failures and failed log-ins are still recorded one by one (the lock-out counts them)
    for _ in range(3):
        attacker.post("/accounts/login/", {"username": "nobody", "password": "Wrong-pass-1"})
    assert AuditEvent.objects.filter(action="login.failure", ip="10.66.0.1").count() == 3
