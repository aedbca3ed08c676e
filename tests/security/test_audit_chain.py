"""Item 6 (安全审计): the audit log is an HMAC-SM3 chain that names the first altered record,
kept at least 184 days and archived, never silently dropped."""

import datetime as dt
import gzip
import json
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from dangjian.core import audit, audit_chain, rule_settings
from dangjian.core.models import AuditChainHead, AuditEvent
from tests.conftest import PASSWORD, audit_triggers


def _raw(sql, params=()):
    """Change the table behind the application's back, as an intruder with database access would."""
    audit_triggers(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        audit_triggers(True)


def test_every_insert_path_is_chained_and_verifies(demo):
    actor = demo["users"]["dangwu"]
    one = audit.record("test.single", actor=actor, target_repr="甲")
    many = audit.record_many([AuditEvent(action="test.bulk", actor=actor, actor_name="x", target_repr=f"乙{n}")
                              for n in range(3)])
    ev = audit.security_event("test.security", success=False, message="无事务的安全事件")
    chain = [one, *many, ev]
    for prev, event in zip(chain, chain[1:], strict=False):
        assert event.seq == prev.seq + 1 and event.prev_hash == prev.chain_hash
    assert all(len(e.chain_hash) == 64 for e in chain)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (ev.seq, ev.chain_hash)
    verdict = audit_chain.verify()
    assert verdict.ok, verdict.describe()
    assert verdict.checked == AuditEvent.objects.count()


def test_the_roster_import_writes_chained_events(demo):
    from tests.conftest import signed_in
    from tests.test_roster import new_id, row, upload

    before = AuditEvent.objects.count()
    response = signed_in(demo["users"]["dangwu"]).post(
        "/people/import/", {"file": upload([row(f"链测{n}", new_id(700 + n)) for n in range(4)])})
    assert response.status_code == 302
    imported = list(AuditEvent.objects.filter(action="person.import").order_by("seq"))
    assert len(imported) == 4 and AuditEvent.objects.count() == before + 4
    assert all(e.chain_hash and e.prev_hash for e in imported)
    verdict = audit_chain.verify()
    assert verdict.ok, verdict.describe()


def test_an_altered_record_is_named_with_id_time_and_action(demo):
    first = audit.record("test.a", target_repr="一")
    second = audit.record("test.b", target_repr="二")
    audit.record("test.c", target_repr="三")
    _raw("UPDATE core_auditevent SET target_repr = %s WHERE id = %s", ["篡改", second.pk])
    verdict = audit_chain.verify()
    assert not verdict.ok and verdict.event.pk == second.pk
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    text = str(exc.value)
    assert f"编号 {second.pk}" in text and "test.b" in text and f"{second.at:%Y-%m-%d %H:%M:%S}" in text
    assert first.pk != second.pk
    # The failed check is itself on record.
    assert AuditEvent.objects.filter(action="audit.verify", success=False).exists()


def test_a_deleted_record_breaks_the_link_of_the_next(demo):
    audit.record("test.a")
    gone = audit.record("test.b")
    after = audit.record("test.c")
    _raw("DELETE FROM core_auditevent WHERE id = %s", [gone.pk])
    verdict = audit_chain.verify()
    assert not verdict.ok and verdict.event.pk == after.pk and "不相连" in verdict.reason


def test_a_deleted_tail_is_detected_by_the_chain_head(demo):
    audit.record("test.a")
    last = audit.record("test.b")
    _raw("DELETE FROM core_auditevent WHERE id = %s", [last.pk])
    verdict = audit_chain.verify()
    assert not verdict.ok and "链尾缺失" in verdict.describe()


def test_a_forged_record_inserted_without_the_key_is_named(demo):
    last = audit.record("test.a")
    forged = AuditEvent(action="test.forged", seq=last.seq + 1, prev_hash=last.chain_hash, chain_hash="0" * 64)
    forged.save()  # bypasses the chain writer, as a raw INSERT would
    AuditChainHead.objects.filter(pk=1).update(last_seq=forged.seq, last_hash=forged.chain_hash)
    verdict = audit_chain.verify()
    assert verdict.event.pk == forged.pk and "链值不符" in verdict.reason


def test_the_verify_command_passes_on_an_intact_log(demo, capsys):
    call_command("verify_audit")
    assert "审计链完整" in capsys.readouterr().out


def test_the_database_refuses_update_and_delete_of_audit_rows(demo):
    from django.db import DatabaseError, transaction

    event = audit.record("test.a")
    for sql in ("UPDATE core_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])


def test_a_login_event_holds_utc_time_user_address_type_target_and_success(demo):
    from django.test import Client

    Client(REMOTE_ADDR="10.1.2.3").post("/accounts/login/", {"username": "dangwu", "password": PASSWORD})
    event = AuditEvent.objects.filter(category="security", success=True).order_by("-id").first()
    assert event.at.utcoffset() == dt.timedelta(0)
    assert event.actor.username == "dangwu" and event.ip == "10.1.2.3"
    assert event.action and event.target_repr and event.success is True
    Client(REMOTE_ADDR="10.1.2.4").post("/accounts/login/", {"username": "dangwu", "password": "wrong-Pass-1"})
    failed = AuditEvent.objects.order_by("-id").first()
    assert failed.success is False and failed.ip == "10.1.2.4" and "dangwu" in failed.target_repr
    assert audit_chain.verify().ok


def test_retention_cannot_be_set_below_184_days(demo):
    r = rule_settings.rule("security.audit_retention_days")
    assert r.default == 184 and r.minimum == 184
    with pytest.raises(ValidationError, match="审计记录保存天数：不能小于 184"):
        rule_settings.set_rule("security.audit_retention_days", "90", actor=demo["users"]["anquan"])
    with pytest.raises(CommandError, match="不能少于 184"):
        call_command("archive_audit", "--days", "30")


def test_old_records_are_archived_with_their_digest_and_never_deleted(demo, tmp_path):
    old = timezone.now() - dt.timedelta(days=200)
    audit.record_many([AuditEvent(action="test.old", at=old, target_repr=f"旧{n}") for n in range(3)])
    recent = audit.record("test.recent")
    total = AuditEvent.objects.count()
    call_command("archive_audit", "--to", str(tmp_path))
    files = list(tmp_path.glob("audit-*.jsonl.gz"))
    assert len(files) == 1
    rows = [json.loads(line) for line in gzip.open(files[0], "rt", encoding="utf-8")]
    assert [r["action"] for r in rows] == ["test.old"] * 3
    assert recent.pk not in {r["id"] for r in rows}
    digest = hashes.Hash(hashes.SM3())
    digest.update(files[0].read_bytes())
    event = AuditEvent.objects.get(action="audit.archive")
    assert event.after["sm3"] == digest.finalize().hex() and event.after["count"] == 3
    assert AuditEvent.objects.count() == total + 1  # the archive event only: nothing dropped
    # A second run archives nothing new.
    call_command("archive_audit", "--to", str(tmp_path))
    assert AuditEvent.objects.filter(action="audit.archive").count() == 1
    # After the DBA removes the archived prefix, the chain still verifies from the archive's anchor.
    _raw("DELETE FROM core_auditevent WHERE seq <= %s", [event.after["last_seq"]])
    assert audit_chain.verify().ok


@pytest.fixture
def tx_triggers(transactional_db):
    audit_triggers(True)
    yield
    audit_triggers(False)  # let the flush that follows empty the audit table


def test_concurrent_writers_keep_one_unbroken_chain(tx_triggers):
    threads, rounds = 6, 10
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def writer(n):
        try:
            start.wait()
            for i in range(rounds):
                if i % 3:
                    audit.record("test.concurrent", target_repr=f"{n}-{i}")
                else:
                    audit.record_many([AuditEvent(action="test.bulk", target_repr=f"{n}-{i}-{k}") for k in range(3)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    assert not errors, errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    verdict = audit_chain.verify()
    assert verdict.ok, verdict.describe()


def test_the_daily_task_verifies_and_tells_the_auditors_when_the_chain_breaks(demo):
    from dangjian.core.models import Notification
    from dangjian.hardening.tasks import verify_audit_daily

    assert verify_audit_daily.call_local() is True
    altered = audit.record("test.a")
    _raw("UPDATE core_auditevent SET message = %s WHERE id = %s", ["改", altered.pk])
    assert verify_audit_daily.call_local() is False
    told = Notification.objects.filter(title="审计记录校验失败")
    assert told.exists() and f"编号 {altered.pk}" in told.first().body
    assert {n.recipient.username for n in told} >= {"dangwu", "jijian"}
