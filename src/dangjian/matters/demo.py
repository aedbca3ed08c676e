"""Demo records of 事项督办 for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS).

The problem list of the work report 一(四) with its two problems, each leader's personal
rectification items, assigned matters (三办) and proposals in every state of the workflow — all
moved through the real services, so the timeline and the audit trail are what a user would make —
and the weekly 督办单 of the last few weeks.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import workdays
from dangjian.orgs.demo import DEMO_BUILDERS

from . import services, supervision
from .models import (
    Contact,
    HandlingClass,
    Matter,
    Measure,
    ProblemList,
    Progress,
    Satisfaction,
    Status,
    SupervisionSheet,
)

SOURCE = "市委《贯彻落实市委有关精神存在的具体问题清单》"
ORDER = [Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.CLOSED]


def _user(person):
    return person.user


def _walk(matter: Matter, upto: str, *, admin, reply: str = "", satisfaction: str = "") -> Matter:
    """Move a matter through the workflow up to ``upto``, each step by the person entitled to it."""
    owner, leader = _user(matter.owner), _user(matter.responsible_leader)
    target = ORDER.index(upto)
    if target >= 1:
        matter = services.do_transition(matter, "assign", actor=admin, assigned_on=matter.received_on)
    if target >= 2:
        matter = services.do_transition(matter, "start", actor=owner)
        services.do_add_progress(Progress(matter=matter, text="已召开专题会议研究，明确分工，正在推进。"), actor=owner)
    if target >= 3:
        for measure in matter.measures.filter(done_on__isnull=True):
            services.do_complete_measure(measure, actor=owner)
        today = timezone.localdate()
        replied = min(today, matter.received_on + dt.timedelta(days=30))
        extra = {"reply_text": reply, "replied_on": replied} if matter.spec.is_proposal else (
            {"reply_text": reply} if reply else {})
        matter = services.do_transition(
            matter, "submit", actor=owner, completion_statement="各项措施已落实到位，达到整改（办理）要求。",
            evidence="会议纪要、调研报告、制度文件各1份（见进展附件）", **extra)
    if target >= 4:
        matter = services.do_transition(matter, "close", actor=leader)
        if satisfaction:
            matter = services.do_record_satisfaction(matter, satisfaction, actor=admin)
    return matter


def _matter(kind, title, *, org, owner, leader, admin, days_ago=0, **fields) -> Matter:
    received = timezone.localdate() - dt.timedelta(days=days_ago)
    matter = Matter(kind=kind, title=title, org=org, owner=owner, responsible_leader=leader, received_on=received,
                    **fields)
    return services.do_create_matter(matter, actor=admin)


def build(context: dict) -> None:
    """Add this module's demo records; `context` holds the agency's orgs and people (see orgs.demo)."""
    admin = User.objects.get(username="dangwu")
    root, sections, heads = context["root"], context["sections"], context["heads"]
    secretary, deputies = context["secretary"], context["deputies"]
    banzi = deputies[0]  # oversees 办公室、人事科、党建办
    today = timezone.localdate()

    # ---- 一(四) the problem list and its two problems -------------------------------------------
    plist = services.do_create_problem_list(ProblemList(
        title="贯彻落实市委有关精神存在的具体问题清单（市XX）", source=SOURCE, doc_number="市委办〔2026〕X号",
        issued_on=today - dt.timedelta(days=120), org=root), actor=admin)
    research = _matter("rectify", "调研不够深入具体", org=sections["BGS"], owner=heads["BGS"], leader=secretary,
                       admin=admin, days_ago=100, problem_list=plist, number="1", category="调查研究", batch="第一批",
                       level="班子", content="对照问题清单，调研不够深入具体，“三大调研”活动有待常态化。")
    first = workdays.add_workdays(today, 5).date
    services.do_add_measure(Measure(matter=research, text="开展“凸显主题、问需于民、问策于民”三大调研，班子成员带队深入基层",
                                    owner=heads["BGS"], due_on=workdays.add_workdays(today, -3).date), actor=admin)
    services.do_add_measure(Measure(matter=research, text="形成调研报告并提交党组会研究", owner=deputies[1],
                                    due_on=first), actor=admin)
    _walk(research, Status.IN_PROGRESS, admin=admin)
    system = _matter("rectify", "从严治党、专题教育配套制度体系建设不够完善", org=sections["DJB"], owner=heads["DJB"],
                     leader=banzi, admin=admin, days_ago=90, problem_list=plist, number="2", category="制度建设",
                     batch="第一批", level="班子",
                     content="针对从严治党、“两学一做”专题教育的配套制度建设不够完善。")
    services.do_add_measure(Measure(matter=system, text="梳理现行制度，制定《党员干部管理评分细则》等配套制度",
                                    owner=heads["DJB"], due_on=workdays.add_workdays(today - dt.timedelta(days=90), 20).date),
                            actor=admin)
    _walk(system, Status.CLOSED, admin=admin)
    # Each leader's self-examination (个人整改台账): one item each, in different states.
    for leader, state in zip(deputies, (Status.PENDING, Status.ASSIGNED, Status.REGISTERED), strict=True):
        item = _matter("rectify", f"{leader.name}：联系基层不够经常，调研成果转化不够", org=leader.org, owner=leader,
                       leader=secretary, admin=admin, days_ago=60, problem_list=plist, category="作风建设",
                       batch="第二批", level="个人")
        services.do_add_measure(Measure(matter=item, text="每季度至少到基层调研一次并形成报告", owner=leader,
                                        due_on=workdays.add_workdays(today, 15).date), actor=admin)
        _walk(item, state, admin=admin)

    # ---- 一(五) assigned matters (三办) ---------------------------------------------------------
    assigned = [
        ("市委交办：行政审批制度改革事项清单梳理", HandlingClass.MAJOR, sections["XZSP"], Status.IN_PROGRESS, 5),
        ("市政府交办：事业单位分类改革意见回复", HandlingClass.URGENT, sections["ZCFG"], Status.CLOSED, 20),
        ("市委督查室交办：机构改革进展情况报告", HandlingClass.URGENT, sections["BGS"], Status.PENDING, 12),
        ("群众反映：某县编制核定问题的解释答复", HandlingClass.HARD, sections["ZHYW"], Status.ASSIGNED, 8),
        ("市领导批示：扩权强镇试点调研", HandlingClass.NORMAL, sections["XMJS"], Status.REGISTERED, 2),
        # 要事 registered days ago and still not handed off: 交办超时 on the board and the 督办单.
        ("市委办公室交办：编制使用情况紧急报送", HandlingClass.URGENT, sections["BGS"], Status.REGISTERED, 4),
        ("市政府交办：县级公立医院法人治理结构意见", HandlingClass.NORMAL, sections["ZCFG"], Status.IN_PROGRESS, 45),
    ]
    for n, (title, klass, org, state, ago) in enumerate(assigned, start=1):
        code = next(c for c, s in sections.items() if s.pk == org.pk)
        leader = banzi if code in ("BGS", "RSK", "DJB") else secretary
        matter = _matter("assigned", title, org=org, owner=heads[code], leader=leader, admin=admin, days_ago=ago,
                         handling_class=klass, number=f"交办〔{today.year}〕{n}号", source="市委、市政府交办",
                         content=title.split("：", 1)[-1])
        if ago >= 30 and klass == HandlingClass.NORMAL:  # an overdue one for the board
            matter.due_on = workdays.add_workdays(matter.received_on, 10).date
            services.do_update_matter(matter, actor=admin, expected_version=matter.version)
        matter = _walk(matter, state, admin=admin, reply="已按要求形成书面意见报送。")
        if klass == HandlingClass.MAJOR and state == Status.IN_PROGRESS:
            plan = [(workdays.add_workdays(today, i).date, task) for i, task in enumerate(
                ["梳理现行审批事项", "对照上级清单逐项比对", "征求科室意见", "形成清单初稿", "党组会审定"], start=0)]
            services.do_plan_milestones(matter, plan, actor=_user(matter.owner))
        if klass == HandlingClass.HARD:
            services.do_add_contact(Contact(
                matter=matter, kind=Contact.Kind.RECEPTION, held_on=today, who="某县编办工作人员2名",
                explained="“一杯茶、一把椅子、一副笑脸”，解释编制核定政策依据与办理程序",
                unresolved_reason="需待省级核定方案下达后才能解决，已约定下达后第一时间告知"), actor=_user(matter.owner))

    # ---- 一(五) proposals (人大建议 / 政协提案) ---------------------------------------------------
    proposals = [
        ("npc", "关于加快推进扩权强镇改革的建议", "王代表", Status.CLOSED, 100, Satisfaction.SATISFIED),
        ("npc", "关于优化行政审批流程的建议", "李代表", Status.CLOSED, 95, Satisfaction.SATISFIED),
        ("npc", "关于加强机关效能建设的建议", "赵代表", Status.IN_PROGRESS, 40, ""),
        ("npc", "关于完善基层编制保障的建议", "周代表", Status.REGISTERED, 3, ""),
        ("cppcc", "关于深化事业单位分类改革的提案", "陈委员", Status.CLOSED, 110, Satisfaction.BASIC),
        ("cppcc", "关于严格控制机构编制的提案", "刘委员", Status.PENDING, 80, ""),
        ("cppcc", "关于推进政务公开的提案", "孙委员", Status.ASSIGNED, 10, ""),
    ]
    for n, (kind, title, who, state, ago, sat) in enumerate(proposals, start=1):
        org = sections["ZCFG"] if n % 2 else sections["ZHYW"]
        code = next(c for c, s in sections.items() if s.pk == org.pk)
        matter = _matter(kind, title, org=org, owner=heads[code], leader=secretary, admin=admin, days_ago=ago,
                         proposer=who, number=f"第{today.year % 100:02d}{n:03d}号",
                         source="市人大代表建议" if kind == "npc" else "市政协委员提案")
        if state != Status.REGISTERED:
            services.do_add_contact(Contact(matter=matter, kind=Contact.Kind.MEETING, held_on=today, who=who,
                                            explained="当面沟通办理思路和进度", resolution="代表委员认可办理方案"),
                                    actor=admin)
        _walk(matter, state, admin=admin, reply="经认真研究，答复如下：已纳入年度工作计划并组织实施。",
              satisfaction=sat)
    _weekly_sheets(today)
    # The last 半月一小结 and 一月一总结, as the jobs issue them on the 1st and the 16th.
    supervision.build_summary(SupervisionSheet.Period.HALF_MONTH, supervision.previous_half_month_end(today))
    supervision.build_summary(SupervisionSheet.Period.MONTH, supervision.previous_month_end(today))


DEMO_WEEKS = 3


def _weekly_sheets(today: dt.date) -> None:
    """A few weeks of 督办单: the supervision days before today, as the job would have issued them (without
    notifying anyone again: the demo's people would find a pile of old reminders)."""
    day = today - dt.timedelta(days=1)
    issued = 0
    while issued < DEMO_WEEKS:
        if supervision.is_supervision_day(day):
            supervision.issue_weekly_sheet(day, notify_people=False)
            issued += 1
        day -= dt.timedelta(days=1)


DEMO_BUILDERS.append(build)
