"""A missing key ring stops every command with a clear message and creates nothing (issue 12).

A new key in place of the one that sealed the data would make every encrypted value unreadable and
break the audit chain at its first record for good, even once the right file is put back. The same
refusal from a command in its own process, on a restored system, is in test_restore_drill.py.
"""

import pytest
from django.core.management import call_command

from dangjian.accounts.models import User
from dangjian.core import crypto, db
from dangjian.core.models import AuditEvent
from dangjian.matters.models import Matter
from dangjian.orgs.models import PartyStatus, Person

from ..concurrency.helpers import edit_data
from ..conftest import signed_in


@pytest.fixture
def keyring_gone(tmp_path, monkeypatch):
    missing = tmp_path / "keys" / "keyring.json"
    monkeypatch.setenv("DANGJIAN_KEYRING_FILE", str(missing))
    crypto.reload_keyring()
    yield missing
    monkeypatch.undo()
    crypto.reload_keyring()


def test_verify_audit_stops_on_a_missing_key_and_writes_nothing(demo, keyring_gone):
    events = AuditEvent.objects.count()
    with pytest.raises(crypto.MissingKeyError) as refused:
        call_command("verify_audit")
    assert "找不到密钥文件" in str(refused.value) and str(keyring_gone) in str(refused.value)
    assert "没有新建密钥" in str(refused.value)
    assert not keyring_gone.exists() and not keyring_gone.parent.exists()
    assert AuditEvent.objects.count() == events
    with pytest.raises(crypto.MissingKeyError):  # and every value that needs the key
        crypto.encrypt("13800000000")
    assert not keyring_gone.exists()


@pytest.mark.django_db(transaction=True)
def test_a_write_request_without_the_key_ring_is_a_clear_503_and_writes_nothing(tx_demo, request):
    """In a request (a page, the API) the missing key ring is the Chinese 503 that says nothing was written —
    not a 500 (the signed-in user is read in a middleware, before any view: the 500 handler's path). A write
    that meets it inside core.db.in_transaction is rolled back whole, where a refusal keeps what came before
    it: a record without its audit event."""
    person = Person.objects.filter(party_status=PartyStatus.FULL, branch__isnull=False).order_by("pk").first()
    matter = Matter.objects.filter(status="registered").order_by("pk").first()
    client = signed_in(User.objects.get(username="dangwu"), raise_request_exception=False)
    events, form = AuditEvent.objects.count(), edit_data(person, job_title="无密钥时的职务")
    keyring_gone = request.getfixturevalue("keyring_gone")  # from here on (the records above were read with it)
    page = client.post(f"/people/{person.pk}/edit/", form)
    assert page.status_code == 503, page.content.decode()[:300]
    text = page.content.decode()
    assert "找不到密钥文件" in text and "未写入任何内容" in text and str(keyring_gone) not in text
    answer = client.patch(f"/api/v1/matters/{matter.pk}", {"version": matter.version, "title": "无密钥时的标题"},
                          content_type="application/json")
    assert answer.status_code == 503 and answer["Content-Type"] == "application/json"
    assert "找不到密钥文件" in answer.json()["detail"] and "未写入任何内容" in answer.json()["detail"]
    with pytest.raises(crypto.MissingKeyError):
        db.in_transaction(lambda: (Matter.objects.filter(pk=matter.pk).update(title="无密钥时的标题"),
                                   crypto.encrypt("13800000000")))
    # no encrypted field read: the key is still away
    assert Person.objects.values_list("job_title", "version").get(pk=person.pk) == (person.job_title, person.version)
    assert Matter.objects.values_list("title", "version").get(pk=matter.pk) == (matter.title, matter.version)
    assert AuditEvent.objects.count() == events and not keyring_gone.exists()
