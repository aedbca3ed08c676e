"""The first draft of a year's report (抓基层党建工作情况汇报), written from the records in the register of such
reports; staff then edit it.

Every number is a figure reference (``{{ key }}``) filled from the registry (core/figures.py); a sentence whose
figure no module registers is left out, so a draft never quotes a number that has no definition. What the
numbers cannot say — the meetings held, the study forms and topics, the education activities with their units
and people, the rectification items closed, the rules made — is read from the modules' own records (read only),
for the report's org subtree and year. A year with no such record says so in place. 存在问题 is proposed from
the weak figures: a rate under its floor (``weak_below``), a count that should be nil (``higher_is_better`` False);
三、下步建议 answers each of them before the general suggestions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core import figures
from dangjian.core.figures import FigureScope, Period
from dangjian.duties.models import Duty, DutyKind, GroupMember, GroupRole, Institution, LeadingGroup
from dangjian.matters.models import Matter, ProblemList
from dangjian.matters.states import Status
from dangjian.meetings.models import Activity, ActivityKind, Meeting, MeetingStatus, StudyForm, Topic

from .models import Part

NUMBERS = "一二三四五六七八九十"
NAMED = 3  # records named in a sentence before “等”


@dataclass(frozen=True)
class Draft:
    part: str
    number: str
    heading: str
    body: str


def numbered(i: int) -> str:
    return f"（{NUMBERS[i]}）"


def ref(key: str) -> str:
    return "{{ " + key + " }}"


def known(*keys: str) -> bool:
    return all(k in figures.REGISTRY for k in keys)


def said(text: str, *keys: str) -> str:
    """The sentence, if every figure it quotes is registered; else nothing (left out of the draft)."""
    return text if known(*keys) else ""


def names(items, limit: int = NAMED, quote: str = "", etc: bool = True) -> str:
    """“甲、乙、丙等” — the first few, 等 when there are more (unless ``etc`` is False)."""
    items = list(dict.fromkeys(str(i) for i in items if str(i)))
    opened, closed = (quote[0], quote[1]) if quote else ("", "")
    shown = "、".join(f"{opened}{i}{closed}" for i in items[:limit])
    return shown + ("等" if etc and len(items) > limit else "")


def cn_month(day: dt.date) -> str:
    return f"{day.month}月"


class Records:
    """The named records of the report's org subtree and year (read only)."""

    def __init__(self, org, year: int):
        self.org, self.year = org, year
        self.start, self.end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self.under = Q(org_path__pathprefix=org.path)

    def held_meetings(self):
        return Meeting.objects.filter(self.under, status=MeetingStatus.HELD, date__range=(self.start, self.end))

    def major_topics(self):
        """The “三重一大” topics decided at the meetings held in the year."""
        return (Topic.objects.filter(self.under, meeting__status=MeetingStatus.HELD, meeting__date__range=(
            self.start, self.end)).exclude(category="").exclude(outcome="").order_by("meeting__date", "order"))

    def study_meetings(self):
        return self.held_meetings().filter(kind__is_study=True)

    def study_forms(self) -> list[str]:
        codes = set(self.study_meetings().exclude(study_form="").values_list("study_form", flat=True))
        return [label for code, label in StudyForm.choices if code in codes]

    def study_topics(self) -> list[str]:
        """The planned topics studied (学习计划), else the study meetings' own titles."""
        meetings = self.study_meetings().select_related("study_topic").order_by("date", "pk")[:50]
        planned = [m.study_topic.title for m in meetings if m.study_topic_id]
        return planned or [m.title for m in meetings]

    def activities(self, *kinds: str):
        return (Activity.objects.filter(self.under, kind__in=kinds, date__range=(self.start, self.end))
                .annotate(n_units=Count("units", distinct=True), n_people=Count("participants", distinct=True))
                .order_by("date", "pk"))

    def leading_group(self):
        return (LeadingGroup.objects.filter(self.under).select_related("office").order_by("org_path", "pk").first())

    def group_members(self, group, role):
        return (GroupMember.objects.current(self.end if self.end < timezone.localdate() else None)
                .filter(group=group, role=role).select_related("person"))

    def duty_holders(self, kind):
        return (Duty.objects.current(min(self.end, timezone.localdate())).filter(self.under, kind=kind)
                .select_related("person"))

    def rules_made(self):
        return Institution.objects.filter(self.under, issued_on__range=(self.start, self.end)).order_by("issued_on")

    def rectify(self):
        return Matter.objects.filter(self.under, kind="rectify")

    def closed_rectify(self):
        return self.rectify().filter(status=Status.CLOSED, closed_on__range=(self.start, self.end)).order_by("closed_on")

    def problem_lists(self):
        lists = self.rectify().filter(received_on__lte=self.end).exclude(problem_list=None).values("problem_list")
        return ProblemList.objects.filter(pk__in=lists).order_by("pk")


def opening(org, year: int) -> str:
    held = said(f"全年召开各类会议{ref('meetings.held')}，", "meetings.held")
    return (f"{year}年，{org.name}按照市委党组织书记抓基层党建工作要求，立足新形势下本单位工作需要，创新载体，务求实效，"
            f"{held}全面推进基层党建工作具体化、制度化、常态化，着力营造干部清正、机关清廉、政治清明的工作环境。")


def leadership(r: Records) -> str:
    group = r.leading_group()
    if group is None:
        first = "一是组织体系到位。本年度暂无党建工作领导小组记录。"
    else:
        leaders = names(m.person for m in r.group_members(group, GroupRole.LEADER))
        deputies = names(m.person for m in r.group_members(group, GroupRole.DEPUTY))
        first = (f"一是组织体系到位。成立了{'以' + leaders + '为组长' if leaders else ''}"
                 f"{'，' + deputies + '为副组长' if deputies else ''}的{group.name}，明确{group.office}具体负责。")
    primary = names(d.person for d in r.duty_holders(DutyKind.PRIMARY))
    supervision = names(d.person for d in r.duty_holders(DutyKind.SUPERVISION))
    second = "二是责任分工到位。" + (f"{primary}履行第一责任人职责，" if primary else "") + (
        f"{supervision}履行监督责任，" if supervision else "") + "班子成员按照职责分工对分管科室党建工作负有领导责任，科室负责人负具体责任。"
    second += said(f"签订党建工作责任状{ref('duties.letters.signed')}，", "duties.letters.signed")
    second += said(f"细化分解年度党建工作任务{ref('duties.tasks.count')}，完成率{ref('duties.tasks.completion_rate')}，",
                   "duties.tasks.count", "duties.tasks.completion_rate")
    second += "形成了一级抓一级、一级对一级负责的责任模式。"
    topics = [t.removeprefix("关于").removesuffix("的议题") for t in r.major_topics().values_list("title", flat=True)[:NAMED + 1]]
    third = ("三是执行制度到位。认真落实民主集中制和“三重一大”制度，凡是涉及“三重一大”事项必须集体决策"
             + (f"，{names(topics, etc=False)}等事项均经集体研究决定" if topics else "")
             + said(f"，全年集体研究“三重一大”事项{ref('meetings.decisions.count')}，合规率"
                    f"{ref('meetings.decisions.compliance_rate')}", "meetings.decisions.count",
                    "meetings.decisions.compliance_rate") + "。")
    kickoff = r.held_meetings().filter(title__contains="党建").select_related("kind").order_by("date", "pk").first()
    when, meeting = ((f"{kickoff.date.month}月{kickoff.date.day}日", f"{kickoff.kind}（{kickoff.title}）") if kickoff
                     else ("年初", "专题会议"))
    return "\n".join((
        f"{when}，{r.org.name}召开{meeting}研究部署基层党建工作，认真抓好落实，做到了三个到位。", first, second, third))


def _activity_sentence(activity) -> str:
    units = f"{activity.n_units}家单位" if activity.n_units else ""
    people = f"{activity.n_people}名党员干部" if activity.n_people else "党员干部"
    title = activity.title if "“" in activity.title else f"“{activity.title}”"
    return f"{cn_month(activity.date)}，组织{units}{people}赴{activity.place}开展{title}"


def education(r: Records) -> str:
    study = r.study_meetings()
    if study.exists():
        forms = "、".join(r.study_forms()) or "集中学习"
        topics = names(r.study_topics(), etc=False)
        first = ("一是狠抓集中教育。坚持集中学习日制度，"
                 + said(f"全年组织集中学习{ref('meetings.study.sessions')}，", "meetings.study.sessions")
                 + f"采取{forms}等方式，学习{topics}等内容"
                 + said(f"，累计学习时长{ref('meetings.study.hours')}", "meetings.study.hours")
                 + said(f"，出勤率{ref('meetings.study.attendance_rate')}", "meetings.study.attendance_rate")
                 + "，进一步增强党员干部政治意识、大局意识、创新意识和服务意识。")
    else:
        first = "一是狠抓集中教育。本年度暂无集中学习记录。"
    lines = ["始终抓住思想教育这个牛鼻子，强化教育引导，提升基层党建工作质效。", first]
    for label, kinds, closing in (
            ("二是狠抓传统教育", (ActivityKind.RED, ActivityKind.OATH),
             "学习革命先烈不怕牺牲、无私奉献的精神，激发党员干部奉献热情。"),
            ("三是狠抓警示教育", (ActivityKind.WARNING,),
             "教育党员干部时刻保持清醒的政治头脑，自觉遵规守纪、廉洁从政。")):
        held = list(r.activities(*kinds)[:NAMED])
        if held:
            lines.append(f"{label}。" + "；".join(_activity_sentence(a) for a in held) + "，" + closing)
        else:
            lines.append(f"{label}。本年度暂无相关教育活动记录。")
    lines.append(said(f"全年开展主题教育活动{ref('meetings.activities.count')}，参加单位{ref('meetings.activities.units')}，"
                      f"参加{ref('meetings.activities.people')}。", "meetings.activities.count",
                      "meetings.activities.units", "meetings.activities.people"))
    return "\n".join(x for x in lines if x)


def supervision(r: Records) -> str:
    first = ("一是纪委监督。坚持把执行党的政治纪律和政治规矩放在首位，定期对班子成员、责任科室负责人各项工作落实情况进行检查"
             + said(f"，开展监督检查{ref('supervision.inspections.count')}", "supervision.inspections.count")
             + said(f"，开展谈心谈话、约谈{ref('supervision.talks.count')}", "supervision.talks.count")
             + "，对发现的问题和不良倾向督促整改落实。")
    second = ("二是群众监督。利用门户网站、政务公开、热线电话等平台，对反映的情况分类归并、逐项答复，全方位接受群众监督"
              + said(f"；结合提案办理畅通监督渠道，全年办理人大建议、政协提案{ref('matters.proposals.count')}",
                     "matters.proposals.count") + "。")
    third = ("三是制度监督。对党员干部党性修养、遵纪守法、工作纪律、工作态度、工作作风等进行全面考评"
             + said(f"，记录作风台账正面事项{ref('assessment.conduct.positive')}、负面事项{ref('assessment.conduct.negative')}",
                    "assessment.conduct.positive", "assessment.conduct.negative")
             + "，将考评结果与任职挂钩，作为提拔晋升的重要依据。")
    return "\n".join(("认真落实从严治党监督责任，保证纪检监督权的相对独立性和权威性。", first, second, third))


def rectification(r: Records) -> str:
    lists = list(r.problem_lists())
    sources = names(p.source or f"《{p.title}》" for p in lists) if lists else ""
    head = (f"按照{sources}要求，" if sources else "") + "坚持高标准落实、严要求推进，认真抓好整改。"
    count = said(f"全年列入整改事项{ref('matters.rectify.count')}，已销号{ref('matters.rectify.closed')}，"
                 f"按期销号率{ref('matters.rectify.on_time_rate')}。", "matters.rectify.count", "matters.rectify.closed",
                 "matters.rectify.on_time_rate")
    closed = list(r.closed_rectify().values_list("title", flat=True)[:NAMED + 1])
    done = (f"对照问题清单逐项建立整改台账，明确完成时限，{names(closed, quote='“”')}问题已整改到位、备案销号。" if closed
            else "本年度暂无已销号的整改事项。")
    return "\n".join(x for x in (head, count, done, "实行一周一督办、半月一小结、一月一总结，整出成效，治出效果。") if x)


def conduct(r: Records) -> str:
    first = ("一是建立“三办机制”。坚持大事快速办、要事马上办、难事热情办"
             + said(f"，全年办理市委、市政府交办事项回复{ref('matters.assigned.replies')}", "matters.assigned.replies")
             + said(f"，办理人大建议、政协提案{ref('matters.proposals.count')}，代表委员满意率{ref('matters.proposals.satisfaction_rate')}",
                    "matters.proposals.count", "matters.proposals.satisfaction_rate") + "。")
    made = list(r.rules_made().values_list("title", flat=True)[:NAMED + 1])
    if not made:
        rules = "本年度暂无新制定的制度，"
    elif known("duties.rules.made"):
        rules = f"制定{names(made, quote='《》', etc=False)}等{ref('duties.rules.made')}制度，"
    else:
        rules = f"制定{names(made, quote='《》')}制度，"
    second = ("二是建立“四好机制”。严明政治纪律和政治规矩，执行重大事项报告制度、领导干部外出报备制度"
              + said(f"（全年报告重大事项{ref('filings.reports.count')}、外出报备{ref('filings.absences.count')}）",
                     "filings.reports.count", "filings.absences.count") + f"，{rules}规范党员干部职工言行。")
    third = ("三是建立“五力机制”。通过活化载体增活力、强化培训增实力、量化承诺增压力、实化考核增动力、培育典型增魅力"
             + said(f"，全年评选先进典型{ref('assessment.commendations.count')}", "assessment.commendations.count")
             + "，树立干部为民务实清廉新形象。")
    return "\n".join(("以从严治党为载体，从自身抓起，扎实开展机关效能建设，提高管党治党质效。", first, second, third))


PRACTICE = (
    ("领导高度重视，坚持“三个到位”，强化责任抓落实", leadership),
    ("强化主体责任，创新“三大教育”，狠抓思想夯基础", education),
    ("落实监督责任，创新“三个监督”，拓宽渠道动真格", supervision),
    ("突出重点整改，坚持“三个整治”，强化落实求实效", rectification),
    ("坚持从严治党，健全“三大机制”，转变作风树形象", conduct),
)

# Wording for the weak figures the issue names; any other weak figure gets the general wording.
PROBLEM_WORDING = {
    "meetings.three_one.gaps": ("“三会一课”制度落实尚有差距", "三会一课存在缺项的党支部有{ref}：{names}。"),
    "meetings.study.attendance_rate": ("集中学习出勤率尚需提高", "全年集中学习出勤率为{ref}，低于{floor}的要求，个别同志参加学习不够经常。"),
    "matters.overdue": ("整改落实进度尚需加快", "截至目前，已超过完成时限仍未办结的事项{ref}，涉及{names}。"),
    "matters.rectify.on_time_rate": ("整改按期销号尚有差距", "整改事项按期销号率为{ref}，低于{floor}的要求。"),
}
DEFAULT_PROBLEMS = (
    ("基层党建意识尚需继续加强", "少数同志认为本单位是业务型单位，只要把业务搞通、搞透就行，基层党建意识不强。"),
    ("基层党建考核体系尚需继续完善", "在结合本单位工作实际，建立一套完善、实用的考评体系上，有待进一步调查研究。"),
    ("基层党建方式尚需继续创新", "在对党员干部的思想、行为、工作等方面从严管理上，创新方法不够多。"),
)
# A suggestion answering each weak figure the issue names: it comes before the general ones below.
SUGGESTION_WORDING = {
    "meetings.three_one.gaps": ("严格落实“三会一课”制度", "对三会一课存在缺项的党支部（{ref}）逐一督促，按规定频次召开支部党员大会、"
                                "支部委员会、党小组会，按时上好党课，开展主题党日，做到有计划、有记录、可查询。"),
    "meetings.study.attendance_rate": ("严肃学习纪律，提高集中学习出勤率", "坚持集中学习日签到、请假和补学制度，缺学必补，将出勤情况纳入"
                                       "年度考评，力争集中学习出勤率由{ref}提高到{floor}以上。"),
    "matters.overdue": ("加快整改落实，确保按期办结", "对已超过完成时限仍未办结的事项（{ref}）逐项明确责任领导、责任人和完成时限，"
                        "实行挂账督办、办结销号。"),
    "matters.rectify.on_time_rate": ("严格备案销号，提高整改按期销号率", "坚持整改台账动态管理，到期前提醒、逾期即督办，力争整改事项"
                                     "按期销号率由{ref}提高到{floor}以上。"),
}
SUGGESTIONS = (
    ("强化学习培训，增强从严治党意识", "制定学习计划，坚持集中学习日制度、“三会一课”制度，从思想建设入手，增强党员干部宗旨意识、大局意识、服务意识。"),
    ("加强基础建设，夯实从严治党基石", "严格党员管理，建立健全党内激励、关怀和帮扶机制，认真落实基层党组织工作经费保障，充分发挥典型带动作用。"),
    ("建立考核制度，健全党建工作新格局", "严格落实党风廉政建设“两个责任”，健全目标责任考核和激励机制，建立作风台账，将干部作风作为年度考核、提拔重用的依据。"),
)


# The floors and nil counts the issue names, for a figure whose module did not mark it (weak_below,
# higher_is_better); a module's own marking wins.
FLOORS = {"meetings.study.attendance_rate": 90.0, "matters.rectify.on_time_rate": 90.0}
SHOULD_BE_NIL = {"meetings.three_one.gaps", "matters.overdue", "duties.tasks.overdue", "filings.absences.unfiled"}


def floor_of(fig: figures.FigureDef) -> float | None:
    return fig.weak_below if fig.weak_below is not None else FLOORS.get(fig.key) if fig.is_rate else None


def floor_text(fig: figures.FigureDef) -> str:
    """The floor as written (“90%”), or nothing for a figure without one."""
    return f"{floor_of(fig):g}%" if floor_of(fig) is not None else ""


def weak_figures(org, year: int) -> list[tuple[figures.FigureDef, figures.FigureValue]]:
    """The figures that read as weak for the org and year: a rate under its floor, a count that should be nil."""
    def nil_expected(f):
        return not f.is_rate and (f.higher_is_better is False or f.key in SHOULD_BE_NIL)

    candidates = [f for f in figures.REGISTRY.values() if not f.personal and (nil_expected(f) or floor_of(f))]
    scope = FigureScope((org.path,), Period.year(year))
    out = []
    for value in figures.evaluate_many(candidates, scope).values():
        fig, floor = value.figure, floor_of(value.figure)
        weak = (value.value is not None and value.value < floor) if floor is not None else bool(value.count)
        if weak:
            out.append((fig, value))
    return sorted(out, key=lambda fv: (fv[0].key not in PROBLEM_WORDING, fv[0].key))


def problem(fig: figures.FigureDef, value: figures.FigureValue) -> tuple[str, str]:
    named = ""
    if "{names}" in PROBLEM_WORDING.get(fig.key, ("", ""))[1] or not fig.is_rate:
        records = fig.records(value.scope).select_related(*fig.related).order_by(*fig.order_by)
        named = names(records[:NAMED + 1])
    if fig.key in PROBLEM_WORDING:
        heading, text = PROBLEM_WORDING[fig.key]
    elif fig.is_rate:
        heading, text = f"{fig.label}尚需提高", "{label}为{ref}，低于{floor}的要求。"
    else:
        heading, text = f"{fig.label}问题尚需解决", "{label}{ref}" + ("，涉及{names}" if named else "") + "。"
    return heading, text.format(ref=ref(fig.key), names=named, floor=floor_text(fig), label=fig.label)


def suggestions(weak: list[figures.FigureDef]) -> list[tuple[str, str]]:
    """三、下步建议: one answering each weak figure that has its wording, then the general ones."""
    answering = [(SUGGESTION_WORDING[f.key][0], SUGGESTION_WORDING[f.key][1].format(ref=ref(f.key), floor=floor_text(f)))
                 for f in weak if f.key in SUGGESTION_WORDING]
    return answering + list(SUGGESTIONS)


def draft_report(org, year: int) -> list[Draft]:
    """Every section of the year's report, drafted from the records."""
    r = Records(org, year)
    drafts = [Draft(Part.OPENING, "", "", opening(org, year))]
    drafts += [Draft(Part.PRACTICE, numbered(i), heading, write(r)) for i, (heading, write) in enumerate(PRACTICE)]
    weak = weak_figures(org, year)
    problems = [problem(fig, value) for fig, value in weak] or list(DEFAULT_PROBLEMS)
    drafts += [Draft(Part.PROBLEMS, numbered(i), h, body) for i, (h, body) in enumerate(problems[:len(NUMBERS)])]
    drafts += [Draft(Part.SUGGESTIONS, numbered(i), h, body)
               for i, (h, body) in enumerate(suggestions([fig for fig, _ in weak])[:len(NUMBERS)])]
    return drafts


def draft_for(org, year: int, part: str, number: str) -> Draft | None:
    """The current draft of one section (to propose it again while editing), or None when the draft has no
    section at that place (a problem no longer weak)."""
    return next((d for d in draft_report(org, year) if d.part == part and d.number == number), None)
