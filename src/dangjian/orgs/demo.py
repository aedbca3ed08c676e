"""The demo agency 市XX: its org tree, 60 people with positions, and an account for every role.

Later modules add their own demo records through ``DEMO_BUILDERS`` (see ``build_demo``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import secrets
from unittest import mock

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.ids import id_check_digit

from .models import Education, Gender, Org, OrgKind, PartyStatus, Person, Position, PositionTitle
from .services import recount_members

ROOT_CODE = "SXX"
SECTIONS = [
    ("办公室", "BGS"), ("人事科", "RSK"), ("财务科", "CWK"), ("党建工作办公室", "DJB"),
    ("政策法规科", "ZCFG"), ("行政审批科", "XZSP"), ("项目建设科", "XMJS"), ("综合业务科", "ZHYW"),
]
# Which branch each section's people belong to (第一/第二/第三党支部).
SECTION_BRANCH = {"BGS": 0, "RSK": 0, "CWK": 0, "DJB": 1, "ZCFG": 1, "XZSP": 1, "XMJS": 2, "ZHYW": 2}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国 志强 秀英 丽华 伟 芳 敏 静 磊 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 桂英 海燕 晓东 文博 思远 雅琴 振华 卫东 红梅 立新".split()
DEMO_LOGINS = [
    ("admin", "系统管理员（首次登录时绑定动态口令）"), ("anquan", "安全管理员（首次登录时绑定动态口令）"),
    ("shenji", "审计管理员（首次登录时绑定动态口令）"), ("dangwu", "党务管理员（党建办）"), ("shuji", "党组书记（第一责任人）"),
    ("banzi", "班子成员（分管办公室、人事科、党建办）"), ("jijian", "纪检组长"), ("kezhang", "科室负责人（办公室）"),
    ("zhibu", "支部书记（第二党支部）"), ("dangyuan", "党员（本人记录）"),
]

# Later modules append callables taking (context: dict) to add their demo records.
DEMO_BUILDERS: list = []


@contextlib.contextmanager
def on_day(day: dt.date):
    """Within: the services run as on ``day`` (noon, Beijing), so that a demo record of the past is made through
    them as it would have been then — its dates, deadlines and audit trail agree — instead of being dated back
    afterwards. For building the demo only (one process, before serving)."""
    fixed = dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.UTC)
    with mock.patch.object(timezone, "now", lambda: fixed):
        yield

# Builders of large sample sets (a year of petitions): run by the demo command, left out of the tests' demo, which
# every test session builds (a test that needs them runs the builder itself).
DEMO_EXTRA_BUILDERS: list = []


def _id_number(rng: random.Random, born: dt.date, male: bool) -> str:
    seq = rng.randint(10, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if male else rng.choice([0, 2, 4, 6, 8]))
    first17 = f"430102{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def demo_exists() -> bool:
    return Org.objects.filter(code=ROOT_CODE).exists()


@transaction.atomic
def build_demo(password: str, *, extras: bool = True) -> dict:
    rng = random.Random(20261126)
    root = Org.add_root(name="市XX", kind=OrgKind.AGENCY, code=ROOT_CODE, order=0)
    party_group = root.add_child(name="中共市XX党组", kind=OrgKind.PARTY_GROUP, code="SXX-DZ", order=1)
    committee = root.add_child(name="中共市XX机关委员会", short_name="机关党委", kind=OrgKind.COMMITTEE,
                               code="SXX-JGDW", order=2)
    branches = []
    for i, label in enumerate(["第一", "第二", "第三"], start=1):
        branch = committee.add_child(name=f"{label}党支部", kind=OrgKind.BRANCH, code=f"SXX-ZB{i}", order=i)
        for j in (1, 2):
            branch.add_child(name=f"{label}党支部第{j}党小组", kind=OrgKind.CELL, code=f"SXX-ZB{i}-XZ{j}", order=j)
        branches.append(Org.objects.get(pk=branch.pk))
    sections = {}
    for order, (name, code) in enumerate(SECTIONS, start=10):
        sections[code] = root.add_child(name=name, kind=OrgKind.SECTION, code=f"SXX-{code}", order=order)
    root.refresh_from_db()

    people: list[Person] = []
    section_codes = [c for _, c in SECTIONS]
    used_names = set()
    today = timezone.localdate()

    def make_person(section_code: str, job_title: str, status: str | None = None) -> Person:
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if name not in used_names:
                used_names.add(name)
                break
        male = rng.random() < 0.6
        born = dt.date(rng.randint(1966, 1999), rng.randint(1, 12), rng.randint(1, 28))
        status = status or rng.choices([PartyStatus.FULL, PartyStatus.PROBATIONARY, PartyStatus.ACTIVIST,
                                        PartyStatus.MASSES], weights=[72, 5, 8, 15])[0]
        joined = None
        full_on = None
        if status in (PartyStatus.FULL, PartyStatus.PROBATIONARY):
            joined = dt.date(born.year + rng.randint(20, 26), 7, 1)
            if status == PartyStatus.PROBATIONARY:
                joined = today - dt.timedelta(days=rng.randint(30, 300))
            else:
                full_on = joined.replace(year=joined.year + 1)
        section = sections[section_code]
        person = Person(
            name=name, gender=Gender.MALE if male else Gender.FEMALE, birth_date=born,
            id_number=_id_number(rng, born, male), phone=f"139{rng.randint(10000000, 99999999)}",
            education=rng.choice([Education.MASTER, Education.BACHELOR, Education.BACHELOR, Education.COLLEGE]),
            job_title=job_title, org=section, party_status=status, joined_party_on=joined, full_member_on=full_on,
            branch=branches[SECTION_BRANCH[section_code]] if status in (PartyStatus.FULL, PartyStatus.PROBATIONARY)
            else None,
        )
        if status == PartyStatus.ACTIVIST:
            person.activist_since = today - dt.timedelta(days=rng.randint(100, 700))
        person.full_clean()
        person.save()
        people.append(person)
        return person

    secretary = make_person("BGS", "党组书记、主任", PartyStatus.FULL)
    deputies = [make_person(c, "党组成员、副主任", PartyStatus.FULL) for c in ("BGS", "ZCFG", "XMJS")]
    discipline_head = make_person("DJB", "党组成员、纪检组长", PartyStatus.FULL)
    heads = {c: make_person(c, "科长" if c != "BGS" else "办公室主任", PartyStatus.FULL) for c in section_codes}
    while len(people) < 60:
        make_person(section_codes[len(people) % len(section_codes)], rng.choice(["一级主任科员", "二级主任科员",
                                                                                 "四级主任科员", "一级科员"]))
    start = dt.date(today.year - 3, 1, 1)

    def pos(person, title, org, since=start, note=""):
        Position(person=person, title=title, org=org, start_date=since, note=note).save()

    pos(secretary, PositionTitle.SECRETARY, party_group)
    for d in deputies:
        pos(d, PositionTitle.LEADER, party_group)
    pos(discipline_head, PositionTitle.DISCIPLINE_HEAD, party_group)
    for code, head in heads.items():
        pos(head, PositionTitle.SECTION_HEAD, sections[code])
    # A position that ended: the previous head of 财务科 is kept as history.
    old = people[-1]
    Position(person=old, title=PositionTitle.SECTION_HEAD, org=sections["CWK"], start_date=dt.date(today.year - 6, 3, 1),
             end_date=start - dt.timedelta(days=1), note="任期届满").save()
    branch_members = {b.pk: [p for p in people if p.branch_id == b.pk] for b in branches}
    secretaries = []
    for b in branches:
        members = [p for p in branch_members[b.pk] if p.party_status == PartyStatus.FULL and p not in deputies
                   and p is not secretary and p is not discipline_head]
        pos(members[0], PositionTitle.BRANCH_SECRETARY, b)
        pos(members[1], PositionTitle.ORGANIZATION, b)
        pos(members[2], PositionTitle.PUBLICITY, b)
        pos(members[3], PositionTitle.DISCIPLINE, b)
        secretaries.append(members[0])
    staff = next(p for p in people if p.org_id == sections["DJB"].pk and p not in (discipline_head, heads["DJB"]))
    pos(staff, PositionTitle.STAFF, sections["DJB"])
    # the three administrators (三员) are staff of 综合业务科, not Party-work leaders
    office_staff = [p for p in people if p.org_id == sections["ZHYW"].pk and p is not heads["ZHYW"]]
    admin_person, security_person, audit_person = office_staff[:3]
    plain_member = next(p for p in people if p.party_status == PartyStatus.FULL and not p.positions.exists()
                        and p not in office_staff[:3])

    named = {
        "admin": (admin_person, [(Role.SYSADMIN, root, True)]),
        "anquan": (security_person, [(Role.SECURITY_ADMIN, root, True)]),
        "shenji": (audit_person, [(Role.AUDIT_ADMIN, root, True)]),
        "dangwu": (staff, [(Role.PARTY_ADMIN, root, True)]),
        "shuji": (secretary, [(Role.LEADER, root, True)]),
        "banzi": (deputies[0], [(Role.LEADER, sections[c], True) for c in ("BGS", "RSK", "DJB")]),
        "jijian": (discipline_head, [(Role.DISCIPLINE, root, True)]),
        "kezhang": (heads["BGS"], [(Role.SECTION_HEAD, sections["BGS"], True)]),
        "zhibu": (secretaries[1], [(Role.BRANCH_SECRETARY, branches[1], True)]),
        "dangyuan": (plain_member, []),
    }
    by_person = {p.pk: (u, grants) for u, (p, grants) in named.items()}
    now = timezone.now()
    for n, person in enumerate(people, start=1):
        username, grants = by_person.get(person.pk, (f"ry{n:02d}", []))
        user = User(username=username, full_name=person.name, phone=person.phone, password_changed_at=now)
        # Only the role accounts share the printed password; the other people's accounts exist for their own
        # records and have no password log-in (60 accounts with one known password would be an open door).
        if person.pk in by_person:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
        for role, org, subtree in grants:
            RoleAssignment.objects.create(user=user, role=role, org=org, include_subtree=subtree, valid_from=start)
    recount_members()
    context = {"root": root, "sections": sections, "branches": branches, "people": people, "secretary": secretary,
               "deputies": deputies, "discipline_head": discipline_head, "heads": heads, "staff": staff,
               "rng": rng, "password": password}
    for builder in DEMO_BUILDERS + (DEMO_EXTRA_BUILDERS if extras else []):
        builder(context)
    audit.record("demo.load", target=root, message=f"载入演示单位：{len(people)} 人")
    return context


def demo_password(given: str | None) -> str:
    return given or secrets.token_urlsafe(9)
