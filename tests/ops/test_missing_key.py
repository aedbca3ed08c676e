"""A missing key ring stops every command with a clear message and creates nothing (issue 12).

A new key in place of the one that sealed the data would make every encrypted value unreadable and
break the audit chain at its first record for good, even once the right file is put back.
"""

import os
import subprocess
import sys

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


def test_a_command_in_its_own_process_reports_the_missing_key_without_a_traceback(transactional_db, tx_demo,
                                                                               tmp_path):
    from django.conf import settings

    missing = tmp_path / "keyring.json"
    env = {**os.environ, "DANGJIAN_KEYRING_FILE": str(missing),
           "DANGJIAN_SQLITE_PATH": str(settings.DATABASES["default"]["NAME"])}
    if settings.IS_POSTGRES:
        env["DATABASE_URL"] = _database_url(settings.DATABASES["default"])
    done = subprocess.run([sys.executable, "-m", "dangjian.cli", "verify_audit"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "找不到密钥文件" in done.stderr and "审计记录" in done.stderr
    assert "Traceback" not in done.stderr
    assert not missing.exists()


def _database_url(db: dict) -> str:
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
