"""Route-matrix specs of 会议学习 (registered into tests/test_route_matrix.SPECS).

Probe meetings, topics, activities and make-up tasks are placed in the same corners of the tree as
the matrix's probe people; who may see or change them is written out by hand (MEETING_CAPS).
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cached_property

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import activities, study
from dangjian.meetings.models import (
    Activity,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    Meeting,
    MeetingKind,
    Participant,
    Recusal,
    StudyPlan,
    Topic,
)
from dangjian.meetings.services import attachments, decisions, qr_signin, records
from tests.route_matrix import ALL, ANON, BGS, HUGE, MISSING, ZB2, Case, _bogus, _page

MEETING_CAPS: dict[str, dict[str, object]] = {
    "admin": {},
    "anquan": {},
    "shenji": {},
    "dangwu": {"meeting.view": ALL, "meeting.change": ALL},
    "shuji": {"meeting.view": ALL, "meeting.change": ALL},
    "banzi": {c: BGS | {"SXX-RSK", "SXX-DJB"} for c in ("meeting.view", "meeting.change")},
    "jijian": {"meeting.view": ALL},
    "kezhang": {"meeting.view": BGS},
    "zhibu": {"meeting.view": ZB2, "meeting.change": ZB2},
    "dangyuan": {},
    "zuzhi": {"meeting.view": BGS, "meeting.change": BGS},
    "guanli": {},
    ANON: {},
}
# org code → kind of the probe meeting held there
PROBE_MEETINGS = {"SXX": "study_day", "SXX-DZ": "party_group", "SXX-ZB1": "lecture", "SXX-ZB2": "lecture",
                  "SXX-ZB2-XZ1": "cell", "SXX-BGS": "special", "SXX-BGS-MS": "special"}
PROBE_ACTIVITIES = ["SXX-JGDW", "SXX-ZB2", "SXX-BGS"]
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
PDF = b"%PDF-1.4\n% probe\n" + b"0" * 64
PROBE_PLANS = ["SXX", "SXX-ZB2", "SXX-BGS"]


def mholds(role: str, capability: str, code: str) -> bool:
    where = MEETING_CAPS[role].get(capability, set())
    return where == ALL or code in where


def m_anywhere(role: str, capability: str) -> bool:
    return bool(MEETING_CAPS[role].get(capability))


def attends(ctx, role: str, meeting) -> bool:
    """The own-record rule written out: the role's person was expected at the meeting or attended it."""
    user = ctx.users.get(role)
    return user is not None and Attendance.objects.filter(meeting=meeting, person__user=user).exists()


def m_sees(ctx, role: str, code: str, meeting) -> bool:
    return mholds(role, "meeting.view", code) or attends(ctx, role, meeting)


def takes_part(ctx, role: str, activity) -> bool:
    user = ctx.users.get(role)
    return user is not None and Participant.objects.filter(activity=activity, person__user=user).exists()


class MeetingProbes:
    """Built on first use within a test (each route needs only some of them)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.dangwu = ctx.users["dangwu"]
        self.today = timezone.localdate()
        self.kinds = {k.code: k for k in MeetingKind.objects.all()}

    def _meeting(self, code, kind, title):
        return records.do_create_meeting(Meeting(org=self.ctx.orgs[code], kind=self.kinds[kind], title=title,
                                                  date=self.today, start_time=dt.time(8), end_time=dt.time(9)),
                                          actor=self.dangwu)

    @cached_property
    def meetings(self):
        return {code: self._meeting(code, kind, f"探会{i}") for i, (code, kind) in enumerate(PROBE_MEETINGS.items())}

    @cached_property
    def topics(self):
        return {code: decisions.do_add_topic(Topic(meeting=m, title=f"探题{i}"), actor=self.dangwu)
                for i, (code, m) in enumerate(self.meetings.items())}

    @cached_property
    def recusals(self):
        """A standing recusal on each probe topic (one of the meeting's expected people)."""
        out = {}
        for code, t in self.topics.items():
            person = t.meeting.attendance.first().person
            out[code] = Recusal.objects.create(topic=t, person=person, org=t.org, org_path=t.org_path, reason="探回避")
        return out

    @cached_property
    def makeups(self):
        """Closed study meetings: every absentee has a make-up task (a role user's own row and another)."""
        out = []
        role_users = {u.pk for u in self.ctx.users.values()}
        for code, kind in (("SXX-DZ", "center_group"), ("SXX-ZB1", "lecture"), ("SXX-ZB2", "lecture")):
            m = self._meeting(code, kind, "探补学")
            records.do_close_meeting(m, actor=self.dangwu)
            rows = list(Attendance.objects.filter(meeting=m, makeup_required=True).select_related("person"))
            mine = [r for r in rows if r.person.user_id in role_users]
            out += [(code, r) for r in (mine[:1] + [r for r in rows if r not in mine][:1])]
        return out

    @cached_property
    def activities(self):
        return {code: activities.do_create_activity(Activity(
            org=self.ctx.orgs[code], kind="red", title=f"探活动{code[-3:]}", date=self.today, place="纪念馆"),
            [self.ctx.orgs[code]], actor=self.dangwu) for code in PROBE_ACTIVITIES}

    @cached_property
    def photos(self):
        return {code: activities.do_add_photo(a, ContentFile(PNG, name="p.png"), "探照片", actor=self.dangwu)
                for code, a in self.activities.items()}


    @cached_property
    def attachments(self):
        return {code: attachments.do_add_attachment(m, ContentFile(PDF, name=f"探附件{i}.pdf"), actor=self.dangwu)
                for i, (code, m) in enumerate(self.meetings.items())}

    @cached_property
    def plans(self):
        return {code: study.do_save_plan(StudyPlan(org=self.ctx.orgs[code], year=2031, title=f"探计划{code}"),
                                         [(3, "探专题", "")], actor=self.dangwu) for code in PROBE_PLANS}


def probes(ctx) -> MeetingProbes:
    if not hasattr(ctx, "_meeting_probes"):
        ctx._meeting_probes = MeetingProbes(ctx)
    return ctx._meeting_probes


def _per_meeting(route, ctx, role, cap, methods=("GET",), data=None, **kw):
    cases = []
    for code, m in probes(ctx).meetings.items():
        url = reverse(route, args=[m.pk])
        allowed = m_sees(ctx, role, code, m) if cap == "meeting.view" else mholds(role, cap, code)
        for method in methods:
            cases.append(Case(f"{route} {code}", method, url, allowed,
                              data=data(m) if (data and method == "POST") else None, **kw))
    return cases + _bogus(route, lambda pk: reverse(route, args=[pk]), methods=methods)


def _meeting_form(m, role):
    return {"kind": m.kind_id, "title": f"改{role}", "org": m.org_id, "date": m.date.isoformat(),
            "start_time": "08:00", "end_time": "09:30", "place": "", "status": "planned", "study_form": "",
            "loaded_version": m.version}


def spec_list(ctx, role):
    shown = tuple(m.title for code, m in probes(ctx).meetings.items() if m_sees(ctx, role, code, m))
    return [_page("meetings:list", role, must_show=shown)]


def spec_add(ctx, role):
    cases = [_page("meetings:add", role, m_anywhere(role, "meeting.change"))]
    special = MeetingKind.objects.get(code="special").pk
    for code in PROBE_MEETINGS:
        cases.append(Case(f"meetings:add in {code}", "POST", reverse("meetings:add"),
                          mholds(role, "meeting.change", code), denied=(200, 403), data={
                              "kind": special, "title": "新会议", "org": ctx.orgs[code].pk,
                              "date": timezone.localdate().isoformat(), "start_time": "15:00",
                              "end_time": "16:00", "status": "planned"}))
    return cases


def spec_detail(ctx, role):
    return _per_meeting("meetings:detail", ctx, role, "meeting.view")


def spec_edit(ctx, role):
    return _per_meeting("meetings:edit", ctx, role, "meeting.change", ("GET", "POST"),
                        lambda m: _meeting_form(m, role))


def spec_attendance(ctx, role):
    def data(m):
        return {"person": m.attendance.first().person_id, "status": AttendanceStatus.PRESENT}
    return _per_meeting("meetings:attendance", ctx, role, "meeting.change", ("POST",), data)


def _post_only(route, data=None):
    def spec(ctx, role):
        return _per_meeting(route, ctx, role, "meeting.change", ("POST",), data)
    return spec


def spec_minutes(ctx, role):
    return _per_meeting("meetings:minutes", ctx, role, "meeting.change", ("POST",),
                        lambda m: {"minutes": "探会记录", "loaded_version": m.version})


def spec_docx(ctx, role):
    return _per_meeting("meetings:minutes_docx", ctx, role, "meeting.view")


def spec_qr(ctx, role):
    return _per_meeting("meetings:qr", ctx, role, "meeting.change")


def spec_topic_add(ctx, role):
    return _per_meeting("meetings:topic_add", ctx, role, "meeting.change", ("POST",),
                        lambda m: {"title": "新议题", "category": ""})


def spec_decide(ctx, role):
    cases = []
    for code, t in probes(ctx).topics.items():
        url = reverse("meetings:decide", args=[t.pk])
        allowed = mholds(role, "meeting.change", code)
        cases.append(Case(f"decide {code}", "GET", url, allowed))
        # nobody has signed in yet: the rule refuses (200 with the rule named) and logs the attempt
        cases.append(Case(f"decide {code}", "POST", url, allowed, data={"decision_text": "x"}, ok=(200,)))
    return cases + _bogus("decide", lambda pk: reverse("meetings:decide", args=[pk]), methods=("GET", "POST"))


def spec_recusal_lift(ctx, role):
    cases = [Case(f"recusal_lift {code}", "POST", reverse("meetings:recusal_lift", args=[r.pk]),
                  mholds(role, "meeting.change", code), data={"lift_reason": "探解除"})
             for code, r in probes(ctx).recusals.items()]
    return cases + _bogus("recusal_lift", lambda pk: reverse("meetings:recusal_lift", args=[pk]), methods=("POST",))


def _in_attendance(m, user) -> bool:
    return user is not None and Attendance.objects.filter(meeting=m, person__user=user).exclude(
        status=AttendanceStatus.PRESENT).exists()


def spec_signin(ctx, role):
    user = ctx.users.get(role)
    cases = [Case("signin bad code", "GET", reverse("meetings:signin", args=["x" * 30]), False, denied=(400,))]
    for code, m in probes(ctx).meetings.items():
        url = reverse("meetings:signin", args=[qr_signin.signin_token(m)])
        cases.append(Case(f"signin {code}", "GET", url, role != ANON, ok=(200,)))
        cases.append(Case(f"signin {code}", "POST", url, _in_attendance(m, user), denied=(400,), ok=(200,)))
    return cases


def spec_makeup(ctx, role):
    user = ctx.users.get(role)
    cases = []
    for code, row in probes(ctx).makeups:
        own = user is not None and row.person.user_id == user.pk
        allowed = own or mholds(role, "meeting.change", code)
        cases.append(Case(f"makeup {code} {row.person}", "POST", reverse("meetings:makeup", args=[row.pk]), allowed,
                          data={"makeup_note": "自学会议材料并撰写学习笔记一篇"}))
    return cases + _bogus("makeup", lambda pk: reverse("meetings:makeup", args=[pk]), methods=("POST",))


def _report_page(name, query=""):
    def spec(ctx, role):
        return [_page(name, role, m_anywhere(role, "meeting.view"), query=query, denied=(403,))]
    return spec


def spec_compliance(ctx, role):
    cases = _report_page("meetings:compliance")(ctx, role)
    for code in PROBE_MEETINGS:  # an org outside scope falls back to the user's own scope, never its data
        cases.append(_page("meetings:compliance", role, m_anywhere(role, "meeting.view"),
                           query=f"?org={ctx.orgs[code].pk}", denied=(403, 404)))
    return cases


def spec_ledger(ctx, role):
    allowed = m_anywhere(role, "meeting.view")
    return [_page("meetings:ledger", role, allowed, denied=(403,)),
            _page("meetings:ledger", role, allowed, query="?export=xlsx", denied=(403,), writes=None)]


def spec_study_generate(ctx, role):
    year = timezone.localdate().year
    return [Case(f"study_generate {code}", "POST", reverse("meetings:study_generate"),
                 mholds(role, "meeting.change", code), data={"org": ctx.orgs[code].pk, "year": year})
            for code in PROBE_MEETINGS]


def spec_activity_add(ctx, role):
    cases = [_page("meetings:activity_add", role, m_anywhere(role, "meeting.change"))]
    for code in PROBE_ACTIVITIES:
        cases.append(Case(f"activity_add {code}", "POST", reverse("meetings:activity_add"),
                          mholds(role, "meeting.change", code), denied=(200, 403), data={
                              "kind": "warning", "title": "新活动", "org": ctx.orgs[code].pk,
                              "date": "2026-05-01", "place": "展馆"}))
    return cases


def spec_activity(ctx, role):
    return [Case(f"activity {code}", "GET", reverse("meetings:activity", args=[a.pk]),
                 mholds(role, "meeting.view", code) or takes_part(ctx, role, a)) for code, a in probes(ctx).activities.items()] + _bogus(
        "activity", lambda pk: reverse("meetings:activity", args=[pk]))


def spec_photo_add(ctx, role):
    cases = []
    for code, a in probes(ctx).activities.items():
        f = io.BytesIO(PNG)
        f.name = "p.png"
        cases.append(Case(f"photo_add {code}", "POST", reverse("meetings:photo_add", args=[a.pk]),
                          mholds(role, "meeting.change", code), data={"image": f, "caption": "c"}))
    return cases + _bogus("photo_add", lambda pk: reverse("meetings:photo_add", args=[pk]), methods=("POST",))


def spec_photo(ctx, role):
    return [Case(f"photo {code}", "GET", reverse("meetings:photo", args=[p.pk]),
                 mholds(role, "meeting.view", code) or takes_part(ctx, role, p.activity))
            for code, p in probes(ctx).photos.items()] + _bogus("photo", lambda pk: reverse("meetings:photo",
                                                                                            args=[pk]))


def spec_attachment_add(ctx, role):
    def data(m):
        f = io.BytesIO(PDF)
        f.name = "会议议程.pdf"
        return {"file": f}
    return _per_meeting("meetings:attachment_add", ctx, role, "meeting.change", ("POST",), data)


def spec_attachment_download(name):
    """The page's download and the API's: the same scope, a file for whoever sees the meeting."""
    def spec(ctx, role):
        return [Case(f"{name} {code}", "GET", reverse(name, args=[a.pk]), m_sees(ctx, role, code, a.meeting),
                     writes=None)
                for code, a in probes(ctx).attachments.items()] + _bogus(name, lambda pk: reverse(name, args=[pk]))
    return spec


def spec_attachment_remove(ctx, role):
    return [Case(f"attachment_remove {code}", "POST", reverse("meetings:attachment_remove", args=[a.pk]),
                 mholds(role, "meeting.change", code)) for code, a in probes(ctx).attachments.items()] + _bogus(
        "attachment_remove", lambda pk: reverse("meetings:attachment_remove", args=[pk]), methods=("POST",))


def configures(role: str) -> bool:
    """会议类型 is kept by whoever may change meetings across the whole agency."""
    return mholds(role, "meeting.change", "SXX")


def spec_kinds(ctx, role):
    return [_page("meetings:kinds", role, m_anywhere(role, "meeting.view"), denied=(403,),
                  must_show=("党组会议", "主题党日"))]


def spec_kind_add(ctx, role):
    return [_page("meetings:kind_add", role, configures(role), denied=(403,)),
            Case("kind_add", "POST", reverse("meetings:kind_add"), configures(role), denied=(403,), data={
                "code": "probe_kind", "name": "探会类型", "audience": "party", "frequency_months": "3",
                "order": 99, "is_active": "on"})]


def spec_kind_edit(ctx, role):
    kind = MeetingKind.objects.get(code="special")
    url = reverse("meetings:kind_edit", args=[kind.pk])
    return [Case("kind_edit", "GET", url, configures(role), denied=(403,)),
            Case("kind_edit", "POST", url, configures(role), denied=(403,), data={
                "name": f"专题会议{role}", "audience": kind.audience, "order": kind.order, "is_active": "on",
                "loaded_version": kind.version})] + _bogus(
        "kind_edit", lambda pk: reverse("meetings:kind_edit", args=[pk]))


def spec_plans(ctx, role):
    shown = tuple(p.title for code, p in probes(ctx).plans.items() if mholds(role, "meeting.view", code))
    return [_page("meetings:plans", role, m_anywhere(role, "meeting.view"), denied=(403,), must_show=shown,
                  query="?page=1")]


def spec_plan_add(ctx, role):
    cases = [_page("meetings:plan_add", role, m_anywhere(role, "meeting.change"))]
    for code in PROBE_MEETINGS:
        cases.append(Case(f"plan_add in {code}", "POST", reverse("meetings:plan_add"),
                          mholds(role, "meeting.change", code), denied=(200, 403), data={
                              "org": ctx.orgs[code].pk, "year": 2032, "title": "新学习计划",
                              "topics": "1｜学习党章｜党章原文"}))
    return cases


def spec_plan_edit(ctx, role):
    cases = []
    for code, plan in probes(ctx).plans.items():
        url = reverse("meetings:plan_edit", args=[plan.pk])
        allowed = mholds(role, "meeting.change", code)
        cases.append(Case(f"plan_edit {code}", "GET", url, allowed))
        cases.append(Case(f"plan_edit {code}", "POST", url, allowed, data={
            "org": plan.org_id, "year": plan.year, "title": f"改{role}", "note": "", "topics": "3｜探专题",
            "loaded_version": plan.version}))
    return cases + _bogus("plan_edit", lambda pk: reverse("meetings:plan_edit", args=[pk]))


def spec_reflection(ctx, role):
    user = ctx.users.get(role)
    cases = []
    for code, a in probes(ctx).activities.items():
        own_users = [ctx.users[n] for n in ("dangyuan", "zhibu", "shuji")]
        rows = list(Participant.objects.filter(activity=a, person__user__in=own_users).select_related("person"))
        rows += list(Participant.objects.filter(activity=a).exclude(person__user__in=own_users)
                     .select_related("person")[:1])
        for p in rows:
            own = user is not None and p.person.user_id == user.pk
            url = reverse("meetings:reflection", args=[p.pk])
            cases.append(Case(f"reflection {code} {p.person}", "GET", url, own or mholds(role, "meeting.view", code)))
            cases.append(Case(f"reflection {code} {p.person}", "POST", url, own,
                              data={"reflection": "通过这次活动深受教育，要学习先烈精神，立足岗位做好本职工作。"}))
    return cases + _bogus("reflection", lambda pk: reverse("meetings:reflection", args=[pk]), methods=("GET",))


def spec_calendar(ctx, role):
    return [_page("meetings:calendar", role),
            Case("calendar new token", "POST", reverse("meetings:calendar"), role != ANON, data={})]


def spec_ical(ctx, role):
    dangyuan = ctx.users["dangyuan"]
    feed, _ = CalendarFeed.objects.get_or_create(user=dangyuan, defaults={"token": "probe-token-dangyuan-0001"})
    return [Case("ical", "GET", reverse("meetings:ical", args=[feed.token]), True, public=True, ok=(200,)),
            Case("ical bad token", "GET", reverse("meetings:ical", args=["nope"]), False, public=True,
                 denied=(404,))]


# -- API

def spec_api_list(ctx, role):
    shown = tuple(m.title for code, m in probes(ctx).meetings.items() if m_sees(ctx, role, code, m))
    return [Case("api list_meetings", "GET", reverse("api:list_meetings") + "?page=1", role != ANON,
                 must_show=shown)]


def spec_api_get(name):
    def spec(ctx, role):
        return [Case(f"api {name} {code}", "GET", reverse(f"api:{name}", args=[m.pk]),
                     m_sees(ctx, role, code, m)) for code, m in probes(ctx).meetings.items()] + _bogus(
            f"api {name}", lambda pk: reverse(f"api:{name}", args=[pk]))
    return spec


def spec_api_decision(ctx, role):
    cases = []
    for code, t in probes(ctx).topics.items():
        cases.append(Case(f"api record_decision {code}", "POST", reverse("api:record_decision", args=[t.pk]),
                          mholds(role, "meeting.change", code), json={"votes": []}, ok=(200, 422), writes=None))
    return cases + [Case(f"api record_decision id {pk}", "POST", reverse("api:record_decision", args=[pk]), False,
                         json={"votes": []}) for pk in (MISSING, HUGE)]


def spec_api_signin(ctx, role):
    user = ctx.users.get(role)
    return [Case(f"api signin {code}", "POST", reverse("api:signin"), _in_attendance(m, user), denied=(422,),
                 ok=(200,), json={"token": qr_signin.signin_token(m)}) for code, m in probes(ctx).meetings.items()]


def spec_api_compliance(ctx, role):
    url = reverse("api:compliance_gaps")
    year = timezone.localdate().year
    return [Case("api compliance", "GET", f"{url}?year={year}", role != ANON)] + [
        Case(f"api compliance {code}", "GET", f"{url}?year={year}&org_id={ctx.orgs[code].pk}",
             mholds(role, "meeting.view", code)) for code in PROBE_MEETINGS]


def spec_api_hours(ctx, role):
    return [Case("api study_hours", "GET", reverse("api:study_hours"), role != ANON)]


MEETING_SPECS = {
    "meetings:list": spec_list,
    "meetings:add": spec_add,
    "meetings:my": lambda ctx, role: [_page("meetings:my", role)],
    "meetings:detail": spec_detail,
    "meetings:edit": spec_edit,
    "meetings:attendance": spec_attendance,
    "meetings:close": _post_only("meetings:close"),
    "meetings:cancel": _post_only("meetings:cancel"),
    "meetings:minutes": spec_minutes,
    "meetings:minutes_docx": spec_docx,
    "meetings:attachment_add": spec_attachment_add,
    "meetings:attachment": spec_attachment_download("meetings:attachment"),
    "meetings:attachment_remove": spec_attachment_remove,
    "meetings:kinds": spec_kinds,
    "meetings:kind_add": spec_kind_add,
    "meetings:kind_edit": spec_kind_edit,
    "meetings:plans": spec_plans,
    "meetings:plan_add": spec_plan_add,
    "meetings:plan_edit": spec_plan_edit,
    "meetings:qr": spec_qr,
    "meetings:recusal_lift": spec_recusal_lift,
    "meetings:qr_rotate": _post_only("meetings:qr_rotate"),
    "meetings:topic_add": spec_topic_add,
    "meetings:decide": spec_decide,
    "meetings:signin": spec_signin,
    "meetings:makeup": spec_makeup,
    "meetings:study": _report_page("meetings:study"),
    "meetings:study_generate": spec_study_generate,
    "meetings:compliance": spec_compliance,
    "meetings:ledger": spec_ledger,
    "meetings:activities": _report_page("meetings:activities"),
    "meetings:activity_add": spec_activity_add,
    "meetings:activity": spec_activity,
    "meetings:photo_add": spec_photo_add,
    "meetings:photo": spec_photo,
    "meetings:reflection": spec_reflection,
    "meetings:calendar": spec_calendar,
    "meetings:ical": spec_ical,
    "api:list_meetings": spec_api_list,
    "api:get_meeting": spec_api_get("get_meeting"),
    "api:meeting_topics": spec_api_get("meeting_topics"),
    "api:record_decision": spec_api_decision,
    "api:signin": spec_api_signin,
    "api:compliance_gaps": spec_api_compliance,
    "api:study_hours": spec_api_hours,
    "api:meeting_attachments": spec_api_get("meeting_attachments"),
    "api:attachment_file": spec_attachment_download("api:attachment_file"),
}
MEETING_API_METHODS = {"list_meetings": {"GET"}, "get_meeting": {"GET"}, "meeting_topics": {"GET"},
                       "record_decision": {"POST"}, "signin": {"POST"}, "compliance_gaps": {"GET"},
                       "study_hours": {"GET"}, "meeting_attachments": {"GET"}, "attachment_file": {"GET"}}

# the names tests/test_route_matrix.py discovers in every module's route_specs.py
SPECS = MEETING_SPECS
API_METHODS = MEETING_API_METHODS
