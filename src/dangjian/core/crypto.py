"""Personal data at rest (GB/T 39786-2021): SM4-GCM encryption, keyed SM3 blind indexes and HMAC-SM3.

The keyring lives outside the database and outside the repository: in DANGJIAN_KEYRING (JSON text)
or the file DANGJIAN_KEYRING_FILE (default ``<data dir>/keys/keyring.json``, created on first use
with mode 0600). It holds several data keys (for rotation: the newest encrypts, all decrypt), the
blind-index key and the audit-chain key.

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
from django.conf import settings

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


@lru_cache(maxsize=1)
def keyring() -> dict:
    text = os.environ.get("DANGJIAN_KEYRING")
    if text:
        return json.loads(text)
    path = keyring_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: two processes starting at once must not each write a different keyring.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                json.dump(_new_keyring(), f)
    return json.loads(path.read_text())


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
    path = keyring_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ring))
    tmp.chmod(0o600)
    tmp.replace(path)
    reload_keyring()
    return new_id
