"""Configurable rules of the 两个责任清单考核 (core.rule_settings, kind "lines"): the checklist of each duty — 第一责任人
and 领导责任（分管） (主体责任), 监督责任 — one item a line, ``代码|考核内容|分值|评分标准``, 100 points in all; who scores
the 监督责任 checklist; and the pass mark of the 一级抓一级 chain (docs/rules.md: 两个责任清单考核).

The defaults are the demo agency's first version, written from its 2016 work report (三个到位; 纪委监督、群众监督、
制度监督). A new version is written on the settings page; a scored checklist keeps the items and the version it was
scored under."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from dangjian.core import rule_settings
from dangjian.duties.models import DutyKind

GROUP = "考评"
FULL = Decimal(100)

DEFAULT_ITEMS = {
    DutyKind.PRIMARY: [
        "p1|召开专题会议研究部署年度党建工作，履行第一责任人职责|15|未召开专题会议研究部署的扣15分；部署不具体、无分解的扣5分",
        "p2|组织体系到位：党建工作领导小组健全，明确专门科室具体负责|15|领导小组未及时调整或办事机构未明确的，每项扣5分",
        "p3|责任分工到位：与班子成员、科室负责人签订党建工作责任状，任务细化分解|20|每少签一份扣4分；任务未量化分解的扣5分",
        "p4|执行制度到位：“三重一大”事项集体决策，落实“四个不直接分管”|20|“三重一大”事项未经集体决策的每项扣10分；"
        "直接分管财务、人事、工程项目、物资采购的扣10分",
        "p5|一级抓一级：听取分管领导党建工作汇报，督促班子成员落实“一岗双责”|15|全年未听取汇报的扣10分；"
        "责任状考核未达标未督促整改的每人扣3分",
        "p6|支持纪检组履行监督责任，对其提出的问题督促整改|15|纪检组提出的问题未督促整改的每个扣3分",
    ],
    DutyKind.LEADERSHIP: [
        "l1|对分管科室党建工作负领导责任，落实“一岗双责”|20|全年未专题研究分管科室党建工作的扣10分",
        "l2|督促分管科室负责人履行具体责任，按期完成责任状任务|25|分管科室责任状任务逾期未完成的每项扣3分",
        "l3|带头参加周四集中学习，领学或讲党课|15|缺学未补学每次扣2分；全年未领学或讲党课的扣5分",
        "l4|执行民主集中制和“三重一大”集体决策制度|20|个人决定应集体决策事项的每项扣10分",
        "l5|对分管科室的问题和不良倾向及时提醒、约谈、督促整改|20|发现问题未督促整改的每个扣4分",
    ],
    DutyKind.SUPERVISION: [
        "s1|纪委监督：定期对班子成员、责任科室负责人各项工作落实情况进行检查|25|全年检查少于2次的扣10分；检查无记录的扣5分",
        "s2|对发现的问题和不良倾向进行约谈，督促整改落实|25|发现问题未约谈或未跟踪整改的每个扣5分",
        "s3|监督执行政治纪律、政治规矩和中央八项规定精神|20|违反八项规定精神问题未发现、未处置的每起扣10分",
        "s4|群众监督：对反映的情况分类归并、逐项答复|15|反映事项未答复或超期答复的每件扣3分",
        "s5|制度监督：按党员干部管理评分细则开展考评，结果与任职挂钩|15|未按细则考评的扣15分；考评结果未运用的扣5分",
    ],
}
LABELS = {DutyKind.PRIMARY: "主体责任清单（第一责任人）", DutyKind.LEADERSHIP: "主体责任清单（领导责任·分管）",
          DutyKind.SUPERVISION: "监督责任清单（纪检组长）"}
SOURCES = {
    DutyKind.PRIMARY: "《党委（党组）落实全面从严治党主体责任规定》（2020年）：党委（党组）书记履行第一责任人职责",
    DutyKind.LEADERSHIP: "《党委（党组）落实全面从严治党主体责任规定》（2020年）：领导班子其他成员对职责范围内全面从严治党"
                         "负领导责任（一岗双责）",
    DutyKind.SUPERVISION: "《中国共产党党内监督条例》（2016年）：党的纪律检查委员会是党内监督的专责机关；"
                          "本单位“两个责任”实施办法",
}


def parse_items(lines: list[str]) -> list[dict]:
    """The items of a checklist's lines (``代码|考核内容|分值|评分标准``); ValidationError naming the line."""
    items, seen, errors = [], set(), []
    for n, line in enumerate(lines, 1):
        cells = [c.strip() for c in str(line).split("|")]
        if len(cells) != 4:
            errors.append(f"第{n}行：须为4栏（代码|考核内容|分值|评分标准）")
            continue
        code, text, points, rule = cells
        if not code or code in seen:
            errors.append(f"第{n}行：代码“{code}”为空或重复")
        seen.add(code)
        if not text or not rule:
            errors.append(f"第{n}行：考核内容和评分标准不能为空")
        try:
            value = Decimal(points)
        except InvalidOperation:
            errors.append(f"第{n}行：分值“{points}”不是数字")
            continue
        if value <= 0 or value != value.quantize(Decimal("0.1")):
            errors.append(f"第{n}行：分值须大于0，最多一位小数")
        items.append({"code": code, "text": text, "points": str(value), "rule": rule})
    if not errors and sum(Decimal(i["points"]) for i in items) != FULL:
        errors.append(f"各项分值合计须为{FULL}分（现为{sum(Decimal(i['points']) for i in items)}分）")
    if not items and not errors:
        errors.append("至少须有一项")
    if errors:
        raise ValidationError(errors)
    return items


def rule_key(kind: str) -> str:
    return f"assessment.checklist.{kind}"


for _kind, _lines in DEFAULT_ITEMS.items():
    rule_settings.register(
        rule_key(_kind), LABELS[_kind], _lines, kind="lines", group=GROUP, source=SOURCES[_kind],
        capability="assessment.change", validate=parse_items,
        help="每行一项：代码|考核内容|分值|评分标准；各项分值合计100分。已评分的清单保留评分时的版本")

SUPERVISION_BY_SECRETARY = rule_settings.register(
    "assessment.checklist.supervision_by_secretary", "监督责任清单由党组书记评分", False, kind="bool", group=GROUP,
    capability="assessment.change",
    source="派驻纪检组由派出机关直接领导（《中国共产党纪律检查委员会工作条例》2021年）；通行做法为上级纪委监委考核其监督责任",
    help="否（默认）：由上级纪检监察机关评定，考评管理人员录入并写明评定机关；是：由本单位党组书记评分")
PASS_SCORE = rule_settings.register(
    "assessment.chain.pass_score", "一级抓一级达标分数线", 80, kind="decimal", group=GROUP, minimum=0, maximum=100,
    capability="assessment.change", source="本单位默认",
    help="责任状得分或两个责任清单得分低于此分数的，一级抓一级链条标为未达标")


def items_in_force(kind: str) -> tuple[int, list[dict]]:
    """The checklist of a duty kind in force: (its version, its items)."""
    key = rule_key(kind)
    return rule_settings.version(key), parse_items(rule_settings.get(key))


def pass_score() -> Decimal:
    return Decimal(str(rule_settings.get("assessment.chain.pass_score")))


def supervision_by_secretary() -> bool:
    return bool(rule_settings.get("assessment.checklist.supervision_by_secretary"))
