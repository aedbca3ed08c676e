"""Notifications (docs/architecture.md: one call sends in-app and by e-mail; no module talks to SMTP itself)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from .models import Notification

log = logging.getLogger(__name__)


def notify(recipient, title: str, body: str = "", *, link: str = "", category: str = "",
           always_email: bool = False) -> Notification | None:
    """Send to a user (or a Person with an account): in-app always, e-mail if they have one and want it
    (``always_email``: whatever they chose — a message they need before they can sign in)."""
    user = getattr(recipient, "user", recipient) if not hasattr(recipient, "notifications") else recipient
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        return None
    note = Notification.objects.create(recipient=user, title=title[:200], body=body, link=link[:300],
                                       category=category)
    if user.email and (always_email or getattr(user, "notify_by_email", True)):
        try:
            send_mail(title, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
        except OSError:  # a mail outage must not undo the business change; the in-app copy stands
            log.warning("通知邮件发送失败：%s → %s", title, user.email)
        else:
            Notification.objects.filter(pk=note.pk).update(emailed=True)
            note.emailed = True
    return note


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notify_many(items, *, category: str = "") -> int:
    """The same as :func:`notify` for many recipients at once (periodic jobs such as the weekly 督办单):
    the in-app notes in one bulk insert, an e-mail to each recipient who has an address and wants it.

    ``items`` yields (user, title, body, link); returns how many notes were written.
    """
    notes = [Notification(recipient=user, title=title[:200], body=body, link=link[:300], category=category)
             for user, title, body, link in items if user is not None and getattr(user, "pk", None) and user.is_active]
    Notification.objects.bulk_create(notes, batch_size=2000)
    for note in notes:
        user = note.recipient
        if user.email and getattr(user, "notify_by_email", True):
            try:
                send_mail(note.title, f"{note.body}\n\n{note.link}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
            except OSError:
                log.warning("通知邮件发送失败：%s → %s", note.title, user.email)
            else:
                note.emailed = True
    emailed = [n.pk for n in notes if n.emailed and n.pk]
    if emailed:
        Notification.objects.filter(pk__in=emailed).update(emailed=True)
    return len(notes)
