"""What a restore must bring back, read the same way in the original and in the restored system.

``python -m tests.ops.drill`` prints it as JSON for the system its environment points at: people,
matters and meetings (every column, encrypted ones decrypted with that system's key ring), the audit
chain, and every uploaded file's sha256 read through the storage.
"""

import base64
import hashlib
import json

from django.core.files.storage import default_storage


def _rows(model) -> dict:
    return {str(obj.pk): {f.attname: str(getattr(obj, f.attname)) for f in model._meta.concrete_fields}
            for obj in model._base_manager.order_by("pk")}


def dump() -> dict:
    from dangjian.core.backup import stored_files, task_storage
    from dangjian.core.models import AuditEvent
    from dangjian.matters.models import Matter
    from dangjian.meetings.models import Meeting
    from dangjian.orgs.models import Person

    files = {}
    for name in stored_files():
        with default_storage.open(name, "rb") as f:
            files[name] = hashlib.sha256(f.read()).hexdigest()
    return {"people": _rows(Person), "matters": _rows(Matter), "meetings": _rows(Meeting),
            "audit": [list(row) for row in AuditEvent.objects.order_by("seq").values_list("seq", "chain_hash",
                                                                                          "action")],
            "files": files, "tasks": sorted(base64.b64encode(x).decode() for x in task_storage().enqueued_items())}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(dump(), ensure_ascii=False))
