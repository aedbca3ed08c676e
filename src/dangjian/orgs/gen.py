"""Synthetic province-scale data (`dangjian gen --members N`): an org tree and its people.

The tree has five levels, as a province's Party organisation does: the province committee
(省委) → city committees (市委) → county committees (县委/区委) → committees and general
branches (党委/党总支) → branches (党支部), with about 19 people per branch (the national
Party statistics' average). Everything is drawn from one seeded ``random.Random`` in a fixed
order, so a seed always gives the same data set.

Speed: 2,000,000 people must load in minutes, so nothing goes through the ORM row by row.
Treebeard paths (steplen 4, alphabet 0-9A-Z), depth and numchild are computed here; orgs and
people are bulk-loaded (PostgreSQL: COPY through psycopg 3; SQLite: executemany in one
transaction), and the member counts are rebuilt with one GROUP BY per branch, expanded to
every ancestor path prefix in Python.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.core.crypto import blind_index, encrypt, keyring
from dangjian.core.figure_cache import forget_values
from dangjian.core.ids import id_check_digit

from .models import Org, OrgKind, OrgMemberCount, PartyStatus, Person, Position

MEMBERS_PER_BRANCH = 19
STEP = Org.steplen
ALPHABET = Org.alphabet
TODAY = dt.date(2026, 1, 1)  # fixed, so that dates do not depend on the day of the run
USER_PREFIX = "gen_"
PROVINCE_CODE = "43"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳")
MALE_CHARS = "伟强磊军洋勇杰涛明超刚平辉鹏飞斌宇浩凯健俊帆帅旭宁龙林波鑫峰华建国志文博远东海亮成松春"
FEMALE_CHARS = "芳娜秀英敏静丽艳娟霞燕玲桂兰萍红梅琳雪倩婷颖慧洁佳琪怡欣悦瑶晶璐雅馨蕾丹薇月"
CITY_NAMES = ("长江 青山 湘水 云岭 桃源 金川 白鹭 松原 临川 清河 东湖 南岳 北溪 西林 凤鸣 龙泉 玉田 石门 "
              "安平 永宁").split()
COUNTY_SUFFIX = ("县委", "区委")
UNIT_WORDS = ("机关", "教育", "卫生健康", "农业农村", "交通运输", "住房和城乡建设", "市场监管", "国有企业", "街道",
              "乡镇", "学校", "医院", "非公企业", "社会组织")
JOB_TITLES = ("科员", "副主任科员", "主任科员", "四级调研员", "一级科员", "副科长", "科长", "教师", "医生", "工程师",
              "职工", "村干部", "社区工作者", "退休干部", "")
EDUCATIONS = (("bachelor", 45), ("college", 25), ("secondary", 18), ("master", 11), ("doctor", 1))
# Party status shares: mostly full members, then probationary members, activists and masses.
STATUSES = ((PartyStatus.FULL.value, 880), (PartyStatus.PROBATIONARY.value, 50),
            (PartyStatus.ACTIVIST.value, 40), (PartyStatus.MASSES.value, 30))
INACTIVE_PER_MILLE = 10


class GenError(Exception):
    pass


@dataclass
class OrgRow:
    id: int
    path: str
    name: str
    kind: str
    code: str
    region: str = ""  # the 6-digit area code people of this subtree are born in (ID numbers)
    numchild: int = 0
    members: int = 0  # for branches: how many people to place here

    @property
    def depth(self) -> int:
        return len(self.path) // STEP


@dataclass
class Shape:
    members: int
    branches: int
    cities: int
    counties_per_city: int


@dataclass
class GenResult:
    orgs: int = 0
    branches: int = 0
    people: int = 0
    users: dict[str, str] = field(default_factory=dict)  # username -> org path of the grant
    seconds: dict[str, float] = field(default_factory=dict)


def shape_for(members: int) -> Shape:
    """How many branches, cities and counties a province of ``members`` people has."""
    if members < 20:
        raise GenError("--members 至少为 20")
    branches = math.ceil(members / MEMBERS_PER_BRANCH)
    root = math.sqrt(branches)
    cities = max(2, min(14, round(root / 23)))
    counties = max(2, min(10, round(root / 36)))
    return Shape(members, branches, cities, counties)


def step(i: int) -> str:
    """The path step of the i-th child (1-based), as treebeard writes it: base 36, 4 characters."""
    out = ""
    while i:
        i, r = divmod(i, 36)
        out = ALPHABET[r] + out
    if len(out) > STEP:
        raise GenError("一个节点下的子节点过多")
    return out.rjust(STEP, "0")


def _split(rng: random.Random, total: int, parts: int, low: float = 0.6, high: float = 1.4) -> list[int]:
    """``total`` split into ``parts`` positive integers of random, roughly equal size."""
    weights = [rng.uniform(low, high) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    diff = total - sum(sizes)
    i = 0
    while diff:
        j = i % parts
        if diff > 0:
            sizes[j] += 1
            diff -= 1
        elif sizes[j] > 1:
            sizes[j] -= 1
            diff += 1
        i += 1
    return sizes


def build_tree(shape: Shape, rng: random.Random, first_id: int) -> list[OrgRow]:
    """The five-level tree, in path order, with ids from ``first_id`` and members per branch."""
    rows: list[OrgRow] = []

    def add(parent: OrgRow | None, index: int, **kw) -> OrgRow:
        row = OrgRow(id=first_id + len(rows), path=(parent.path if parent else "") + step(index), **kw)
        rows.append(row)
        if parent:
            parent.numchild += 1
        return row

    province = add(None, 1, name="中共某省委员会", kind=OrgKind.COMMITTEE, code=f"G{PROVINCE_CODE}",
                   region=PROVINCE_CODE + "0000")
    county_count = shape.cities * shape.counties_per_city
    per_county = _split(rng, shape.branches, county_count)
    people = _split(rng, shape.members, shape.branches, 0.3, 1.7)
    branch_no = 0
    for c in range(1, shape.cities + 1):
        city_name = CITY_NAMES[(c - 1) % len(CITY_NAMES)] + ("市" if c <= len(CITY_NAMES) else f"{c}市")
        city = add(province, c, name=f"中共{city_name}委员会", kind=OrgKind.COMMITTEE,
                   code=f"G{PROVINCE_CODE}{c:02d}", region=f"{PROVINCE_CODE}{c:02d}00")
        for k in range(1, shape.counties_per_city + 1):
            suffix = COUNTY_SUFFIX[k % 2]
            county_name = f"{city_name}第{k}{suffix[0]}"
            region = f"{PROVINCE_CODE}{c:02d}{k + 1:02d}"
            county = add(city, k, name=f"中共{county_name}委员会", kind=OrgKind.COMMITTEE, code=f"G{region}",
                         region=region)
            n_branches = per_county[(c - 1) * shape.counties_per_city + k - 1]
            n_units = max(1, round(n_branches / 21))
            for u, unit_branches in enumerate(_split(rng, n_branches, n_units, 0.15, 1.85), start=1):
                word = UNIT_WORDS[rng.randrange(len(UNIT_WORDS))]
                kind = OrgKind.COMMITTEE if unit_branches >= 12 else OrgKind.GENERAL_BRANCH
                unit = add(county, u, name=f"{county_name}{word}第{u}{kind.label}", kind=kind,
                           code=f"G{region}-{u:03d}", region=region)
                for b in range(1, unit_branches + 1):
                    add(unit, b, name=f"{unit.name}第{b}党支部", kind=OrgKind.BRANCH,
                        code=f"G{region}-{u:03d}-{b:03d}", region=region, members=people[branch_no])
                    branch_no += 1
    assert branch_no == shape.branches
    return rows


def _weighted(rng: random.Random, table) -> Callable[[], str]:
    values = [v for v, _ in table]
    cum, total = [], 0
    for _, w in table:
        total += w
        cum.append(total)
    import bisect

    return lambda: values[bisect.bisect_right(cum, rng.randrange(total))]


def people_rows(rows: list[OrgRow], rng: random.Random, *, null, true, false, now: str) -> Iterator[tuple]:
    """One tuple per person, in branch order; columns as in ``PERSON_COLUMNS``."""
    status_of = _weighted(rng, STATUSES)
    education_of = _weighted(rng, EDUCATIONS)
    seen: set[str] = set()
    randrange, random_ = rng.randrange, rng.random
    n_sur, n_male, n_female, n_jobs = len(SURNAMES), len(MALE_CHARS), len(FEMALE_CHARS), len(JOB_TITLES)
    base = TODAY.toordinal()
    full, prob, act = PartyStatus.FULL.value, PartyStatus.PROBATIONARY.value, PartyStatus.ACTIVIST.value
    for org in rows:
        if not org.members:
            continue
        oid, path = str(org.id), org.path
        for _ in range(org.members):
            male = random_() < 0.6
            age_days = randrange(20 * 365, 75 * 365)
            born = dt.date.fromordinal(base - age_days)
            while True:
                seq = randrange(500) * 2 + (1 if male else 0)
                first17 = f"{org.region}{born:%Y%m%d}{seq:03d}"
                id_number = first17 + id_check_digit(first17)
                if id_number not in seen:
                    seen.add(id_number)
                    break
            chars = MALE_CHARS if male else FEMALE_CHARS
            n = n_male if male else n_female
            name = SURNAMES[randrange(n_sur)] + chars[randrange(n)] + (chars[randrange(n)] if random_() < 0.7 else "")
            status = status_of()
            adult = born.toordinal() + 18 * 366
            joined = full_on = activist = null
            if status == full:
                j = randrange(adult, base - 400)
                joined = dt.date.fromordinal(j).isoformat()
                full_on = dt.date.fromordinal(j + 365).isoformat()
            elif status == prob:
                joined = dt.date.fromordinal(base - randrange(1, 360)).isoformat()
            elif status == act:
                activist = dt.date.fromordinal(base - randrange(30, 1000)).isoformat()
            member = status in (full, prob)
            phone = f"1{randrange(30, 100)}{randrange(10**8):08d}"
            # personal data is stored as the app stores it: SM4-GCM ciphertext plus blind indexes
            yield (
                oid, path, "1", now, now, name, "M" if male else "F", born.isoformat(), encrypt(id_number),
                blind_index(id_number), encrypt(phone), blind_index(phone), education_of(),
                JOB_TITLES[randrange(n_jobs)],
                oid if member else null, path if member else "", status, joined, full_on, activist,
                false if randrange(1000) < INACTIVE_PER_MILLE else true,
            )


PERSON_COLUMNS = ("org_id", "org_path", "version", "created_at", "updated_at", "name", "gender", "birth_date",
                  "id_number", "id_number_index", "phone", "phone_index", "education", "job_title", "branch_id",
                  "branch_path", "party_status", "joined_party_on", "full_member_on", "activist_since", "is_active")
ORG_COLUMNS = ("id", "path", "depth", "numchild", "name", "short_name", "kind", "code", '"order"', "is_active",
               "version")


# ---- loading ------------------------------------------------------------------------------------

def _tables_to_clear() -> list[str]:
    """The generated tables and every table that refers to them, dependants first."""
    roots = [OrgMemberCount, Position, RoleAssignment, Person, Org]
    ordered: list = []

    def visit(model):
        if model in ordered:
            return
        # every model that refers to it (other modules' meetings, matters, letters…), and the
        # many-to-many link tables of each, are emptied first
        reverse = (f for f in model._meta.get_fields(include_hidden=True)  # related_name="+" included
                   if f.auto_created and not f.concrete and f.related_model is not None)
        for rel in reverse:
            if rel.related_model is not model:
                visit(rel.related_model)
        for m2m in model._meta.many_to_many:
            visit(m2m.remote_field.through)
        ordered.append(model)

    for model in roots:
        visit(model)
    return [m._meta.db_table for m in ordered]


def reset() -> None:
    """Empty the generated tables (orgs, people, positions, counts, role grants) and gen_ accounts."""
    tables = _tables_to_clear()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE")
        else:
            for t in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(t)}")
    User.objects.filter(username__startswith=USER_PREFIX).delete()


def _reserve_org_ids(count: int) -> int:
    """The first of ``count`` consecutive ids that the org table's sequence will not hand out."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence('orgs_org', 'id')")
            seq = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [seq])
            first = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [seq, first + count - 1])
            return first
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM orgs_org")
        first = cursor.fetchone()[0] + 1
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'orgs_org'")
        row = cursor.fetchone()
        return max(first, (row[0] + 1) if row else 1)


def _copy(cursor, table: str, columns, rows: Iterator[tuple], chunk: int = 20000) -> int:
    """COPY rows of text values (None-free: NULL already written as \\N) into a PostgreSQL table."""
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buf: list[str] = []
        for row in rows:
            buf.append("\t".join(row))
            n += 1
            if len(buf) >= chunk:
                copy.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            copy.write("\n".join(buf) + "\n")
    return n


def _insert_many(cursor, table: str, columns, rows: Iterator[tuple], chunk: int = 20000) -> int:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    n = 0
    buf: list[tuple] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= chunk:
            cursor.executemany(sql, buf)
            n += len(buf)
            buf.clear()
    if buf:
        cursor.executemany(sql, buf)
        n += len(buf)
    return n


def _org_tuples(rows: list[OrgRow], pg: bool) -> Iterator[tuple]:
    t = "t" if pg else True
    for r in rows:
        if pg:
            yield (str(r.id), r.path, str(r.depth), str(r.numchild), r.name, "", r.kind, r.code, "0", t, "1")
        else:
            yield (r.id, r.path, r.depth, r.numchild, r.name, "", r.kind, r.code, 0, t, 1)


def rebuild_member_counts() -> int:
    """The same OrgMemberCount rows as services.recount_members, from one GROUP BY per branch."""
    leaf: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN branch_path <> '' THEN branch_path ELSE org_path END, party_status, COUNT(*) "
            "FROM orgs_person WHERE is_active GROUP BY 1, 2"
        )
        for path, status, n in cursor.fetchall():
            if path:
                for i in range(STEP, len(path) + 1, STEP):
                    leaf[(path[:i], status)] += n
        cursor.execute(f"DELETE FROM {OrgMemberCount._meta.db_table}")
        rows = [(p, s, n) for (p, s), n in leaf.items() if n]
        if connection.vendor == "postgresql":
            _copy(cursor, OrgMemberCount._meta.db_table, ("org_path", "party_status", "count"),
                  ((p, s, str(n)) for p, s, n in rows))
        else:
            _insert_many(cursor, OrgMemberCount._meta.db_table, ("org_path", "party_status", "count"), iter(rows))
    return len(rows)


def _create_users(rows: list[OrgRow], password: str | None) -> dict[str, str]:
    """Accounts with grants at province, city and county level, for the benchmarks and a look around."""
    # The last city and its last county: the end of the path order, the hardest case for a query
    # that walks an index in order.
    province = rows[0]
    city = [r for r in rows if r.depth == 2][-1]
    county = [r for r in rows if r.depth == 3 and r.path.startswith(city.path)][-1]
    plan = [
        ("province_admin", "省级党务管理员", Role.PARTY_ADMIN, province),
        ("city_admin", "市级党务管理员", Role.PARTY_ADMIN, city),
        ("city_leader", "市级班子成员", Role.LEADER, city),
        ("county_admin", "县级党务管理员", Role.PARTY_ADMIN, county),
        ("county_leader", "县级班子成员", Role.LEADER, county),
    ]
    out = {}
    for suffix, full_name, role, org in plan:
        user = User(username=USER_PREFIX + suffix, full_name=full_name)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=role, org_id=org.id, include_subtree=True)
        out[user.username] = org.path
    return out


def generate(members: int, *, seed: int = 1, reset_first: bool = False, password: str | None = None,
             log: Callable[[str], None] = lambda s: None) -> GenResult:
    """Generate and load the data set. Refuses a database that holds orgs unless ``reset_first``."""
    result = GenResult()
    shape = shape_for(members)
    pg = connection.vendor == "postgresql"
    started = time.perf_counter()
    with transaction.atomic():
        if reset_first:
            reset()
        elif Org.objects.exists():
            raise GenError("数据库中已有组织数据；如确需清空并重新生成，请加 --reset")
        rng = random.Random(seed)
        tree = build_tree(shape, rng, 0)
        first_id = _reserve_org_ids(len(tree))
        for row in tree:
            row.id += first_id
        result.orgs, result.branches = len(tree), shape.branches
        result.seconds["tree"] = time.perf_counter() - started
        log(f"组织树：{len(tree)} 个组织，其中党支部 {shape.branches} 个，市 {shape.cities} 个，"
            f"县 {shape.cities * shape.counties_per_city} 个")
        now = timezone.now()
        keyring()  # made before the COPY: making it queries the database, which a COPY forbids
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            if pg:
                _copy(cursor, "orgs_org", ORG_COLUMNS, _org_tuples(tree, True))
                people = people_rows(tree, rng, null="\\N", true="t", false="f", now=now.isoformat())
                result.people = _copy(cursor, "orgs_person", PERSON_COLUMNS, people)
            else:
                _insert_many(cursor, "orgs_org", ORG_COLUMNS, _org_tuples(tree, False))
                stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
                people = people_rows(tree, rng, null=None, true=True, false=False, now=stamp)
                result.people = _insert_many(cursor, "orgs_person", PERSON_COLUMNS, people)
        result.seconds["load"] = time.perf_counter() - t0
        log(f"已载入 {result.people} 人（{result.seconds['load']:.1f} 秒）")
        t0 = time.perf_counter()
        rebuild_member_counts()
        result.seconds["counts"] = time.perf_counter() - t0
        result.users = _create_users(tree, password)
        forget_values()  # the tree and its people were written in SQL, past the signals that drop values
    if pg:
        # Planner statistics for the new rows, and (outside a transaction) the visibility map too,
        # without which PostgreSQL cannot answer counts from the indexes alone.
        t0 = time.perf_counter()
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in ("orgs_org", "orgs_person", "orgs_orgmembercount"):
                cursor.execute(f"{command} {table}")
        result.seconds["analyze"] = time.perf_counter() - t0
    result.seconds["total"] = time.perf_counter() - started
    return result
