"""Second factor (身份鉴别 d): TOTP with once-only codes, recovery codes, and who must use it."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, rule_settings
from dangjian.core.scope import grants_for

from .models import RecoveryCode, TotpDevice
from .roles import Role

ISSUER = "规矩党建"
STEP = 30
RECOVERY_CODES = 10


def required_for(user) -> bool:
    """Whether the user's roles oblige a second factor (a rule; administrators by default)."""
    labels = set(rule_settings.get("security.totp_required_roles"))
    required = {value for value, label in Role.choices if label in labels}
    return any(g.role in required for g in grants_for(user))


def confirmed_device(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (within ±1 of now) whose code matches, compared in constant time."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now or time.time()) // STEP)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def verify_code(user, code: str) -> bool:
    """Accept a code once and only within its window: a used step (or an earlier one) is refused."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return False
        step = _matching_step(device.secret, code)
        if step is None or step <= device.last_step:
            return False
        device.last_step = step
        device.save(update_fields=["last_step"])
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().replace("-", "").lower().encode()).hexdigest()


def use_recovery_code(user, code: str) -> bool:
    with transaction.atomic():
        row = RecoveryCode.objects.select_for_update().filter(user=user, code_hash=_hash(code),
                                                                used_at__isnull=True).first()
        if row is None:
            return False
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
    audit.security_event("2fa.recovery_code_used", actor=user, target=user, target_repr=user.username)
    return True


def enroll(user, secret: str, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it; returns fresh recovery codes, or None."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        TotpDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now(), last_step=step)
        RecoveryCode.objects.filter(user=user).delete()
        codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(c)) for c in codes)
        audit.security_event("2fa.enrolled", actor=user, target=user, target_repr=user.username)
    return codes


def disable(user, *, actor) -> None:
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.security_event("2fa.disabled", actor=actor, target=user, target_repr=user.username)
