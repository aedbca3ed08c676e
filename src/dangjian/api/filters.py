"""A list's filter in the API is its page's filter form: one definition, the same records for the same values.

The API's query schema only documents and type-checks the parameters; the page's form then validates
them against the user's scope and filters the queryset exactly as the page does. Where the API has an
older name for a parameter (``org_id`` for the page's ``org``), ``renames`` maps it onto the form's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict


def form_data(filters, renames: dict[str, str] | None = None) -> QueryDict:
    """The given query parameters (a ninja Schema) as the page form's GET data."""
    renames = renames or {}
    data = QueryDict(mutable=True)
    for name, value in filters.dict(exclude_none=True).items():
        if value is False or value == "":
            continue
        data[renames.get(name, name)] = str(getattr(value, "value", value))
    return data


def apply_filter(form, queryset, *args):
    """``form.filter(queryset, *args)``; a value the form refuses is a 422, where the page would ignore it."""
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return form.filter(queryset, *args)
