"""Benchmarks of 会议学习 (issue 5): the 三会一课 gap report for a 1,000-branch subtree and the study
hours per person for a year, each with its ratio to the raw-SQL floor.

    python -m bench.meetings [--scale small|reduced|issue] [--branches N] [--years 3] [--members N]
                             [--extra-per-year N] [--sqlite] [--out FILE | --no-write] [--measure-only]

Scales (each flag given explicitly overrides the preset):
  small    300 branches × 3 years, 8 members: about 38,000 meetings and 300,000 attendance rows (SQLite default)
  reduced  10,000 branches × 3 years, 5 members: about 1.28 million meetings and 6.4 million attendance rows
  issue    10,000 branches × 3 years, 10 members, 25 extra study meetings a branch a year: about 2 million
           meetings and 20 million attendance rows, the scale issue 5 asks for (PostgreSQL default)

On PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/dangjian_bench_meetings,
dropped and re-created) the data is written with COPY; with --sqlite an SQLite file in a temporary data
directory is used (removed afterwards). Results are merged into bench/results.json under "meetings"
(keyed by database) unless --out names another file or --no-write is given; ``make bench`` runs this
through bench/run.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# (kind code, months in which it is held) — 44 meetings a branch a year, as the rules require.
PLAN = [("branch_committee", range(1, 13)), ("cell", range(1, 13)), ("theme_day", range(1, 13)),
        ("branch_general", (1, 4, 7, 10)), ("lecture", (2, 5, 8, 11))]
PLAN_PER_YEAR = sum(len(months) for _code, months in PLAN)  # 44
GAP_SHARE = 0.03  # meetings left out so that the report has gaps to find
# scale → (branches, years, members per branch, extra study meetings per branch and year)
SCALES = {"small": (300, 3, 8, 0), "reduced": (10_000, 3, 5, 0), "issue": (10_000, 3, 10, 25)}


def expected_rows(branches: int, years: int, members: int, extra: int) -> tuple[int, int]:
    """About how many meetings and attendance rows a scale makes (before the random gaps)."""
    meetings = round(branches * years * (PLAN_PER_YEAR * (1 - GAP_SHARE) + extra))
    return meetings, meetings * members


def enc(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def setup(pg_url: str | None, keep: bool = False):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["DANGJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="dangjian-bench-")
    if pg_url and not keep:
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    if pg_url:
        os.environ["DATABASE_URL"] = pg_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return os.environ["DANGJIAN_DATA_DIR"]


def write(table: str, columns: list[str], rows) -> int:
    """COPY on PostgreSQL, batched INSERTs on SQLite; returns the row count."""
    from django.db import connection

    n = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n
    def plain(v):  # the sqlite3 module no longer adapts dates and times itself
        if isinstance(v, dt.datetime):
            return v.replace(tzinfo=None).isoformat(" ")
        return v.isoformat() if isinstance(v, dt.date | dt.time) else v

    rows = (tuple(plain(v) for v in row) for row in rows)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    with connection.cursor() as cur:
        for row in rows:
            batch.append(row)
            if len(batch) == 20000:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def generate(branches: int, years: int, members: int, rng: random.Random, extra: int = 0) -> dict:
    """Orgs, people, meetings and attendance written straight into the tables.

    Each branch holds the 三会一课 plan (PLAN, 44 a year, GAP_SHARE of them left out) and ``extra``
    branch study sessions (集中学习日 kind, counted in study hours) spread over the year; every member
    of the branch is expected at each of its meetings.
    """
    from django.db import connection, transaction

    from dangjian.core.crypto import blind_index, encrypt
    from dangjian.meetings.models import MeetingKind

    kinds = dict(MeetingKind.objects.values_list("code", "id"))
    now = dt.datetime.now(dt.UTC)
    per_committee = 1000
    committees = (branches + per_committee - 1) // per_committee
    orgs = [(1, "0001", 1, committees, "省XX", "", "agency", "B-ROOT", 0, True, 1)]
    branch_rows = []  # (id, path, committee index)
    next_id = 2
    for c in range(committees):
        cpath = "0001" + enc(c + 1)
        count = min(per_committee, branches - c * per_committee)
        orgs.append((next_id, cpath, 2, count, f"第{c + 1}党委", "", "committee", f"B-C{c}", c, True, 1))
        next_id += 1
        for b in range(count):
            path = cpath + enc(b + 1)
            orgs.append((next_id, path, 3, 0, f"第{c + 1}党委第{b + 1}支部", "", "branch", f"B-C{c}-{b}", b, True, 1))
            branch_rows.append((next_id, path, c))
            next_id += 1
    t0 = time.perf_counter()
    counts = {}
    with transaction.atomic():
        counts["orgs"] = write("orgs_org", ["id", "path", "depth", "numchild", "name", "short_name", "kind", "code",
                                            '"order"', "is_active", "version"], orgs)

        def people():
            pid = 0
            for bid, path, _c in branch_rows:
                for _m in range(members):
                    pid += 1
                    id_number = f"B{pid:017d}"  # not a valid number: never shown, only unique
                    yield (pid, bid, path, 1, now, now, f"党员{pid}", "M", dt.date(1980, 1, 1), encrypt(id_number),
                           blind_index(id_number), "", "", "", "", bid, path, "full", dt.date(2005, 7, 1), None, None,
                           None, True)
        counts["people"] = write("orgs_person", [
            "id", "org_id", "org_path", "version", "created_at", "updated_at", "name", "gender", "birth_date",
            "id_number", "id_number_index", "phone", "phone_index", "education", "job_title", "branch_id",
            "branch_path", "party_status",
            "joined_party_on", "full_member_on", "activist_since", "user_id", "is_active"], people())
        this_year = dt.date.today().year
        counts.update(write_meetings(
            branch_rows, lambda index, _bid: range(index * members + 1, (index + 1) * members + 1),
            range(this_year - years + 1, this_year + 1), rng, extra, kinds=kinds, now=now))
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for table in ("orgs_org", "orgs_person"):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def write_meetings(branch_rows, people_of, years, rng: random.Random, extra: int = 0, *, kinds: dict, now,
                   gap_share: float = GAP_SHARE, attendees: int | None = None) -> dict:
    """Meetings and attendance of existing branches, written with COPY (batched INSERTs on SQLite).

    ``branch_rows`` are (id, path, _) of the branches, ``people_of(index, id)`` the ids of a branch's
    members. Each branch holds the 三会一课 plan each year (``gap_share`` of it left out at random) and
    ``extra`` study sessions; its first ``attendees`` members (all by default) are expected at each
    meeting. Ids continue after the tables' largest; the sequences are moved past them."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM meetings_meeting")
        mid = cur.fetchone()[0]
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM meetings_attendance")
        aid = cur.fetchone()[0]
    counts = {"meetings": 0, "attendance": 0}
    meeting_rows, attendance = [], []

    def schedule(year):  # lazily, so the random draws interleave as they always have
        for code, months in PLAN:
            for month in months:
                if rng.random() < gap_share:  # a few gaps for the report to find
                    continue
                yield code, dt.date(year, month, 10 + rng.randint(0, 15))
        for k in range(extra):  # branch study sessions spread over the year
            yield "study_day", dt.date(year, 1, 5) + dt.timedelta(days=k * 355 // extra)

    for index, (bid, path, _c) in enumerate(branch_rows):
        expected = list(people_of(index, bid))[:attendees]
        for year in years:
            for code, day in schedule(year):
                mid += 1
                study = code in ("lecture", "study_day")
                meeting_rows.append((mid, bid, path, 1, now, now, kinds[code], f"{day.month}月{code}", day,
                                     dt.time(9), dt.time(11), "", "held", "", "", ""))
                for person in expected:
                    aid += 1
                    present = rng.random() < 0.92
                    attendance.append((aid, bid, path, 1, now, now, mid, person,
                                       "present" if present else "absent", "", None, False,
                                       2 if present and study else 0, study and not present, None, "", year))
        if len(attendance) > 400_000 or len(meeting_rows) > 100_000 or index == len(branch_rows) - 1:
            counts["meetings"] += write("meetings_meeting", [
                "id", "org_id", "org_path", "version", "created_at", "updated_at", "kind_id", "title", "date",
                "start_time", "end_time", "place", "status", "study_form", "minutes", "signin_nonce"],
                meeting_rows)
            counts["attendance"] += write("meetings_attendance", [
                "id", "org_id", "org_path", "version", "created_at", "updated_at", "meeting_id", "person_id",
                "status", "reason", "signed_in_at", "via_qr", "hours", "makeup_required", "makeup_done_on",
                "makeup_note", "year"], attendance)
            meeting_rows, attendance = [], []
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in ("meetings_meeting", "meetings_attendance"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT GREATEST(MAX(id), 1) FROM {table}))")
    return counts


def timed(fn, repeat: int = 5) -> float:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def measure(years: int) -> dict:
    from django.db import connection

    from dangjian.meetings import compliance, study
    from dangjian.meetings.models import Attendance, Meeting

    year = dt.date.today().year - 1  # a whole past year: every period has ended
    subtree = "0001" + enc(1)  # the first committee: 1,000 branches (fewer at a small scale)
    today = dt.date(year + 1, 1, 1)

    def report():
        return compliance.gap_report(subtree, year, today=today)

    def report_floor():
        with connection.cursor() as cur:
            cur.execute("SELECT id, path, name FROM orgs_org WHERE path LIKE %s AND kind = 'branch' AND is_active "
                        "ORDER BY path", [subtree + "%"])
            cur.fetchall()
            month = ("EXTRACT(MONTH FROM m.date)" if connection.vendor == "postgresql"
                     else "CAST(strftime('%%m', m.date) AS INTEGER)")
            cur.execute(f"SELECT DISTINCT m.org_path, k.code, {month} FROM meetings_meeting m JOIN meetings_meetingkind"
                        " k ON k.id = m.kind_id WHERE m.org_path LIKE %s AND m.status = 'held' AND m.date BETWEEN %s"
                        " AND %s AND k.code IN ('branch_general','branch_committee','cell','lecture','theme_day')",
                        [subtree + "%", dt.date(year, 1, 1), dt.date(year, 12, 31)])
            cur.fetchall()

    branches, gaps, _ = report()
    sub_attendance = Attendance.objects.filter(org_path__startswith=subtree)

    def hours_page():
        return list(study.hours_by_person(year, sub_attendance, Meeting.objects.filter(org_path__startswith=subtree))[:100])

    def hours_floor():
        with connection.cursor() as cur:
            cur.execute("SELECT a.person_id, p.name, SUM(a.hours) h FROM meetings_attendance a JOIN orgs_person p ON "
                        "p.id = a.person_id JOIN meetings_meeting m ON m.id = a.meeting_id JOIN meetings_meetingkind k"
                        " ON k.id = m.kind_id WHERE a.year = %s AND a.org_path LIKE %s AND k.is_study AND m.org_path LIKE %s"
                        " AND m.date BETWEEN %s AND %s GROUP BY a.person_id, p.name ORDER BY h DESC, p.name LIMIT 100",
                        [year, subtree + "%", subtree + "%", dt.date(year, 1, 1), dt.date(year, 12, 31)])
            cur.fetchall()

    person_id = sub_attendance.values_list("person_id", flat=True).first()

    def one_person():
        return list(study.hours_by_person(year, Attendance.objects.filter(person_id=person_id)))

    r, rf = timed(report), timed(report_floor)
    h, hf = timed(hours_page, 3), timed(hours_floor, 3)
    p = timed(one_person)
    return {
        "gap_report_subtree": {"branches": len(branches), "gaps_found": len(gaps), "seconds": round(r, 4),
                               "raw_sql_floor_seconds": round(rf, 4), "ratio_to_floor": round(r / rf, 2),
                               "goal_seconds": 2.0},
        "study_hours_per_person_subtree_top100": {"seconds": round(h, 4), "raw_sql_floor_seconds": round(hf, 4),
                                                  "ratio_to_floor": round(h / hf, 2), "goal_seconds": 1.0},
        "study_hours_one_person_year": {"seconds": round(p, 4), "goal_seconds": 1.0},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="会议学习基准")
    parser.add_argument("--scale", choices=sorted(SCALES), help="预设规模（默认：PostgreSQL 用 issue，SQLite 用 small）")
    parser.add_argument("--branches", type=int)
    parser.add_argument("--years", type=int)
    parser.add_argument("--members", type=int, help="每个支部的党员数（= 每次会议的应到人数）")
    parser.add_argument("--extra-per-year", type=int, help="每个支部每年另加的学习会议数（集中学习日类型）")
    parser.add_argument("--sqlite", action="store_true", help="用内置 SQLite（缩小规模）")
    parser.add_argument("--measure-only", action="store_true", help="PostgreSQL：沿用上次生成的数据，只测量")
    parser.add_argument("--out", type=Path, help="结果写入此文件（不改 bench/results.json）")
    parser.add_argument("--no-write", action="store_true", help="只打印结果，不写 bench/results.json")
    args = parser.parse_args(argv)
    pg = None if args.sqlite else os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangjian_bench_meetings")
    preset = SCALES[args.scale or ("issue" if pg else "small")]
    branches, years, members, extra = (given if given is not None else default for given, default in zip(
        (args.branches, args.years, args.members, args.extra_per_year), preset, strict=True))
    keep = bool(pg and args.measure_only)
    data_dir = setup(pg, keep)
    from django.db import connection

    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if keep:  # the data is the previous run's: so is its scale, whatever the flags say
        previous = data["meetings"]["postgresql"]["scale"]
        scale = dict(previous)
        years = previous["years"]
    else:
        planned_meetings, planned_attendance = expected_rows(branches, years, members, extra)
        print(f"生成：{branches} 个支部 × {years} 年，每支部 {members} 名党员，每年另加学习会议 {extra} 次；"
              f"约 {planned_meetings:,} 次会议、{planned_attendance:,} 条出席记录", flush=True)
        counts = generate(branches, years, members, random.Random(5), extra)
        scale = {"branches": branches, "years": years, "members_per_branch": members, "extra_per_year": extra,
                 **counts}
    figures = measure(years)
    result = {"database": connection.vendor, "scale": scale,
              "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **figures}
    if connection.vendor == "sqlite":
        result["note"] = "SQLite：缩小规模测量（见 scale）；议题要求的规模在 PostgreSQL 上测量"
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    elif not args.no_write:
        data.setdefault("meetings", {})[connection.vendor] = result
        RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    out = io.StringIO()
    json.dump(result, out, ensure_ascii=False, indent=2)
    print(out.getvalue())
    if not pg:
        connection.close()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
