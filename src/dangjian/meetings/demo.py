"""Demo records of 会议学习 for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS).

A rolling year of Thursday study days, 三会一课 for the three branches with a few gaps, 党组会议
whose 三重一大 decisions go through the real services (one refused attempt stays in the audit
log), and the seed's 七一 red-education activity.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from dangjian.core import audit, workdays
from dangjian.core.documents import OfficialDocument
from dangjian.orgs.demo import DEMO_BUILDERS
from dangjian.orgs.models import Org, OrgKind

from . import activities, study
from .models import (
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participant,
    StudyPlan,
    StudyTopic,
    Topic,
    TopicCategory,
)
from .services import attachments, decisions, records
from .services.decisions import Vote

STUDY_SUBJECTS = [
    "《中国共产党章程》", "习近平总书记系列重要讲话精神", "全面从严治党", "“两学一做”学习教育",
    "严明政治纪律和政治规矩", "市委全会精神", "《中国共产党纪律处分条例》", "中央八项规定及其实施细则精神",
    "《党政机关厉行节约反对浪费条例》", "市委《XX意见》", "民主集中制与“三重一大”决策制度", "党风廉政建设“两个责任”",
]
# Gaps left on purpose, so that the compliance report has something to name: (branch index, kind, month).
GAPS = {(2, "branch_committee", 5), (2, "theme_day", 8), (1, "lecture", 4), (1, "lecture", 5), (1, "lecture", 6)}


def _month_start(day: dt.date, back: int) -> dt.date:
    m = day.year * 12 + day.month - 1 - back
    return dt.date(m // 12, m % 12 + 1, 1)


def _bulk_meeting(org, kind, title, day, people, rng, start="14:30", end="17:00", **extra) -> Meeting:
    """A past meeting written directly (demo history), with realistic attendance."""
    meeting = Meeting.objects.create(
        org=org, org_path=org.path, kind=kind, title=title, date=day, start_time=dt.time.fromisoformat(start),
        end_time=dt.time.fromisoformat(end), place="机关会议室", status=MeetingStatus.HELD,
        signin_nonce=secrets.token_hex(4), **extra)
    hours = Decimal(str(meeting.hours)) if kind.is_study else Decimal(0)
    rows = []
    for row in records.attendance_rows(meeting, people):
        r = rng.random()
        if r < 0.9:
            row.status, row.hours = AttendanceStatus.PRESENT, hours
            row.via_qr = r < 0.7
            # a sign-in time only for a QR sign-in: attendance marked by the recorder has none
            row.signed_in_at = timezone.make_aware(dt.datetime.combine(day, meeting.start_time)) if row.via_qr else None
        else:
            row.status = AttendanceStatus.LEAVE if r < 0.95 else AttendanceStatus.ABSENT
            row.reason = "公务外出" if row.status == AttendanceStatus.LEAVE else ""
            row.makeup_required = kind.is_study
            if kind.is_study and rng.random() < 0.7:
                row.makeup_done_on = day + dt.timedelta(days=3)
                row.makeup_note = "自学会议材料并撰写学习笔记，已交支部审阅。"
                row.hours = hours
        rows.append(row)
    Attendance.objects.bulk_create(rows)
    return meeting


def ensure_kinds() -> None:
    """The kinds come from a data migration; a test flush (transactional tests) empties them."""
    if not MeetingKind.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("dangjian.meetings.migrations.0002_meeting_kinds").seed(apps, None)


def build(context: dict) -> None:
    ensure_kinds()
    rng = context["rng"]
    root: Org = context["root"]
    today = timezone.localdate()
    kinds = {k.code: k for k in MeetingKind.objects.all()}
    actor = context["staff"].user  # 党建办 staff keep the records
    first = _month_start(today, 12)

    # 年度学习计划 and the study days: held from a year ago, planned for the rest of this year.
    plan = StudyPlan.objects.create(org=root, year=today.year, title=f"市XX{today.year}年度理论学习计划",
                                    note="每周四下午集中学习；班子成员领学、专题讨论学、党校专家辅导学、党课示范学。")
    StudyTopic.objects.bulk_create(StudyTopic(plan=plan, org=root, month=m, title=STUDY_SUBJECTS[m - 1],
                                              materials="学习读本；原文原著") for m in range(1, 13))
    topics = {t.month: t for t in plan.topics.all()}
    everyone = records.expected_people(Meeting(org=root, kind=kinds["study_day"], date=today))
    held, _skipped = study.study_dates(first, today - dt.timedelta(days=1))
    for i, day in enumerate(held):
        _bulk_meeting(root, kinds["study_day"], f"集中学习日（{day.month}月{day.day}日）", day, everyone, rng,
                      study_form=study.FORMS[i % 4], study_topic=topics.get(day.month) if day.year == today.year
                      else None)
    study.do_generate_study_days(root, today.year, actor=actor, start=today)

    branch_meetings(context["branches"], kinds, today, rng)
    _party_group_meetings(context, kinds, actor, today)
    _activities(context, actor, today)
    audit.record("demo.meetings", target=root, message="载入会议学习演示数据")


def branch_meetings(branches: list[Org], kinds: dict[str, MeetingKind], today: dt.date, rng) -> None:
    """三会一课 and 主题党日 for each branch over the twelve months before ``today``, with the GAPS left out."""
    for bi, branch in enumerate(branches):
        members = records.expected_people(Meeting(org=branch, kind=kinds["branch_general"], date=today))
        committee = records.expected_people(Meeting(org=branch, kind=kinds["branch_committee"], date=today))
        cells = list(Org.objects.filter(path__pathprefix=branch.path, kind=OrgKind.CELL).order_by("path"))
        for back in range(12, 0, -1):
            month = _month_start(today, back)
            day = month + dt.timedelta(days=(3 - month.weekday()) % 7 + 7)  # second Thursday-ish
            plan_for = [("branch_committee", branch, committee), ("theme_day", branch, members),
                        ("cell", cells[0], members)]
            if month.month in (1, 4, 7, 10):
                plan_for += [("branch_general", branch, members), ("lecture", branch, members)]
            for code, org, people in plan_for:
                if (bi, code, month.month) in GAPS:
                    continue
                _bulk_meeting(org, kinds[code], f"{org.name}{month.month}月{kinds[code].name}", day + dt.timedelta(
                    days=1 if code == "cell" else 0), people, rng, start="09:00", end="11:00")


def _party_group_meetings(context, kinds, actor, today):
    party_group = Org.objects.get(code="SXX-DZ")
    secretary, deputies, dh = context["secretary"], context["deputies"], context["discipline_head"]
    recorder = context["staff"]

    def meeting(days_ago, title, leave=()):
        day = workdays.add_workdays(today, -days_ago).date
        m = records.do_create_meeting(Meeting(
            org=party_group, kind=kinds["party_group"], title=title, date=day, start_time=dt.time(9), end_time=dt.time(
                11, 30), place="党组会议室", host=secretary, recorder=recorder, status=MeetingStatus.HELD), actor=actor)
        for a in m.attendance.all():
            status = AttendanceStatus.LEAVE if a.person in leave else AttendanceStatus.PRESENT
            records.do_mark_attendance(m, a.person_id, status, actor=actor, reason="外出学习" if leave else "")
        return m

    def topic(m, title, category, amount=None, order=0):
        sent = workdays.add_workdays(m.date, -2).date
        return decisions.do_add_topic(Topic(meeting=m, title=title, category=category, amount=amount, order=order,
                                           proposer="办公室", materials_sent_on=sent), actor=actor)

    def votes(members, stances=None, principal_first=False):
        order = [p for p in members if p != secretary]
        order = ([secretary] + order) if principal_first else (order + [secretary])
        stances = stances or {}
        return [Vote(p.pk, i, stances.get(p.pk, "agree"), "" if stances.get(p.pk, "agree") == "agree" else "需进一步论证")
                for i, p in enumerate(order, start=1)]

    everyone = [secretary, *deputies, dh]
    m1 = meeting(170, "党组会议（研究信息化平台建设资金等事项）")
    t = topic(m1, "关于使用信息化平台建设资金120万元的议题", TopicCategory.FUND, Decimal("120"))
    decisions.do_record_decision(t, votes(everyone), decision_text="同意使用信息化平台建设资金120万元，由办公室按程序组织采购。",
                                actor=actor)
    t2 = topic(m1, "关于机关办公用品定点采购的议题", "", Decimal("8"))
    decisions.do_record_decision(t2, votes(everyone), decision_text="同意。", actor=actor)
    attachments.do_add_attachment(m1, _agenda_file(m1, [t, t2]), actor=actor)

    m2 = meeting(90, "党组会议（研究干部任免事项）", leave=[deputies[2]])
    t3 = topic(m2, "关于任命财务科科长的议题", TopicCategory.CADRE)
    sitting = [p for p in everyone if p != deputies[2]]
    try:  # recorded first with the secretary speaking first: refused (末位表态), and the refusal is logged
        decisions.do_record_decision(t3, votes(sitting, principal_first=True), actor=actor)
    except ValidationError:
        pass
    decisions.do_record_decision(t3, votes(sitting), decision_text="同意任命，按程序公示。", actor=actor)

    m3 = meeting(30, "党组会议（研究项目建设事项）")
    t4 = topic(m3, "关于机关综合楼改造项目投资的议题", TopicCategory.INVESTMENT, Decimal("680"))
    decisions.do_record_decision(t4, votes(everyone, {deputies[0].pk: "defer", deputies[1].pk: "defer",
                                                      dh.pk: "defer"}), actor=actor)
    next_day = workdays.add_workdays(today, 5).date
    m4 = records.do_create_meeting(Meeting(
        org=party_group, kind=kinds["party_group"], title="党组会议（研究年度预算执行等事项）", date=next_day,
        start_time=dt.time(9), end_time=dt.time(11), place="党组会议室", host=secretary, recorder=recorder), actor=actor)
    topic(m4, "关于追加年度专项经费85万元的议题", "", Decimal("85"))


def _agenda_file(meeting, topics) -> ContentFile:
    """A sample attachment: the meeting's agenda as the Word file a 党组 office would upload."""
    doc = OfficialDocument(f"{meeting.title}议程")
    doc.paragraph(f"时间：{meeting.date:%Y年%m月%d日} {meeting.start_time:%H:%M}　地点：{meeting.place}")
    for n, item in enumerate(topics, start=1):
        doc.paragraph(f"{n}. {item.title}（{item.proposer}汇报）")
    return ContentFile(doc.to_bytes(), name="会议议程.docx")


def _activities(context, actor, today):
    committee = Org.objects.get(code="SXX-JGDW")
    units = [committee, *context["branches"]]
    july_first = dt.date(today.year if today >= dt.date(today.year, 7, 2) else today.year - 1, 7, 1)
    red = activities.do_create_activity(Activity(
        org=committee, kind=ActivityKind.RED, title="“七一”红色教育：缅怀革命先烈、重温入党誓词", date=july_first,
        place="X纪念馆、革命遗址", description="市XX牵头，组织第四党建活动区各单位党员干部赴X纪念馆、革命遗址瞻仰烈士，"
        "听取革命烈士英雄事迹介绍，重温入党誓词，学习革命先烈不怕牺牲、无私奉献的精神。"), units, actor=actor)
    for p in Participant.objects.filter(activity=red).select_related("person")[:6]:
        p.reflection = (f"{p.person.name}：参观纪念馆后深受教育，要学习革命先烈不怕牺牲、无私奉献的精神，"
                        "立足岗位，清廉为官、事业有为。")
        p.reflected_at = timezone.now()
        p.save(update_fields=["reflection", "reflected_at"])
    activities.do_create_activity(Activity(
        org=committee, kind=ActivityKind.WARNING, title="警示教育：赴市戒毒所参观学习", date=july_first + dt.timedelta(
            days=60), place="市戒毒所", description="收看反面典型案例，集中阅读悔过书，了解戒毒人员失足、失去自由情景。"),
        units, actor=actor)


DEMO_BUILDERS.append(build)
