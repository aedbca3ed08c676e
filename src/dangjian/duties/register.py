"""制度汇编: saving rules with their files, Chinese full-text search, in force on a date, yearly count."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from dangjian.core import audit
from dangjian.core.uploads import store_upload, validate_upload

from .models import Institution
from .services import require_change

ALLOWED = ("pdf", "docx", "doc")


def search(queryset, text: str):
    """Every word (split on spaces) must occur in the title, number, issuer or body.

    Chinese has no spaces between words, so a substring test is the correct match for a phrase
    like “三重一大”; it works the same on SQLite and PostgreSQL.
    """
    for word in text.split()[:5]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(doc_number__icontains=word)
                                   | Q(issuer__icontains=word) | Q(body__icontains=word))
    return queryset


def do_save_institution(item: Institution, *, actor, upload=None, expected_version: int | None = None) -> Institution:
    # checked before the transaction, so that a refusal stays logged as a security event
    kind = validate_upload(upload, kinds=ALLOWED, actor=actor) if upload is not None else ""
    with transaction.atomic():
        require_change(actor, item.org.path, f"在“{item.org}”登记制度")
        if item.pk:
            stored = Institution.objects.get(pk=item.pk)
            require_change(actor, stored.org_path, f"修改{stored}")
        if item.repealed_on and item.repealed_on <= item.issued_on:
            raise ValidationError({"repealed_on": "废止日期应晚于印发日期"})
        if upload is not None:
            item.file_name = upload.name[:200]
            item.file = store_upload(upload, f"duties/rules/{item.issued_on.year}", kind)
        audit.save_audited(item, actor=actor, action="institution.update" if item.pk else "institution.create",
                           expected_version=expected_version)
    return item


def made_in_year(queryset, year: int):
    return queryset.filter(issued_on__year=year).order_by("issued_on", "id")


def year_sentence(queryset, year: int) -> str:
    """The report's “制定《X》、《X》等X项制度” for a year, from the register."""
    made = list(made_in_year(queryset, year).values_list("title", flat=True))
    if not made:
        return f"{year}年未制定新的制度。"
    names = "、".join(f"《{t}》" for t in made[:2])
    return f"制定{names}{'等' if len(made) > 2 else ''}{len(made)}项制度。"


def on_date(value: str | None) -> dt.date:
    from django.utils import timezone

    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()
