"""The figures of 会议学习, registered in the one figure registry (core/figures.py).

Meetings held and study sessions (Meeting), study hours and attendance (Attendance rows of study meetings), the
三会一课 gaps (the branches compliance.py finds a gap for), the 三重一大 decisions (Topic), the education
activities (Activity, their units and Participant rows) and the user's own meetings (我的会议学习).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dangjian.core import figure_cache, figures
from dangjian.core.figures import Column, FigureDef, FigureScope, register
from dangjian.orgs.models import Org, OrgKind

from . import compliance
from .models import (
    Activity,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    Meeting,
    MeetingStatus,
    Outcome,
    Participant,
    Topic,
)

DECIDED = (Outcome.PASSED, Outcome.REJECTED)
UNDECIDED = (Outcome.PENDING, Outcome.DEFERRED)


def _meeting_link(row) -> str:
    return reverse("meetings:detail", args=[row.meeting_id if hasattr(row, "meeting_id") else row.pk])


def _activity_link(row) -> str:
    return reverse("meetings:activity", args=[getattr(row, "activity_id", None) or row.pk])


MEETING = dict(model=Meeting, unit="次", link=_meeting_link, related=("kind", "org"),
               columns=(Column("日期", "date"), Column("会议", "title"), Column("会议类型", "kind"),
                        Column("组织", "org"), Column("状态", "get_status_display")),
               order_by=("-date", "-start_time", "-id"))
ATTENDANCE = dict(model=Attendance, unit="人次", link=_meeting_link, related=("person", "meeting__kind"),
                  columns=(Column("人员", "person"), Column("日期", "meeting.date"), Column("会议", "meeting.title"),
                           Column("会议类型", "meeting.kind"), Column("出席情况", "get_status_display"),
                           Column("学习时长（小时）", "hours")),
                  order_by=("-meeting__date", "-meeting__start_time", "-meeting_id", "id"))
TOPIC = dict(model=Topic, unit="项", link=_meeting_link, related=("meeting",),
             columns=(Column("议题", "title"), Column("类别", "get_category_display"), Column("会议", "meeting"),
                      Column("决定", lambda t: t.get_outcome_display() if t.outcome else "未决"),
                      Column("决定时间", "decided_at")),
             order_by=("-meeting__date", "meeting_id", "order"))
BRANCH = dict(model=Org, unit="个", capability="meeting.view", order_by=("path",),
              columns=(Column("党支部", "name"), Column("编码", "code")),
              link=lambda org: f"{reverse('meetings:compliance')}?org={org.pk}")


# ---- meetings and study ------------------------------------------------------------------------------------

def _held(s: FigureScope) -> Q:
    return s.under("org_path") & s.during("date") & Q(status=MeetingStatus.HELD)


def _at_meetings_under(s: FigureScope) -> Q:
    """An attendance row lies at its meeting's node: its list finds a subtree's rows from the subtree's meetings."""
    return s.under("meeting__org_path")


def _study_rows(s: FigureScope) -> Q:
    """Attendance rows of the held study meetings (study kinds: 集中学习日 etc.) of the scope in the period."""
    return (s.under("org_path") & s.during("meeting__date") & Q(meeting__status=MeetingStatus.HELD,
                                                                 meeting__kind__is_study=True))


# ---- 三会一课 -----------------------------------------------------------------------------------------------

def _branches(s: FigureScope) -> Q:
    return s.under("path") & Q(kind=OrgKind.BRANCH, is_active=True)


def _gap_branches(s: FigureScope) -> Q:
    return _branches(s) & Q(pk__in=list(_gap_branch_ids(s)))


def _gap_branch_ids(s: FigureScope) -> Sequence[int]:
    """The branches with a gap in the scope: those at its nodes, then those of each subtree in path order (the
    order their page lists them in). One subtree's are read part by part (a page of a province's reads the few
    subtrees it shows, not 90,000 ids); several sources are read whole and each branch listed once."""
    own = _own_gaps(list(s.nodes), s.period)
    ids = [pk for node in s.nodes for pk in own[node]]
    paths = sorted(s.paths)
    by_path = _subtree_gaps(paths, s.period)
    parts = ([ids] if ids else []) + [by_path[path] for path in paths]
    if len(parts) == 1:
        return GapBranchIds(parts[0], s.period)
    return list(dict.fromkeys(pk for part in parts for pk in GapBranchIds(part, s.period)))


@dataclass(frozen=True)
class ComposedGaps:
    """A composed subtree's branches with a gap as kept: its own node's, then how many each child subtree has
    (each child's are kept under its own generation)."""

    own: tuple[int, ...]
    children: tuple[tuple[str, int], ...]  # (path, how many), in path order

    def __len__(self) -> int:
        return len(self.own) + sum(n for _child, n in self.children)


class GapBranchIds(Sequence):
    """One subtree's branches with a gap (a list, or a composed subtree's ComposedGaps), sliced by reading only
    the child subtrees the slice reaches."""

    def __init__(self, part: list[int] | ComposedGaps, period) -> None:
        self.part, self.period = part, period

    def __len__(self) -> int:
        return len(self.part)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key:key + 1 or None][0]
        start, stop, step = key.indices(len(self))
        if step != 1:
            raise ValueError("步长须为 1")
        return _slice(self.part, start, stop, self.period)

    def __iter__(self):
        return iter(self[:])


def _slice(part: list[int] | ComposedGaps, start: int, stop: int, period) -> list[int]:
    if not isinstance(part, ComposedGaps):
        return list(part[start:stop])
    out, offset, reached = list(part.own[start:stop]), len(part.own), []
    for child, n in part.children:
        if start < offset + n and stop > offset:
            reached.append((child, max(0, start - offset), stop - offset))
        offset += n
    by_child = _subtree_gaps([child for child, _start, _stop in reached], period) if reached else {}
    for child, child_start, child_stop in reached:
        out += _slice(by_child[child], child_start, child_stop, period)
    return out


def _own_gaps(nodes: list[str], period) -> dict[str, list[int]]:
    """The branch at each node, if it is one and has a gap (its 党小组's meetings count for it), kept under the
    node's subtree generation: a composed value's own part and the gap list of the node read it once."""
    def read(missing: list[str]) -> dict[str, list[int]]:
        at = {path: pk for pk, path in compliance.branch_paths_with_gaps((), period.start, period.end,
                                                                          nodes=tuple(missing)).items()}
        return {node: [at[node]] if node in at else [] for node in missing}
    return figure_cache.cached_each(f"meetings.three_one.own_gaps:{period.key}", nodes, read) if nodes else {}


def _subtree_gaps(paths: list[str], period) -> dict[str, list[int] | ComposedGaps]:
    """The branches with a gap in each subtree at ``paths``, in path order, each kept under its subtree's
    generation (figure_cache.cached_each); where values are composed, a subtree's are those of its own node and
    then of each child subtree, each kept so (ComposedGaps): after a change only the subtrees above it are scanned
    again (a province's scan takes seconds, a county's hundreds of units are read together)."""
    return figure_cache.cached_each(f"meetings.three_one.gaps:{period.key}", paths,
                                    lambda missing: _read_gaps(missing, period))


def _read_gaps(paths: list[str], period) -> dict[str, list[int] | ComposedGaps]:
    out: dict[str, list[int] | ComposedGaps] = {}
    children_of = figures.child_paths_of(paths)
    for path in paths:
        children = [child for child, _has_children in children_of[path]]  # in path order
        if figures.composed_at(path) and children:
            by_child = _subtree_gaps(children, period)
            out[path] = ComposedGaps(tuple(_own_gaps([path], period)[path]),
                                     tuple((child, len(by_child[child])) for child in children))
    scanned: dict[str, list[int]] = {path: [] for path in paths if path not in out}
    if scanned:
        # each of a few subtrees, or the whole subtree of the parent of more (the units of a county)
        parents = {path[:-Org.steplen] for path in scanned}
        roots = (tuple(scanned) if len(scanned) <= figures.FEW_CHILDREN or len(parents) > 1 or "" in parents
                 else tuple(parents))
        found = compliance.branch_paths_with_gaps(roots, period.start, period.end)
        sizes = sorted({len(path) for path in scanned})
        for pk, branch_path in sorted(found.items(), key=lambda item: item[1]):
            subtree = next((branch_path[:size] for size in sizes if branch_path[:size] in scanned), None)
            if subtree is not None:
                scanned[subtree].append(pk)
    return {**out, **scanned}


# ---- 三重一大 -----------------------------------------------------------------------------------------------

def _decided(s: FigureScope) -> Q:
    return (s.under("org_path") & s.during_moments("decided_at") & ~Q(category="")
            & Q(outcome__in=DECIDED))


# ---- education activities ----------------------------------------------------------------------------------

def _activities(s: FigureScope) -> Q:
    return s.under("org_path") & s.during("date")


# ---- the user's own ----------------------------------------------------------------------------------------

def _mine(s: FigureScope) -> Q:
    return Q(person_id=s.person_id)


def _upcoming(s: FigureScope) -> Q:
    return _mine(s) & Q(meeting__status=MeetingStatus.PLANNED, meeting__date__gte=timezone.localdate())


def figure(key: str, label: str, definition: str, where, kind: dict, **kwargs) -> FigureDef:
    return FigureDef(key=f"meetings.{key}", label=label, definition=definition, module="meetings", where=where,
                     **{**kind, **kwargs})


FIGURES = (
    figure("held", "已召开会议", "统计期间内召开（状态为已召开）的各类会议，含党组会议、三会一课、集中学习日等", _held,
           MEETING),
    figure("study.sessions", "集中学习", "统计期间内召开的、计入学习时长的会议类型（集中学习日等）的会议",
           lambda s: _held(s) & Q(kind__is_study=True), MEETING),
    figure("study.hours", "学习时长", "统计期间内召开的学习类会议的出席记录所计学习时长之和（出席或补学后计入）",
           _study_rows, ATTENDANCE, measure="hours", unit="小时", listing_where=_at_meetings_under),
    figure("study.attendance_rate", "学习出勤率", "统计期间内召开的学习类会议中，出席的人次占应到人次的比例",
           lambda s: _study_rows(s) & Q(status=AttendanceStatus.PRESENT), ATTENDANCE, total_where=_study_rows,
           higher_is_better=True, weak_below=90.0, listing_where=_at_meetings_under),
    figure("three_one.gaps", "三会一课缺项", "在统计期间内结束的考核周期（月、季度、半年、年）中，至少有一项三会一课或主题党日"
           "未按规定频次召开的党支部（缺项明细见三会一课页面）", _gap_branches, BRANCH, higher_is_better=False,
           listed_ids=_gap_branch_ids, own_reads_below=True),
    figure("three_one.gap_rate", "三会一课缺项率", "有三会一课缺项的党支部占范围内全部党支部的比例", _gap_branches, BRANCH,
           total_where=_branches, higher_is_better=False, listed_ids=_gap_branch_ids, own_reads_below=True),
    figure("decisions.count", "“三重一大”决策事项", "统计期间内作出决定（通过或未通过）的“三重一大”议题（按决定时间）",
           _decided, TOPIC),
    figure("decisions.compliance_rate", "“三重一大”合规率",
           "统计期间内作出决定的“三重一大”议题中，在党组会议上经规则核验（到会人数达到规定比例、到会成员逐一表态）"
           "且主要负责人末位表态的比例", lambda s: _decided(s) & compliance.rule_checked()
           & compliance.principal_spoke_last(), TOPIC, total_where=_decided, higher_is_better=True, weak_below=100.0),
    figure("decisions.pending", "“三重一大”未决事项", "当前已列为“三重一大”、尚未决定或缓议的议题",
           lambda s: s.under("org_path") & ~Q(category="") & Q(outcome__in=UNDECIDED), TOPIC, stock=True,
           higher_is_better=False),
    figure("activities.count", "主题教育活动", "统计期间内组织的红色教育、警示教育等主题教育活动（按组织单位计入范围）",
           _activities, dict(model=Activity, unit="次", link=_activity_link, related=("org",),
                             columns=(Column("日期", "date"), Column("活动", "title"),
                                      Column("类型", "get_kind_display"), Column("地点", "place"),
                                      Column("组织单位", "org")), order_by=("-date", "-id"))),
    figure("activities.units", "参加单位", "统计期间内范围内组织的主题教育活动的参加单位（同一单位只计一次）",
           lambda s: Q(pk__in=Activity.objects.filter(_activities(s)).values("units")),
           dict(model=Org, unit="个", capability="meeting.view", order_by=("path",),
                columns=(Column("单位", "name"), Column("类型", "get_kind_display")),
                link=lambda _org: reverse("meetings:activities")), additive=False),
    figure("activities.people", "参加人次", "统计期间内范围内组织的主题教育活动的参加人记录（一人参加一次计一人次）",
           lambda s: s.under("org_path") & s.during("activity__date"),
           dict(model=Participant, unit="人次", link=_activity_link, related=("person", "activity"),
                columns=(Column("人员", "person"), Column("日期", "activity.date"), Column("活动", "activity.title"),
                         Column("心得体会", lambda p: "已提交" if p.reflected_at else "未提交")),
                order_by=("-activity__date", "activity_id", "id"))),
    figure("mine.upcoming", "待参加的会议", "本人应参加、尚未召开（计划召开、日期不早于今天）的会议", _upcoming, ATTENDANCE,
           unit="次", stock=True, personal=True),
    figure("mine.attended", "本人出席会议", "统计期间内召开的会议中本人出席（签到或登记为出席）的", lambda s: _mine(s)
           & s.during("meeting__date") & Q(meeting__status=MeetingStatus.HELD, status=AttendanceStatus.PRESENT),
           ATTENDANCE, unit="次", personal=True),
    figure("mine.makeups", "待补学", "本人缺席或请假、须补学而尚未完成补学的学习", lambda s: _mine(s)
           & Q(makeup_required=True, makeup_done_on__isnull=True), ATTENDANCE, unit="次", stock=True, personal=True),
    figure("mine.study_hours", "本人学习时长", "统计期间内召开的学习类会议中本人计入的学习时长之和",
           lambda s: _mine(s) & s.during("meeting__date") & Q(meeting__status=MeetingStatus.HELD,
                                                              meeting__kind__is_study=True),
           ATTENDANCE, measure="hours", unit="小时", personal=True),
)

register(*FIGURES)
figure_cache.unread(CalendarFeed)  # a person's calendar subscription address

# The figures the annual report's 会议学习 section shows for a year, in this order.
YEAR_KEYS = tuple(f.key for f in FIGURES if not f.stock and not f.personal)
# The figures the module's pages show above their lists (each linked to its figure page).
STUDY_KEYS = ("meetings.study.sessions", "meetings.study.hours", "meetings.study.attendance_rate")
DECISION_KEYS = ("meetings.decisions.count", "meetings.decisions.compliance_rate", "meetings.decisions.pending")
ACTIVITY_KEYS = ("meetings.activities.count", "meetings.activities.units", "meetings.activities.people")
MINE_KEYS = ("meetings.mine.upcoming", "meetings.mine.attended", "meetings.mine.makeups", "meetings.mine.study_hours")
