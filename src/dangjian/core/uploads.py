"""Every uploaded file is checked here (入侵防范): type by content, size, name; stored under a random name.

The type is decided by the file's first bytes (and, for .docx/.xlsx, by the parts inside the
zip), never by its name or the browser's Content-Type; the name must agree with the content.
Names with an executable or a second file extension ("通知.pdf.exe", "照片.php.jpg") are refused.
Files are stored in the default storage (MEDIA_ROOT, a directory every app server mounts, or object
storage: settings STORAGES) with a random name; neither is ever served directly nor executed
(docs/deploy.md), so a file reaches a user only through a view that checks scope.
A file written inside a transaction that then rolls back is removed when the request ends, so that
no file is left on disk without the record that names it.
"""

from __future__ import annotations

import os
import threading
import uuid
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.http import FileResponse, Http404

from . import audit, rule_settings
from .actions import refusal_text
from .documents import DOCX_MIME, XLSX_MIME

LABELS = {"pdf": "PDF (.pdf)", "docx": "Word (.docx)", "doc": "Word 97-2003 (.doc)", "xlsx": "Excel (.xlsx)",
          "jpg": "JPEG 图片 (.jpg)", "png": "PNG 图片 (.png)", "csv": "CSV 文本 (.csv)"}
EXTENSIONS = {"pdf": (".pdf",), "docx": (".docx",), "doc": (".doc",), "xlsx": (".xlsx",), "jpg": (".jpg", ".jpeg"),
              "png": (".png",), "csv": (".csv",)}
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "doc": "application/msword",
                 "docx": DOCX_MIME, "xlsx": XLSX_MIME, "csv": "text/csv"}
# The part every genuine Office Open XML file of the kind has.
_OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
# Extensions that a server or a desktop might run, or a browser render as active content.
EXECUTABLE = {
    "exe", "com", "bat", "cmd", "msi", "dll", "scr", "pif", "cpl", "vbs", "vbe", "js", "jse", "wsf", "wsh", "ps1",
    "sh", "bash", "py", "pl", "rb", "cgi", "php", "php3", "php5", "phtml", "phar", "jsp", "jspx", "asp", "aspx",
    "jar", "war", "html", "htm", "xhtml", "svg", "shtml", "hta", "lnk", "reg", "docm", "xlsm", "pptm", "apk", "elf",
}
_KNOWN = EXECUTABLE | {ext.lstrip(".") for exts in EXTENSIONS.values() for ext in exts} | {"xls", "zip", "rar"}
MAX_UNZIPPED = 200 * 1024 * 1024  # a .docx/.xlsx that inflates beyond this is a zip bomb


def default_max_bytes() -> int:
    return rule_settings.get("security.upload_max_mb") * 1024 * 1024


def sniff(head: bytes) -> str | None:
    """The container kind from the first bytes: pdf, png, jpg, doc (OLE2 compound file) or zip."""
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _ooxml_kind(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
                return None  # not Office Open XML, or carries macros
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                return None
            return next((kind for kind, part in _OOXML_MAIN.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _is_text(file) -> bool:
    """Plain text (a CSV file has no signature): no NUL byte and no other control character but tab and
    line ends in its first 64 KB, which may end inside a multi-byte character."""
    head = file.read(64 * 1024)
    file.seek(0)
    return len(head.translate(None, _CONTROL_BYTES)) == len(head)


def _check_name(name: str, allowed: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip().lower()
    parts = base.split(".")
    if "\x00" in base or len(parts) < 2 or not parts[-1]:
        raise ValidationError(f"文件名：缺少扩展名，请上传 {allowed} 格式的文件")
    if any(p in EXECUTABLE for p in parts[1:]):
        raise ValidationError("文件名：不允许上传可执行文件或脚本")
    if any(p in _KNOWN for p in parts[1:-1]):
        raise ValidationError("文件名：不允许多重扩展名（如 “通知.pdf.exe”）")
    return "." + parts[-1]


def validate_upload(file, kinds=("pdf", "docx", "xlsx", "jpg", "png"), max_bytes: int | None = None, *,
                    field: str | None = None, actor=None) -> str:
    """Check an uploaded file; return its kind or raise ValidationError naming what is wrong.

    A refused file is a security event (``upload.refused``, with the name and the reason), so call
    this before opening a transaction that the refusal would roll back. With ``field`` the error
    is raised against that form field, as services do.
    """
    try:
        return _check_upload(file, kinds, max_bytes)
    except ValidationError as exc:
        reason = refusal_text(exc)
        audit.security_event("upload.refused", actor=actor, success=False,
                             message=f"{(file.name or '')[:100]}：{reason}")
        raise ValidationError({field: exc.messages}) if field else exc from None


def _check_upload(file, kinds, max_bytes: int | None) -> str:
    allowed = "、".join(LABELS[k] for k in kinds)
    ext = _check_name(file.name or "", allowed)
    if not any(ext in EXTENSIONS[k] for k in kinds):
        raise ValidationError(f"文件类型：请上传 {allowed} 格式的文件")
    limit = max_bytes or default_max_bytes()
    if file.size is None or file.size > limit:
        size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{-(-limit // 1024)} KB"
        raise ValidationError(f"文件大小：不能超过 {size}")
    if file.size == 0:
        raise ValidationError("文件：是空文件")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    kind = sniff(head)
    if kind == "zip":
        kind = _ooxml_kind(file)
    elif kind is None and "csv" in kinds and ext == ".csv" and _is_text(file):
        kind = "csv"
    if kind not in kinds:
        raise ValidationError(f"文件内容：不是 {allowed} 格式（按内容识别，与文件名无关）")
    if ext not in EXTENSIONS[kind]:
        raise ValidationError(f"文件扩展名：与内容不符（内容是 {LABELS[kind]}）")
    return kind


def random_name(kind: str) -> str:
    """A stored file's name: random, with the extension of its checked kind (never the uploader's name)."""
    return f"{uuid.uuid4().hex}{EXTENSIONS[kind][0]}"


# ---- files of a transaction that rolled back ---------------------------------------------------

_uncommitted = threading.local()  # per thread, as Django's connections are


def _uncommitted_files() -> set[tuple]:
    if not hasattr(_uncommitted, "files"):
        _uncommitted.files = set()
    return _uncommitted.files


def keep_only_if_committed(storage, name: str) -> None:
    """Remember a file written inside a transaction until that transaction commits; if it rolls back
    instead, the on-commit callback never runs and remove_rolled_back_files() deletes the file."""
    if not transaction.get_connection().in_atomic_block:
        return
    files, entry = _uncommitted_files(), (storage, name)
    files.add(entry)
    transaction.on_commit(lambda: files.discard(entry))


def remove_rolled_back_files(**_signal_kwargs) -> int:
    """Delete the files whose transaction rolled back (connected to request_finished); returns how many."""
    if transaction.get_connection().in_atomic_block:  # not over yet: its files may still be committed
        return 0
    files, removed = _uncommitted_files(), 0
    while files:
        storage, name = files.pop()
        if storage.exists(name):
            storage.delete(name)
            removed += 1
    return removed


class TransactionalStorageMixin:
    """Files are kept only if the transaction that saved them commits — whatever the storage."""

    def _save(self, name, content):
        name = super()._save(name, content)
        keep_only_if_committed(self, name)
        return name


class TransactionalFileSystemStorage(TransactionalStorageMixin, FileSystemStorage):
    """The default storage: MEDIA_ROOT, a local or a shared (NFS/CIFS) directory (docs/deploy.md).
    Files 0640 and directories 0750 (FILE_UPLOAD_PERMISSIONS): never executable."""


def store_upload(file, folder: str, kind: str) -> str:
    """Save a validated file in the default storage under <folder>/ with a random name; return that name.

    Through the Storage API, as FileField uploads are, so that the one configured storage (a directory
    or object storage, settings STORAGES) holds every file and rolls back with its transaction.
    """
    if not folder.replace("_", "").replace("/", "").isalnum() or ".." in folder:
        raise ValueError("folder must be a plain relative path")
    wanted = f"{folder}/{random_name(kind)}"
    stored = default_storage.save(wanted, file)
    if stored != wanted:  # a random name is never taken: a different name means another file was there
        default_storage.delete(stored)
        raise FileExistsError(f"存储中已有同名文件：{wanted}")
    return stored


def stored_file_response(file, *, filename: str, actor, target, inline: bool = False):
    """Hand a stored file to a user who may see ``target``; a download is a security event.

    ``file`` is a name in the default storage (store_upload) or a FieldFile. Callers look the target
    up through scope first (get_visible_or_404): this is the one way a stored file leaves the server.
    Images shown inline in a page (activity photos) are not logged one by one: the page itself is the
    access.
    """
    path = getattr(file, "name", file)
    if not path:
        raise Http404("没有文件")
    ext = path.rsplit(".", 1)[-1].lower()
    kind = next((k for k, exts in EXTENSIONS.items() if f".{ext}" in exts), None)
    if not inline:
        audit.security_event("file.download", actor=actor, target=target, message=path[-200:])
    handle = file.open("rb") if hasattr(file, "open") else default_storage.open(path, "rb")
    return FileResponse(handle, as_attachment=not inline, filename=f"{filename}.{ext}",
                        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"))
