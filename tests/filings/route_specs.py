"""Route-matrix specs for 报告报备 (registered into tests/test_route_matrix.py SPECS).

Who reads what is written out by hand. 外出报备 and the agency's reports: ``filing.view`` where the record is —
dangwu, shuji and jijian over the agency, banzi over 办公室/人事科/党建办 (and their own filings), zuzhi over 办公室.
A cadre's personal report: ``filing_personal.view`` — the 组织人事 staff (dangwu, zuzhi over 办公室) and the
discipline team (jijian) — and the cadre themself (banzi); the 党组书记 (shuji) does not. Everyone else: 404.
Who acts: a leader files their own (shuji, banzi, jijian are leaders), the staff (filing.change) for a leader; the
党组书记 approves the other leaders' filings.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

ABSENCE_READERS = {"dangwu", "shuji", "jijian"}  # the whole agency
BGS_READERS = ABSENCE_READERS | {"banzi", "zuzhi"}  # a record in 办公室
LEADERS = {"shuji", "banzi", "jijian"}  # file for themselves
STAFF = {"dangwu", "zuzhi"}  # filing.change (zuzhi over 办公室 only)
PERSONAL_ALL = {"dangwu", "jijian"}
PERSONAL_BGS = PERSONAL_ALL | {"zuzhi"}


def _m():
    from tests import route_matrix as m

    return m


def probes(ctx):
    """Filings of banzi (办公室, pending) and of another deputy (政策法规科, approved and away now), the agency's
    report, and a personal report of each: made once per matrix."""
    if hasattr(ctx, "filing_probes"):
        return ctx.filing_probes
    from dangjian.filings import services
    from dangjian.filings.models import Absence, AgencyReport, Occasion, PersonalCategory, PersonalReport
    from dangjian.orgs.models import Person, PositionTitle
    from dangjian.orgs.services import current_positions

    m = _m()
    users, today = ctx.users, timezone.localdate()
    banzi, principal = users["banzi"].person, users["shuji"].person
    deputy = (Person.objects.filter(pk__in=current_positions([PositionTitle.LEADER]).values("person_id"))
              .exclude(pk=banzi.pk).order_by("pk").first())
    far = today + dt.timedelta(days=200)
    own = services.do_file_absence(Absence(person=banzi, destination="外出地点探针甲", leaves_on=far,
                                           returns_on=far + dt.timedelta(days=1), reason="外出事由探针甲",
                                           acting=principal), actor=banzi.user)
    away = services.do_file_absence(Absence(person=deputy, destination="外出地点探针乙", leaves_on=today,
                                            returns_on=today + dt.timedelta(days=1), reason="外出事由探针乙",
                                            acting=banzi), actor=deputy.user)
    away = services.do_decide_absence(away, actor=users["shuji"], approve=True)
    report = services.do_save_report(AgencyReport(subject="请示报告事项探针", content="请示报告内容探针",
                                                  recipient="中共市委", responsible=principal, due_on=today),
                                     actor=users["dangwu"])
    mine = services.do_file_personal_report(PersonalReport(
        person=banzi, occasion=Occasion.EVENT, category=PersonalCategory.MARRIAGE, event_on=today,
        content="个人事项探针甲"), actor=banzi.user)
    theirs = services.do_file_personal_report(PersonalReport(
        person=deputy, occasion=Occasion.EVENT, category=PersonalCategory.PASSPORT, event_on=today,
        content="个人事项探针乙"), actor=deputy.user)
    seen = {own: BGS_READERS, away: ABSENCE_READERS, report: ABSENCE_READERS, mine: PERSONAL_BGS | {"banzi"},
            theirs: PERSONAL_ALL}
    markers = {own: ["外出地点探针甲", "外出事由探针甲"], away: ["外出地点探针乙", "外出事由探针乙"],
               report: ["请示报告事项探针", "请示报告内容探针"], mine: ["个人事项探针甲"], theirs: ["个人事项探针乙"]}
    for obj, readers in seen.items():
        kind = f"filings.{obj._meta.model_name}"
        ctx.probes.append(m.Probe(kind, obj, markers=markers[obj]))
        for role in m.ROLES:
            ctx._seen[(role, kind, obj.pk)] = role in readers
    ctx.filing_probes = {"own": own, "away": away, "report": report, "mine": mine, "theirs": theirs,
                         "deputy": deputy}
    return ctx.filing_probes


def _get(route, pk, allowed, must_show=()):
    m = _m()
    return [m.Case(route, "GET", reverse(route, args=[pk]), allowed, must_show=must_show)] + m._bogus(
        route, lambda x: reverse(route, args=[x]))


def spec_index(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("filings", "GET", reverse("filings:index"), role != m.ANON,
                   must_show=("外出地点探针甲",) if role in BGS_READERS else ()),
            m.Case("filings bad status", "GET", reverse("filings:index") + "?status=nosuch", role != m.ANON)]


def spec_calendar(ctx, role):
    m = _m()
    probes(ctx)
    url = reverse("filings:calendar")
    return [m.Case("calendar", "GET", url, role != m.ANON,
                   must_show=("外出地点探针乙",) if role in ABSENCE_READERS else ()),
            m.Case("calendar month", "GET", f"{url}?month=2027-02", role != m.ANON),
            m.Case("calendar bad month", "GET", f"{url}?month=99999-1", role != m.ANON)]


def spec_absence_add(ctx, role):
    m = _m()
    p = probes(ctx)
    start = timezone.localdate() + dt.timedelta(days=300)
    data = {"person": ctx.users["banzi"].person.pk, "destination": "外地", "leaves_on": start.isoformat(),
            "returns_on": (start + dt.timedelta(days=1)).isoformat(), "reason": "开会", "acting": p["deputy"].pk}
    allowed = role in LEADERS | STAFF
    url = reverse("filings:absence_add")
    return [m.Case("absence form", "GET", url, allowed), m.Case("absence add", "POST", url, allowed, data=data)]


def spec_absence_unfiled(ctx, role):
    m = _m()
    day = timezone.localdate() - dt.timedelta(days=3)
    data = {"person": ctx.users["banzi"].person.pk, "destination": "外地", "leaves_on": day.isoformat(),
            "returns_on": day.isoformat(), "evidence": "未到会"}
    url = reverse("filings:absence_unfiled")
    return [m.Case("unfiled form", "GET", url, role in STAFF),
            m.Case("unfiled add", "POST", url, role in STAFF, data=data)]


def spec_absence(ctx, role):
    p = probes(ctx)
    return (_get("filings:absence", p["own"].pk, role in BGS_READERS, ("外出事由探针甲",))
            + _get("filings:absence", p["away"].pk, role in ABSENCE_READERS, ("外出事由探针乙",)))


def spec_absence_decide(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("filings:absence_decide", args=[p["own"].pk])
    data = {"decision": "approve", "decision_note": "", "loaded_version": p["own"].version}
    return [m.Case("decide", "POST", url, role == "shuji", data=data),
            m.Case("decide by GET", "GET", url, False, denied=(404, 405))] + m._bogus(
        "filings:absence_decide", lambda x: reverse("filings:absence_decide", args=[x]), ("POST",))


def spec_absence_return(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("filings:absence_return", args=[p["away"].pk])
    data = {"returned_on": timezone.localdate().isoformat(), "loaded_version": p["away"].version}
    # the deputy themself (no role user) or the staff over the whole agency (the deputy is not in 办公室)
    return [m.Case("return", "POST", url, role == "dangwu", data=data)] + m._bogus(
        "filings:absence_return", lambda x: reverse("filings:absence_return", args=[x]), ("POST",))


def spec_absence_cancel(ctx, role):
    m = _m()
    p = probes(ctx)
    url = reverse("filings:absence_cancel", args=[p["own"].pk])
    # banzi's own, or the staff over 办公室 (dangwu, zuzhi); the 党组书记 approves but does not cancel
    return [m.Case("cancel", "POST", url, role in {"banzi"} | STAFF, data={"loaded_version": p["own"].version})
            ] + m._bogus("filings:absence_cancel", lambda x: reverse("filings:absence_cancel", args=[x]), ("POST",))


def spec_reports(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("reports", "GET", reverse("filings:reports"), role in BGS_READERS,
                   must_show=("请示报告事项探针",) if role in ABSENCE_READERS else ())]


def _report_data(ctx, **changes):
    data = {"kind": "report", "subject": "新报告", "content": "内容", "recipient": "中共市委",
            "responsible": ctx.users["shuji"].person.pk, "due_on": timezone.localdate().isoformat(),
            "reported_on": timezone.localdate().isoformat()}
    return {**data, **changes}


def spec_report_add(ctx, role):
    m = _m()
    url = reverse("filings:report_add")
    # a report is the agency's: a 党务管理员 of 办公室 only sees the form, and may not register one
    return [m.Case("report form", "GET", url, role in STAFF),
            m.Case("report add", "POST", url, role == "dangwu", data=_report_data(ctx))]


def spec_report(ctx, role):
    return _get("filings:report", probes(ctx)["report"].pk, role in ABSENCE_READERS, ("请示报告内容探针",))


def spec_report_edit(ctx, role):
    m = _m()
    report = probes(ctx)["report"]
    url = reverse("filings:report_edit", args=[report.pk])
    data = _report_data(ctx, subject="请示报告事项探针", content="请示报告内容探针", loaded_version=report.version)
    return [m.Case("report edit form", "GET", url, role == "dangwu"),
            m.Case("report edit", "POST", url, role == "dangwu", data=data, echo=("请示报告事项探针", "请示报告内容探针"))
            ] + m._bogus("filings:report_edit", lambda x: reverse("filings:report_edit", args=[x]), ("GET", "POST"))


def spec_personal(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("personal", "GET", reverse("filings:personal"), role != m.ANON)]


def spec_personal_add(ctx, role):
    m = _m()
    day = timezone.localdate() - dt.timedelta(days=2)
    data = {"person": ctx.users["banzi"].person.pk, "occasion": "event", "category": "passport",
            "event_on": day.isoformat(), "content": "新护照"}
    url = reverse("filings:personal_add")
    allowed = role in LEADERS | STAFF
    return [m.Case("personal form", "GET", url, allowed),
            m.Case("personal add", "POST", url, allowed, data=data)]


def spec_personal_report(ctx, role):
    p = probes(ctx)
    return (_get("filings:personal_report", p["mine"].pk, role in PERSONAL_BGS | {"banzi"}, ("个人事项探针甲",))
            + _get("filings:personal_report", p["theirs"].pk, role in PERSONAL_ALL, ("个人事项探针乙",)))


def spec_api_list(ctx, role):
    m = _m()
    probes(ctx)
    shown = ("外出地点探针甲",) if role in BGS_READERS else ()
    return [m.Case("api absences", "GET", reverse("api:absences_list"), role != m.ANON, must_show=shown),
            m.Case("api absences bad status", "GET", reverse("api:absences_list") + "?status=nosuch", False,
                   denied=(401, 422))]


def spec_api_get(ctx, role):
    m = _m()
    p = probes(ctx)
    route = "api:absence_get"
    return [m.Case("api absence 办公室", "GET", reverse(route, args=[p["own"].pk]), role in BGS_READERS,
                   must_show=("外出事由探针甲",)),
            m.Case("api absence 政策法规科", "GET", reverse(route, args=[p["away"].pk]), role in ABSENCE_READERS,
                   must_show=("外出事由探针乙",))] + m._bogus(route, lambda x: reverse(route, args=[x]))


def spec_api_create(ctx, role):
    """A leader files their own (person omitted); the staff file for banzi (zuzhi: 办公室 is theirs)."""
    m = _m()
    p = probes(ctx)
    start = timezone.localdate() + dt.timedelta(days=300)
    body = {"destination": "外地", "leaves_on": start.isoformat(), "returns_on": (start + dt.timedelta(days=1)).isoformat(),
            "reason": "开会", "acting_id": p["deputy"].pk}
    if role in STAFF:
        body["person_id"] = ctx.users["banzi"].person.pk
    return [m.Case("api absence create", "POST", reverse("api:absence_create"), role in LEADERS | STAFF, json=body),
            m.Case("api absence for a forged person", "POST", reverse("api:absence_create"), False,
                   json={**body, "person_id": m.MISSING}, denied=(401, 403, 404))]


SPECS = {
    "filings:index": spec_index, "filings:calendar": spec_calendar, "filings:absence_add": spec_absence_add,
    "filings:absence_unfiled": spec_absence_unfiled, "filings:absence": spec_absence,
    "filings:absence_decide": spec_absence_decide, "filings:absence_return": spec_absence_return,
    "filings:absence_cancel": spec_absence_cancel,
    "filings:reports": spec_reports, "filings:report_add": spec_report_add, "filings:report": spec_report,
    "filings:report_edit": spec_report_edit, "filings:personal": spec_personal,
    "filings:personal_add": spec_personal_add, "filings:personal_report": spec_personal_report,
    "api:absences_list": spec_api_list, "api:absence_get": spec_api_get, "api:absence_create": spec_api_create,
}
API_METHODS = {"absences_list": {"GET"}, "absence_get": {"GET"}, "absence_create": {"POST"}}
