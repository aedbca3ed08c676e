"""Uploads in object storage over the S3 protocol (MinIO and most intranet clouds), through django-storages.

Chosen in settings STORAGES when DANGJIAN_S3_BUCKET is set, so that every app server reads and writes
the same files. Kept apart from core/uploads.py so that a deployment without it need not install boto3.
"""

from storages.backends.s3 import S3Storage

from .uploads import TransactionalStorageMixin


class TransactionalS3Storage(TransactionalStorageMixin, S3Storage):
    """Objects written in a transaction that rolls back are deleted, as on the filesystem."""
