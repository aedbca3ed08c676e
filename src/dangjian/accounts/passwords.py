"""Password validators: composition by rule, and a shipped list of common and leaked passwords.

Argon2id hashes the whole password (no 72-byte truncation as with bcrypt), so long passphrases
are accepted as typed.
"""

from functools import lru_cache
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from dangjian.core import rule_settings

MAX_LENGTH = 128
_LIST = Path(__file__).resolve().parent / "data" / "common_passwords_cn.txt"


def _classes(password: str) -> int:
    return sum([
        any(c.isupper() for c in password), any(c.islower() for c in password),
        any(c.isdigit() for c in password), any(not c.isalnum() for c in password),
    ])


class PolicyValidator:
    """Length and character classes as set on the rules page."""

    def validate(self, password, user=None):
        min_length = rule_settings.get("security.password_min_length")
        min_classes = rule_settings.get("security.password_min_classes")
        if len(password) < min_length:
            raise ValidationError(f"密码：至少 {min_length} 位", code="password_too_short")
        if len(password) > MAX_LENGTH:
            raise ValidationError(f"密码：不能超过 {MAX_LENGTH} 位", code="password_too_long")
        if _classes(password) < min_classes:
            raise ValidationError(f"密码：须包含大写字母、小写字母、数字、符号中的至少 {min_classes} 类",
                                  code="password_too_simple")

    def get_help_text(self):
        return (f"至少 {rule_settings.get('security.password_min_length')} 位，包含大写字母、小写字母、数字、符号中的至少 "
                f"{rule_settings.get('security.password_min_classes')} 类。")


@lru_cache(maxsize=1)
def _shipped_list() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in _LIST.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


class CommonListValidator(CommonPasswordValidator):
    """Django's 20,000 common passwords plus a list of passwords common in Chinese leaks."""

    def validate(self, password, user=None):
        lowered = password.lower().strip()
        if lowered in self.passwords or lowered in _shipped_list():
            raise ValidationError("密码：过于常见或已在泄露库中出现，请换一个", code="password_too_common")

    def get_help_text(self):
        return "不能使用常见密码或已泄露的密码。"
