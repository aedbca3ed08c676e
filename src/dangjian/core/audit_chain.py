"""Tamper evidence of the audit log (安全审计, GB/T 22239-2019 8.1.4.3): an HMAC-SM3 hash chain.

Each AuditEvent carries ``seq`` (its place in the chain), ``prev_hash`` (the previous event's
``chain_hash``) and ``chain_hash = HMAC-SM3(audit key, prev_hash ‖ canonical(event))``. The key is
in the keyring outside the database (core.crypto), so someone who can write the table cannot
forge a consistent chain. The chain head (one row, AuditChainHead) is locked by every writer
inside its transaction — SELECT … FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on SQLite —
so concurrent writers append one after the other and a rolled-back transaction leaves no gap.

Someone who can drop the triggers can still cut off the end of the chain and rewind the head: nothing left
in the database shows it. So the chain is also anchored outside the database: a periodic checkpoint (the
head's sequence number and chain value, signed with a key derived from the audit key in the keyring) is
appended to a file kept apart from the database (AUDIT_CHECKPOINT_FILE; beside the keyring by default) and
logged to the "dangjian.audit.checkpoint" logger (syslog where the deployment routes it). :func:`verify`
compares the chain with every checkpoint and reports a tail that a checkpoint saw and the table lacks.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from . import crypto
from .models import AuditChainHead, AuditEvent

GENESIS = ""
# Fields covered by the hash: every column except the id (assigned by the database) and the hashes.
_FIELDS = ("seq", "category", "action", "actor_name", "request_id", "org_path", "target_type", "target_id",
           "target_repr", "message")


def _plain(value):
    """The value as it reads back from either database's JSON column."""
    if value is None:
        return None
    return json.loads(DjangoJSONEncoder().encode(value))


def normalise_ip(ip: str | None) -> str | None:
    # PostgreSQL's inet type rewrites IPv6 text; hash the form it will read back.
    if ip and ":" in ip:
        return clean_ipv6_address(ip)
    return ip or None


def canonical(event) -> bytes:
    data = {name: getattr(event, name) for name in _FIELDS}
    data.update(
        at=event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor_id=event.actor_id,
        ip=normalise_ip(event.ip),
        success=bool(event.success),
        before=_plain(event.before),
        after=_plain(event.after),
    )
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def link_hash(prev_hash: str, event) -> str:
    return crypto.hmac_sm3(crypto.audit_key(), prev_hash.encode() + b"\n" + canonical(event))


def _locked_head():
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # first event of a fresh database (or after a test flush)
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def append(events: list) -> list:
    """Chain and insert unsaved AuditEvents, in order, in the caller's transaction (or their own)."""
    if not events:
        return events
    with transaction.atomic():
        head = _locked_head()
        prev, seq = head.last_hash, head.last_seq
        now = timezone.now()
        for event in events:
            seq += 1
            event.seq = seq
            event.at = event.at or now
            event.ip = normalise_ip(event.ip)
            event.prev_hash = prev
            event.chain_hash = prev = link_hash(prev, event)
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events, batch_size=2000)
        type(head).objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return events


@dataclass
class Verdict:
    ok: bool
    checked: int
    event: object | None = None  # the first altered record
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"审计链完整：共校验 {self.checked} 条记录。"
        if self.event is None:
            return f"审计链不完整：{self.reason}（已校验 {self.checked} 条）。"
        e = self.event
        return (f"审计链被破坏：第一条异常记录 编号 {e.pk}（序号 {e.seq}），时间 {e.at:%Y-%m-%d %H:%M:%S} UTC，"
                f"操作 {e.action}：{self.reason}。")


def archive_anchors() -> set[str]:
    """Chain values at which archived (and then removed by the DBA) prefixes of the log ended."""
    anchors = set()
    for after in AuditEvent.objects.filter(action="audit.archive", success=True).values_list("after", flat=True):
        if isinstance(after, dict) and after.get("last_chain_hash"):
            anchors.add(after["last_chain_hash"])
    return anchors


# ---- checkpoints outside the database ------------------------------------------------------------

checkpoint_log = logging.getLogger("dangjian.audit.checkpoint")


def checkpoint_path() -> Path:
    configured = getattr(settings, "AUDIT_CHECKPOINT_FILE", "")
    return Path(configured) if configured else crypto.keyring_path().parent / "audit-checkpoints.jsonl"


def _checkpoint_signature(seq: int, chain_hash: str, at: str) -> str:
    # a key of its own, derived from the audit key: it lives in the keyring, never in the database
    key = bytes.fromhex(crypto.hmac_sm3(crypto.audit_key(), b"dangjian audit checkpoint"))
    return crypto.hmac_sm3(key, f"{seq}\n{chain_hash}\n{at}".encode())


def write_checkpoint() -> dict | None:
    """Append the chain head (sequence number and chain value, signed) to the checkpoint file and the log."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or not head.last_seq:
        return None
    at = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry = {"seq": head.last_seq, "hash": head.last_hash, "at": at,
             "sig": _checkpoint_signature(head.last_seq, head.last_hash, at)}
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = json.dumps(entry, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # one write: lines never interleave
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    checkpoint_log.info("audit checkpoint %s", line.strip())
    return entry


def read_checkpoints() -> tuple[list[dict], list[int]]:
    """The checkpoints whose signature holds, and the line numbers of those that do not (altered, forged)."""
    path = checkpoint_path()
    if not path.exists():
        return [], []
    good, bad = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            ok = entry["sig"] == _checkpoint_signature(int(entry["seq"]), entry["hash"], entry["at"])
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok:
            good.append(entry)
        else:
            bad.append(number)
    return good, bad


def verify() -> Verdict:
    """Walk the chain in order; name the first record whose content, link or place is wrong; compare the
    chain with the checkpoints kept outside the database."""
    unchained = AuditEvent.objects.filter(seq__isnull=True).order_by("id").first()
    if unchained is not None:
        return Verdict(False, 0, unchained, "记录不在链中（未经系统写入）")
    marks, bad = read_checkpoints()
    if bad:
        return Verdict(False, 0, None, f"检查点文件 {checkpoint_path()} 第 {bad[0]} 行签名不符（检查点被改动或伪造）")
    marked = {int(m["seq"]): m for m in marks}
    checked, prev, last_seq = 0, None, None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if prev is None:
            if event.prev_hash != GENESIS and event.prev_hash not in archive_anchors():
                return Verdict(False, checked, event, "与前面的记录不相连（之前的记录被删除或改动）")
        elif event.prev_hash != prev or event.seq != last_seq + 1:
            return Verdict(False, checked, event, "与前一条记录不相连（有记录被删除、插入或改动）")
        if link_hash(event.prev_hash, event) != event.chain_hash:
            return Verdict(False, checked, event, "内容与链值不符（记录被改动）")
        mark = marked.get(event.seq)
        if mark is not None and mark["hash"] != event.chain_hash:
            return Verdict(False, checked, event, f"与 {mark['at']} 的外部检查点不符（该处之前的链被重写）")
        prev, last_seq = event.chain_hash, event.seq
        checked += 1
    # a checkpoint beyond the table's last record saw records that are gone
    beyond = [m for m in marks if int(m["seq"]) > (last_seq or 0)]
    if beyond:
        mark = max(beyond, key=lambda m: int(m["seq"]))
        return Verdict(False, checked, None, f"链尾缺失：{mark['at']} 的外部检查点记载到序号 {mark['seq']}，"
                                             f"表中只到 {last_seq or 0}（末尾的记录被删除）")
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq and (head.last_seq != last_seq or head.last_hash != prev):
        return Verdict(False, checked, None, f"链尾缺失：链头记载到序号 {head.last_seq}，表中只到 {last_seq or 0}")
    return Verdict(True, checked)
