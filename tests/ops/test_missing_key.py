"""A missing key ring stops every command with a clear message and creates nothing (issue 12).

A new key in place of the one that sealed the data would make every encrypted value unreadable and
break the audit chain at its first record for good, even once the right file is put back. The same
refusal from a command in its own process, on a restored system, is in test_restore_drill.py.
"""

import pytest
from django.core.management import call_command

from dangjian.core import crypto
from dangjian.core.models import AuditEvent


@pytest.fixture
def keyring_gone(tmp_path, monkeypatch):
    missing = tmp_path / "keys" / "keyring.json"
    monkeypatch.setenv("DANGJIAN_KEYRING_FILE", str(missing))
    crypto.reload_keyring()
    yield missing
    monkeypatch.undo()
    crypto.reload_keyring()


def test_verify_audit_stops_on_a_missing_key_and_writes_nothing(demo, keyring_gone):
    events = AuditEvent.objects.count()
    with pytest.raises(crypto.MissingKeyError) as refused:
        call_command("verify_audit")
    assert "找不到密钥文件" in str(refused.value) and str(keyring_gone) in str(refused.value)
    assert "没有新建密钥" in str(refused.value)
    assert not keyring_gone.exists() and not keyring_gone.parent.exists()
    assert AuditEvent.objects.count() == events
    with pytest.raises(crypto.MissingKeyError):  # and every value that needs the key
        crypto.encrypt("13800000000")
    assert not keyring_gone.exists()
