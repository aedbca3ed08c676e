"""Tamper evidence of the audit log (安全审计, GB/T 22239-2019 8.1.4.3): an HMAC-SM3 hash chain.

Each AuditEvent carries ``seq`` (its place in the chain), ``prev_hash`` (the previous event's
``chain_hash``) and ``chain_hash = HMAC-SM3(audit key, prev_hash ‖ canonical(event))``. The key is
in the keyring outside the database (core.crypto), so someone who can write the table cannot
forge a consistent chain. The chain head (one row, AuditChainHead) is locked by every writer
inside its transaction — SELECT … FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on SQLite —
so concurrent writers append one after the other and a rolled-back transaction leaves no gap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

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


def verify() -> Verdict:
    """Walk the chain in order; name the first record whose content, link or place is wrong."""
    unchained = AuditEvent.objects.filter(seq__isnull=True).order_by("id").first()
    if unchained is not None:
        return Verdict(False, 0, unchained, "记录不在链中（未经系统写入）")
    checked, prev, last_seq = 0, None, None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if prev is None:
            if event.prev_hash != GENESIS and event.prev_hash not in archive_anchors():
                return Verdict(False, checked, event, "与前面的记录不相连（之前的记录被删除或改动）")
        elif event.prev_hash != prev or event.seq != last_seq + 1:
            return Verdict(False, checked, event, "与前一条记录不相连（有记录被删除、插入或改动）")
        if link_hash(event.prev_hash, event) != event.chain_hash:
            return Verdict(False, checked, event, "内容与链值不符（记录被改动）")
        prev, last_seq = event.chain_hash, event.seq
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq and (head.last_seq != last_seq or head.last_hash != prev):
        return Verdict(False, checked, None, f"链尾缺失：链头记载到序号 {head.last_seq}，表中只到 {last_seq or 0}")
    return Verdict(True, checked)
