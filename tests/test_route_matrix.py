"""Every URL × every role × records inside and outside the role's scope (DESIGN.md: Scope).

The routes are ENUMERATED from ``dangjian.urls`` (the ninja API's operations included, with their
HTTP methods), and every route must have an entry in ``SPECS`` below: a function that, for one
role, lists the requests to make (the path filled with a record in the role's own org, a sibling,
an ancestor and a descendant, plus ids that do not exist or overflow) and whether the role may do
it. For each request the matrix checks:

* a request the role may not make is answered 403/404 (405 for a method the route does not take;
  a redirect to the log-in page, or 401 on the API, for an anonymous visitor) and writes nothing:
  the counts and versions of people, orgs, positions and role grants and the audit log are
  unchanged;
* a request the role may make succeeds, and a write it should make happens (so the matrix is
  not passing because every route refuses everyone);
* no response, allowed or refused, carries the data of a record the role may not see (the
  person's name, masked or full ID number, the org's code, a position's note, a username).

The expected scope of each role is written out here by hand (``CAPS``), not computed with
``visible_to``, so that the matrix checks the scope code instead of repeating it.

A route added later without a SPECS entry fails ``test_every_route_has_a_spec`` with the names
of the routes to add.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.accounts.models import ApiToken, RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.documents import write_xlsx
from dangjian.core.ids import id_check_digit
from dangjian.core.models import AuditEvent
from dangjian.orgs import roster, services
from dangjian.orgs.models import Org, OrgKind, PartyStatus, Person, Position, PositionTitle

from .conftest import ROLE_USERS, signed_in

pytestmark = pytest.mark.django_db

# Two constrained roles the demo lacks, so that a capability granted on a subtree is tested too:
# a Party-affairs admin for 办公室 only, and a system administrator for the second branch only.
EXTRA_USERS = {"zuzhi": (Role.PARTY_ADMIN, "SXX-BGS"), "guanli": (Role.SYSADMIN, "SXX-ZB2")}
ANON = "anonymous"
ROLES = ROLE_USERS + list(EXTRA_USERS) + [ANON]

# ---- expected scope, by hand ---------------------------------------------------------------------
# For each role: capability → the org codes where it holds it ("*" = the whole tree).
ALL = "*"
BGS = {"SXX-BGS", "SXX-BGS-MS"}
ZB2 = {"SXX-ZB2", "SXX-ZB2-XZ1", "SXX-ZB2-XZ2"}
_PARTY_ADMIN = ("org.view", "org.change", "person.view", "person.change", "person.import", "person.export",
                "person.view_full", "audit.view")
CAPS: dict[str, dict[str, object]] = {
    "admin": {c: ALL for c in ("org.view", "org.change", "account.view", "account.manage", "setting.manage")},
    "anquan": {c: ALL for c in ("account.view", "role.assign")},
    "shenji": {c: ALL for c in ("audit.view", "audit.export", "security_log.view")},
    "dangwu": {c: ALL for c in _PARTY_ADMIN},
    "shuji": {c: ALL for c in ("org.view", "person.view", "person.export")},
    "banzi": {c: BGS | {"SXX-RSK", "SXX-DJB"} for c in ("org.view", "person.view", "person.export")},
    "jijian": {c: ALL for c in ("org.view", "person.view", "audit.view")},
    "kezhang": {c: BGS for c in ("org.view", "person.view")},
    "zhibu": {c: ZB2 for c in ("org.view", "person.view", "person.change", "person.export")},
    "dangyuan": {},
    "zuzhi": {c: BGS for c in _PARTY_ADMIN},
    "guanli": {c: ZB2 for c in ("org.view", "org.change", "account.view", "account.manage", "setting.manage")},
    ANON: {},
}


def holds(role: str, capability: str, code: str | None) -> bool:
    where = CAPS[role].get(capability, set())
    return code is not None and (where == ALL or code in where)


def holds_everywhere(role: str, capability: str) -> bool:
    return CAPS[role].get(capability) == ALL


def holds_anywhere(role: str, capability: str) -> bool:
    return bool(CAPS[role].get(capability))


# ---- the probe records ---------------------------------------------------------------------------
# (name, org code, branch code, status): one person in each corner of the tree that matters.
PROBE_PEOPLE = [
    ("甄探甲", "SXX", None, PartyStatus.MASSES),            # the root: everyone's ancestor
    ("甄探乙", "SXX-DZ", None, PartyStatus.MASSES),         # the Party group
    ("甄探丙", "SXX-JGDW", None, PartyStatus.MASSES),       # the branches' parent
    ("甄探丁", "SXX-BGS", None, PartyStatus.MASSES),        # 办公室 (banzi, kezhang, zuzhi)
    ("甄探戊", "SXX-BGS-MS", None, PartyStatus.MASSES),     # a unit below 办公室
    ("甄探己", "SXX-CWK", "SXX-ZB1", PartyStatus.FULL),     # a sibling section and a sibling branch
    ("甄探庚", "SXX-DJB", "SXX-ZB2", PartyStatus.FULL),     # in banzi's section and zhibu's branch
    ("甄探辛", "SXX-ZB2-XZ1", None, PartyStatus.MASSES),    # below the second branch
    ("甄探壬", "SXX-ZHYW", "SXX-ZB3", PartyStatus.FULL),    # nobody's but the whole-tree roles'
    ("甄探癸", "SXX-RSK", None, PartyStatus.MASSES),        # banzi's other section
]
PROBE_ORGS = ["SXX", "SXX-DZ", "SXX-JGDW", "SXX-ZB1", "SXX-ZB2", "SXX-ZB2-XZ1", "SXX-ZB3", "SXX-BGS",
              "SXX-BGS-MS", "SXX-RSK", "SXX-CWK", "SXX-DJB"]
HUGE = 10**20  # overflows every integer column
MISSING = 987654321


def probe_id_number(n: int) -> str:
    first17 = f"11010119900101{n:03d}"  # born 1990-01-01; the sequence keeps the masked forms apart
    return first17 + id_check_digit(first17)


@dataclass
class Probe:
    kind: str  # org, person, position, user, grant
    obj: object
    markers: list[str] = field(default_factory=list)  # text that must not reach a role that cannot see it
    regex: list[re.Pattern] = field(default_factory=list)
    first_event: AuditEvent | None = None


class Ctx:
    """The probe records and the hand-written oracle of who sees what."""

    def __init__(self, demo):
        self._seen: dict = {}
        dangwu = demo["users"]["dangwu"]
        orgs = demo["orgs"]
        bgs = orgs["SXX-BGS"]
        if "SXX-BGS-MS" not in orgs:
            bgs.add_child(name="秘书组", kind=OrgKind.SECTION, code="SXX-BGS-MS", order=1)
        self.orgs = {o.code: o for o in Org.objects.all()}
        self.users = dict(demo["users"])
        for username, (role, code) in EXTRA_USERS.items():
            user = User.objects.create(username=username, full_name=f"{username}测试")
            RoleAssignment.objects.create(user=user, role=role, org=self.orgs[code], include_subtree=True)
            self.users[username] = user
        self.probes: list[Probe] = []
        for code in PROBE_ORGS:
            org = self.orgs[code]
            org.short_name = "探针一"
            services.do_update_org(org, actor=dangwu, expected_version=org.version)
            first = AuditEvent.objects.filter(target_type="orgs.org", target_id=str(org.pk),
                                              action="org.update").order_by("id").first()
            org.short_name = "探针二"
            services.do_update_org(org, actor=dangwu, expected_version=org.version)
            self.probes.append(Probe("org", org, regex=[re.compile(rf"(?<![\w-]){re.escape(code)}(?![\w-])")],
                                     first_event=first))
        for n, (name, org_code, branch_code, status) in enumerate(PROBE_PEOPLE, start=1):
            number = probe_id_number(n)
            person = Person(name=name, gender="M", birth_date=dt.date(1990, 1, n + 10), id_number=number,
                            org=self.orgs[org_code], branch=self.orgs.get(branch_code), party_status=status,
                            phone=f"1370000{n:04d}",
                            joined_party_on=dt.date(2015, 7, 1) if status == PartyStatus.FULL else None)
            services.do_create_person(person, actor=dangwu)
            first = AuditEvent.objects.filter(target_type="orgs.person", target_id=str(person.pk)).first()
            person.job_title = "探针职级"
            services.do_update_person(person, actor=dangwu, expected_version=person.version)
            self.probes.append(Probe("person", person, markers=[name, number, person.masked_id_number,
                                                                person.phone], first_event=first))
            user = User.objects.create(username=f"tz{n:02d}", full_name=name)
            person.user = user
            Person.objects.filter(pk=person.pk).update(user=user)  # the account link is not a business change
            self.probes.append(Probe("user", user, regex=[re.compile(rf"(?<![\w]){user.username}(?![\w])")]))
            grant = RoleAssignment.objects.create(user=user, role=Role.MEMBER, org=person.org, include_subtree=False)
            self.probes.append(Probe("grant", grant))
            places = [person.org] + ([person.branch] if person.branch_id else [])
            for place in places:
                position = Position(person=person, title=PositionTitle.STAFF, org=place, start_date=dt.date(2024, 1, 1),
                                    note=f"探针职务{n}{place.code}")
                services.do_add_position(position, actor=dangwu)
                first = AuditEvent.objects.filter(target_type="orgs.position", target_id=str(position.pk)).first()
                position.start_date = dt.date(2024, 2, 1)  # a second version to restore from
                audit.save_audited(position, actor=dangwu, action="position.update")
                self.probes.append(Probe("position", position, markers=[position.note], first_event=first))

    # -- the oracle
    def sees(self, role: str, probe: Probe) -> bool:
        key = (role, probe.kind, probe.obj.pk)
        if key not in self._seen:
            self._seen[key] = self._sees(role, probe)
        return self._seen[key]

    def _sees(self, role: str, probe: Probe) -> bool:
        obj = probe.obj
        me = self.users.get(role)
        if probe.kind == "org":
            return holds(role, "org.view", obj.code)
        if probe.kind == "person":
            return (holds(role, "person.view", obj.org.code)
                    or holds(role, "person.view", obj.branch.code if obj.branch_id else None)
                    or (me is not None and obj.user_id == me.pk))
        if probe.kind == "position":
            return holds(role, "person.view", obj.org.code) or (me is not None and obj.person.user_id == me.pk)
        if probe.kind == "user":
            person = Person.objects.select_related("org", "branch").get(user=obj)
            return self.manages_user(role, obj) or self.sees(role, Probe("person", person))
        return self.manages_grant(role, obj)

    def may_change(self, role: str, probe: Probe) -> bool:
        obj = probe.obj
        if probe.kind == "org":
            return holds(role, "org.change", obj.code)
        if probe.kind == "person":
            return holds(role, "person.change", obj.org.code) or holds(
                role, "person.change", obj.branch.code if obj.branch_id else None)
        if probe.kind == "position":
            return holds(role, "person.change", obj.org.code)
        raise AssertionError(probe.kind)

    def manages_user(self, role: str, user) -> bool:
        key = (role, "manages", user.pk)
        if key not in self._seen:
            self._seen[key] = self._manages_user(role, user)
        return self._seen[key]

    def _manages_user(self, role: str, user) -> bool:
        codes = {g.org.code for g in user.role_assignments.select_related("org")}
        person = Person.objects.filter(user=user).select_related("org").first()
        if person is not None:
            codes.add(person.org.code)
        return any(holds(role, "account.view", c) for c in codes)

    def manages_grant(self, role: str, grant) -> bool:
        return holds(role, "role.assign", grant.org.code)

    def of(self, *kinds: str) -> list[Probe]:
        return [p for p in self.probes if p.kind in kinds]


# ---- requests and their expectations -------------------------------------------------------------

@dataclass
class Case:
    what: str
    method: str
    url: str
    allowed: bool
    data: object = None
    json: object = None
    writes: bool | None | str = "auto"  # expected write when allowed: auto = unsafe methods write; None = unchecked
    denied: tuple = (403, 404)
    ok: tuple = (200, 201, 302)
    echo: tuple = ()  # markers the request itself carries (not a leak when echoed back)
    must_show: tuple = ()  # markers that must appear when allowed (lists)
    public: bool = False  # reachable without signing in


def _bogus(route: str, make_url: Callable[[int], str], methods=("GET",)) -> list[Case]:
    return [Case(f"{route} id {pk}", m, make_url(pk), False, denied=(403, 404, 405))
            for pk in (MISSING, HUGE) for m in methods]


def _page(name: str, role: str, allowed: bool | None = None, **kw) -> Case:
    return Case(name, "GET", reverse(name) + kw.pop("query", ""), role != ANON if allowed is None else allowed, **kw)


def _person_form(person: Person, role: str) -> dict:
    return {
        "name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
        "id_number": "", "phone": "", "education": "", "job_title": f"改{role}",
        "org": person.org_id, "branch": person.branch_id or "", "party_status": person.party_status,
        "joined_party_on": person.joined_party_on.isoformat() if person.joined_party_on else "",
        "full_member_on": "", "activist_since": "", "loaded_version": person.version,
    }


def _new_person(ctx: Ctx, org: Org, seq: int) -> dict:
    return {"name": "新登记人", "gender": "F", "birth_date": "1991-02-03", "id_number": probe_id_number(40 + seq),
            "phone": "", "education": "", "job_title": "", "org": org.pk, "branch": "", "party_status": "masses",
            "joined_party_on": "", "full_member_on": "", "activist_since": ""}


def _org_form(org: Org, **changes) -> dict:
    data = {"name": org.name, "short_name": "改过", "kind": org.kind, "code": org.code, "order": org.order,
            "is_active": "on", "loaded_version": org.version}
    data.update(changes)
    return data


def _xlsx(rows) -> io.BytesIO:
    f = io.BytesIO(write_xlsx("花名册", roster.COLUMNS, rows))
    f.name = "roster.xlsx"
    return f


def _roster_row(name, number, org_code, branch_code=None, status="群众"):
    return [name, "男", "1990-01-15", number, "", "", "", org_code, branch_code or "", status,
            "2015-07-01" if status == "正式党员" else "", ""]


# Each spec: (ctx, role) → the requests for that role.
def spec_home(ctx, role):
    return [_page("home", role)]


def spec_coming(ctx, role):
    from dangjian.core.navigation import COMING

    module = next(iter(COMING))
    return [Case("coming", "GET", reverse("coming", args=[module]), role != ANON),
            Case("coming unknown", "GET", reverse("coming", args=["nosuchmodule"]), False)]


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
        cases.append(Case(f"restore {p.kind} {p.obj} by GET", "GET", url, False, denied=(405,)))
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
        allowed = holds_everywhere(role, "setting.manage")
        return [_page(name, role, allowed),
                Case(f"{name} POST", "POST", reverse(name), allowed, data={}, writes=False, ok=(200,))]
    return spec


def spec_rule_edit(ctx, role):
    from dangjian.core import rules

    rules._load_modules()
    allowed = holds_everywhere(role, "setting.manage")
    cases = [Case("rule_edit unknown", "GET", reverse("rule_edit", args=["no.such.rule"]), False)]
    for key in list(rules.REGISTRY)[:1]:
        url = reverse("rule_edit", args=[key])
        cases += [Case("rule_edit", "GET", url, allowed),
                  Case("rule_edit POST", "POST", url, allowed, data={}, writes=False, ok=(200,))]
    return cases


def spec_notification_list(ctx, role):
    return [_page("notification_list", role),
            Case("notification_list POST", "POST", reverse("notification_list"), role != ANON, data={}, writes=False)]


def spec_login(ctx, role):
    return [Case("login page", "GET", reverse("login"), True, public=True)]


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
            cases.append(Case(f"user_action {action} by GET", "GET", url, False, denied=(405,)))
    admin = ctx.users["shenji"]
    cases.append(Case("user_action reset an administrator", "POST", reverse("user_action", args=[admin.pk, "reset"]),
                      False))
    return cases + _bogus("user_action", lambda pk: reverse("user_action", args=[pk, "reset"]), methods=("POST",))


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
    from dangjian.accounts.models import ApiToken

    token = ApiToken.issue(ctx.users["dangwu"], "探针令牌")[0]  # only its owner may revoke it
    return [Case("token_revoke dangwu's", "POST", reverse("token_revoke", args=[token.pk]), role == "dangwu",
                 ok=(302,)),
            *_bogus("token_revoke", lambda pk: reverse("token_revoke", args=[pk]), methods=("POST",))]


def spec_grant_revoke(ctx, role):
    cases = []
    for p in ctx.of("grant"):
        url = reverse("grant_revoke", args=[p.obj.pk])
        cases.append(Case(f"grant_revoke {p.obj}", "POST", url, ctx.manages_grant(role, p.obj)))
        cases.append(Case(f"grant_revoke {p.obj} by GET", "GET", url, False, denied=(405,)))
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
        cases.append(Case(f"person_reveal {p.obj} by GET", "GET", url, False, denied=(405,)))
    return cases + _bogus("person_reveal", lambda pk: reverse("person_reveal", args=[pk]), methods=("POST",))


def spec_position_add(ctx, role):
    cases = []
    for p in ctx.of("person"):
        person = p.obj
        place = person.branch if person.branch_id and holds(role, "person.change", person.branch.code) else person.org
        allowed = ctx.may_change(role, p) and holds(role, "person.change", place.code)
        cases.append(Case(f"position_add {person}", "POST", reverse("position_add", args=[person.pk]), allowed,
                          data={"title": PositionTitle.PUBLICITY, "org": place.pk, "start_date": "2025-01-01"}))
        cases.append(Case(f"position_add {person} by GET", "GET", reverse("position_add", args=[person.pk]), False,
                          denied=(405,)))
    return cases + _bogus("position_add", lambda pk: reverse("position_add", args=[pk]), methods=("POST",))


def spec_position_end(ctx, role):
    cases = []
    for p in ctx.of("position"):
        url = reverse("position_end", args=[p.obj.pk])
        cases.append(Case(f"position_end {p.obj.note}", "POST", url, ctx.may_change(role, p)))
        cases.append(Case(f"position_end {p.obj.note} by GET", "GET", url, False, denied=(405,)))
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
                              "name": "接口新人", "gender": "F", "birth_date": "1991-02-03",
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
    "logout": spec_logout,
    "password_change": spec_password_change,
    "token_issue": spec_token_issue, "token_revoke": spec_token_revoke,
    "user_list": spec_user_list,
    "user_detail": spec_user_detail,
    "grant_revoke": spec_grant_revoke,
    "user_create": spec_user_create,
    "user_action": spec_user_action,
    "two_factor": spec_two_factor,
    "security_settings": spec_security_settings,
    "org_list": spec_org_list, "org_search": spec_org_search,
    "org_detail": spec_org_detail,
    "org_edit": spec_org_edit,
    "org_add": spec_org_add,
    "person_list": spec_person_list,
    "person_add": spec_person_add,
    "roster_import": spec_roster_import,
    "roster_template": spec_roster_template,
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


def _module_specs() -> None:
    """Modules keep their specs beside their tests (tests/<module>/route_specs.py: SPECS, API_METHODS)."""
    from importlib import import_module
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("*/route_specs.py")):
        module = import_module(f"{__package__}.{path.parent.name}.route_specs")
        SPECS.update(module.SPECS)
        API_METHODS.update(module.API_METHODS)


_module_specs()


def all_routes() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern, namespaced like ``api:list_people``."""
    found = []

    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                found.append((prefix + str(p.pattern), name))

    walk(get_resolver().url_patterns)
    return found


def api_operations() -> dict[str, set[str]]:
    from dangjian.api.urls import api

    ops: dict[str, set[str]] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                ops.setdefault(getattr(op, "url_name", None) or op.view_func.__name__, set()).update(op.methods)
    return ops


def test_every_route_has_a_spec():
    routes = all_routes()
    unnamed = [r for r, name in routes if not name]
    missing = sorted({f"{name} ({route})" for route, name in routes if name and name not in SPECS})
    assert not unnamed, f"URL patterns without a name cannot be checked by the route matrix: {unnamed}"
    assert not missing, (
        "These routes have no entry in tests/test_route_matrix.py SPECS, so nobody has shown that they "
        "keep every role inside its scope. Add a spec function (records inside/outside the role's scope, "
        f"GET and POST as the route takes them) for: {', '.join(missing)}")
    stale = sorted(set(SPECS) - {name for _, name in routes})
    assert not stale, f"SPECS names routes that no longer exist: {stale}"
    ops = api_operations()
    assert ops == {name: API_METHODS.get(name) for name in ops}, (
        f"API operations and their methods changed; update API_METHODS and SPECS: {ops}")


# ---- the runner ----------------------------------------------------------------------------------

PASSIVE_EVENTS = ", ".join(f"'{a}'" for a in ("upload.refused", "file.download", "csrf.refused",
                                                "session.unknown_cookie"))


def fingerprint() -> tuple:
    """Counts and version sums of everything a request could write, in one query."""
    from django.db import connection

    tables = {m: m._meta.db_table for m in (Person, Org, Position, RoleAssignment, AuditEvent)}
    sql = "SELECT " + ", ".join([
        f"(SELECT COUNT(*) FROM {tables[Person]})", f"(SELECT SUM(version) FROM {tables[Person]})",
        f"(SELECT COUNT(*) FROM {tables[Org]})", f"(SELECT SUM(version) FROM {tables[Org]})",
        f"(SELECT COUNT(*) FROM {tables[Position]})", f"(SELECT SUM(version) FROM {tables[Position]})",
        f"(SELECT COUNT(end_date) FROM {tables[Position]})", f"(SELECT COUNT(*) FROM {tables[RoleAssignment]})",
        # a refused or read-only request may still leave one of these security events: they are not writes
        f"(SELECT MAX(id) FROM {tables[AuditEvent]} WHERE action NOT IN ({PASSIVE_EVENTS}))",
    ])
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def body_text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats-officedocument.wordprocessing"):
        from docx import Document

        doc = Document(io.BytesIO(response.content))
        return "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    content = getattr(response, "content", b"") or b"".join(getattr(response, "streaming_content", []))
    text = content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            text += "\n" + json.dumps(json.loads(content), ensure_ascii=False)
        except ValueError:
            pass
    return text


def send(client, case: Case, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token and case.url.startswith("/api/") else {}
    data = dict(case.data) if isinstance(case.data, dict) else case.data
    for k, v in (data or {}).items():
        if isinstance(v, io.BytesIO):  # a fresh file object for every request
            data[k] = io.BytesIO(v.getvalue())
            data[k].name = v.name
    if case.json is not None:
        return client.generic(case.method, case.url, json.dumps(case.json), content_type="application/json",
                              **headers)
    if case.method == "GET":
        return client.get(case.url, **headers)
    if case.method == "POST":
        return client.post(case.url, data or {}, **headers)
    return client.generic(case.method, case.url, **headers)


def check(ctx: Ctx, role: str, case: Case, response, before: tuple, after: tuple) -> list[str]:
    problems = []
    status = response.status_code
    where = f"{role}: {case.method} {case.url} ({case.what}) → {status}"
    wrote = before != after
    if status >= 500:
        return [f"{where}: server error"]
    if role == ANON and not case.public:
        if case.url.startswith("/api/"):
            ok = status == 401
        else:
            ok = (status == 302 and response["Location"].startswith("/accounts/login/")) or (
                status == 405 and not case.allowed and 405 in case.denied)
        if not ok:
            problems.append(f"{where}: an anonymous visitor should be sent to log in")
        if wrote:
            problems.append(f"{where}: an anonymous visitor changed data {before} → {after}")
    elif case.allowed:
        if status not in case.ok:
            problems.append(f"{where}: should be allowed ({case.ok})")
        expect = (case.method != "GET") if case.writes == "auto" else case.writes
        if expect is True and not wrote:
            problems.append(f"{where}: allowed, but nothing was written")
        if expect is False and wrote:
            problems.append(f"{where}: wrote although it should not {before} → {after}")
    else:
        if status not in case.denied:
            problems.append(f"{where}: should be refused with {case.denied}")
        if wrote:
            problems.append(f"{where}: refused, yet data changed {before} → {after}")
    text = body_text(response)
    for probe in ctx.probes:
        if ctx.sees(role, probe):
            continue
        markers = probe.markers
        if probe.kind == "person" and ctx.manages_user(role, probe.obj.user):
            markers = markers[1:]  # an account manager sees the name on the person's account
        for marker in markers:
            if marker and marker not in case.echo and marker in text:
                problems.append(f"{where}: leaks “{marker}” of {probe.kind} {probe.obj} outside the role's scope")
        for pattern in probe.regex:
            if not any(e and pattern.search(e) for e in case.echo) and pattern.search(text):
                problems.append(f"{where}: leaks {pattern.pattern} of {probe.kind} {probe.obj}")
    if case.allowed and status in case.ok and status != 302:
        for marker in case.must_show:
            if marker not in text:
                problems.append(f"{where}: should show “{marker}”")
    return problems


@pytest.fixture
def ctx(demo):
    return Ctx(demo)


@pytest.mark.parametrize("route", sorted(SPECS))
def test_route_keeps_every_role_in_scope(route, ctx):
    problems: list[str] = []
    for role in ROLES:
        user = ctx.users.get(role)
        token = ApiToken.issue(user, "matrix")[1] if user is not None else None
        client = None
        for case in SPECS[route](ctx, role):
            if client is None or (user is not None and not client.cookies.get("sessionid", None)) or (
                    user is not None and not client.cookies["sessionid"].value):
                client = signed_in(user, raise_request_exception=False)  # again after a log-out
            with transaction.atomic():
                before = fingerprint()
                response = send(client, case, token)
                after = fingerprint()
                transaction.set_rollback(True)
            problems += check(ctx, role, case, response, before, after)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])
