"""Several app servers on one database (issue 10 item 8, issue 11 item 4): a file uploaded through one
is downloaded through the other, and a rule changed through one is in force at once on the other.

Two gunicorn processes with this worktree's code, one worker each, on the test database (SQLite in WAL,
or PostgreSQL with DATABASE_URL). Uploads go to object storage over the S3 protocol (moto's S3 server
on a free loopback port, spoken to by boto3 as a MinIO would be); without moto installed, to one shared
directory (DANGJIAN_MEDIA_ROOT). In-process, an object written in a transaction that rolls back is
deleted, as a file is.
"""

import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from dangjian.accounts.models import User
from dangjian.core.backup import stored_files
from dangjian.core.models import AuditEvent
from dangjian.core.uploads import remove_rolled_back_files, store_upload
from dangjian.duties.models import Institution
from dangjian.orgs.models import Org, OrgKind

from .servers import app_servers, browser_for, csrf_post, free_port, process_env

PDF = b"%PDF-1.4\n% shared upload\n" + bytes(range(256)) * 40
RULE = "duties.due_soon_workdays"
BUCKET = "dangjian-uploads"


@pytest.fixture
def upload_store(tmp_path, settings):
    """Where both servers keep uploads: (environment, read(name) -> bytes, list() -> names, S3 or not)."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        shared = tmp_path / "shared-media"
        yield ({"DANGJIAN_MEDIA_ROOT": shared}, lambda name: (shared / name).read_bytes(),
               lambda: sorted(str(p.relative_to(shared)) for p in shared.rglob("*") if p.is_file()), False)
        return
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", aws_access_key_id="dangjian", aws_secret_access_key="dangjian-secret",
                          endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    env = {"DANGJIAN_S3_BUCKET": BUCKET, "DANGJIAN_S3_ENDPOINT_URL": endpoint, "DANGJIAN_S3_REGION": "us-east-1",
           "DANGJIAN_S3_ACCESS_KEY": "dangjian", "DANGJIAN_S3_SECRET_KEY": "dangjian-secret"}
    # this process uses the same storage as the servers (the settings they build from that environment)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "dangjian.core.object_storage.TransactionalS3Storage", "OPTIONS": {
            "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1", "access_key": "dangjian",
            "secret_key": "dangjian-secret", "addressing_style": "path", "default_acl": None,
            "file_overwrite": False}}}
    try:
        yield (env, lambda name: client.get_object(Bucket=BUCKET, Key=name)["Body"].read(),
               lambda: sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])), True)
    finally:
        server.stop()


def _rule_value(browser, base: str) -> str:
    page = browser.get(f"{base}/settings/rules/{RULE}/", timeout=30)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="value"[^>]*value="([^"]*)"', page.text).group(1)


def test_an_upload_and_a_rule_change_through_one_server_hold_on_the_other(tx_demo, tmp_path, upload_store):
    store_env, read_stored, list_stored, is_s3 = upload_store
    dangwu = browser_for(User.objects.get(username="dangwu"))
    admin = browser_for(User.objects.get(username="admin"))
    agency = Org.objects.filter(kind=OrgKind.AGENCY).order_by("path").first()
    with app_servers(2, process_env(**store_env), tmp_path) as (one, two):
        # an upload through server one, through store_upload (a plain stored path) ...
        response = csrf_post(dangwu, f"{one}/duties/rules/new/", {
            "title": "市XX机关文件管理办法（两台服务器）", "doc_number": "", "category": "conduct",
            "issuer": "中共市XX党组", "issued_on": "2026-03-02", "org": agency.pk, "body": "文件统一存放"},
            files={"upload": ("办法.pdf", PDF, "application/pdf")})
        assert response.status_code == 302, response.text[:1000]
        item = Institution.objects.get(title="市XX机关文件管理办法（两台服务器）")
        assert read_stored(item.file) == PDF  # in the shared store, not on a server's own disk
        # ... is downloaded through server two, through the scoped view
        download = dangwu.get(f"{two}/duties/rules/{item.pk}/file/", timeout=30)
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
        assert AuditEvent.objects.filter(action="file.download", target_id=str(item.pk)).count() == 1

        # server two has the rule in its cache; it changes through server one ...
        assert _rule_value(admin, two) == "5"
        response = csrf_post(admin, f"{one}/settings/rules/{RULE}/", {"value": "8", "reason": "两台服务器测试"})
        assert response.status_code == 302, response.text[:1000]
        # ... and the very next request to server two has the new value in force
        assert _rule_value(admin, two) == "8"
        assert _rule_value(admin, one) == "8"

    if is_s3:  # the Storage API here too: a rolled-back transaction's object is deleted, as a file is
        remove_rolled_back_files()  # what earlier tests of this process left (their transactions rolled back)
        with pytest.raises(RuntimeError), transaction.atomic():
            store_upload(ContentFile(PDF, name="作废.pdf"), "duties/letters/2026", "pdf")
            raise RuntimeError("后续步骤失败")
        assert len(list_stored()) == 2
        assert remove_rolled_back_files() == 1
        assert list_stored() == [item.file] == list(stored_files())  # stored_files: what a backup reads
