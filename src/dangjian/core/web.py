"""Helpers shared by every module's pages: a service's errors on a form or in a flash message, paging, and
the bounded reading of number and year parameters."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator

# The years a page or a filter accepts: beyond them a date cannot be built or stored (year 10000), and no
# record of this system lies there.
YEAR_MIN, YEAR_MAX = 2000, 2100


def int_param(params, name: str, default=None, *, minimum: int = 0, maximum: int = 2**31 - 1):
    """A whole-number query parameter (``params`` is request.GET or request.POST), or ``default`` when it is
    missing, not a plain decimal number, or outside [minimum, maximum]: a page never fails on its query
    string (?year=-1, 10000, 2147483648, abc, ４ all give the default)."""
    raw = (params.get(name) or "").strip()
    digits = raw[1:] if raw[:1] == "-" else raw
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default


def year_param(params, name: str = "year", default=None):
    """A year parameter within YEAR_MIN..YEAR_MAX, else ``default``."""
    return int_param(params, name, default, minimum=YEAR_MIN, maximum=YEAR_MAX)


def year_field(**kwargs) -> forms.IntegerField:
    """A form's year field, bounded like year_param (a filter form refuses what the page would ignore)."""
    return forms.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


def form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the whole form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


_EXPLANATION = re.compile(r"（[^（）]*）|\([^()]*\)")


def short_label(label) -> str:
    """A field's label as an error message names it: without the explanation in brackets that the form
    shows beside the field (“乙方（班子成员或科室负责人）” → “乙方”)."""
    return _EXPLANATION.sub("", str(label)).strip() or str(label)


def form_error_summary(form, prefix: str = "未保存：") -> str:
    """An inline form's errors as one flash message naming each field: “未保存：开始日期：必填；…”."""
    return prefix + "；".join(f"{short_label(form.fields[f].label)}：{e}" if f in form.fields else e
                              for f, errs in form.errors.items() for e in errs)


def paginate(request, queryset, per_page: int = 50, *, count: int | None = None):
    """One page of a list: a COUNT (none when the caller knows ``count``) and one page query, whatever the list's
    length."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    return paginator.get_page(request.GET.get("page"))
