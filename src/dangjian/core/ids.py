"""居民身份证号码 (GB 11643-1999) validation and masking."""

import datetime as dt

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character over the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_error(value: str) -> str | None:
    """Return a Chinese description of what is wrong with an ID number, or None if it is valid."""
    if len(value) != 18:
        return "应为18位"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "前17位应为数字，末位为数字或X"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "出生日期部分无效"
    if id_check_digit(value[:17]) != value[17]:
        return "校验码不正确"
    return None


def birth_date_from_id(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "M" if int(value[16]) % 2 else "F"


def mask_id_number(value: str) -> str:
    """First 3 and last 4 shown (issue 安全 §5)."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
