"""Route-matrix specs of the foundation: home, history and restore, audit, settings, accounts and
grants, orgs, people and the roster, positions, and the foundation's API (tests/test_route_matrix.py)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable

from django.urls import reverse

from dangjian.accounts.models import ApiToken
from dangjian.accounts.roles import Role
from dangjian.core.documents import write_xlsx
from dangjian.core.models import AuditEvent
from dangjian.orgs import roster
from dangjian.orgs.models import Org, OrgKind, PartyStatus, Person, PositionTitle

from ..route_matrix import (
    ALL,
    ANON,
    CAPS,
    HUGE,
    MISSING,
    Case,
    Ctx,
    _bogus,
    _page,
    by_get,
    holds,
    holds_anywhere,
    holds_everywhere,
    probe_id_number,
)


def _person_form(person: Person, role: str) -> dict:
    return {
        "name": person.name, "gender": person.gender,
        "id_number": "", "phone": "", "education": "", "job_title": f"改{role}",
        "org": person.org_id, "branch": person.branch_id or "", "party_status": person.party_status,
        "joined_party_on": person.joined_party_on.isoformat() if person.joined_party_on else "",
        "full_member_on": "", "activist_since": "", "loaded_version": person.version,
    }


def _new_person(ctx: Ctx, org: Org, seq: int) -> dict:
    return {"name": "新登记人", "gender": "F", "id_number": probe_id_number(40 + seq),
            "phone": "", "education": "", "job_title": "", "org": org.pk, "branch": "", "party_status": "masses",
            "joined_party_on": "", "full_member_on": "", "activist_since": ""}


def _org_form(org: Org, **changes) -> dict:
    data = {"name": org.name, "short_name": "改过", "kind": org.kind, "code": org.code, "order": org.order,
            "is_active": "on", "loaded_version": org.version}
    data.update(changes)
    return data


@functools.cache
def _roster_bytes(rows: tuple) -> bytes:
    # the same rows for every role and every call of the spec: one workbook each
    return write_xlsx("花名册", roster.COLUMNS, [list(row) for row in rows])


def _xlsx(rows) -> io.BytesIO:
    f = io.BytesIO(_roster_bytes(tuple(tuple(row) for row in rows)))
    f.name = "roster.xlsx"
    return f


def _roster_row(name, number, org_code, branch_code=None, status="群众"):
    return [name, "男", "1990-01-01", number, "", "", "", org_code, branch_code or "", status,
            "2015-07-01" if status == "正式党员" else "", ""]




# Each spec: (ctx, role) → the requests for that role.
def spec_home(ctx, role):
    return [_page("home", role)]


def spec_coming(ctx, role):
    from dangjian.core.navigation import COMING

    # every planned module may be live: then only an unknown one is asked for
    live = [Case("coming", "GET", reverse("coming", args=[m]), role != ANON) for m in list(COMING)[:1]]
    return live + [Case("coming unknown", "GET", reverse("coming", args=["nosuchmodule"]), False)]


_LABEL = {"org": "orgs.org", "person": "orgs.person", "position": "orgs.position"}


def spec_history(ctx, role):
    cases = [Case(f"history {p.kind} {p.obj}", "GET", reverse("history", args=[_LABEL[p.kind], p.obj.pk]),
                  ctx.sees(role, p)) for p in ctx.of("org", "person", "position")]
    event = AuditEvent.objects.first()
    cases += [Case("history of an audit event", "GET", reverse("history", args=["core.auditevent", event.pk]), False),
              Case("history of an account", "GET", reverse("history", args=["accounts.user", ctx.users["admin"].pk]),
                   False),
              Case("history of a bad label", "GET", reverse("history", args=["nolabel", 1]), False)]
    return cases + _bogus("history", lambda pk: reverse("history", args=["orgs.person", pk]))


def spec_restore(ctx, role):
    cases = []
    for p in ctx.of("org", "person", "position"):
        url = reverse("restore", args=[_LABEL[p.kind], p.obj.pk, p.first_event.pk])
        cases.append(Case(f"restore {p.kind} {p.obj}", "POST", url, ctx.may_change(role, p)))
    cases.append(by_get(cases[0]))
    person = ctx.of("person")[6]
    other = ctx.of("person")[0].first_event
    cases.append(Case("restore with another record's version", "POST",
                      reverse("restore", args=["orgs.person", person.obj.pk, other.pk]), False))
    event = AuditEvent.objects.first()
    cases.append(Case("restore an audit event", "POST", reverse("restore", args=["core.auditevent", event.pk, event.pk]),
                      False))
    cases += _bogus("restore", lambda pk: reverse("restore", args=["orgs.person", pk, pk]), methods=("POST",))
    cases += _bogus("restore", lambda pk: reverse("restore", args=["orgs.person", person.obj.pk, pk]),
                    methods=("POST",))
    return cases


def spec_audit_log(ctx, role):
    allowed = holds_anywhere(role, "audit.view")
    shown = tuple(p.markers[0] for p in ctx.of("person") if allowed and ctx.sees(role, p)) if allowed else ()
    # The 审计管理员 reads the whole log: the names the log records are theirs to see, nothing more.
    names = tuple(p.markers[0] for p in ctx.of("person")) if holds_anywhere(role, "security_log.view") else ()
    return [_page("audit_log", role, allowed, query="?q=甄探", must_show=shown, echo=names),
            _page("audit_log", role, holds_anywhere(role, "audit.export"), query="?q=甄探&export=xlsx",
                  must_show=shown, writes=None, echo=names)]


def spec_settings_page(name):
    def spec(ctx, role):
        # the rules page lists the rules the role may change: the security ones are the 安全管理员's, the 监督
        # checklist the discipline team's
        allowed = holds_everywhere(role, "setting.manage") or (name == "rule_list" and (
            holds_everywhere(role, "security_setting.manage") or holds_everywhere(role, "supervision.change")
            or role in PETITION_RULE_EDITORS or holds_everywhere(role, "assessment.change")))
        return [_page(name, role, allowed),
                Case(f"{name} POST", "POST", reverse(name), allowed, data={}, writes=False, ok=(200,))]
    return spec


# petition.change over the whole agency: the 群众诉求 reply limits (supervision.petition_reply_days.*) are theirs
PETITION_RULE_EDITORS = {"dangwu", "jijian"}


def spec_rule_edit(ctx, role):
    from dangjian.core import rule_settings

    rule_settings._load_modules()
    cases = [Case("rule_edit unknown", "GET", reverse("rule_edit", args=["no.such.rule"]), False)]
    security = "security.login_max_failures"  # 三员分立: the 安全管理员's, not the 系统管理员's
    checklist = "supervision.checklist"  # the discipline team's
    caps = {security: "security_setting.manage", checklist: "supervision.change"}
    for key in [next(k for k in rule_settings.REGISTRY if not k.startswith("security.")), security, checklist]:
        url = reverse("rule_edit", args=[key])
        may = holds_everywhere(role, caps.get(key, "setting.manage"))
        cases += [Case(f"rule_edit {key}", "GET", url, may),
                  Case(f"rule_edit {key} POST", "POST", url, may, data={}, writes=False, ok=(200,))]
    return cases


def spec_notification_list(ctx, role):
    return [_page("notification_list", role),
            Case("notification_list POST", "POST", reverse("notification_list"), role != ANON, data={}, writes=False)]


def spec_login(ctx, role):
    return [Case("login page", "GET", reverse("login"), True, public=True)]


def spec_healthz(ctx, role):
    return [Case("healthz", "GET", reverse("healthz"), True, public=True)]


def spec_logout(ctx, role):
    return [Case("logout by GET", "GET", reverse("logout"), False, denied=(405,), public=True),
            Case("logout", "POST", reverse("logout"), True, writes=None, ok=(200,), public=True)]


def spec_password_change(ctx, role):
    return [_page("password_change", role),
            Case("password_change empty POST", "POST", reverse("password_change"), role != ANON, data={},
                 writes=False, ok=(200,))]


def spec_user_list(ctx, role):
    allowed = holds_anywhere(role, "account.view")
    shown = tuple(p.obj.username for p in ctx.of("user") if ctx.manages_user(role, p.obj))
    return [_page("user_list", role, allowed, query="?q=tz", must_show=shown)]


def _grant_org(role: str, ctx: Ctx) -> Org:
    where = CAPS[role].get("role.assign")
    return ctx.orgs["SXX"] if where == ALL or not where else ctx.orgs[sorted(where)[0]]


def spec_user_detail(ctx, role):
    cases = []
    grant_org = _grant_org(role, ctx)
    for p in ctx.of("user"):
        url = reverse("user_detail", args=[p.obj.pk])
        allowed = ctx.manages_user(role, p.obj)
        cases.append(Case(f"user_detail {p.obj.username}", "GET", url, allowed))
        cases.append(Case(f"user_detail grant {p.obj.username}", "POST", url,
                          allowed and holds(role, "role.assign", grant_org.code),
                          data={"role": Role.MEMBER, "org": grant_org.pk, "include_subtree": "on"}))
    me = ctx.users.get(role)
    if me is not None and holds_anywhere(role, "role.assign"):  # 三员分立: never to oneself
        cases.append(Case("user_detail grant to oneself", "POST", reverse("user_detail", args=[me.pk]), False,
                          data={"role": Role.AUDIT_ADMIN, "org": grant_org.pk, "include_subtree": "on"}))
    return cases + _bogus("user_detail", lambda pk: reverse("user_detail", args=[pk]), methods=("GET", "POST"))


def spec_user_create(ctx, role):
    allowed = holds_anywhere(role, "account.manage")
    return [_page("user_create", role, allowed),
            Case("user_create", "POST", reverse("user_create"), allowed, ok=(200,),
                 data={"username": f"new{role}", "full_name": "新账号", "phone": "", "email": ""})]


def spec_user_action(ctx, role):
    cases = []
    for p in ctx.of("user"):
        allowed = ctx.manages_user(role, p.obj) and holds_anywhere(role, "account.manage")
        for action in ("reset", "disable", "enable"):
            url = reverse("user_action", args=[p.obj.pk, action])
            cases.append(Case(f"user_action {action} {p.obj.username}", "POST", url, allowed,
                              ok=(200, 302), writes=True))
    cases += [by_get(case) for case in cases[:3]]  # the first account's three actions
    # an administrator's account is the 安全管理员's: with no e-mail on record the reset link cannot reach
    # its owner, so the reset is refused with a message and nothing is written
    admin = ctx.users["shenji"]
    cases.append(Case("user_action reset an administrator", "POST", reverse("user_action", args=[admin.pk, "reset"]),
                      holds_everywhere(role, "admin_account.manage"), ok=(302,), writes=False))
    return cases + _bogus("user_action", lambda pk: reverse("user_action", args=[pk, "reset"]), methods=("POST",))


def spec_password_reset_confirm(ctx, role):
    # The one-time link of a reset: a link nobody was sent leads nowhere, for every role alike.
    user = ctx.users["shenji"]
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(str(user.pk).encode())
    return [Case(f"password_reset_confirm forged {method}", method,
                 reverse("password_reset_confirm", args=[uid, "cn0000-0123456789abcdef"]), False, public=True,
                 denied=(404,), data={"new_password1": "Hongqi-Tanzhen-9", "new_password2": "Hongqi-Tanzhen-9"})
            for method in ("GET", "POST")] + [
        Case("password_reset_confirm bad id", "GET", reverse("password_reset_confirm", args=["x", "y"]), False,
             public=True, denied=(404,))]


def spec_two_factor(ctx, role):
    # Without a pending password step the page sends everyone back to the log-in form.
    return [Case("two_factor without a password step", "GET", reverse("two_factor"), True, public=True, ok=(302,)),
            Case("two_factor code without a password step", "POST", reverse("two_factor"), True, public=True,
                 data={"code": "123456"}, ok=(302,), writes=False)]


def spec_security_settings(ctx, role):
    return [_page("security_settings", role),
            Case("security_settings wrong code", "POST", reverse("security_settings"), role != ANON,
                 data={"code": "000000"}, ok=(200,), writes=None)]


def spec_token_issue(ctx, role):
    return [Case("token_issue", "POST", reverse("token_issue"), role != ANON, data={"name": "探针令牌"}, ok=(200,)),
            Case("token_issue by GET", "GET", reverse("token_issue"), False, denied=(302, 405))]


def spec_token_revoke(ctx, role):

    token = ApiToken.issue(ctx.users["dangwu"], "探针令牌")[0]  # only its owner may revoke it
    return [Case("token_revoke dangwu's", "POST", reverse("token_revoke", args=[token.pk]), role == "dangwu",
                 ok=(302,)),
            *_bogus("token_revoke", lambda pk: reverse("token_revoke", args=[pk]), methods=("POST",))]


def spec_grant_revoke(ctx, role):
    cases = []
    for p in ctx.of("grant"):
        url = reverse("grant_revoke", args=[p.obj.pk])
        cases.append(Case(f"grant_revoke {p.obj}", "POST", url, ctx.manages_grant(role, p.obj)))
    cases.append(by_get(cases[0]))
    return cases + _bogus("grant_revoke", lambda pk: reverse("grant_revoke", args=[pk]), methods=("POST",))


def spec_org_list(ctx, role):
    allowed = holds_anywhere(role, "org.view")
    return [_page("org_list", role, allowed, must_show=tuple(
        p.obj.code for p in ctx.of("org") if ctx.sees(role, p)))]


def spec_org_search(ctx, role):
    """The picker's suggestions: by code prefix, only orgs where the role holds the capability asked."""
    shown = tuple(p.obj.code for p in ctx.of("org") if holds(role, "org.view", p.obj.code))
    return [_page("org_search", role, role != ANON, query="?cap=org.view&q=SXX", must_show=shown, echo=("SXX",)),
            _page("org_search", role, role != ANON, query="?cap=no.such&q=SXX", echo=("SXX",))]


def spec_org_detail(ctx, role):
    return [Case(f"org_detail {p.obj.code}", "GET", reverse("org_detail", args=[p.obj.pk]), ctx.sees(role, p))
            for p in ctx.of("org")] + _bogus("org_detail", lambda pk: reverse("org_detail", args=[pk]))


def spec_org_edit(ctx, role):
    cases = []
    for p in ctx.of("org"):
        url = reverse("org_edit", args=[p.obj.pk])
        allowed = ctx.may_change(role, p)
        cases.append(Case(f"org_edit {p.obj.code}", "GET", url, allowed))
        cases.append(Case(f"org_edit {p.obj.code}", "POST", url, allowed, data=_org_form(p.obj)))
    return cases + _bogus("org_edit", lambda pk: reverse("org_edit", args=[pk]), methods=("GET", "POST"))


def spec_org_add(ctx, role):
    cases = []
    for n, p in enumerate(ctx.of("org")):
        url = reverse("org_add", args=[p.obj.pk])
        allowed = ctx.may_change(role, p)
        cases.append(Case(f"org_add under {p.obj.code}", "GET", url, allowed))
        cases.append(Case(f"org_add under {p.obj.code}", "POST", url, allowed, data={
            "name": "新增组织", "kind": OrgKind.SECTION, "code": f"NEW-{n}", "order": 1, "is_active": "on"}))
    return cases + _bogus("org_add", lambda pk: reverse("org_add", args=[pk]), methods=("GET", "POST"))


def spec_person_list(ctx, role):
    shown = tuple(p.markers[0] for p in ctx.of("person") if ctx.sees(role, p))
    exporter = holds_anywhere(role, "person.export")
    exported = tuple(p.markers[0] for p in ctx.of("person") if exporter and (
        holds(role, "person.export", p.obj.org.code)
        or holds(role, "person.export", p.obj.branch.code if p.obj.branch_id else None)))
    return [_page("person_list", role, query="?q=甄探", must_show=shown),
            _page("person_list", role, exporter, query="?q=甄探&export=xlsx", must_show=exported, writes=None)]


def spec_person_add(ctx, role):
    cases = [_page("person_add", role, holds_anywhere(role, "person.change"))]
    for n, p in enumerate(ctx.of("org")):
        cases.append(Case(f"person_add in {p.obj.code}", "POST", reverse("person_add"),
                          holds(role, "person.change", p.obj.code), data=_new_person(ctx, p.obj, n),
                          denied=(200, 403)))
    return cases


def spec_roster_import(ctx, role):
    importer = holds_anywhere(role, "person.import")
    cases = [_page("roster_import", role, importer)]
    for n, p in enumerate(ctx.of("org")):
        number = probe_id_number(60 + n)
        cases.append(Case(f"roster_import new person in {p.obj.code}", "POST", reverse("roster_import"),
                          importer and holds(role, "person.change", p.obj.code),
                          data={"file": _xlsx([_roster_row("导入新人", number, p.obj.code)])},
                          denied=(200, 403), echo=(p.obj.code,)))
    for p in ctx.of("person"):
        person = p.obj
        row = _roster_row(person.name, person.id_number, person.org.code,
                          person.branch.code if person.branch_id else None,
                          "正式党员" if person.party_status == PartyStatus.FULL else "群众")
        allowed = importer and holds(role, "person.change", person.org.code) and (
            not person.branch_id or holds(role, "person.change", person.branch.code))
        cases.append(Case(f"roster_import update {person}", "POST", reverse("roster_import"), allowed,
                          data={"file": _xlsx([row])}, denied=(200, 403),
                          echo=tuple(p.markers) + (person.org.code, person.branch.code if person.branch_id else "")))
    return cases


def spec_roster_template(ctx, role):
    return [_page("roster_template", role)]


def spec_roster_export_full(ctx, role):
    """The export for re-import: full numbers of the people where the role may both export and see them."""
    full = holds_anywhere(role, "person.export") and holds_anywhere(role, "person.view_full")

    def places(person):
        return [person.org.code] + ([person.branch.code] if person.branch_id else [])

    exported = tuple(p.markers[1] for p in ctx.of("person") if full
                     and any(holds(role, "person.export", c) for c in places(p.obj))
                     and any(holds(role, "person.view_full", c) for c in places(p.obj)))
    return [Case("roster_export_full", "POST", reverse("roster_export_full"), full, data={"q": "甄探"},
                 writes=None, must_show=exported),
            Case("roster_export_full by GET", "GET", reverse("roster_export_full"), False, denied=(405,))]


def _person_cases(route, ctx, role, methods, allowed_fn, data_fn=None, **kw):
    cases = []
    for p in ctx.of("person"):
        url = reverse(route, args=[p.obj.pk])
        for m in methods:
            cases.append(Case(f"{route} {p.obj}", m, url, allowed_fn(p),
                              data=data_fn(p) if (data_fn and m == "POST") else None, **kw))
    return cases + _bogus(route, lambda pk: reverse(route, args=[pk]), methods=methods)


def spec_person_detail(ctx, role):
    return _person_cases("person_detail", ctx, role, ("GET",), lambda p: ctx.sees(role, p))


def spec_person_edit(ctx, role):
    return _person_cases("person_edit", ctx, role, ("GET", "POST"), lambda p: ctx.may_change(role, p),
                         lambda p: _person_form(p.obj, role))


def spec_person_reveal(ctx, role):
    cases = []
    for p in ctx.of("person"):
        url = reverse("person_reveal", args=[p.obj.pk])
        allowed = holds(role, "person.view_full", p.obj.org.code)
        cases.append(Case(f"person_reveal {p.obj}", "POST", url, allowed, ok=(200,),
                          must_show=(p.obj.id_number,) if allowed else ()))
    cases.append(by_get(cases[0]))
    return cases + _bogus("person_reveal", lambda pk: reverse("person_reveal", args=[pk]), methods=("POST",))


def spec_position_add(ctx, role):
    cases = []
    for p in ctx.of("person"):
        person = p.obj
        place = person.branch if person.branch_id and holds(role, "person.change", person.branch.code) else person.org
        allowed = ctx.may_change(role, p) and holds(role, "person.change", place.code)
        cases.append(Case(f"position_add {person}", "POST", reverse("position_add", args=[person.pk]), allowed,
                          data={"title": PositionTitle.PUBLICITY, "org": place.pk, "start_date": "2025-01-01"}))
    cases.append(by_get(cases[0]))
    return cases + _bogus("position_add", lambda pk: reverse("position_add", args=[pk]), methods=("POST",))


def spec_position_end(ctx, role):
    cases = []
    for p in ctx.of("position"):
        url = reverse("position_end", args=[p.obj.pk])
        cases.append(Case(f"position_end {p.obj.note}", "POST", url, ctx.may_change(role, p)))
    cases.append(by_get(cases[0]))
    return cases + _bogus("position_end", lambda pk: reverse("position_end", args=[pk]), methods=("POST",))


# -- the API (token authentication; the session with CSRF is tested in test_api)

def spec_api_public(name):
    def spec(ctx, role):
        return [Case(name, "GET", reverse(f"api:{name}"), True, public=True)]
    return spec


def spec_api_root(ctx, role):
    return [Case("api root", "GET", reverse("api:api-root"), False, public=True, denied=(404,))]


def spec_api_me(ctx, role):
    return [Case("api me", "GET", reverse("api:me"), role != ANON)]


def spec_api_list_orgs(ctx, role):
    return [Case("api list_orgs", "GET", reverse("api:list_orgs"), role != ANON,
                 must_show=tuple(p.obj.code for p in ctx.of("org") if ctx.sees(role, p)))]


def spec_api_get_org(ctx, role):
    return [Case(f"api get_org {p.obj.code}", "GET", reverse("api:get_org", args=[p.obj.pk]), ctx.sees(role, p))
            for p in ctx.of("org")] + _bogus("api get_org", lambda pk: reverse("api:get_org", args=[pk]))


def spec_api_member_stats(ctx, role):
    url = reverse("api:member_stats")
    return [Case("api member_stats", "GET", url, role != ANON)] + [
        Case(f"api member_stats {p.obj.code}", "GET", f"{url}?org_id={p.obj.pk}", ctx.sees(role, p))
        for p in ctx.of("org")] + [Case("api member_stats huge", "GET", f"{url}?org_id={HUGE}", False,
                                         denied=(404, 422))]


def spec_api_list_people(ctx, role):
    return [Case("api list_people", "GET", reverse("api:list_people") + "?q=甄探", role != ANON,
                 must_show=tuple(p.markers[0] for p in ctx.of("person") if ctx.sees(role, p)))]


def spec_api_create_person(ctx, role):
    cases = []
    for n, p in enumerate(ctx.of("org")):
        cases.append(Case(f"api create_person in {p.obj.code}", "POST", reverse("api:create_person"),
                          holds(role, "person.change", p.obj.code), json={
                              "name": "接口新人", "gender": "F", "birth_date": "1990-01-01",
                              "id_number": probe_id_number(80 + n), "org_id": p.obj.pk}))
    return cases


def spec_api_get_person(ctx, role):
    return [Case(f"api get_person {p.obj}", "GET", reverse("api:get_person", args=[p.obj.pk]), ctx.sees(role, p))
            for p in ctx.of("person")] + _bogus("api get_person", lambda pk: reverse("api:get_person", args=[pk]))


def spec_api_update_person(ctx, role):
    cases = [Case(f"api update_person {p.obj}", "PATCH", reverse("api:update_person", args=[p.obj.pk]),
                  ctx.may_change(role, p), json={"version": p.obj.version, "job_title": "接口改"})
             for p in ctx.of("person")]
    return cases + [Case(f"api update_person id {pk}", "PATCH", reverse("api:update_person", args=[pk]), False,
                         json={"version": 1, "job_title": "x"}) for pk in (MISSING, HUGE)]


SPECS: dict[str, Callable[[Ctx, str], list[Case]]] = {
    "home": spec_home,
    "coming": spec_coming,
    "history": spec_history,
    "restore": spec_restore,
    "audit_log": spec_audit_log,
    "rule_list": spec_settings_page("rule_list"),
    "rule_edit": spec_rule_edit,
    "holiday_list": spec_settings_page("holiday_list"),
    "notification_list": spec_notification_list,
    "login": spec_login,
    "healthz": spec_healthz,
    "logout": spec_logout,
    "password_change": spec_password_change,
    "token_issue": spec_token_issue, "token_revoke": spec_token_revoke,
    "user_list": spec_user_list,
    "user_detail": spec_user_detail,
    "grant_revoke": spec_grant_revoke,
    "user_create": spec_user_create,
    "user_action": spec_user_action,
    "two_factor": spec_two_factor,
    "password_reset_confirm": spec_password_reset_confirm,
    "security_settings": spec_security_settings,
    "org_list": spec_org_list, "org_search": spec_org_search,
    "org_detail": spec_org_detail,
    "org_edit": spec_org_edit,
    "org_add": spec_org_add,
    "person_list": spec_person_list,
    "person_add": spec_person_add,
    "roster_import": spec_roster_import,
    "roster_template": spec_roster_template,
    "roster_export_full": spec_roster_export_full,
    "person_detail": spec_person_detail,
    "person_edit": spec_person_edit,
    "person_reveal": spec_person_reveal,
    "position_add": spec_position_add,
    "position_end": spec_position_end,
    "api:openapi-json": spec_api_public("openapi-json"),
    "api:openapi-view": spec_api_public("openapi-view"),
    "api:api-root": spec_api_root,
    "api:me": spec_api_me,
    "api:list_orgs": spec_api_list_orgs,
    "api:get_org": spec_api_get_org,
    "api:member_stats": spec_api_member_stats,
    "api:list_people": spec_api_list_people,
    "api:create_person": spec_api_create_person,
    "api:get_person": spec_api_get_person,
    "api:update_person": spec_api_update_person,
}
# The HTTP methods each API operation is expected to take (an operation that gains one fails).
API_METHODS = {"me": {"GET"}, "list_orgs": {"GET"}, "get_org": {"GET"}, "member_stats": {"GET"},
               "list_people": {"GET"}, "create_person": {"POST"}, "get_person": {"GET"},
               "update_person": {"PATCH"}}
