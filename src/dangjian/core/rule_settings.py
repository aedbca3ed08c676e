"""Rule settings: the one registry for every configurable business rule (docs/rules.md).

Each module registers its rules at import time (in its ``rule_settings.py``) with a default, a kind and
its source. The value in force is the newest RuleSetting version, else the default. A record
checked against a rule stores ``rule_settings.version(key)`` beside the result, so that a later change
of the rule does not rewrite history.

Values are cached (the default cache: each process's memory, or Redis) under a *stamp*, a token kept
in the cache every app server shares (core/shared_token.py). A change writes a new stamp when it commits;
each process compares its stamp with the shared one once per request (request_started) and, outside requests
(the task consumer), at most every few seconds. So a change is in force on every server at the next request,
for one cache read per request and no database query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit
from .models import RuleSetting
from .scope import require_everywhere
from .shared_token import SharedToken


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    default: Any
    kind: str  # int | fraction | bool | text | choices (a list of strings) | decimal | lines (one item a line)
    group: str
    source: str = ""
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = field(default_factory=tuple)  # allowed items for kind "choices"
    capability: str = "setting.manage"  # held over the whole tree to change it (security rules: 安全管理员)
    # A module's own check of a parsed value (a checklist's lines): raises ValidationError naming the line.
    validate: Any = None


REGISTRY: dict[str, Rule] = {}
_CACHE_PREFIX = "dangjian:rule:"


def register(key: str, label: str, default, *, kind: str, group: str, source: str = "", help: str = "",
             minimum=None, maximum=None, options=(), capability: str = "setting.manage", validate=None) -> Rule:
    rule = Rule(key, label, default, kind, group, source, help, minimum, maximum, tuple(options), capability,
                validate)
    REGISTRY[key] = rule
    return rule


def _load_modules() -> None:
    """Import each installed app's rule_settings.py so that every rule is registered."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("dangjian."):
            try:
                import_module(f"{config.name}.rule_settings")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.rule_settings":
                    raise


def rule(key: str) -> Rule:
    if key not in REGISTRY:
        _load_modules()
    return REGISTRY[key]


# the values this process has read under the token in force (it reads the token once per request; every 5 s
# outside one): a dashboard reads dozens of rules, each a round trip to the shared cache otherwise
_local: dict[str, tuple[int, Any]] = {}
STAMP = SharedToken("dangjian:rule-stamp", on_change=_local.clear)
refresh = STAMP.refresh  # connected to request_started


def forget_local() -> None:
    """Drop this process's copy of the values (tests: a rolled-back rule must not outlive its test)."""
    _local.clear()


def _current(key: str) -> tuple[int, Any]:
    if STAMP.changing():  # this transaction changed a rule: its rows, kept nowhere
        return _read_row(key)
    stamp = STAMP.current()
    if key in _local:
        return _local[key]
    cache_key = f"{_CACHE_PREFIX}{stamp}:{key}"
    cached = cache.get(cache_key)
    if cached is None:
        cached = _read_row(key)
        cache.set(cache_key, cached, 300)
    _local[key] = cached
    return cached


def _read_row(key: str) -> tuple[int, Any]:
    row = RuleSetting.objects.filter(key=key).order_by("-version").values_list("version", "value").first()
    return (row[0], row[1]) if row else (0, None)


def get(key: str):
    """The value in force, converted to its kind (a Fraction for fractions)."""
    r = rule(key)
    version, value = _current(key)
    return to_python(r, r.default if version == 0 else value)


def version(key: str) -> int:
    """The version in force (0 = the default) — store it on records checked against the rule."""
    rule(key)
    return _current(key)[0]


def to_python(r: Rule, value):
    if r.kind == "fraction":
        return Fraction(value)
    if r.kind in ("choices", "lines"):
        return list(value)
    return value


def parse(r: Rule, raw) -> Any:
    """Validate a value typed on the settings page; raise ValidationError naming the rule."""
    try:
        if r.kind == "int":
            value = int(str(raw).strip())
        elif r.kind == "decimal":
            value = float(str(raw).strip())
        elif r.kind == "fraction":
            frac = Fraction(str(raw).strip())
            if not 0 < frac <= 1:
                raise ValueError
            value = f"{frac.numerator}/{frac.denominator}"
        elif r.kind == "bool":
            value = str(raw).lower() in {"1", "true", "on", "是", "yes"}
        elif r.kind == "choices":
            items = raw if isinstance(raw, list) else [x.strip() for x in str(raw).replace("，", ",").replace("、", ",")
                                                          .split(",") if x.strip()]
            unknown = [x for x in items if r.options and x not in r.options]
            if unknown:
                raise ValidationError(f"{r.label}：“{'、'.join(unknown)}”不是可选项（可选：{'、'.join(r.options)}）")
            value = items
        elif r.kind == "lines":
            value = raw if isinstance(raw, list) else [x.strip() for x in str(raw).splitlines() if x.strip()]
        else:
            value = str(raw).strip()
    except (ValueError, ZeroDivisionError, TypeError) as exc:
        hint = {"int": "整数", "decimal": "数字", "fraction": "0 到 1 之间的分数，如 1/2、2/3"}.get(r.kind, "有效值")
        raise ValidationError(f"{r.label}：应为{hint}") from exc
    if r.kind in ("int", "decimal"):
        if r.minimum is not None and value < r.minimum:
            raise ValidationError(f"{r.label}：不能小于 {r.minimum:g}")
        if r.maximum is not None and value > r.maximum:
            raise ValidationError(f"{r.label}：不能大于 {r.maximum:g}")
    if r.validate is not None:
        r.validate(value)
    return value


def set_rule(key: str, raw, *, actor, reason: str = ""):
    """Store a new version of a rule (audited); returns the RuleSetting row. ``actor`` None: the console."""
    r = rule(key)
    if actor is not None:
        require_everywhere(actor, r.capability, what=f"修改规则“{r.label}”")
    value = parse(r, raw)
    with transaction.atomic():
        last = RuleSetting.objects.select_for_update().filter(key=key).order_by("-version").first()
        before = last.value if last else r.default
        if before == value:
            return last
        row = RuleSetting.objects.create(key=key, version=(last.version if last else 0) + 1, value=value,
                                         reason=reason[:300], set_by=actor)
        audit.record("rule.set", actor=actor, target=row, target_repr=r.label, before={"value": before},
                     after={"value": value}, message=reason)
        STAMP.changed()
    for listener in LISTENERS.get(key, []):
        listener(key, actor=actor)
    return row


# key → callables run after a rule changes (e.g. re-check current duties against a new domain list)
LISTENERS: dict[str, list] = {}


def on_change(key: str, listener) -> None:
    LISTENERS.setdefault(key, []).append(listener)


def grouped() -> dict[str, list[Rule]]:
    _load_modules()
    out: dict[str, list[Rule]] = {}
    for r in REGISTRY.values():
        out.setdefault(r.group, []).append(r)
    return out


def display(r: Rule) -> str:
    value = get(r.key)
    if r.kind == "choices":
        return "、".join(value)
    if r.kind == "lines":
        return "\n".join(value)
    if r.kind == "bool":
        return "是" if value else "否"
    return str(value)


# Core's own rules (the registry imports this module as core's rule_settings.py).
register("ops.backup_daily", "每日自动备份（03:40）", False, kind="bool", group="备份与恢复",
         source="GB/T 22239-2019 第三级 安全计算环境：数据备份恢复",
         help="打开后每日 03:40 由任务队列执行 dangjian backup，写入 DANGJIAN_BACKUP_DIR（默认 数据目录/backups）；"
              "设置了 DANGJIAN_BACKUP_PASSPHRASE_FILE 时同时写加密的密钥备份。")
register("ops.backup_keep", "自动备份保留份数", 14, kind="int", group="备份与恢复", minimum=1, maximum=366,
         help="自动备份只保留最新的这么多份，更早的（含其密钥备份）删除。")
