"""Second factor (身份鉴别 d) on django-otp: a TOTP device whose codes are accepted once, recovery
codes as an otp_static device, and who must use a second factor."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from dangjian.core import audit, rule_settings
from dangjian.core.scope import grants_for

from .models import TotpDevice
from .roles import Role

ISSUER = "规矩党建"
RECOVERY_CODES = 10


def required_for(user) -> bool:
    """Whether the user's roles oblige a second factor (a rule; administrators by default)."""
    labels = set(rule_settings.get("security.totp_required_roles"))
    required = {value for value, label in Role.choices if label in labels}
    return any(g.role in required for g in grants_for(user))


def confirmed_device(user) -> TotpDevice | None:
    return TotpDevice.objects.devices_for_user(user, confirmed=True).first()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def verify_code(user, code: str) -> bool:
    """Accept a code once and only within its window; the device row is locked so that two
    requests carrying the same code cannot both pass."""
    with transaction.atomic():
        device = TotpDevice.objects.devices_for_user(user, confirmed=True).select_for_update().first()
        return device is not None and device.verify_token(code)


def recovery_token(code: str) -> str:
    """What an otp_static token holds for a recovery code: not the code but the start of its SHA-256
    (a token has room for 16 characters; the code's own 48 random bits are the bound on guessing)."""
    return hashlib.sha256(code.strip().replace("-", "").lower().encode()).hexdigest()[:16]


def use_recovery_code(user, code: str) -> bool:
    with transaction.atomic():
        device = StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update().first()
        if device is None or not device.verify_token(recovery_token(code)):  # a used token is deleted
            return False
    audit.security_event("2fa.recovery_code_used", actor=user, target=user, target_repr=user.username)
    return True


def _remove_devices(user) -> None:
    TotpDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def enroll(user, secret: str, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it; returns fresh recovery codes, or None."""
    step = TotpDevice(user=user, secret=secret).matching_step(code)
    if step is None:
        return None
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        _remove_devices(user)
        TotpDevice.objects.create(user=user, name="动态口令", secret=secret, confirmed_at=timezone.now(),
                                  last_step=step)
        device = StaticDevice.objects.create(user=user, name="恢复码")
        StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_token(c)) for c in codes)
        audit.security_event("2fa.enrolled", actor=user, target=user, target_repr=user.username)
    return codes


def disable(user, *, actor) -> None:
    with transaction.atomic():
        _remove_devices(user)
        audit.security_event("2fa.disabled", actor=actor, target=user, target_repr=user.username)
