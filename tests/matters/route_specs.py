"""Route-matrix specs for 事项督办 (registered into tests/test_route_matrix.py SPECS).

Probe matters are placed in corners of the tree; who may see and change each is written out by hand
(MATTER_CAPS), not computed with visible_to, and put into the matrix's oracle cache so that every
route of the matrix also checks that no page leaks a probe matter's title.
"""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone

ALL = "*"
BGS = {"SXX-BGS", "SXX-BGS-MS"}
ZB2 = {"SXX-ZB2", "SXX-ZB2-XZ1", "SXX-ZB2-XZ2"}
BANZI = BGS | {"SXX-RSK", "SXX-DJB"}
# role → capability → org codes (by hand, from accounts/roles.py and the demo grants)
MATTER_CAPS = {
    "dangwu": {"view": ALL, "change": ALL},
    "shuji": {"view": ALL, "change": ALL, "approve": ALL},
    "banzi": {"view": BANZI, "change": BANZI, "approve": BANZI},
    "jijian": {"view": ALL},
    "kezhang": {"view": BGS, "change": BGS},
    "zhibu": {"view": ZB2, "change": ZB2},
    "zuzhi": {"view": BGS, "change": BGS},
}
# (org code, title): one probe matter in each corner; the last is owned by the plain member.
PROBE_MATTERS = [("SXX", "事项探针机关"), ("SXX-BGS", "事项探针办公室"), ("SXX-BGS-MS", "事项探针秘书组"),
                 ("SXX-CWK", "事项探针财务科"), ("SXX-RSK", "事项探针人事科"), ("SXX-ZB2", "事项探针二支部"),
                 ("SXX-ZHYW", "事项探针本人")]
WHOLE = {"dangwu", "shuji", "jijian"}  # see every org: summaries are theirs


def m_holds(role, cap, code) -> bool:
    where = MATTER_CAPS.get(role, {}).get(cap, set())
    return where == ALL or code in where


def m_anywhere(role, cap) -> bool:
    return bool(MATTER_CAPS.get(role, {}).get(cap))


def _m():
    from tests import route_matrix as m

    return m


class MatterProbe:
    def __init__(self, matter, code, owner_role=None):
        self.matter, self.code, self.owner_role = matter, code, owner_role

    def sees(self, role):
        return m_holds(role, "view", self.code) or role == self.owner_role

    def changes(self, role):
        return m_holds(role, "change", self.code)

    def reports(self, role):
        """Progress, contacts, milestones and measures: the owner too (workflow who="owner")."""
        return self.changes(role) or role == self.owner_role


def probes(ctx) -> list[MatterProbe]:
    """The probe matters (made once per matrix test), each with a measure, a milestone, a reply."""
    if hasattr(ctx, "matter_probes"):
        return ctx.matter_probes
    from django.core.files.base import ContentFile

    from dangjian.matters import services
    from dangjian.matters.models import Matter, Measure, ProblemList, Progress, SupervisionSheet
    from dangjian.matters.supervision import build_summary, issue_weekly_sheet
    from dangjian.orgs.models import Person

    m = _m()
    dangwu, today = ctx.users["dangwu"], timezone.localdate()
    outsider = Person.objects.filter(org__code="SXX-XMJS", user__username__startswith="ry").first()
    leader = ctx.users["shuji"].person
    ctx.matter_probes = []
    for code, title in PROBE_MATTERS:
        mine = title.endswith("本人")
        matter = services.do_create_matter(Matter(
            kind="npc", title=title, org=ctx.orgs[code], owner=ctx.users["dangyuan"].person if mine else outsider,
            responsible_leader=leader, received_on=today), actor=dangwu)
        Matter.objects.filter(pk=matter.pk).update(replied_on=today, reply_text="已答复")  # probe set-up only
        matter.refresh_from_db()
        services.do_add_measure(Measure(matter=matter, text=f"{title}措施", owner=outsider, due_on=matter.due_on),
                                actor=dangwu)
        services.do_plan_milestones(matter, [(matter.due_on, f"{title}节点")], actor=dangwu)
        services.do_add_progress(Progress(matter=matter, text=f"{title}进展", attachment=ContentFile(
            b"%PDF-1.4\n" + title.encode(), name="附件.pdf")), actor=dangwu)
        probe = MatterProbe(matter, code, "dangyuan" if mine else None)
        ctx.matter_probes.append(probe)
        mp = m.Probe("matter", matter, markers=[title])
        ctx.probes.append(mp)
        for role in m.ROLES:
            ctx._seen[(role, "matter", matter.pk)] = probe.sees(role)
    ctx.problem_lists = [(code, services.do_create_problem_list(
        ProblemList(title=f"清单探针{code}", org=ctx.orgs[code]), actor=dangwu)) for code in ("SXX-BGS", "SXX-CWK")]
    ctx.week_sheet = issue_weekly_sheet(today - dt.timedelta(days=3650), notify_people=False)
    ctx.month_sheet = build_summary(SupervisionSheet.Period.MONTH, today)
    return ctx.matter_probes


def _own_person(ctx, role):
    from dangjian.orgs.models import Person

    person = getattr(ctx.users.get(role), "person", None) if role in ctx.users else None
    try:
        return person or Person.objects.get(user=ctx.users["kezhang"])
    except Exception:  # noqa: BLE001  (no person for this account)
        return Person.objects.get(user=ctx.users["kezhang"])


def _per_probe(ctx, role, route, allowed_fn, method="GET", data_fn=None, **kw):
    m = _m()
    cases = []
    for p in probes(ctx):
        data = data_fn(p) if data_fn else None
        cases.append(m.Case(f"{route} {p.code}", method, reverse(route, args=[p.matter.pk]), allowed_fn(p, role),
                            data=data, **kw))
    return cases + m._bogus(route, lambda pk: reverse(route, args=[pk]), methods=(method,))


# ---- pages ----------------------------------------------------------------------------------------

def spec_list(ctx, role):
    m = _m()
    ps = probes(ctx)
    shown = tuple(p.matter.title for p in ps if p.sees(role))
    return [m.Case("matters list", "GET", reverse("matters:list") + "?q=事项探针", role != m.ANON, must_show=shown),
            m.Case("matters export", "GET", reverse("matters:list") + "?q=事项探针&export=xlsx", role != m.ANON,
                   writes=None, must_show=shown)]


def spec_add(ctx, role):
    m = _m()
    cases = [m.Case("matters add form", "GET", reverse("matters:add"), m_anywhere(role, "change"))]
    for code in ("SXX", "SXX-BGS", "SXX-CWK", "SXX-ZB2"):
        data = {"kind": "rectify", "title": "新登记探针", "org": ctx.orgs[code].pk,
                "received_on": timezone.localdate().isoformat()}
        cases.append(m.Case(f"matters add in {code}", "POST", reverse("matters:add"), m_holds(role, "change", code),
                            data=data, denied=(200, 403, 404)))
    return cases


def spec_detail(ctx, role):
    return _per_probe(ctx, role, "matters:detail", lambda p, r: p.sees(r))


def spec_edit(ctx, role):
    cases = _per_probe(ctx, role, "matters:edit", lambda p, r: p.changes(r))

    def form(p):
        x = p.matter
        return {"kind": x.kind, "title": x.title, "org": x.org_id, "received_on": x.received_on.isoformat(),
                "loaded_version": x.version, "category": "改分类", "responsible_leader": x.responsible_leader_id}

    return cases + _per_probe(ctx, role, "matters:edit", lambda p, r: p.changes(r), "POST", form)


def spec_transition(ctx, role):
    m = _m()
    cases = []
    for p in probes(ctx):
        url = reverse("matters:transition", args=[p.matter.pk, "assign"])
        cases.append(m.Case(f"assign {p.code}", "POST", url, p.changes(role),
                            data={"loaded_version": p.matter.version}))
        cases.append(m.Case(f"assign {p.code} by GET", "GET", url, False, denied=(404, 405)))
    return cases + m._bogus("transition", lambda pk: reverse("matters:transition", args=[pk, "assign"]),
                            methods=("POST",))


def spec_measure_add(ctx, role):
    return _per_probe(ctx, role, "matters:measure_add", lambda p, r: p.changes(r), "POST", lambda p: {
        "text": "新措施", "owner": _own_person(ctx, role).pk, "due_on": p.matter.due_on.isoformat()})


def _child(ctx, role, route, related):
    m = _m()
    cases = []
    for p in probes(ctx):
        obj = getattr(p.matter, related).first()
        cases.append(m.Case(f"{route} {p.code}", "POST", reverse(route, args=[obj.pk]), p.reports(role)))
    return cases + m._bogus(route, lambda pk: reverse(route, args=[pk]), methods=("POST",))


def spec_measure_done(ctx, role):
    return _child(ctx, role, "matters:measure_done", "measures")


def spec_milestone_done(ctx, role):
    return _child(ctx, role, "matters:milestone_done", "milestones")


def spec_progress_add(ctx, role):
    return _per_probe(ctx, role, "matters:progress_add", lambda p, r: p.reports(r), "POST",
                      lambda p: {"text": "进展探针"})


def spec_progress_attachment(ctx, role):
    m = _m()
    route = "matters:progress_attachment"
    cases = [m.Case(f"{route} {p.code}", "GET", reverse(route, args=[p.matter.progress.get().pk]), p.sees(role))
             for p in probes(ctx)]
    return cases + m._bogus(route, lambda pk: reverse(route, args=[pk]), methods=("GET",))


def spec_contact_add(ctx, role):
    return _per_probe(ctx, role, "matters:contact_add", lambda p, r: p.reports(r), "POST", lambda p: {
        "kind": "meeting", "held_on": timezone.localdate().isoformat(), "who": "代表", "explained": "沟通",
        "resolution": "认可"})


def spec_milestones_plan(ctx, role):
    return _per_probe(ctx, role, "matters:milestones_plan", lambda p, r: p.reports(r), "POST", lambda p: {
        "plan": f"{timezone.localdate().isoformat()} 新节点"})


def spec_satisfaction(ctx, role):
    return _per_probe(ctx, role, "matters:satisfaction", lambda p, r: p.changes(r), "POST", lambda p: {
        "loaded_version": p.matter.version, "satisfaction": "satisfied"})


def spec_board(ctx, role):
    probes(ctx)
    return [_m()._page("matters:board", role)]


def spec_filter_add(ctx, role):
    m = _m()
    return [m.Case("filter add", "POST", reverse("matters:filter_add"), role != m.ANON, writes=None,
                   data={"name": "探针筛选", "query": "kind=npc"})]


def spec_filter_delete(ctx, role):
    from dangjian.matters.models import SavedFilter

    m = _m()
    if not hasattr(ctx, "saved_filter"):
        ctx.saved_filter = SavedFilter.objects.create(user=ctx.users["dangwu"], name="党务的筛选", query="kind=npc")
    url = reverse("matters:filter_delete", args=[ctx.saved_filter.pk])
    return [m.Case("filter delete", "POST", url, role == "dangwu", writes=None)] + m._bogus(
        "filter delete", lambda pk: reverse("matters:filter_delete", args=[pk]), methods=("POST",))


def spec_problem_lists(ctx, role):
    m = _m()
    probes(ctx)
    cases = [m.Case("problem lists", "GET", reverse("matters:problem_lists"), m_anywhere(role, "view"),
                    must_show=tuple(pl.title for code, pl in ctx.problem_lists if m_holds(role, "view", code)))]
    for code in ("SXX-BGS", "SXX-CWK"):
        cases.append(m.Case(f"problem list add in {code}", "POST", reverse("matters:problem_lists"),
                            m_holds(role, "change", code), data={"title": "新清单", "org": ctx.orgs[code].pk},
                            denied=(200, 403, 404)))
    return cases


def spec_problem_list(ctx, role):
    m = _m()
    probes(ctx)
    cases = []
    bad = io.BytesIO(b"not a workbook")
    bad.name = "x.xlsx"
    for code, pl in ctx.problem_lists:
        url = reverse("matters:problem_list", args=[pl.pk])
        cases.append(m.Case(f"problem list {code}", "GET", url, m_holds(role, "view", code)))
        cases.append(m.Case(f"problem list import {code}", "POST", url, m_holds(role, "view", code),
                            data={"file": bad}, writes=False))
    return cases + m._bogus("problem list", lambda pk: reverse("matters:problem_list", args=[pk]))


def spec_import_template(ctx, role):
    return [_m()._page("matters:import_template", role)]


def spec_ledger(ctx, role):
    m = _m()
    probes(ctx)
    has_person = role in ctx.users and hasattr(ctx.users[role], "person")
    return [m.Case("my ledger", "GET", reverse("matters:ledger"), role != m.ANON and has_person,
                   must_show=("事项探针本人",) if role == "dangyuan" else ())]


def spec_person_ledger(ctx, role):
    m = _m()
    probes(ctx)
    cases = [m.Case(f"ledger of {p.obj}", "GET", reverse("matters:person_ledger", args=[p.obj.pk]), ctx.sees(role, p))
             for p in ctx.of("person")]
    return cases + m._bogus("person ledger", lambda pk: reverse("matters:person_ledger", args=[pk]))


def spec_sheets(ctx, role):
    probes(ctx)
    return [_m()._page("matters:sheets", role, m_anywhere(role, "view"))]


def spec_sheet_run(ctx, role):
    m = _m()
    probes(ctx)
    # Agency-wide: matter.change over the whole tree (the 党务管理员, the 党组书记).
    return [m.Case("sheet run week", "POST", reverse("matters:sheet_run"), m_holds(role, "change", "SXX") and
                   MATTER_CAPS[role]["change"] == ALL,
                   data={"what": "week"})]


def spec_sheet(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("weekly sheet", "GET", reverse("matters:sheet", args=[ctx.week_sheet.pk]), role != m.ANON),
            m.Case("monthly summary", "GET", reverse("matters:sheet", args=[ctx.month_sheet.pk]), role in WHOLE)] + \
        m._bogus("sheet", lambda pk: reverse("matters:sheet", args=[pk]))


def spec_sheet_document(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("summary document", "GET", reverse("matters:sheet_document", args=[ctx.month_sheet.pk]),
                   role in WHOLE, writes=None),
            m.Case("weekly sheet document", "GET", reverse("matters:sheet_document", args=[ctx.week_sheet.pk]),
                   role != m.ANON, writes=None)]


def spec_figures(ctx, role):
    probes(ctx)  # the old figures tab leads to the registry's page of 事项督办
    return [_m()._page("matters:figures", role, query="?year=2026")]


def spec_figure(ctx, role):
    m = _m()
    return [m.Case(f"old figure {key}", "GET", reverse("matters:figure", args=[key]) + "?year=2026", role != m.ANON)
            for key in ("replies", "satisfaction")] + [
        m.Case("old figure unknown", "GET", reverse("matters:figure", args=["nosuch"]), False)]


def spec_registry_index(ctx, role):
    probes(ctx)
    return [_m()._page("figure_index", role, query="?period=2026")]


def spec_registry_figure(ctx, role):
    """A figure of the registry for each probe node: in the role's 事项 scope or 404; a forged key or node 404."""
    m = _m()
    probes(ctx)
    cases = [m.Case(f"figure {key} node {code}", "GET",
                    reverse("figure", args=[key]) + f"?period=2026&node={ctx.orgs[code].pk}" + part,
                    m_holds(role, "view", code))
             for key, part in (("matters.proposals.count", ""), ("matters.proposals.satisfaction_rate", "&part=all"))
             for code in ("SXX", "SXX-BGS", "SXX-ZB2", "SXX-CWK")]
    return cases + [
        m.Case("figure whole scope", "GET", reverse("figure", args=["matters.open"]), m_anywhere(role, "view")),
        m.Case("figure unknown key", "GET", reverse("figure", args=["matters.nosuch"]), False),
        m.Case("figure forged node", "GET", reverse("figure", args=["matters.open"]) + f"?node={m.MISSING}", False),
        m.Case("figure huge node", "GET", reverse("figure", args=["matters.open"]) + f"?node={m.HUGE}", False),
        m.Case("figure bad period", "GET", reverse("figure", args=["matters.open"]) + "?period=2026-13", False,
               denied=(400, 403, 404))]


# ---- API --------------------------------------------------------------------------------------------

def _api_per_probe(ctx, role, name, allowed_fn, method="GET", json_fn=None):
    m = _m()
    cases = [m.Case(f"api {name} {p.code}", method, reverse(f"api:{name}", args=[p.matter.pk]), allowed_fn(p, role),
                    json=json_fn(p) if json_fn else None) for p in probes(ctx)]
    return cases + [m.Case(f"api {name} id {pk}", method, reverse(f"api:{name}", args=[pk]), False,
                           json=json_fn(probes(ctx)[0]) if json_fn else None) for pk in (m.MISSING, m.HUGE)]


def spec_api_list(ctx, role):
    m = _m()
    shown = tuple(p.matter.title for p in probes(ctx) if p.sees(role))
    return [m.Case("api matters", "GET", reverse("api:matters_list") + "?q=事项探针", role != m.ANON, must_show=shown)]


def spec_api_figures(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case("api figures", "GET", reverse("api:matters_figures") + "?year=2026", m_anywhere(role, "view"))]


def spec_api_create(ctx, role):
    m = _m()
    probes(ctx)
    return [m.Case(f"api create in {code}", "POST", reverse("api:matter_create"), m_holds(role, "change", code),
                   json={"kind": "rectify", "title": "接口登记探针", "org_id": ctx.orgs[code].pk})
            for code in ("SXX", "SXX-BGS", "SXX-CWK", "SXX-ZB2")]


def spec_api_get(ctx, role):
    return _api_per_probe(ctx, role, "matter_get", lambda p, r: p.sees(r))


def spec_api_timeline(ctx, role):
    return _api_per_probe(ctx, role, "matter_timeline", lambda p, r: p.sees(r))


def spec_api_steps(ctx, role):
    return _api_per_probe(ctx, role, "matter_steps", lambda p, r: p.sees(r))


def spec_api_update(ctx, role):
    return _api_per_probe(ctx, role, "matter_update", lambda p, r: p.changes(r), "PATCH",
                          lambda p: {"version": p.matter.version, "category": "接口改"})


def spec_api_transition(ctx, role):
    m = _m()
    cases = [m.Case(f"api assign {p.code}", "POST", reverse("api:matter_transition", args=[p.matter.pk, "assign"]),
                    p.changes(role), json={"version": p.matter.version}) for p in probes(ctx)]
    return cases + [m.Case(f"api assign id {pk}", "POST", reverse("api:matter_transition", args=[pk, "assign"]), False,
                           json={"version": 1}) for pk in (m.MISSING, m.HUGE)]


def spec_api_satisfaction(ctx, role):
    return _api_per_probe(ctx, role, "matter_satisfaction", lambda p, r: p.changes(r), "POST",
                          lambda p: {"version": p.matter.version, "satisfaction": "basic"})


SPECS = {
    "matters:list": spec_list, "matters:add": spec_add, "matters:board": spec_board,
    "matters:filter_add": spec_filter_add, "matters:filter_delete": spec_filter_delete,
    "matters:detail": spec_detail, "matters:edit": spec_edit, "matters:transition": spec_transition,
    "matters:measure_add": spec_measure_add, "matters:measure_done": spec_measure_done,
    "matters:progress_add": spec_progress_add, "matters:progress_attachment": spec_progress_attachment, "matters:contact_add": spec_contact_add,
    "matters:milestones_plan": spec_milestones_plan, "matters:milestone_done": spec_milestone_done,
    "matters:satisfaction": spec_satisfaction, "matters:problem_lists": spec_problem_lists,
    "matters:problem_list": spec_problem_list, "matters:import_template": spec_import_template,
    "matters:ledger": spec_ledger, "matters:person_ledger": spec_person_ledger, "matters:sheets": spec_sheets,
    "matters:sheet_run": spec_sheet_run, "matters:sheet": spec_sheet, "matters:sheet_document": spec_sheet_document,
    "matters:figures": spec_figures, "matters:figure": spec_figure,
    "figure_index": spec_registry_index, "figure": spec_registry_figure,
    "api:matters_list": spec_api_list, "api:matters_figures": spec_api_figures, "api:matter_create": spec_api_create,
    "api:matter_get": spec_api_get, "api:matter_timeline": spec_api_timeline, "api:matter_steps": spec_api_steps,
    "api:matter_update": spec_api_update, "api:matter_transition": spec_api_transition,
    "api:matter_satisfaction": spec_api_satisfaction,
}
API_METHODS = {"matters_list": {"GET"}, "matters_figures": {"GET"}, "matter_create": {"POST"}, "matter_get": {"GET"},
               "matter_timeline": {"GET"}, "matter_steps": {"GET"}, "matter_update": {"PATCH"},
               "matter_transition": {"POST"}, "matter_satisfaction": {"POST"}}
