"""Restore drill (issue 12): back up while writes run, restore into a new place (a new data directory,
and on PostgreSQL a new database), and compare people, matters, meetings, audit rows, files,
decrypted values and the queued tasks with the original.

The backup is a consistent snapshot: every restored record equals the original at the version it had
then, the restored audit chain is a prefix of the original one, and writes made after the snapshot are
absent. Backup, restore and the read-back run as real `dangjian` processes.
"""

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dangjian.accounts.models import User
from dangjian.core.backup import task_storage
from dangjian.meetings.models import Meeting
from dangjian.meetings.services import attachments
from dangjian.orgs.models import Person
from dangjian.orgs.services import do_update_person

from .drill import dump
from .servers import dangjian, database_url, process_env

PASSPHRASE = "演练口令-correct-horse-2026"
PDF = b"%PDF-1.4\n% drill\n" + os.urandom(3000)


class Writer(threading.Thread):
    """Edits people's phone numbers (encrypted, audited) through the service until told to stop."""

    def __init__(self, actor, people):
        super().__init__(daemon=True)
        self.actor, self.people, self.stop, self.writes, self.error = actor, people, threading.Event(), 0, None

    def run(self):
        try:
            while not self.stop.is_set():
                person = Person.objects.get(pk=self.people[self.writes % len(self.people)])
                person.phone = f"139{self.writes:08d}"
                do_update_person(person, actor=self.actor, expected_version=person.version)
                self.writes += 1
                time.sleep(0.02)
        except Exception as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            connection.close()

    def wait_for(self, count: int):
        deadline = time.monotonic() + 30
        while self.writes < count and self.error is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.error is None, self.error


@pytest.fixture
def new_place(tmp_path):
    """The environment of a new, empty system: its own data directory and, on PostgreSQL, database."""
    env = {k: v for k, v in process_env().items()
           if k not in ("DANGJIAN_SQLITE_PATH", "DANGJIAN_MEDIA_ROOT", "DANGJIAN_KEYRING_FILE", "DANGJIAN_KEYRING")}
    env["DANGJIAN_DATA_DIR"] = str(tmp_path / "restored")
    name = None
    if settings.IS_POSTGRES:
        name = f"{settings.DATABASES['default']['NAME']}_drill_{uuid.uuid4().hex[:8]}"
        admin_url = database_url(settings.DATABASES["default"], "postgres")
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
        env["DATABASE_URL"] = database_url(settings.DATABASES["default"], name)
    yield env
    if name:
        subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       capture_output=True)


def test_a_backup_taken_under_writes_restores_whole_into_a_new_place(tx_demo, tmp_path, settings, new_place):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    dangwu = User.objects.get(username="dangwu")
    meeting = Meeting.objects.filter(org__code="SXX-DZ").order_by("id").first()
    attachments.do_add_attachment(meeting, ContentFile(PDF, name="演练议程.pdf"), actor=dangwu)
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    backups = tmp_path / "backups"

    tasks = task_storage()  # the configured store (SQLite file or Redis), not immediate mode's memory
    tasks.enqueue(b"drill-queued-task")

    people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:6])
    writer = Writer(dangwu, people)
    writer.start()
    try:
        writer.wait_for(3)  # writes before the snapshot, and during it
        done = dangjian("backup", "--to", backups, "--key-passphrase-file", passphrase_file, "--keep", "1",
                        env=process_env(DANGJIAN_MEDIA_ROOT=media))
        assert done.returncode == 0, done.stderr
        writer.wait_for(writer.writes + 3)  # and after it
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    tasks.flush_queue()  # on PostgreSQL the new place shares the test's Redis: it must start empty
    archive, keys = sorted(backups.glob("*.tar.gz")), sorted(backups.glob("*.keys"))
    assert len(archive) == 1 and len(keys) == 1
    assert "已备份到" in done.stdout and "密钥备份（已用口令加密）" in done.stdout
    assert PASSPHRASE.encode() not in keys[0].read_bytes() and b"audit_key" not in keys[0].read_bytes()
    assert (keys[0].stat().st_mode & 0o777) == 0o600

    # nothing is restored over live data: here, the running test database
    with pytest.raises(CommandError, match="拒绝恢复：目标不是空的"):
        call_command("restore", str(archive[0]), keys=str(keys[0]), key_passphrase_file=str(passphrase_file))

    restored = dangjian("restore", archive[0], "--keys", keys[0], "--key-passphrase-file", passphrase_file,
                        env=new_place)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    for check in ("记录数", "审计链头", "上传文件", "迁移状态", "审计链校验", "加密数据"):
        assert f"[通过] {check}" in restored.stdout, restored.stdout
    # a key ring gone missing now stops a command with a clear message, creating and writing nothing
    missing = tmp_path / "lost" / "keyring.json"
    lost = dangjian("verify_audit", env={**new_place, "DANGJIAN_KEYRING_FILE": str(missing)})
    assert lost.returncode == 1 and "找不到密钥文件" in lost.stderr and "审计记录" in lost.stderr
    assert "Traceback" not in lost.stderr and not missing.parent.exists()

    read_back = subprocess.run([sys.executable, "-m", "tests.ops.drill"], env=new_place, capture_output=True,
                               text=True, timeout=120)
    assert read_back.returncode == 0, read_back.stderr
    copy, original = json.loads(read_back.stdout), dump()

    tasks.flush_queue()
    assert copy["tasks"] == [base64.b64encode(b"drill-queued-task").decode()]
    assert copy["files"] == original["files"] and len(copy["files"]) == 1
    assert copy["matters"] == original["matters"] and copy["meetings"] == original["meetings"]
    assert copy["matters"] and copy["meetings"]
    # the audit chain is the original's up to the snapshot, then the restore's own record (and nothing
    # from the refused verify_audit)
    assert copy["audit"][-1][2] == "system.restore"
    kept = copy["audit"][:-1]
    assert kept == original["audit"][:len(kept)] and len(kept) < len(original["audit"])
    # people: each as it was at the snapshot, decrypted with the restored key ring
    assert copy["people"].keys() == original["people"].keys()
    later, same = 0, 0
    for pk, row in copy["people"].items():
        if row["version"] == original["people"][pk]["version"]:
            assert row == original["people"][pk]
            same += 1
        else:
            assert int(row["version"]) < int(original["people"][pk]["version"])
            later += 1
    assert later >= 1 and same > len(people)  # writes after the snapshot are not in it
    assert any(copy["people"][str(pk)]["phone"].startswith("139000") for pk in people)  # those before are
    assert all(row["id_number"][:2].isdigit() for row in copy["people"].values())  # plaintext, not ciphertext
