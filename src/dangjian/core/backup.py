"""Backup and restore of the whole system (docs/deploy.md, “备份与恢复”).

A backup is two files. ``dangjian-<time>.tar.gz`` holds a consistent database snapshot (SQLite's
online backup API; ``pg_dump -Fc`` inside an exported snapshot on PostgreSQL), every uploaded file (read
through the Storage API, so a directory and object storage alike), the task store and ``manifest.json``:
app version, migration state, record counts per table, audit chain head — all read from the snapshot
itself — and the sha256 of every other member. ``dangjian-<time>.keys`` holds the key ring and the
secret key, encrypted (scrypt + AES-256-GCM) with the operator's passphrase: a stolen backup does not
carry its own key.

A restore goes only into an empty place (no tables, no files, no key ring, no queued tasks), and then
checks and reports the migration state, the counts and chain head against the manifest, the audit
chain and that every encrypted value decrypts.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from huey.contrib.djhuey import HUEY

from . import audit, audit_chain, crypto
from .fields import encrypted_fields
from .figure_cache import forget_values

ARCHIVE_FORMAT = "dangjian-backup-1"
KEYS_FORMAT = "dangjian-keys-1"
MIN_PASSPHRASE = 12
_SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


def default_dir() -> Path:
    return Path(os.environ.get("DANGJIAN_BACKUP_DIR") or settings.DATA_DIR / "backups")


# ---- what a database holds: read from any DB-API cursor, the snapshot's or the restored one's ----------

def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def describe(cursor, vendor: str) -> dict:
    """Migration state, record count of every table and the audit chain head."""
    tables = _tables(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    migrations, head = [], {"seq": 0, "hash": ""}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    if "core_auditchainhead" in tables:
        cursor.execute("SELECT last_seq, last_hash FROM core_auditchainhead WHERE id = 1")
        row = cursor.fetchone()
        if row:
            head = {"seq": row[0], "hash": row[1]}
    return {"migrations": migrations, "counts": counts, "audit_head": head}


# ---- the key archive ---------------------------------------------------------------------------------

def read_passphrase(path: str | None, *, confirm: bool) -> str:
    """The operator's passphrase: from a file (first line), or typed at the terminal."""
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CommandError(f"无法读取口令文件 {path}：{exc.strerror}") from exc
        passphrase = text[0] if text else ""
    else:
        passphrase = getpass.getpass("密钥备份口令：")
        if confirm and getpass.getpass("再输入一次：") != passphrase:
            raise CommandError("两次输入的口令不一致")
    if len(passphrase) < MIN_PASSPHRASE:
        raise CommandError(f"密钥备份口令至少 {MIN_PASSPHRASE} 个字符")
    return passphrase


def _key_from(passphrase: str, salt: bytes, params: dict) -> bytes:
    return Scrypt(salt=salt, length=32, **params).derive(passphrase.encode())


def key_check(ring: dict) -> dict:
    """What the manifest records of the key ring, to match a key archive to the data without holding a key:
    a keyed hash under the audit key (one-way) and the ids of the data keys the data may be sealed with."""
    return {"audit_key_check": crypto.hmac_sm3(bytes.fromhex(ring["audit_key"]), KEYS_FORMAT.encode()),
            "data_keys": sorted(ring["data_keys"])}


def key_contents(archive_name: str) -> dict:
    """What a key archive holds: this system's key ring and secret key, and the backup it was made with."""
    return {"keyring": crypto.keyring(), "secret_key": settings.SECRET_KEY, "backup": archive_name}


def seal_keys(passphrase: str, contents: dict) -> bytes:
    """The key archive's contents, encrypted with the passphrase (AES-256-GCM, key by scrypt)."""
    plain = json.dumps(contents).encode()
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key_from(passphrase, salt, _SCRYPT)).encrypt(nonce, plain, KEYS_FORMAT.encode())
    return json.dumps({"format": KEYS_FORMAT, "kdf": {"name": "scrypt", **_SCRYPT,
                                                      "salt": base64.b64encode(salt).decode()},
                       "nonce": base64.b64encode(nonce).decode(),
                       "ciphertext": base64.b64encode(sealed).decode()}, indent=1).encode()


def open_keys(path: Path, passphrase: str) -> dict:
    try:
        envelope = json.loads(path.read_text())
        if envelope.get("format") != KEYS_FORMAT:
            raise ValueError
        kdf = envelope["kdf"]
        key = _key_from(passphrase, base64.b64decode(kdf["salt"]), {k: kdf[k] for k in ("n", "r", "p")})
        plain = AESGCM(key).decrypt(base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["ciphertext"]),
                                    KEYS_FORMAT.encode())
    except InvalidTag as exc:
        raise CommandError(f"密钥备份 {path.name} 无法解开：口令不对，或文件已损坏") from exc
    except (OSError, ValueError, KeyError) as exc:
        raise CommandError(f"{path} 不是本系统的密钥备份文件") from exc
    return json.loads(plain)


# ---- backup -----------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing(io.RawIOBase):
    """Hands a stored file to tarfile while computing its sha256."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _pg_env(db: dict) -> dict:
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db.get("USER") or "",
           "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or "")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return {k: v for k, v in env.items() if v != "" or not k.startswith("PG")}


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode:
        raise CommandError(f"{what}失败：{done.stderr.strip()[-800:]}")


def _snapshot_database(work: Path) -> tuple[str, dict]:
    """A consistent copy of the database in ``work``; returns its member name and its description."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        target = work / "db.sqlite3"
        source, dest = sqlite3.connect(db["NAME"], timeout=60), sqlite3.connect(target)
        try:
            source.backup(dest)  # one consistent copy, while the server keeps writing
            return "db.sqlite3", describe(dest.cursor(), "sqlite")
        finally:
            dest.close()
            source.close()
    # PostgreSQL: describe and dump the same snapshot, exported from a repeatable-read transaction.
    snapshot = connections.create_connection("default")
    try:
        with snapshot.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            described = describe(cursor, "postgresql")
            _run(["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot_id}", "-f", str(work / "db.dump")],
                 _pg_env(db), "pg_dump 备份数据库")
            cursor.execute("COMMIT")
    finally:
        snapshot.close()
    return "db.dump", described


def task_storage():
    """The configured task store (the SQLite file or Redis), also when tasks run in immediate mode."""
    return HUEY.get_storage(**HUEY.storage_kwargs)


def _snapshot_tasks(work: Path) -> str | None:
    """The task queue: the SQLite store's file, or the queued and scheduled items in Redis."""
    storage = task_storage()
    if hasattr(storage, "filename"):
        source, dest = sqlite3.connect(storage.filename, timeout=60), sqlite3.connect(work / "tasks.sqlite3")
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        return "tasks.sqlite3"
    if hasattr(storage, "conn"):
        items = {"queue": [base64.b64encode(x).decode() for x in storage.conn.lrange(storage.queue_key, 0, -1)],
                 "schedule": [[base64.b64encode(x).decode(), score] for x, score in
                              storage.conn.zrange(storage.schedule_key, 0, -1, withscores=True)]}
        (work / "tasks.json").write_text(json.dumps(items))
        return "tasks.json"
    return None


def stored_files(storage=default_storage, folder: str = ""):
    """Every file name in the storage, depth first."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(dirs):
        yield from stored_files(storage, f"{folder}/{sub}" if folder else sub)


def app_version() -> str:
    try:
        return metadata.version("dangjian")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class BackupResult:
    archive: Path
    keys: Path | None
    manifest: dict
    removed: list[Path] = field(default_factory=list)


def create_backup(target_dir: Path, *, passphrase: str | None, keep: int | None = None) -> BackupResult:
    """Write the archive (and, with a passphrase, the key archive) into ``target_dir``."""
    crypto.keyring()  # a missing key ring stops here, before anything is written
    target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # names sort by time (retention relies on it)
    name = f"dangjian-{stamp}.tar.gz"
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=target_dir))
    try:
        db_member, described = _snapshot_database(work)
        local = [db_member] + [m for m in [_snapshot_tasks(work)] if m]
        checksums = {m: _sha256(work / m) for m in local}
        partial = work / name
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for member in local:
                tar.add(work / member, arcname=member)
            # Files after the snapshot: every file the snapshot names was written before its commit.
            for file_name in stored_files():
                try:
                    size, handle = default_storage.size(file_name), default_storage.open(file_name, "rb")
                except FileNotFoundError:  # removed since it was listed
                    continue
                with handle:
                    info = tarfile.TarInfo(f"media/{file_name}")
                    info.size, info.mode, info.mtime = size, 0o640, int(dt.datetime.now().timestamp())
                    hashing = _Hashing(handle)
                    tar.addfile(info, fileobj=hashing)
                checksums[info.name] = hashing.digest.hexdigest()
            manifest = {"format": ARCHIVE_FORMAT, "created": dt.datetime.now(dt.UTC).isoformat(),
                        "app_version": app_version(), "database": connection.vendor, "database_file": db_member,
                        "task_store": local[1] if len(local) > 1 else None, **described,
                        "keys": key_check(crypto.keyring()), "files": checksums}
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
        archive = target_dir / name
        partial.replace(archive)
        keys = None
        if passphrase:
            keys = target_dir / name.replace(".tar.gz", ".keys")
            fd = os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(seal_keys(passphrase, key_contents(name)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = BackupResult(archive, keys, manifest)
    if keep:
        result.removed = prune(target_dir, keep)
    audit.security_event("system.backup", message=f"备份 {name}：{len(checksums)} 个文件，审计链到序号 "
                                                  f"{manifest['audit_head']['seq']}"
                                                  + ("，另有加密的密钥备份" if keys else "，未备份密钥"))
    return result


def prune(target_dir: Path, keep: int) -> list[Path]:
    """Keep the newest ``keep`` archives (with their key archives); remove the older ones."""
    archives = sorted(target_dir.glob("dangjian-*.tar.gz"), reverse=True)  # names sort by time
    removed = []
    for old in archives[keep:]:
        for path in (old, old.with_name(old.name.replace(".tar.gz", ".keys"))):
            if path.exists():
                path.unlink()
                removed.append(path)
    return removed


# ---- restore ----------------------------------------------------------------------------------------

@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _extract(archive: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")  # no absolute paths, links or devices
    except (OSError, tarfile.TarError) as exc:
        raise CommandError(f"{archive} 不是可读的备份文件：{exc}") from exc
    try:
        manifest = json.loads((into / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"{archive} 中没有清单 manifest.json，不是本系统的备份") from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise CommandError(f"{archive} 的格式 {manifest.get('format')} 不是本系统能恢复的 {ARCHIVE_FORMAT}")
    bad = [m for m, digest in manifest["files"].items() if not (into / m).is_file() or _sha256(into / m) != digest]
    if bad:
        raise CommandError(f"备份文件已损坏：{len(bad)} 个文件与清单中的校验值不符，如 {bad[0]}")
    return manifest


def live_data() -> list[str]:
    """What already lives in the target: each a reason not to restore over it."""
    found = []
    with connection.cursor() as cursor:
        tables = _tables(cursor, connection.vendor)
    if tables:
        found.append(f"数据库 {settings.DATABASES['default']['NAME']} 已有 {len(tables)} 张表")
    if os.environ.get("DANGJIAN_KEYRING") is None and crypto.keyring_path().exists():
        found.append(f"已有密钥文件 {crypto.keyring_path()}")
    first = next(stored_files(), None)
    if first:
        found.append(f"上传文件存储中已有文件（如 {first}）")
    tasks = task_storage()
    if tasks.queue_size() or tasks.schedule_size():
        found.append("任务队列中已有任务")
    return found


def _restore_database(extracted: Path, manifest: dict) -> None:
    db = settings.DATABASES["default"]
    if manifest["database"] != connection.vendor:
        raise CommandError(f"备份来自 {manifest['database']} 数据库，当前配置的是 {connection.vendor}："
                           "请按 docs/deploy.md 配置同种数据库后再恢复")
    connection.close()
    if connection.vendor == "sqlite":
        source, dest = sqlite3.connect(extracted / manifest["database_file"]), sqlite3.connect(db["NAME"])
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    else:
        _run(["pg_restore", "--no-owner", "--exit-on-error", "-d", db["NAME"],
              str(extracted / manifest["database_file"])], _pg_env(db), "pg_restore 恢复数据库")


def _restore_tasks(extracted: Path, manifest: dict) -> None:
    member, storage = manifest.get("task_store"), task_storage()
    if member == "tasks.sqlite3" and hasattr(storage, "filename"):
        source, dest = sqlite3.connect(extracted / member), sqlite3.connect(storage.filename, timeout=60)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    elif member == "tasks.json" and hasattr(storage, "conn"):
        items = json.loads((extracted / member).read_text())
        for data in items["queue"]:
            storage.conn.rpush(storage.queue_key, base64.b64decode(data))
        for data, score in items["schedule"]:
            storage.conn.zadd(storage.schedule_key, {base64.b64decode(data): score})


def check_migrations() -> Check:
    executor = MigrationExecutor(connection)
    applied = set(executor.loader.applied_migrations)
    unknown = sorted(f"{a}.{n}" for a, n in applied - set(executor.loader.disk_migrations))
    if unknown:
        return Check("迁移状态", False, f"备份来自更新的版本：代码中没有迁移 {'、'.join(unknown[:5])}，请用该版本的代码恢复")
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return Check("迁移状态", True, "与当前代码一致")
    call_command("migrate", interactive=False, verbosity=0)
    return Check("迁移状态", True, f"代码较新，已向前迁移 {len(plan)} 项")


def _check_decryption() -> Check:
    total, failed = 0, []
    with connection.cursor() as cursor:
        for model, fld in encrypted_fields():
            table, pk = connection.ops.quote_name(model._meta.db_table), model._meta.pk.column
            cursor.execute(f"SELECT {connection.ops.quote_name(pk)}, {connection.ops.quote_name(fld.column)} "
                           f"FROM {table}")
            for row_id, value in cursor.fetchall():
                if not crypto.is_ciphertext(value):
                    continue
                total += 1
                try:
                    crypto.decrypt(value)
                except crypto.DecryptionError:
                    failed.append(f"{model._meta.verbose_name} {row_id} 的{fld.verbose_name}")
    if failed:
        return Check("加密数据", False, f"{len(failed)} 个加密值无法解密，如 {'、'.join(failed[:3])}")
    return Check("加密数据", True, f"{total} 个加密值全部可以解密")


def restore(archive: Path, keys_file: Path, passphrase: str) -> list[Check]:
    """Restore into the empty place configured by the environment; return the checks made after it."""
    keys = open_keys(keys_file, passphrase)
    with tempfile.TemporaryDirectory(prefix="dangjian-restore-") as tmp:
        extracted = Path(tmp)
        manifest = _extract(archive, extracted)  # the backup and its keys are checked before the target
        held, needed = key_check(keys["keyring"]), manifest["keys"]
        if held["audit_key_check"] != needed["audit_key_check"]:
            raise CommandError(f"密钥备份（来自 {keys.get('backup')}）与 {archive.name} 不是同一套密钥：审计密钥不同。"
                               "请给出该系统的密钥备份；什么也没有写入。")
        missing = sorted(set(needed["data_keys"]) - set(held["data_keys"]))
        if missing:
            raise CommandError(f"密钥备份（来自 {keys.get('backup')}）缺少数据密钥 {'、'.join(missing)}"
                               "（它早于一次密钥轮换）：请给出轮换之后的密钥备份；什么也没有写入。")
        live = live_data()
        if live:
            raise CommandError("拒绝恢复：目标不是空的，恢复会覆盖现有数据——" + "；".join(live)
                               + "。请换一个空的数据目录或空数据库（见 docs/deploy.md）。")
        _put_keys(keys)
        _restore_database(extracted, manifest)
        media = [m for m in manifest["files"] if m.startswith("media/")]
        for member in media:
            name = member.removeprefix("media/")
            with open(extracted / member, "rb") as f:
                stored = default_storage.save(name, File(f, name=name))
            if stored != name:
                raise CommandError(f"上传文件 {name} 恢复后名称变为 {stored}：存储不是空的")
        _restore_tasks(extracted, manifest)
    forget_values()  # a shared cache may keep values read from the data before (their generations are not new)

    checks = []
    with connection.cursor() as cursor:
        now = describe(cursor, connection.vendor)
    differ = [f"{t}（清单 {n}，恢复后 {now['counts'].get(t)}）" for t, n in manifest["counts"].items()
              if now["counts"].get(t) != n]
    checks.append(Check("记录数", not differ, "各表记录数与清单一致（{} 张表，{} 条记录）".format(
        len(manifest["counts"]), sum(manifest["counts"].values())) if not differ else "不一致：" + "；".join(differ[:5])))
    head_ok = now["audit_head"] == manifest["audit_head"]
    checks.append(Check("审计链头", head_ok, f"序号 {now['audit_head']['seq']}，" + (
        "与清单一致" if head_ok else f"清单记载序号 {manifest['audit_head']['seq']}")))
    checks.append(Check("上传文件", True, f"{len(media)} 个文件已放回存储，校验值与清单一致"))
    checks.append(check_migrations())
    verdict = audit_chain.verify()
    checks.append(Check("审计链校验", verdict.ok, verdict.describe()))
    checks.append(_check_decryption())
    audit.security_event("system.restore", success=all(c.ok for c in checks),
                         message=f"从 {archive.name} 恢复：" + "；".join(f"{c.name}{'通过' if c.ok else '未通过'}"
                                                                     for c in checks))
    return checks


def _put_keys(keys: dict) -> None:
    if os.environ.get("DANGJIAN_KEYRING"):
        if crypto.keyring() != keys["keyring"]:
            raise CommandError("环境变量 DANGJIAN_KEYRING 中的密钥与备份的密钥不同：请改为备份中的密钥或取消该变量")
    else:
        crypto.write_keyring(keys["keyring"])
    if os.environ.get("DANGJIAN_SECRET_KEY"):
        return  # the operator manages it; sessions and signed links of the old system end if it differs
    secret = Path(settings.DATA_DIR) / "secret_key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(keys["secret_key"])
