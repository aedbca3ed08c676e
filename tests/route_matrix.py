"""The route matrix's machinery (tests/test_route_matrix.py): the roles and their expected scope written
out by hand (CAPS), the probe records placed in every corner of the tree and the oracle of who sees
them (Ctx), the request cases (Case), and the runner that sends a case and checks its answer, its
writes and its leaks. The routes' specs live beside each module's tests (``*/route_specs.py``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.ids import id_check_digit
from dangjian.core.models import AuditEvent
from dangjian.orgs import services
from dangjian.orgs.models import Org, OrgKind, PartyStatus, Person, Position, PositionTitle

from .conftest import ROLE_USERS

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
    "anquan": {c: ALL for c in ("account.view", "role.assign", "security_setting.manage", "admin_account.manage")},
    "shenji": {c: ALL for c in ("audit.view", "audit.export", "security_log.view")},
    "dangwu": {**{c: ALL for c in _PARTY_ADMIN}, "assessment.change": ALL},  # 考评's rule settings too
    "shuji": {c: ALL for c in ("org.view", "person.view", "person.export")},
    "banzi": {c: BGS | {"SXX-RSK", "SXX-DJB"} for c in ("org.view", "person.view", "person.export")},
    "jijian": {c: ALL for c in ("org.view", "person.view", "audit.view", "supervision.view", "supervision.change")},
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
            person = Person(name=name, gender="M", birth_date=dt.date(1990, 1, 1), id_number=number,
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


def by_get(case: Case) -> Case:
    """A POST-only route asked by GET: refused with 405 before any record is read, so one record stands for
    all of them (a case per record would only repeat the method check)."""
    return Case(f"{case.what} by GET", "GET", case.url, False, denied=(405,))


def _page(name: str, role: str, allowed: bool | None = None, **kw) -> Case:
    return Case(name, "GET", reverse(name) + kw.pop("query", ""), role != ANON if allowed is None else allowed, **kw)




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
    where = f"{role}: {case.method} {case.url} ({case.what}) → {status} {response.get('Location', '')}"
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
