"""Ledgers (.xlsx): the 个人整改台账 and any matters list out; a 问题清单 in (all or nothing, row by row)."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from dangjian.core.documents import ImportReport, cn_date, read_table_rows, write_xlsx
from dangjian.core.scope import path_in_scope
from dangjian.orgs.models import Org, Person

from . import services, workflow
from .forms import leaders, people_and_leaders
from .models import Matter, Measure, ProblemList, Progress, Status

LEDGER_COLUMNS = ["序号", "问题", "整改措施", "责任人", "责任领导", "完成时限", "进展情况", "销号情况"]
LIST_COLUMNS = ["编号", "类别", "标题", "组织", "责任人", "责任领导", "状态", "登记日期", "完成时限", "时限状态",
                "销号日期", "代表/委员", "满意度"]
IMPORT_COLUMNS = ["序号", "问题", "分类", "批次", "层级", "责任科室", "责任人", "责任领导", "整改措施", "措施责任人",
                  "完成时限"]
IMPORT_NOTES = [
    "每行一条整改措施；同一“序号”的多行属于同一个问题（问题、分类等以第一行为准）。",
    "责任科室、责任人、责任领导、措施责任人填写系统中的名称或姓名；责任领导须为现任班子成员。",
    "完成时限填写日期（如 2026-12-31），须为工作日；措施责任人留空则为问题的责任人。",
    "任一行有误则整份清单都不导入，请按错误报告修改后重新上传。",
]


def ledger_matters(person: Person, visible):
    """A person's 个人整改台账: matters they own, co-own or hold a measure of (within what the viewer sees)."""
    mine = Q(owner=person) | Q(co_owners=person) | Q(pk__in=Measure.objects.filter(owner=person).values("matter_id"))
    return (visible.filter(mine).distinct().select_related("owner", "responsible_leader")
            .prefetch_related(Prefetch("measures", queryset=Measure.objects.select_related("owner")),
                              Prefetch("progress", queryset=Progress.objects.order_by("-id")))
            .order_by("received_on", "id"))


def closure_text(m: Matter) -> str:
    if m.status == Status.CLOSED:
        return f"已销号（{m.filing_number}，{cn_date(m.closed_on)}，审批人：{m.approved_by}）"
    return f"未销号（{m.get_status_display()}）"


def ledger_rows(matters):
    for n, m in enumerate(matters, start=1):
        measures = "；".join(f"{x.text}（{x.owner}，{'已完成' if x.done_on else '未完成'}）" for x in m.measures.all())
        latest = next(iter(m.progress.all()), None)
        due = cn_date(m.due_on) + ("（暂按周末计算）" if m.due_provisional else "") if m.due_on else ""
        yield [n, m.title, measures, str(m.owner or ""), str(m.responsible_leader or ""), due,
               latest.text if latest else m.get_status_display(), closure_text(m)]


def ledger_xlsx(person: Person, matters) -> bytes:
    return write_xlsx(f"{person.name}个人整改台账", LEDGER_COLUMNS, ledger_rows(matters))


def list_rows(matters, today: dt.date):
    for m in matters.iterator(chunk_size=2000):
        yield [m.number, m.get_kind_display(), m.title, m.org.name, str(m.owner or ""), str(m.responsible_leader or ""),
               m.get_status_display(), m.received_on, m.due_on, workflow.DUE_STATES[workflow.due_state(m, today)],
               m.closed_on, m.proposer, m.get_satisfaction_display()]


# ---- 问题清单 import ------------------------------------------------------------------------------

def template_bytes() -> bytes:
    example = [[1, "调研不够深入具体", "调查研究", "第一批", "班子", "办公室", "张三", "李四", "开展三大调研", "", "2026-12-31"]]
    return write_xlsx("问题清单", IMPORT_COLUMNS, example, notes=IMPORT_NOTES)


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


class _Lookup:
    """Names typed in the sheet → records, each resolved once; ambiguous or unknown names are errors."""

    def __init__(self, user):
        self.user = user
        self.orgs: dict[str, list[Org]] = {}
        self.people: dict[str, list[Person]] = {}
        self.leader_ids = set(leaders(user, "matter.change").values_list("pk", flat=True))
        self.candidates = people_and_leaders(user)  # built once: it looks up the user's agencies

    def org(self, name):
        if name not in self.orgs:
            self.orgs[name] = list(Org.objects.visible_to(self.user).filter(Q(name=name) | Q(short_name=name))[:2])
        return self.orgs[name]

    def person(self, name):
        if name not in self.people:
            self.people[name] = list(self.candidates.filter(name=name)[:2])
        return self.people[name]


def import_problem_list(plist: ProblemList, upload, *, actor) -> tuple[ImportReport, int]:
    """Import problems and their measures into ``plist``; nothing is written unless every row is valid."""
    if not path_in_scope(actor, "matter.change", plist.org_path):
        raise PermissionDenied(f"无权向“{plist}”导入问题")
    report, lookup = ImportReport(), _Lookup(actor)
    problems: OrderedDict[str, dict] = OrderedDict()
    for row, values in read_table_rows(upload, IMPORT_COLUMNS):
        report.rows += 1
        errors_before = len(report.errors)
        key = str(values["序号"] or "").strip()
        if not key:
            report.add(row, "序号", "必填")
        title = values["问题"] or (problems[key]["title"] if key in problems else "")
        if not title:
            report.add(row, "问题", "必填")
        elif len(str(title)) > 200:
            report.add(row, "问题", "不能超过200字")
        found = {}
        for column in ("责任科室", "责任人", "责任领导", "措施责任人"):
            name = str(values[column] or "").strip()
            if not name:
                if column in ("措施责任人",) or key in problems:
                    continue
                report.add(row, column, "必填")
                continue
            matches = lookup.org(name) if column == "责任科室" else lookup.person(name)
            if not matches:
                report.add(row, column, f"“{name}”不存在或不在您的权限范围内")
            elif len(matches) > 1:
                report.add(row, column, f"“{name}”有重名，请在系统中登记后手工指定")
            elif column == "责任领导" and matches[0].pk not in lookup.leader_ids:
                report.add(row, column, f"“{name}”不是现任班子成员")
            elif column == "责任科室" and not path_in_scope(actor, "matter.change", matches[0].path):
                report.add(row, column, f"无权在“{name}”登记事项")
            else:
                found[column] = matches[0]
        due = None
        try:
            due = _as_date(values["完成时限"])
            workflow.check_explicit_due("rectify", due, None)
        except (TypeError, ValueError):
            report.add(row, "完成时限", f"“{values['完成时限'] or ''}”不是有效日期，格式如 2026-12-31")
        except ValidationError as exc:
            report.add(row, "完成时限", "；".join(exc.message_dict.get("due_on", exc.messages)))
        if not values["整改措施"]:
            report.add(row, "整改措施", "必填")
        if len(report.errors) > errors_before or not key:
            continue
        problem = problems.setdefault(key, {"title": title, "category": values["分类"] or "", "batch": values["批次"] or "",
                                            "level": values["层级"] or "", "org": found.get("责任科室"),
                                            "owner": found.get("责任人"), "leader": found.get("责任领导"),
                                            "measures": [], "row": row})
        problem["measures"].append((str(values["整改措施"]), found.get("措施责任人") or problem["owner"], due))
    if report.rows == 0:
        report.add(1, "", "文件中没有数据行")
    if not report.ok:
        return report, 0
    with transaction.atomic():
        for key, p in problems.items():
            matter = services.do_create_matter(Matter(
                kind="rectify", title=str(p["title"]), problem_list=plist, number=key, category=str(p["category"]),
                batch=str(p["batch"]), level=str(p["level"]), org=p["org"], owner=p["owner"],
                responsible_leader=p["leader"], received_on=timezone.localdate(),
                due_on=max(d for _, _, d in p["measures"])), actor=actor)
            for text, owner, due in p["measures"]:
                services.do_add_measure(Measure(matter=matter, text=text, owner=owner, due_on=due), actor=actor)
    return report, len(problems)
