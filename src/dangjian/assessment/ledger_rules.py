"""Configurable rules of the 作风台账 registers (core.rule_settings): the default 影响期 of each form of 问责, in
months, filled in when the decision names none (docs/rules.md, 问责)."""

from dangjian.core import rule_settings

GROUP = "考评"

# (form, label, default months): the periods during which a leader may not be promoted, by the form of 问责.
EFFECT_MONTHS = (
    ("notice", "通报", 0),
    ("admonition", "诫勉", 6),
    ("org_adjustment", "组织调整或者组织处理", 12),
    ("discipline", "纪律处分", 12),
)

for form, label, months in EFFECT_MONTHS:
    rule_settings.register(
        f"assessment.effect_months.{form}", f"问责影响期（{label}，月）", months, kind="int", group=GROUP,
        minimum=0, maximum=60,
        source="《中国共产党问责条例》第八条（问责方式有影响期的，按照有关规定执行）；《党政领导干部选拔任用工作条例》"
               "第二十四条（影响期未满的不得列为考察对象）；月数为本单位默认，以本地规定和决定书为准",
        help="问责决定未载明影响期时按此月数计算；0 表示不设影响期。决定书载明的，以决定书为准")


def effect_months(form: str) -> int:
    key = f"assessment.effect_months.{form}"
    return int(rule_settings.get(key)) if key in rule_settings.REGISTRY else 0
