"""Uploaded files of the duties module (制度文件, signed scans): checked and stored by core.uploads."""

from __future__ import annotations

from dangjian.core import rules
from dangjian.core.uploads import store_upload, validate_upload

from . import rules as duty_rules


def check_upload(upload, allowed: tuple[str, ...], *, field: str = "file", actor=None) -> str:
    """Validate size, content and name under the module's size rule; sets ``upload.detected_kind``.

    Call it before the service's transaction: a refusal is logged as a security event.
    """
    limit = rules.get(duty_rules.MAX_UPLOAD_MB) * 1024 * 1024
    upload.detected_kind = validate_upload(upload, kinds=allowed, max_bytes=limit, field=field, actor=actor)
    return upload.detected_kind


def store(upload, folder: str) -> str:
    """Save a checked upload under MEDIA_ROOT/<folder>/ with a random name; returns the path."""
    return store_upload(upload, folder, upload.detected_kind)
