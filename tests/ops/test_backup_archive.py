"""What `dangjian backup` writes (issue 12 item 1): the manifest read from the snapshot itself, a checksum
for every member, the key archive that opens only with the passphrase and fits only its own data,
retention (--keep), the daily job, and the migration check of a restore."""

import hashlib
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import connection

from dangjian.accounts.models import User
from dangjian.core import backup, crypto, rule_settings
from dangjian.core.models import AuditChainHead, AuditEvent, Notification
from dangjian.core.tasks import backup_daily
from dangjian.core.uploads import store_upload
from dangjian.orgs.models import Person

PASSPHRASE = "备份口令-long-enough-2026"


def test_the_archive_holds_everything_a_restore_needs_and_its_keys_are_apart(demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    name = store_upload(ContentFile(b"%PDF-1.4\n" + b"x" * 100, name="a.pdf"), "duties/rules/2026", "pdf")
    head = AuditChainHead.objects.get(pk=1)
    people = Person.objects.count()

    results = [backup.create_backup(tmp_path / "backups", passphrase=PASSPHRASE, keep=1) for _ in range(2)]
    left = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert left == sorted([results[1].archive.name, results[1].keys.name])  # the older pair is gone
    assert results[1].removed == [results[0].archive, results[0].keys]

    with tarfile.open(results[1].archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    manifest = json.loads(members.pop("manifest.json"))
    assert manifest == results[1].manifest
    # read from the snapshot: the test's own rows are not committed, the demo's are
    assert manifest["counts"]["orgs_person"] == people
    assert manifest["audit_head"]["seq"] <= head.last_seq and manifest["audit_head"]["seq"] > 0
    assert "core.0001_initial" in manifest["migrations"] and manifest["database"] == connection.vendor
    assert set(members) == set(manifest["files"])
    assert all(hashlib.sha256(data).hexdigest() == manifest["files"][m] for m, data in members.items())
    task_store = manifest["task_store"]
    assert task_store in members and manifest["database_file"] in members
    assert members[f"media/{name}"] == b"%PDF-1.4\n" + b"x" * 100  # read through the storage
    for member in members:
        assert not member.startswith("keys/") and "keyring" not in member

    keys = backup.open_keys(results[1].keys, PASSPHRASE)
    assert keys["keyring"] == crypto.keyring() and keys["secret_key"] == settings.SECRET_KEY
    assert keys["backup"] == results[1].archive.name
    with pytest.raises(CommandError, match="口令不对"):
        backup.open_keys(results[1].keys, PASSPHRASE + "x")

    # a key archive of other keys is refused before anything is written; the matching one passes that
    # check and reaches the next: this target is live
    contents = backup.key_contents("dangjian-other.tar.gz")
    other_system = tmp_path / "other.keys"
    other_system.write_bytes(backup.seal_keys(PASSPHRASE, {**contents, "keyring": {
        **contents["keyring"], "audit_key": "00" * 32}}))
    before_rotation = tmp_path / "old.keys"
    before_rotation.write_bytes(backup.seal_keys(PASSPHRASE, {**contents, "keyring": {
        **contents["keyring"], "data_keys": {}}}))
    with pytest.raises(CommandError, match="不是同一套密钥：审计密钥不同"):
        backup.restore(results[1].archive, other_system, PASSPHRASE)
    with pytest.raises(CommandError, match="缺少数据密钥 k1"):
        backup.restore(results[1].archive, before_rotation, PASSPHRASE)
    with pytest.raises(CommandError, match="拒绝恢复：目标不是空的"):
        backup.restore(results[1].archive, results[1].keys, PASSPHRASE)



def test_the_daily_backup_runs_only_when_its_rule_is_on(demo, tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DANGJIAN_BACKUP_DIR", str(tmp_path / "daily"))
    assert backup_daily.call_local() is None and not (tmp_path / "daily").exists()
    admin = demo["users"]["admin"]
    rule_settings.set_rule("ops.backup_daily", "1", actor=admin, reason="开启每日备份")
    rule_settings.set_rule("ops.backup_keep", "1", actor=admin, reason="只留一份")
    first, second = backup_daily.call_local(), backup_daily.call_local()
    assert [p.name for p in (tmp_path / "daily").iterdir()] == [second.rsplit("/", 1)[-1]] and first != second


def test_a_database_from_a_newer_version_is_reported_not_migrated(demo):
    assert backup.check_migrations() == backup.Check("迁移状态", True, "与当前代码一致")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('core', '9999_from_the_future', "
                       "CURRENT_TIMESTAMP)")
    check = backup.check_migrations()
    assert not check.ok and "备份来自更新的版本" in check.detail and "core.9999_from_the_future" in check.detail


def test_a_failed_daily_backup_is_recorded_and_told_to_the_administrators(demo, tmp_path, settings, monkeypatch):
    """A real failure: a file stands where the backup directory should be made."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "occupied").write_text("不是目录")
    monkeypatch.setenv("DANGJIAN_BACKUP_DIR", str(tmp_path / "occupied" / "daily"))
    rule_settings.set_rule("ops.backup_daily", "1", actor=demo["users"]["admin"], reason="开启每日备份")
    with pytest.raises(OSError):
        backup_daily.call_local()
    event = AuditEvent.objects.get(action="backup.failed")
    assert not event.success and "每日自动备份失败" in event.message and str(tmp_path / "occupied") in event.message
    told = Notification.objects.filter(title="每日自动备份失败")
    holders = set(User.objects.holding("setting.manage").values_list("username", flat=True))
    assert holders and set(told.values_list("recipient__username", flat=True)) == holders
    assert all("NotADirectoryError" in note.body or "FileExistsError" in note.body for note in told)
