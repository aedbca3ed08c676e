"""Uploaded files (制度文件, signed scans): the kind is decided by the content, not the name."""

from __future__ import annotations

import zipfile

from django.core.exceptions import ValidationError

from dangjian.core import rules

from . import rules as duty_rules

LABELS = {"pdf": "PDF", "docx": "Word (.docx)", "doc": "Word (.doc)", "jpg": "JPEG 图片", "png": "PNG 图片"}
_MAGIC = [
    ("pdf", b"%PDF-"),
    ("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpg", b"\xff\xd8\xff"),
]
_EXTENSIONS = {"pdf": ("pdf",), "doc": ("doc",), "docx": ("docx",), "jpg": ("jpg", "jpeg"), "png": ("png",)}


def detect(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for kind, magic in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as z:
                ok = "word/document.xml" in z.namelist()
        except zipfile.BadZipFile:
            ok = False
        upload.seek(0)
        return "docx" if ok else None
    return None


def check_upload(upload, allowed: tuple[str, ...], *, field: str = "file") -> str:
    """Validate size, content and name; sets ``upload.detected_kind`` and returns it."""
    names = "、".join(LABELS[k] for k in allowed)
    limit = rules.get(duty_rules.MAX_UPLOAD_MB)
    if upload.size > limit * 1024 * 1024:
        raise ValidationError({field: f"文件不能超过 {limit} MB"})
    kind = detect(upload)
    if kind not in allowed:
        raise ValidationError({field: f"文件内容不是允许的格式（仅限 {names}）"})
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if ext not in _EXTENSIONS[kind]:
        raise ValidationError({field: f"文件扩展名“.{ext}”与内容（{LABELS[kind]}）不符"})
    upload.detected_kind = kind
    return kind


def store(upload, folder: str, stem: str) -> str:
    """Save under MEDIA_ROOT/<folder>/ with a name we choose (never the uploader's); returns the path."""
    import secrets

    from django.core.files.storage import default_storage

    return default_storage.save(f"{folder}/{stem}-{secrets.token_hex(6)}.{upload.detected_kind}", upload)


def open_stored(path: str):
    from django.core.files.storage import default_storage

    return default_storage.open(path, "rb")
