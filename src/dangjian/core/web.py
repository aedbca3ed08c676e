"""Helpers shared by every module's pages: a service's errors on a form or in a flash message, and paging."""

import re

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator


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


def paginate(request, queryset, per_page: int = 50):
    """One page of a list: a COUNT and one page query, whatever the list's length."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
