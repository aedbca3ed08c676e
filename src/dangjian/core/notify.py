"""Notifications (docs/architecture.md: one call sends in-app and by e-mail; no module talks to SMTP itself).

A note is written in the caller's transaction; its e-mail copy is marked pending there and sent only after
that transaction commits, by the delivery queue (``deliver_pending``: asked for on commit, and swept every
minute and when a consumer starts). A rolled-back change therefore sends nothing, and a crash loses no
mail: what was committed stays pending until it is sent. The deliverer claims a row (pending → sending)
before it sends it and marks it sent right after, so two deliverers never send the same note; a claim left
by a deliverer that died is taken again after ``CLAIM_TIMEOUT``. Each message carries a Message-ID derived
from the note, so even that one message in flight at a crash is recognisable as the same message.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import Notification

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
BATCH = 200


def _wants_mail(user, always: bool = False) -> bool:
    return bool(user.email) and (always or getattr(user, "notify_by_email", True))


def _after_commit() -> None:
    transaction.on_commit(lambda: deliver_mail())


def notify(recipient, title: str, body: str = "", *, link: str = "", category: str = "",
           always_email: bool = False) -> Notification | None:
    """Send to a user (or a Person with an account): in-app always, e-mail (after commit) if they have one and
    want it (``always_email``: whatever they chose — a message they need before they can sign in)."""
    user = getattr(recipient, "user", recipient) if not hasattr(recipient, "notifications") else recipient
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        return None
    note = Notification.objects.create(recipient=user, title=title[:200], body=body, link=link[:300],
                                       category=category,
                                       mail_state="pending" if _wants_mail(user, always_email) else "")
    if note.mail_state:
        _after_commit()
    return note


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notify_many(items, *, category: str = "") -> int:
    """The same as :func:`notify` for many recipients at once (periodic jobs such as the weekly 督办单):
    the in-app notes in one bulk insert in the caller's transaction, their e-mail copies sent after commit.

    ``items`` yields (user, title, body, link); returns how many notes were written.
    """
    notes = [Notification(recipient=user, title=title[:200], body=body, link=link[:300], category=category,
                          mail_state="pending" if _wants_mail(user) else "")
             for user, title, body, link in items if user is not None and getattr(user, "pk", None) and user.is_active]
    Notification.objects.bulk_create(notes, batch_size=2000)
    if any(n.mail_state for n in notes):
        _after_commit()
    return len(notes)


def _due() -> Q:
    return Q(mail_state="pending") | Q(mail_state="sending", mail_claimed_at__lt=timezone.now() - CLAIM_TIMEOUT)


def _claim(limit: int) -> list[Notification]:
    """Take up to ``limit`` due notes for this deliverer: the UPDATE re-checks that each is still due, so a
    note another deliverer claimed meanwhile is not taken twice; the claim time marks this deliverer's rows."""
    stamp = timezone.now()
    with transaction.atomic():
        ids = list(Notification.objects.filter(_due()).order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Notification.objects.filter(_due(), pk__in=ids).update(
            mail_state="sending", mail_claimed_at=stamp, mail_attempts=F("mail_attempts") + 1)
    return list(Notification.objects.filter(pk__in=ids, mail_state="sending", mail_claimed_at=stamp)
                .select_related("recipient").order_by("pk"))


def _message(note: Notification, connection) -> EmailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return EmailMessage(note.title, f"{note.body}\n\n{note.link}".strip(), settings.DEFAULT_FROM_EMAIL,
                        [note.recipient.email], connection=connection,
                        headers={"Message-ID": f"<notification-{note.pk}@{domain}>"})


def deliver_pending(limit: int = BATCH) -> int:
    """Send every committed e-mail copy still pending; returns how many were sent."""
    sent = 0
    while batch := _claim(limit):
        connection = get_connection()
        try:
            connection.open()
            for note in batch:
                connection.send_messages([_message(note, connection)])
                Notification.objects.filter(pk=note.pk).update(mail_state="sent", emailed=True, mail_error="")
                sent += 1
        except (OSError, smtplib.SMTPException) as exc:  # SMTPException is an OSError; kept for the reader
            # The note being sent and the rest of the batch go back to pending (after MAX_ATTEMPTS: failed);
            # the server may be down, so stop here and leave them to the next sweep.
            unsent = Notification.objects.filter(pk__in=[n.pk for n in batch], mail_state="sending")
            unsent.filter(mail_attempts__gte=MAX_ATTEMPTS).update(mail_state="failed", mail_error=str(exc)[:200])
            unsent.update(mail_state="pending", mail_error=str(exc)[:200])
            log.warning("通知邮件发送失败（稍后重试）：%s", exc)
            return sent
        finally:
            connection.close()
    return sent


@db_task()
def deliver_mail():
    """The delivery queue's task: asked for after each commit that wrote notes with an e-mail copy."""
    return deliver_pending()


@db_periodic_task(crontab())
def deliver_mail_sweep():
    """Every minute: whatever a lost request or a dead deliverer left pending."""
    return deliver_pending()
