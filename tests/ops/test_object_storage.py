"""Uploads in object storage over the S3 protocol (issue 10 item 8), as configured by DANGJIAN_S3_BUCKET:
plain-path uploads (store_upload) and FileFields go through the one Storage API, a download reads the
object back, and an object written in a transaction that rolled back is deleted, as a file is.

The S3 server is moto's, on a free loopback port, spoken to over HTTP by boto3 as a MinIO would be.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from dangjian.core.backup import stored_files
from dangjian.core.uploads import remove_rolled_back_files, store_upload, stored_file_response

from .servers import free_port

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

PDF = b"%PDF-1.4\n% object storage\n" + b"1" * 500


@pytest.fixture
def bucket(settings):
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    options = {"endpoint_url": endpoint, "region_name": "us-east-1", "access_key": "dangjian",
               "secret_key": "dangjian-secret"}
    client = boto3.client("s3", aws_access_key_id="dangjian", aws_secret_access_key="dangjian-secret",
                          endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="dangjian-uploads")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "dangjian.core.object_storage.TransactionalS3Storage",
        "OPTIONS": {**options, "bucket_name": "dangjian-uploads", "addressing_style": "path", "default_acl": None,
                    "file_overwrite": False}}}
    yield client
    server.stop()


def _objects(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket="dangjian-uploads").get("Contents", []))


def test_uploads_go_to_the_bucket_and_rolled_back_ones_are_deleted(tx_demo, bucket):
    kept = store_upload(ContentFile(PDF, name="签字扫描件.pdf"), "duties/letters/2026", "pdf")
    with pytest.raises(RuntimeError), transaction.atomic():
        store_upload(ContentFile(PDF, name="作废.pdf"), "duties/letters/2026", "pdf")
        raise RuntimeError("后续步骤失败")
    assert len(_objects(bucket)) == 2
    assert remove_rolled_back_files() == 1
    assert _objects(bucket) == [kept]
    assert list(stored_files()) == [kept]  # what a backup reads, through the same storage
    assert bucket.get_object(Bucket="dangjian-uploads", Key=kept)["Body"].read() == PDF

    response = stored_file_response(kept, filename="责任状", actor=None, target=None)
    assert b"".join(response.streaming_content) == PDF
    assert type(default_storage._wrapped).__name__ == "TransactionalS3Storage"
