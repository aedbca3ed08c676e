"""Personal data at rest (GB/T 39786-2021): SM4-GCM encryption, keyed SM3 blind indexes and HMAC-SM3.

The keyring lives outside the database and outside the repository: in DANGJIAN_KEYRING (JSON text)
or the file DANGJIAN_KEYRING_FILE (default ``<data dir>/keys/keyring.json``, mode 0600). The file is
created on first use of a fresh install only: when the database already holds audit rows or encrypted
values, a missing file stops with MissingKeyError and nothing is created. It holds several data keys
(for rotation: the newest encrypts, all decrypt), the blind-index key and the audit-chain key.

Ciphertext format: ``sm4gcm$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>``. A flipped byte fails
the GCM tag check and raises DecryptionError — never a silently wrong value.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """Ciphertext that does not decrypt: altered, truncated, or from an unknown key."""


def keyring_path() -> Path:
    return Path(os.environ.get("DANGJIAN_KEYRING_FILE", settings.DATA_DIR / "keys" / "keyring.json"))


def _new_keyring() -> dict:
    return {"current": "k1", "data_keys": {"k1": secrets.token_hex(16)}, "index_key": secrets.token_hex(32),
            "audit_key": secrets.token_hex(32)}


class MissingKeyError(CommandError):
    """The key ring is gone while the database holds data sealed with it (a CommandError, so that every
    command stops with this message and no traceback)."""


def _data_sealed_with_a_key() -> str | None:
    """What in the database shows that a key ring existed: audit rows (chained with its audit key) or
    encrypted values. None on a fresh install (no tables yet, or empty ones)."""
    tables = set(connection.introspection.table_names())
    checks = [("core_auditevent", "审计记录", "1=1")]
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "encrypted", False):
                checks.append((model._meta.db_table, f"{model._meta.verbose_name}的加密字段",
                               f"{connection.ops.quote_name(field.column)} LIKE '{PREFIX}$%%'"))
    with connection.cursor() as cursor:
        for table, what, where in checks:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} WHERE {where} LIMIT 1")
                if cursor.fetchone():
                    return what
    return None


def _create_keyring(path: Path) -> None:
    """Write a new key ring — only on a fresh install: a new key in place of one that existed would
    leave every encrypted value unreadable and the audit chain broken from its first record."""
    sealed = _data_sealed_with_a_key()
    if sealed:
        raise MissingKeyError(
            f"找不到密钥文件 {path}，但数据库中已有{sealed}：它们只能用原来的密钥读取和校验。"
            "请把原密钥文件放回该位置（或设置 DANGJIAN_KEYRING_FILE / DANGJIAN_KEYRING 指向它；"
            "从备份恢复见 docs/deploy.md“备份与恢复”）。系统没有新建密钥，也没有写入任何内容。")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_EXCL: two processes starting at once must not each write a different keyring.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as f:
        json.dump(_new_keyring(), f)


@lru_cache(maxsize=1)
def keyring() -> dict:
    text = os.environ.get("DANGJIAN_KEYRING")
    if text:
        return json.loads(text)
    path = keyring_path()
    if not path.exists():
        _create_keyring(path)
    return json.loads(path.read_text())


def write_keyring(ring: dict) -> None:
    """Put a key ring in place (rotation, restore): written whole to a 0600 file, then renamed."""
    if os.environ.get("DANGJIAN_KEYRING"):
        raise RuntimeError("密钥来自环境变量 DANGJIAN_KEYRING，请在密钥管理处更新该变量")
    path = keyring_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(ring, f)
    tmp.replace(path)
    reload_keyring()


def reload_keyring() -> None:
    keyring.cache_clear()


def _key(key_id: str) -> bytes:
    try:
        return bytes.fromhex(keyring()["data_keys"][key_id])
    except KeyError as exc:
        raise DecryptionError(f"未知的密钥标识：{key_id}") from exc


def encrypt(plaintext: str) -> str:
    if plaintext is None or plaintext == "":
        return plaintext
    key_id = keyring()["current"]
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_key(key_id)), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return f"{PREFIX}${key_id}${base64.b64encode(nonce + body + encryptor.tag).decode()}"


def is_ciphertext(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + "$")


def decrypt(value: str) -> str:
    if value is None or value == "":
        return value
    try:
        prefix, key_id, payload = value.split("$", 2)
        raw = base64.b64decode(payload, validate=True)
    except ValueError as exc:
        raise DecryptionError("密文格式无效") from exc
    if prefix != PREFIX or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("密文格式无效")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_key(key_id)), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("密文校验失败：数据可能被篡改") from exc


def key_id_of(value: str) -> str | None:
    return value.split("$", 2)[1] if is_ciphertext(value) else None


def hmac_sm3(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def blind_index(value: str) -> str:
    """A keyed SM3 of the normalised value, for exact look-ups on encrypted columns."""
    if not value:
        return ""
    return hmac_sm3(bytes.fromhex(keyring()["index_key"]), value.strip().upper().encode())


def audit_key() -> bytes:
    return bytes.fromhex(keyring()["audit_key"])


def add_data_key() -> str:
    """Generate a new current data key (rotation); old keys stay to decrypt until re-encrypted."""
    ring = dict(keyring())
    if os.environ.get("DANGJIAN_KEYRING"):
        raise RuntimeError("密钥来自环境变量 DANGJIAN_KEYRING，请在密钥管理处轮换后更新该变量")
    numbers = [int(k[1:]) for k in ring["data_keys"] if k[1:].isdigit()]
    new_id = f"k{max(numbers, default=0) + 1}"
    ring["data_keys"] = {**ring["data_keys"], new_id: secrets.token_hex(16)}
    ring["current"] = new_id
    write_keyring(ring)
    return new_id
