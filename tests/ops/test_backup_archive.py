"""What `dangjian backup` writes (issue 12 item 1): the manifest read from the snapshot itself, a checksum
for every member, the key archive that opens only with the passphrase, and retention (--keep)."""

import hashlib
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import connection

from dangjian.core import backup, crypto
from dangjian.core.models import AuditChainHead
from dangjian.core.uploads import store_upload
from dangjian.orgs.models import Person

PASSPHRASE = "备份口令-long-enough-2026"


def test_the_archive_holds_everything_a_restore_needs_and_the_keys_are_apart(demo, tmp_path, settings):
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

