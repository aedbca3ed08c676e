"""Password validators: composition by rule, and a shipped list of common and leaked passwords.

Argon2id hashes the whole password (no 72-byte truncation as with bcrypt), so long passphrases
are accepted as typed.
"""

from functools import lru_cache
from pathlib import Path

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from dangjian.core import rule_settings

from . import services
from .models import PasswordHistory, User

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


# Keyboard rows and orders a person walks along (either way) to make a "complex" password that is not.
_SEQUENCES = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "abcdefghijklmnopqrstuvwxyz",
              "1qaz2wsx3edc4rfv5tgb6yhn7ujm", "qazwsxedcrfvtgbyhnujmikolp", "!@#$%^&*()")
_SHIFTED = str.maketrans("!@#$%^&*()", "1234567890")
_RUN = 4  # this many keys in a row is a walk, not a choice
# What people put for letters (leet): compared after mapping both sides, so that "Ry10" matches "ry10".
_LEET = str.maketrans("013457@$!|", "oieastasil")


def _keyboard_walk(password: str) -> str:
    """The first run of _RUN or more consecutive keys (or letters, or digits), forwards or backwards."""
    text = password.lower()
    for source in (text, text.translate(_SHIFTED)):
        for i in range(len(source) - _RUN + 1):
            chunk = source[i:i + _RUN]
            if any(chunk in seq or chunk in seq[::-1] for seq in _SEQUENCES):
                return password[i:i + _RUN]
    return ""


def _repeated(password: str) -> bool:
    """A character four times in a row, or a piece said again and again with at most two characters
    tacked on (Aa1!Aa1!, Hao!Hao!Hao9, abcabc12)."""
    text = password.lower()
    if any(text[i] * _RUN == text[i:i + _RUN] for i in range(len(text) - _RUN + 1)):
        return True
    for size in range(1, len(text) // 2 + 1):
        echo = text[:size] * (len(text) // size + 1)
        same = next((i for i, (a, b) in enumerate(zip(text, echo, strict=False)) if a != b), len(text))
        if same >= 2 * size and same >= len(text) - 2:
            return True
    return False


def _folded(text: str) -> str:
    return "".join(c for c in text.lower().translate(_LEET) if c.isalnum())


class PatternValidator:
    """Keyboard walks (qwerty, 1234, 1qaz2wsx), repeated pieces (Aa1!Aa1!) and the user name in any case,
    reversed or in leet (Ry10ry10!): what passes the composition rule yet falls to the first guesses."""

    def validate(self, password, user=None):
        walk = _keyboard_walk(password)
        if walk:
            raise ValidationError(f"密码：含有键盘或字母、数字的连续序列“{walk}”，请换一个", code="password_sequence")
        if user is not None:
            folded = _folded(password)
            for value in (getattr(user, "username", ""), (getattr(user, "email", "") or "").split("@")[0]):
                name = _folded(value or "")
                if len(name) >= 3 and (name in folded or name[::-1] in folded):
                    raise ValidationError("密码：不能包含用户名（不论大小写、倒写或以数字代替字母）",
                                          code="password_has_username")
        if _repeated(password):
            raise ValidationError("密码：由重复的字符或片段组成，请换一个", code="password_repeated")

    def get_help_text(self):
        return "不能含有键盘或字母、数字的连续序列（如 qwerty、1234），不能由重复的片段组成，不能包含用户名。"


class HistoryValidator:
    """Neither the current password nor any of the last few (PasswordHistory, hashed) again. Records each new
    password's hash when the account is saved with it (Django's password_changed hook, every path)."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        previous = list(PasswordHistory.objects.filter(user_id=user.pk)
                        .values_list("password", flat=True)[:PasswordHistory.HISTORY_LENGTH])
        if any(encoded and check_password(password, encoded) for encoded in [current, *previous]):
            raise ValidationError(f"密码：不能与当前密码或最近 {PasswordHistory.HISTORY_LENGTH} 次用过的密码相同",
                                  code="password_reused")

    def password_changed(self, password, user=None):
        if user is not None and getattr(user, "pk", None):
            PasswordHistory.remember(user)

    def get_help_text(self):
        return "不能与当前密码或最近 5 次用过的密码相同。"


class RevokeTokensOnChange:
    """Not a check: Django calls ``password_changed`` after every save of a new password, by whatever path
    (own change, administrator's reset, one-time link, the console), and the account's API tokens go with it."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and getattr(user, "pk", None):
            services.revoke_tokens(user, why="密码已修改或被重置，令牌随之吊销")

    def get_help_text(self):
        return "修改或重置密码后，本账号的接口令牌全部吊销。"
