"""Demo records of 责任体系 for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS):
the leading group, a duty matrix that respects 四个不直接分管, this year's letters (some signed)
with tasks in every state, and a rule register with the kinds the report names."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.orgs.demo import DEMO_BUILDERS
from dangjian.orgs.models import Person

from . import letters, register, services
from .letters import letter_scope_filter
from .models import Duty, DutyKind, GroupMember, GroupRole, Institution, LeadingGroup, LetterTask, TaskStatus

SECTION_DOMAINS = {
    "BGS": ["物资采购", "综合"], "RSK": ["人事"], "CWK": ["财务"], "DJB": ["党建"], "ZCFG": ["政策法规"],
    "XZSP": ["行政审批"], "XMJS": ["工程项目"], "ZHYW": ["业务"],
}
# Who oversees what: the secretary keeps only 政策法规科 (none of the four domains).
OVERSIGHT = {"secretary": ["ZCFG"], 0: ["BGS", "RSK", "DJB"], 1: ["CWK", "XZSP"], 2: ["XMJS", "ZHYW"]}

TASKS = [
    ("落实周四集中学习日制度", "全年集中学习不少于40次，参学率不低于95%，缺学当月补学"),
    ("规范开展“三会一课”", "支委会每月1次、党员大会每季度1次、党课每季度1次，记录完整"),
    ("落实党风廉政建设责任", "开展廉政谈话不少于2次、警示教育不少于1次"),
    ("抓好问题清单整改", "个人整改台账事项按期销号，整改完成率100%"),
]
WEIGHTS = [30, 30, 20, 20]

RULES = [
    ("市XX贯彻落实中央八项规定精神实施细则", "conduct", -2, 3, 10,
     "严格执行中央八项规定及其实施细则精神、省委六条意见和市委“八简两风”要求，厉行节约反对浪费，公务接待、公务用车、会议活动从严从简。"),
    ("市XX党组议事规则（试行）", "decision", -3, 5, 6,
     "党组会议由书记召集，须半数以上党组成员到会方能召开；讨论干部任免须三分之二以上成员到会。"),
    ("市XX党组议事规则", "decision", 0, 2, 16,
     "坚持民主集中制，党组会议议题会前送达；讨论决定事项时主要负责人末位表态，表决以应到会成员过半数同意为通过。"),
    ("市XX“三重一大”事项集体决策制度", "major", 0, 3, 8,
     "重大问题决策、重要干部任免、重大项目投资决策、大额资金使用等“三重一大”事项必须经党组会议集体讨论决定。"),
    ("市XX党政主要负责人“四个不直接分管”制度", "decision", 0, 3, 8,
     "党政主要负责人不直接分管财务、人事、工程项目、物资采购工作，对涉及不直接分管事项班子成员及时交换意见，集体讨论决定。"),
    ("市XX领导干部重大事项报告制度", "reporting", 0, 4, 12,
     "领导干部应当按规定报告婚姻变化、配偶子女移居国（境）外、从业等个人有关事项。"),
    ("市XX领导干部外出报备制度", "reporting", 0, 4, 12,
     "领导干部因公因私外出须提前1至3日报备，说明事由、时间、地点及代理主持工作人员，党政主要负责人不同时外出。"),
    ("市XX周四集中学习日制度", "study", -1, 1, 20,
     "每周四下午为集中学习日，采取领学、专题讨论、专家辅导、党课示范等方式，缺学人员应在一周内补学。"),
    ("市XX财务管理办法", "finance", -1, 6, 1,
     "大额资金使用须经集体决策；报销实行经办人、科室负责人、分管领导、主要负责人逐级审核。"),
]


def _day(year: int, month: int, day: int, today: dt.date) -> dt.date:
    return min(dt.date(year, month, day), today)


def build(context: dict) -> None:
    actor = context["staff"].user
    root, sections = context["root"], context["sections"]
    secretary, deputies, jj = context["secretary"], context["deputies"], context["discipline_head"]
    today = timezone.localdate()
    start = dt.date(today.year - 3, 1, 1)

    for code, domains in SECTION_DOMAINS.items():
        services.do_set_section_domains(sections[code], domains, actor=actor)
    services.do_assign_duty(Duty(person=secretary, kind=DutyKind.PRIMARY, org=root, start_date=start), actor=actor)
    services.do_assign_duty(Duty(person=jj, kind=DutyKind.SUPERVISION, org=root, start_date=start), actor=actor)
    for who, codes in OVERSIGHT.items():
        person = secretary if who == "secretary" else deputies[who]
        for code in codes:
            services.do_assign_duty(Duty(person=person, kind=DutyKind.LEADERSHIP, org=sections[code],
                                         start_date=start), actor=actor)
    for code, head in context["heads"].items():
        services.do_assign_duty(Duty(person=head, kind=DutyKind.SPECIFIC, org=sections[code], start_date=start),
                                actor=actor)

    group = services.do_save_group(LeadingGroup(org=root, established_on=start, basis=f"市XX党组〔{start.year}〕1号",
                                                office=sections["DJB"]), actor=actor)
    former = context["people"][-1]
    members = [(secretary, GroupRole.LEADER, start, None), (jj, GroupRole.DEPUTY, start, None),
               (former, GroupRole.MEMBER, start, dt.date(today.year - 1, 3, 31)),
               (context["heads"]["DJB"], GroupRole.MEMBER, dt.date(today.year - 1, 4, 1), None)]
    members += [(d, GroupRole.MEMBER, start, None) for d in deputies]
    for person, role, since, until in members:
        services.do_add_group_member(GroupMember(group=group, person=person, role=role, start_date=since,
                                                 end_date=until), actor=actor)

    year = today.year
    signers = [*deputies, jj, *context["heads"].values()]
    states = [TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS]
    for n, person in enumerate(signers):
        letter = letters.do_create_letter(year, person, actor=actor)
        staff = [person] + list(_task_owners(letter))
        for i, ((title, target), weight) in enumerate(zip(TASKS, WEIGHTS, strict=True)):
            # deadlines spread over the year: the first two are past (done or overdue), the rest ahead
            deadline = [dt.date(year, 6, 30), dt.date(year, 9, 30), dt.date(year, 12, 31), dt.date(year, 12, 31)][i]
            task = letters.do_save_task(LetterTask(letter=letter, title=title, target=target, weight=weight,
                                                   owner=staff[(n + i) % len(staff)], deadline=deadline), actor=actor)
            state = states[(n + i) % len(states)]
            if state != TaskStatus.NOT_STARTED:
                letters.do_report_progress(task, actor=actor, status=state, note="已按计划推进，详见佐证材料。",
                                           evidence="会议记录、签到表" if state == TaskStatus.DONE else "")
        if n % 3 != 2:  # two letters in three are signed
            letters.do_sign_letter(letter, actor=actor, signed_on=_day(year, 2, 20, today))

    issued_on = {r[0]: _day(year + r[2], r[3], r[4], today) for r in RULES}
    numbers = {}  # 文号 run in order of issue within each year: one number per document
    for title in sorted(issued_on, key=lambda t: (issued_on[t], t)):
        numbers[title] = 1 + sum(1 for n in numbers if issued_on[n].year == issued_on[title].year)
    for title, category, _years_ago, _month, _day_of_month, body in RULES:
        issued = issued_on[title]
        item = Institution(org=root, title=title, category=category, issuer="中共市XX党组", issued_on=issued,
                           doc_number=f"市XX党组发〔{issued.year}〕{numbers[title]}号", body=body)
        if title == "市XX党组议事规则（试行）":
            item.repealed_on = _day(year, 2, 16, today)
        register.do_save_institution(item, actor=actor)


def _task_owners(letter):
    return Person.objects.filter(letter_scope_filter(letter)).exclude(pk=letter.counterpart_id).order_by("id")[:3]


DEMO_BUILDERS.append(build)
