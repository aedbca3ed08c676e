"""The audit chain anchored outside the database: a cut-off tail with the head rewound is reported, the
checkpoints are signed, and check --deploy warns when keys or checkpoints sit beside the database (issue 11
item 3)."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from dangjian.core import audit, audit_chain, crypto
from dangjian.core.models import AuditChainHead, AuditEvent
from dangjian.hardening import checks
from dangjian.hardening.tasks import checkpoint_audit_chain_periodically

from .test_audit_chain import _raw

pytestmark = pytest.mark.django_db


def _cut_tail_and_rewind_head(keep):
    """What an intruder who can drop the triggers does: delete the last records, rewind the chain head."""
    _raw("DELETE FROM core_auditevent WHERE seq > %s", [keep.seq])
    AuditChainHead.objects.filter(pk=1).update(last_seq=keep.seq, last_hash=keep.chain_hash)


def test_a_cut_off_tail_with_the_head_rewound_is_reported_from_the_checkpoints(demo, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "anchor" / "checkpoints.jsonl")
    keep = audit.record("test.kept")
    audit.record("test.cut1")
    last = audit.record("test.cut2")
    entry = checkpoint_audit_chain_periodically.call_local()
    assert entry["seq"] == last.seq and entry["hash"] == last.chain_hash
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert audit_chain.verify().ok
    _cut_tail_and_rewind_head(keep)
    verdict = audit_chain.verify()
    assert not verdict.ok
    assert f"外部检查点记载到序号 {last.seq}，表中只到 {keep.seq}" in verdict.describe()
    # the command says so and fails
    with pytest.raises(Exception, match="链尾缺失"):
        call_command("verify_audit")


def test_a_checkpoint_that_was_altered_or_a_rewritten_chain_is_reported(demo, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")
    audit.record("test.a")
    audit_chain.write_checkpoint()
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    entry = json.loads(path.read_text())
    # an intruder lowers the checkpoint's sequence number to match the cut chain: the signature fails
    path.write_text(json.dumps({**entry, "seq": entry["seq"] - 1}) + "\n")
    assert "第 1 行签名不符" in audit_chain.verify().describe()
    # a checkpoint whose record is still there but with another chain value: the chain was rewritten
    path.write_text(json.dumps(entry) + "\n")
    assert audit_chain.verify().ok
    event = AuditEvent.objects.get(seq=entry["seq"])
    signed = audit_chain._checkpoint_signature(event.seq, "f" * 64, entry["at"])
    path.write_text(json.dumps({**entry, "hash": "f" * 64, "sig": signed}) + "\n")
    verdict = audit_chain.verify()
    assert verdict.event.pk == event.pk and "外部检查点不符" in verdict.reason


def test_check_deploy_warns_when_keys_or_checkpoints_sit_beside_the_database(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.delenv("DANGJIAN_KEYRING", raising=False)
    monkeypatch.setenv("DANGJIAN_KEYRING_FILE", str(tmp_path / "data" / "keys" / "keyring.json"))
    settings.AUDIT_CHECKPOINT_FILE = ""  # beside the keyring
    assert {w.id for w in checks.keys_apart_from_the_database()} == {"dangjian.W001", "dangjian.W002"}
    monkeypatch.setenv("DANGJIAN_KEYRING_FILE", str(tmp_path / "etc" / "keyring.json"))
    assert crypto.keyring_path() == tmp_path / "etc" / "keyring.json"
    assert checks.keys_apart_from_the_database() == []
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "data" / "checkpoints.jsonl")
    (warning,) = checks.keys_apart_from_the_database()
    assert warning.id == "dangjian.W002" and "DANGJIAN_AUDIT_CHECKPOINTS" in warning.hint
