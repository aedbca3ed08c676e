"""Kinds of matter as data (docs/architecture.md: Workflow): a new kind is one entry here, not a new state machine.

Each kind names its deadline policy (count, unit, warning days — all configurable rules, see rule_settings.py)
and the fields that must be present before it may be submitted for closure. Later kinds (public
petitions, inspection findings, 责任状 tasks) register themselves with :func:`register_kind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dangjian.core import rule_settings

UNITS = ("工作日", "自然日", "月")


@dataclass(frozen=True)
class KindSpec:
    key: str
    label: str
    deadline: int  # default count of `unit` from the assignment date
    unit: str  # one of UNITS
    warn_days: int  # yellow warning this many working days before the deadline
    # Extra fields (Matter attribute names) required before 办结待审, beyond statement and evidence.
    submit_requires: tuple[str, ...] = field(default_factory=tuple)
    is_proposal: bool = False  # has delegate, number, reply and satisfaction
    source_hint: str = ""
    # Who may register a matter of this kind: a kind another module files (an inspection finding) names that
    # module's capability; the managers of matters move it through the workflow like any other.
    register_capability: str = "matter.change"

    def rule_key(self, what: str) -> str:
        return f"matters.{self.key}.{what}"

    @property
    def deadline_count(self) -> int:
        return rule_settings.get(self.rule_key("deadline"))

    @property
    def deadline_unit(self) -> str:
        value = rule_settings.get(self.rule_key("unit"))
        return value[0] if value else self.unit

    @property
    def warning_days(self) -> int:
        return rule_settings.get(self.rule_key("warn_days"))

    @property
    def requires_workday(self) -> bool:
        return self.deadline_unit == "工作日"


KINDS: dict[str, KindSpec] = {}


def register_kind(spec: KindSpec) -> KindSpec:
    KINDS[spec.key] = spec
    group = "事项督办：期限"
    rule_settings.register(spec.rule_key("deadline"), f"{spec.label}：默认办理时限", spec.deadline, kind="int", group=group,
                   minimum=1, maximum=366, source="本单位督办制度", help="从交办之日起计")
    rule_settings.register(spec.rule_key("unit"), f"{spec.label}：时限单位", [spec.unit], kind="choices", group=group,
                   options=UNITS, help="工作日按国家法定节假日及调休计算")
    rule_settings.register(spec.rule_key("warn_days"), f"{spec.label}：到期前黄色预警（工作日）", spec.warn_days, kind="int",
                   group=group, minimum=0, maximum=60)
    return spec


def kind(key: str) -> KindSpec:
    return KINDS[key]


def choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in KINDS.values()]


RECTIFY = register_kind(KindSpec("rectify", "整改问题", 20, "工作日", 3, source_hint="问题清单"))
ASSIGNED = register_kind(KindSpec("assigned", "交办事项", 10, "工作日", 2, submit_requires=("reply_text",),
                                  source_hint="市委、市政府或领导交办"))
# 人大建议、政协提案: reply within 3 months of assignment (provincial handling rules; docs/rules.md).
NPC = register_kind(KindSpec("npc", "人大建议", 3, "月", 10, submit_requires=("reply_text", "replied_on"),
                             is_proposal=True, source_hint="市人大代表建议"))
CPPCC = register_kind(KindSpec("cppcc", "政协提案", 3, "月", 10, submit_requires=("reply_text", "replied_on"),
                               is_proposal=True, source_hint="市政协委员提案"))
