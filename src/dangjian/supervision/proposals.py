"""检查建议: what the data already says about a person or section to be checked, each figure with its records.

Computed from the other modules' records through their scope (visible_to) — the reader's own view of matters and
meetings — never copied: 超期未办结事项 (matters the person owns, or of the section, open past their deadline),
本科室提出的“三重一大”议题未通过或缓议 (the topic's 提出单位 is the section), 集中学习缺勤 (study meetings of the year
missed: absent or on leave, 补学 or not), 三会一课缺项 (the periods in which the Party branch of the person, or of the
section's people, held no 支部党员大会, 支委会, 党小组会 or 党课 as the rules require: meetings' own gap report,
meetings.compliance.gap_report). Each figure counts exactly the rows it lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dangjian.core.scope import path_in_scope
from dangjian.matters import workflow
from dangjian.matters.models import Matter
from dangjian.meetings.compliance import Gap, gap_report
from dangjian.meetings.models import Attendance, AttendanceStatus, Outcome, Topic
from dangjian.orgs.models import Org, Person

ROW_LIMIT = 50  # rows listed under a figure; the figure itself counts them all


@dataclass
class Proposal:
    key: str
    label: str
    count: int
    rows: list[tuple[str, str]] = field(default_factory=list)  # (text, link) of the records behind it
    link: str = ""  # the module's own list, where there is one


def overdue_matters(user, today: dt.date, *, person=None, section=None):
    matters = Matter.objects.visible_to(user).filter(workflow.due_state_q("overdue", today))
    return matters.filter(owner=person) if person is not None else matters.filter(org_path__pathprefix=section.path)


def refused_or_deferred_topics(user, year: int, *, section):
    return (Topic.objects.visible_to(user).filter(year=year, outcome__in=[Outcome.REJECTED, Outcome.DEFERRED],
                                                  proposer=section.name).exclude(category=""))


def study_absences(user, year: int, *, person=None, section=None):
    rows = Attendance.objects.visible_to(user).filter(
        year=year, meeting__kind__is_study=True, status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LEAVE])
    return rows.filter(person=person) if person is not None else rows.filter(person__org=section)


def branches_of(user, *, person=None, section=None) -> list[Org]:
    """The Party branches concerned: the person's own, or those of the section's people; only those whose
    meetings the user may see."""
    if person is not None:
        ids = [person.branch_id] if person.branch_id else []
    else:
        ids = (Person.objects.visible_to(user).filter(org_path__pathprefix=section.path, is_active=True,
                                                      branch__isnull=False).values("branch_id"))
    return [b for b in Org.objects.visible_to(user).filter(pk__in=ids, is_active=True).order_by("path")
            if path_in_scope(user, "meeting.view", b.path)]


def meeting_gaps(user, year: int, today: dt.date, *, person=None, section=None) -> list[tuple[Org, Gap]]:
    """三会一课缺项 of those branches in ``year`` (periods that have ended), as the 三会一课 page counts them."""
    out = []
    for branch in branches_of(user, person=person, section=section):
        _branches, gaps, _held = gap_report(branch.path, year, today=today)
        out += [(branch, g) for g in gaps if g.branch_id == branch.pk]
    return out


def proposals(user, year: int, today: dt.date, *, person=None, section=None) -> list[Proposal]:
    """The figures for one person (班子成员、科室负责人: their section's topics too) or one section."""
    unit = section if section is not None else person.org
    overdue = overdue_matters(user, today, person=person, section=section).order_by("due_on", "pk")
    topics = refused_or_deferred_topics(user, year, section=unit).select_related("meeting").order_by("meeting__date",
                                                                                                     "pk")
    missed = study_absences(user, year, person=person, section=section).select_related("meeting", "person").order_by(
        "meeting__date", "pk")
    gaps = meeting_gaps(user, year, today, person=person, section=section)
    whose = "本人所在党支部" if person is not None else "本科室人员所在党支部"
    return [
        Proposal("overdue", "超期未办结事项", overdue.count(),
                 [(f"{m.title}（时限 {m.due_on:%Y-%m-%d}）", f"/matters/{m.pk}/") for m in overdue[:ROW_LIMIT]],
                 f"/matters/ledger/{person.pk}/" if person is not None else f"/matters/?org={section.pk}&due=overdue"),
        Proposal("topics", f"{unit.name}提出的“三重一大”议题未通过或缓议（{year}年）", topics.count(),
                 [(f"{t.meeting.date:%Y-%m-%d} {t.title}（{t.get_outcome_display()}）", f"/meetings/{t.meeting_id}/")
                  for t in topics[:ROW_LIMIT]]),
        Proposal("study", f"集中学习缺勤（{year}年，含请假）", missed.count(),
                 [(f"{a.meeting.date:%Y-%m-%d} {a.meeting.title} {a.person.name}（{a.get_status_display()}）",
                   f"/meetings/{a.meeting_id}/") for a in missed[:ROW_LIMIT]]),
        Proposal("meeting_gaps", f"{whose}三会一课等组织生活缺项（{year}年，已结束的期间）", len(gaps),
                 [(f"{g.branch} {g.period}未召开{g.kind}", f"/meetings/compliance/?year={year}&org={b.pk}")
                  for b, g in gaps[:ROW_LIMIT]], "/meetings/compliance/"),
    ]
