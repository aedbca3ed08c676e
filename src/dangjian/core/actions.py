"""The shapes of a page's POST: an action (check the form, call the service, say what happened, go back) and
an edit page (the service's refusal goes onto the form, which is shown again).

A service refuses with a ValidationError (a ConflictError when the record changed meanwhile); the
page shows the refusal as one flash message and returns to where the user was. PermissionDenied is
not caught by default: an action the user may not take stays a 403, as the route matrix expects.
The service runs through ``core.db.in_transaction``: a transaction the database aborted for a deadlock or
SQLite busy is run again before the user is told to retry.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from .db import in_transaction
from .web import form_error_summary, form_errors


def refusal_text(exc: Exception, prefix: str = "") -> str:
    """A service's refusal as one Chinese sentence: its messages joined by “；”."""
    texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return prefix + "；".join(texts)


def _form_record(form) -> list:
    """The record a model form edits (changed in memory by its service), else nothing."""
    instance = getattr(form, "instance", None)
    return [instance] if instance is not None else []


def run_action(request, call: Callable[[], object], success: str | Callable[[object], str] | None, redirect_to,
               *, form=None, prefix: str = "", form_prefix: str | None = None,
               refusals: tuple[type[Exception], ...] = (ValidationError,), records=()):
    """Run ``call`` (the service) and redirect to ``redirect_to``, with one flash message either way.

    ``success`` is the message, or a function of what ``call`` returned. With ``form``, an invalid form
    is not sent to the service: its errors become the message (headed ``form_prefix``, else ``prefix``,
    else “未保存：”). A refusal in ``refusals`` becomes the message, headed ``prefix``. ``records`` are the
    records ``call`` changes in memory (see ``in_transaction``); a model form's record is one already.
    """
    if form is not None and not form.is_valid():
        messages.error(request, form_error_summary(form, form_prefix or prefix or "未保存："))
        return redirect(redirect_to)
    try:
        result = in_transaction(call, records=[*records, *_form_record(form)])
    except refusals as exc:
        messages.error(request, refusal_text(exc, prefix))
    else:
        if success:
            messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to)


def save_form(request, form, call: Callable[[], object], success: str | Callable[[object], str],
              redirect_to: str | Callable[[object], str]):
    """An edit page's POST: with a valid form, ``call`` the service; on success flash ``success`` and return the
    redirect (``redirect_to`` may be a function of what ``call`` returned); a refusal is put on the form.
    None means: render the page (a GET, an invalid form or a refusal)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = in_transaction(call, records=_form_record(form))
    except ValidationError as exc:
        form_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def create_or_update(form, create, update, *, actor, **extra):
    """The service call of a page that both adds and edits a record: ``update`` at the version the form was
    loaded with when the record exists, ``create`` otherwise."""
    record = form.save(commit=False)
    if record.pk:
        return update(record, actor=actor, expected_version=form.expected_version, **extra)
    return create(record, actor=actor, **extra)
