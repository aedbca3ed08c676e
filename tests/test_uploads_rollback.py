"""A file stored inside a transaction that rolls back does not outlive it: once the request is over,
only files whose records were committed remain under MEDIA_ROOT."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client

from dangjian.accounts.models import User
from dangjian.core.uploads import store_upload
from dangjian.meetings.models import Meeting, MeetingAttachment
from dangjian.meetings.services import attachments

PDF = b"%PDF-1.4\n%test\n" + b"0" * 200


def stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_files_of_a_rolled_back_transaction_are_removed_when_the_request_ends(tx_demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    actor = User.objects.get(username="dangwu")
    meeting = Meeting.objects.filter(org__code="SXX-DZ").order_by("id").first()
    kept = attachments.do_add_attachment(meeting, ContentFile(PDF, name="议程.pdf"), actor=actor)
    with pytest.raises(RuntimeError), transaction.atomic():  # a later step of the same change fails
        attachments.do_add_attachment(meeting, ContentFile(PDF, name="作废.pdf"), actor=actor)
        raise RuntimeError("后续步骤失败")
    with pytest.raises(RuntimeError), transaction.atomic():  # the duties module's plain stored paths too
        store_upload(ContentFile(PDF, name="扫描件.pdf"), "duties/letters/2026", "pdf")
        raise RuntimeError("后续步骤失败")
    assert len(stored_files(tmp_path)) == 3
    assert list(MeetingAttachment.objects.filter(meeting=meeting, name__in=["议程.pdf", "作废.pdf"])) == [kept]

    Client().get("/accounts/login/")  # any request's end removes the leftovers of this thread
    assert stored_files(tmp_path) == [kept.file.name.rsplit("/", 1)[-1]]
