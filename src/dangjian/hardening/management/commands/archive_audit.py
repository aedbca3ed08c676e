"""Archive audit records older than the retention period to a compressed file — never delete them.

Removing archived rows is a database administrator's operation (docs/security.md); the archive
event records the file's SM3 digest and the last archived chain value, so that the chain still
verifies once the DBA has removed the archived prefix.
"""

import datetime as dt
import gzip
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.utils import timezone

from dangjian.core import audit, rule_settings
from dangjian.core.models import AuditEvent


def sm3_file(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.finalize().hex()


def last_archived_seq() -> int:
    afters = AuditEvent.objects.filter(action="audit.archive", success=True).values_list("after", flat=True)
    return max((a.get("last_seq", 0) for a in afters if isinstance(a, dict)), default=0)


class Command(BaseCommand):
    help = "将超过保存期限的审计记录导出为压缩归档文件（记录其 SM3 摘要），不删除任何记录"

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(settings.DATA_DIR / "audit-archive"), help="归档目录")
        parser.add_argument("--days", type=int, default=None, help="保存天数（默认取规则“审计记录保存天数”）")

    def handle(self, *args, **options):
        minimum = rule_settings.rule("security.audit_retention_days").minimum
        days = options["days"] if options["days"] is not None else rule_settings.get("security.audit_retention_days")
        if days < minimum:
            raise CommandError(f"保存天数：不能少于 {minimum:g} 天（《网络安全法》第二十一条）")
        cutoff = timezone.now() - dt.timedelta(days=days)
        rows = AuditEvent.objects.filter(seq__gt=last_archived_seq(), at__lt=cutoff).order_by("seq")
        if not rows.exists():
            self.stdout.write(f"没有早于 {cutoff:%Y-%m-%d} 且未归档的审计记录。")
            return
        target_dir = Path(options["to"])
        target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = target_dir / f"audit-{timezone.now():%Y%m%d-%H%M%S}.jsonl.gz"
        count, first, last = 0, None, None
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for event in rows.iterator(chunk_size=2000):
                data = model_to_dict(event)
                data.update(id=event.pk, at=event.at, seq=event.seq, prev_hash=event.prev_hash,
                            chain_hash=event.chain_hash)
                out.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
                first, last, count = first or event, event, count + 1
        path.chmod(0o600)
        digest = sm3_file(path)
        audit.security_event(
            "audit.archive", target_repr=path.name,
            message=f"归档 {count} 条审计记录（序号 {first.seq}–{last.seq}），SM3 {digest}",
            after={"file": path.name, "sm3": digest, "count": count, "first_seq": first.seq, "last_seq": last.seq,
                   "last_chain_hash": last.chain_hash, "cutoff": cutoff.isoformat(), "retention_days": days},
        )
        self.stdout.write(f"已归档 {count} 条审计记录到 {path}（SM3 {digest}）。记录未删除；删除须由数据库管理员按 docs/security.md 操作。")
