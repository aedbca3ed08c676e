"""Benchmarks of the figure registry (issue 15, 年度报告) and of one cadre's file (issue 14) at province scale.

    python -m bench.figures [--reuse] [--runs 20] [--members N] [--matters N] [--meetings N] [--attendees N]
                            [--no-write]

`make bench` runs it (bench.run, PostgreSQL only); ``python -m bench.run --scale postgres --only figures``
alone. One database, ``dangjian_bench_figures`` (DANGJIAN_BENCH_FIGURES_DB) on the server of DATABASE_URL,
dropped and made afresh unless ``--reuse``, holds:

  the province of `dangjian gen` (orgs/gen.py): 2,000,000 members, ~110,000 orgs, 105,000 branches;
  1,000,000 matters over its people (bench/matters.py load_matters), received over the last two years;
  2,000,000 meetings over its branches (bench/meetings.py write_meetings): the 三会一课 plan of 2025 and
  2026, a share of it left out so that the total is the one asked; each meeting's attendance for the
  first ``--attendees`` members of the branch (default 3: about 6 million rows, not the 20 million of
  issue 5's preset, whose 10 members sit at every meeting).

With ``--reuse`` the stages whose table already holds rows are skipped (generating takes about half an hour
on a shared machine); each stage's time is kept in var/bench-figures/generated.json and reported.

Measured (p95 over ``--runs`` runs, nearest rank), for a province, a city and a county node (bench/figure_pages.py):
  evaluate_many   every registered figure (personal ones aside) for the node and the year, cold (cache
                  emptied before each run) and warm, beside a raw-SQL floor (one hand-written aggregate
                  per table) with an exact check of the values the floor also computes;
  figure_pages    /figures/<key>/?node=&period= of every registered figure through the test client, signed
                  in as the province's 党务管理员, after one record below the node changed (the goal; the
                  nightly reading of the values done): p95, and the query count read warm (must not depend
                  on the node) and after the change;
  dashboard       /reports/dashboard/?node=&period=: after one record below the node changed (the goal), cold
                  (every cached value dropped) and warm;
  home            / (the 工作台) of each level's 党务管理员, measured as the dashboards are;
  annual_report   the city's report drafted from the records and exported as .docx (city_report_docx);
and one cadre's 干部考评档案 (bench/suite.py bench_cadre_file), under "postgres" → "benchmarks" → "cadre_file".
Results into bench/results.json under "figures", with the machine and the load average at start and end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.figure_pages import (
    PERIOD,
    bench_annual_report,
    bench_cadre_file_once,
    bench_dashboard,
    bench_home,
    bench_pages,
    city_report_docx,
    registered,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
DB = os.environ.get("DANGJIAN_BENCH_FIGURES_DB", "dangjian_bench_figures")
DATA = Path(os.environ.get("DANGJIAN_BENCH_DIR", ROOT / "var")) / "bench-figures"
PARTS = ("evaluate_many", "figure_pages", "dashboard", "home", "cadre_file", "annual_report")
PERIOD_YEAR = int(PERIOD)
LEVELS = ("province", "city", "county")


# ---- the outer driver --------------------------------------------------------------------------------------

def run_scale(*, reuse: bool, runs: int, members: int, matters: int, meetings: int, attendees: int,
              generate_only: bool = False, parts: str = "") -> dict:
    """The child process on the figures database (made afresh unless ``reuse``); its result."""
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB}")
            (DATA / "generated.json").unlink(missing_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATABASE_URL=f"{base}/{DB}", DANGJIAN_DATA_DIR=str(DATA))
    env.pop("DANGJIAN_DEBUG", None)
    out = DATA / "result.json"
    out.unlink(missing_ok=True)
    print(f"== figures: {members} members, {matters} matters, {meetings} meetings ==", flush=True)
    subprocess.run([sys.executable, "-m", "bench.figures", "--inner", "--runs", str(runs), "--members", str(members),
                    "--matters", str(matters), "--meetings", str(meetings), "--attendees", str(attendees),
                    "--out", str(out), "--parts", parts, *(["--generate-only"] if generate_only else [])],
                   env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


def merge(results: dict, result: dict) -> None:
    """The figures under "figures" (the parts not measured this run keep their earlier results, with their own
    dates); the cadre file beside the foundation suite's PostgreSQL benchmarks."""
    cadre = result.pop("cadre_file", None)
    earlier = results.get("figures", {})
    summary = {**earlier.get("summary", {}), **result.pop("summary", {})}
    results["figures"] = {**earlier, **result, "summary": summary}
    if cadre is not None:
        postgres = results.setdefault("postgres", {})
        postgres.setdefault("benchmarks", {})["cadre_file"] = cadre
        postgres.setdefault("summary", {})["cadre_file_p95_ms"] = cadre["app"]["p95_ms"]


def goals_missed(result: dict) -> list[str]:
    missed = []
    for level, m in result.get("dashboard", {}).get("levels", {}).items():
        if not m["goal_met"]:
            missed.append(f"figures: dashboard {level} p95 {m['after_change']['p95_ms']} ms after a change")
    for key, m in result.get("figure_pages", {}).get("figures", {}).items():
        if "skipped" not in m and not m["goal_met"]:
            missed.append(f"figures: page {key} p95 {max(v['p95_ms'] for v in m['levels'].values())} ms "
                          f"or queries {m['queries']}")
    return missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="keep the database and the stages it already holds")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--members", type=int, default=2_000_000)
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--meetings", type=int, default=2_000_000)
    parser.add_argument("--attendees", type=int, default=3, help="attendance rows per meeting")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="the measurements to run, comma-separated (the others keep their earlier results)")
    parser.add_argument("--generate-only", action="store_true", help="fill the database, measure nothing")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        Path(args.out).write_text(json.dumps(inner(args), ensure_ascii=False, indent=2))
        return 0
    if not os.environ.get("DATABASE_URL"):
        parser.error("needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
    result = run_scale(reuse=args.reuse, runs=args.runs, members=args.members, matters=args.matters,
                       meetings=args.meetings, attendees=args.attendees, generate_only=args.generate_only,
                       parts=args.parts)
    if args.generate_only:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    missed = goals_missed(result)
    if not args.no_write:
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        merge(results, result)
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result.get("summary", {}), ensure_ascii=False, indent=2))
    if missed:
        print("goals missed: " + "; ".join(missed), flush=True)
    return 1 if missed else 0


# ---- inside the benchmark process: the data ----------------------------------------------------------------

def generate(args) -> dict:
    """The stages the database does not hold yet; every stage's seconds (this run's or an earlier one's)."""
    import datetime as dt
    import random

    from django.db import connection

    from bench import matters as matters_bench
    from bench import meetings as meetings_bench
    from dangjian.core.figure_cache import forget_values
    from dangjian.matters.models import Matter
    from dangjian.meetings.models import Meeting, MeetingKind
    from dangjian.orgs.gen import generate as generate_members
    from dangjian.orgs.models import Org, OrgKind, Person

    log_file = DATA / "generated.json"
    done = json.loads(log_file.read_text()) if log_file.exists() else {}

    def stage(name: str, present: bool, fn: Callable[[], dict]) -> None:
        if present:
            done.setdefault(name, {"seconds": None, "note": "已在库中（先前生成，用时未记录）"})
            return
        print(f"generating {name}", flush=True)
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        info = fn()
        done[name] = {**info, "seconds": round(time.perf_counter() - t0, 1), "load_1m_at_start": round(load, 2)}
        log_file.write_text(json.dumps(done, ensure_ascii=False, indent=2))

    def members() -> dict:
        gen = generate_members(args.members, seed=1, log=lambda s: print(s, flush=True))
        return {"members": gen.people, "orgs": gen.orgs, "branches": gen.branches}

    def people_of_branches() -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for pid, bid in Person.objects.filter(branch__isnull=False).order_by("id").values_list("id", "branch_id"):
            out.setdefault(bid, []).append(pid)
        return out

    def matters() -> dict:
        people = list(Person.objects.filter(is_active=True).values_list("id", "org_path"))
        leader_of: dict[str, int] = {}
        for pid, path in people:  # the first person of each county leads its matters
            leader_of.setdefault(path[:12], pid)
        org_ids = dict(Org.objects.values_list("path", "id"))
        matters_bench.load_matters(args.matters, people, leader_of, org_ids, random.Random(7))
        return {"matters": Matter.objects.count()}

    def meetings() -> dict:
        branches = list(Org.objects.filter(kind=OrgKind.BRANCH).order_by("path").values_list("id", "path", "depth"))
        years = (PERIOD_YEAR - 1, PERIOD_YEAR)
        planned = len(branches) * len(years) * meetings_bench.PLAN_PER_YEAR
        members_of = people_of_branches()
        counts = meetings_bench.write_meetings(
            branches, lambda _i, bid: members_of.get(bid, []), years, random.Random(5),
            kinds=dict(MeetingKind.objects.values_list("code", "id")), now=dt.datetime.now(dt.UTC),
            gap_share=max(0.0, 1 - args.meetings / planned), attendees=args.attendees)
        with connection.cursor() as cursor:
            for table in ("meetings_meeting", "meetings_attendance"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        return {**counts, "years": list(years), "attendees_per_meeting": args.attendees}

    stage("members", Org.objects.exists(), members)
    stage("matters", Matter.objects.exists(), matters)
    stage("meetings", Meeting.objects.exists(), meetings)
    forget_values()  # written in SQL, past the signals that drop the values kept
    return done



# ---- inside the benchmark process: the measurements --------------------------------------------------------

def floor_queries(path: str, period) -> dict[str, tuple[str, list]]:
    """One hand-written aggregate per table a figure may count, over the node's subtree and the period: what
    the database must do at least (no ORM, no scope machinery, no cache)."""
    import datetime as dt

    today = dt.date.today()
    like = path + "%"
    start, end = period.days
    return {
        "matters_matter": (
            "SELECT COUNT(*) FILTER (WHERE p), COUNT(*) FILTER (WHERE p AND status = 'closed'), "
            "COUNT(*) FILTER (WHERE p AND replied_on IS NOT NULL), "
            "COUNT(*) FILTER (WHERE p AND replied_on IS NOT NULL AND replied_on <= due_on), "
            "COUNT(*) FILTER (WHERE p AND satisfaction <> ''), "
            "COUNT(*) FILTER (WHERE p AND satisfaction IN ('satisfied', 'basic')), "
            "COUNT(*) FILTER (WHERE kind = 'assigned' AND submitted_on BETWEEN %s AND %s), "
            "COUNT(*) FILTER (WHERE status <> 'closed'), COUNT(*) FILTER (WHERE status <> 'closed' AND due_on < %s) "
            "FROM (SELECT *, kind IN ('npc', 'cppcc') AND received_on BETWEEN %s AND %s AS p FROM matters_matter "
            "WHERE org_path LIKE %s) m",
            [start, end, today, start, end, like]),
        "orgs_person": ("SELECT party_status, COUNT(*) FROM orgs_person WHERE is_active AND org_path LIKE %s "
                        "GROUP BY party_status", [like]),
        "meetings_meeting": ("SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'held') FROM meetings_meeting "
                             "WHERE org_path LIKE %s AND date BETWEEN %s AND %s", [like, start, end]),
        "meetings_attendance": ("SELECT COUNT(*), SUM(hours) FROM meetings_attendance WHERE year = %s "
                                "AND org_path LIKE %s", [start.year, like]),
    }


def floor_checks(row: tuple) -> dict[str, tuple]:
    """The matters figures the floor's aggregate also computes: (count, total) by key, to compare exactly."""
    proposals, closed, replied, on_time, answered, satisfied, replies, open_, overdue = row
    return {"matters.proposals.count": (proposals, None), "matters.proposals.completion_rate": (closed, proposals),
            "matters.proposals.on_time_rate": (on_time, replied),
            "matters.proposals.satisfaction_rate": (satisfied, answered), "matters.assigned.replies": (replies, None),
            "matters.open": (open_, None), "matters.overdue": (overdue, None)}


def bench_evaluate(nodes: dict, period, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.stats import pct
    from bench.suite import stats, timed
    from dangjian.core.figure_cache import forget_values
    from dangjian.core.figures import FigureScope, evaluate_many

    figs = registered()
    tables = sorted({f.model._meta.db_table for f in figs})
    out = {"figures": [f.key for f in figs], "tables_of_figures": tables, "levels": {}}
    for level, org in nodes.items():
        scope = FigureScope((org.path,), period)

        def cold(scope=scope):
            forget_values()  # the values' cache only: rules and sessions stay cached, as between requests
            return evaluate_many(figs, scope)

        cold_times, values = timed(cold, runs, warmup=1)
        warm_times, warm = timed(lambda scope=scope: evaluate_many(figs, scope), runs, warmup=1)
        with CaptureQueriesContext(connection) as ctx:
            cold()
        floors, floor_rows = {}, {}
        for table, (sql, params) in floor_queries(org.path, period).items():
            def run(sql=sql, params=params):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()
            times, floor_rows[table] = timed(run, max(5, runs // 2), warmup=1)
            floors[table] = stats(times)
        checked = {k: v for k, v in floor_checks(floor_rows["matters_matter"][0]).items() if k in values}
        exact = all((values[k].count, values[k].total) == v and (warm[k].count, warm[k].total) == v
                    for k, v in checked.items())
        floor_p95 = sum(floors[t]["p95_ms"] for t in tables if t in floors)
        out["levels"][level] = {
            "path": org.path, "name": org.name, "cold": stats(cold_times), "warm": stats(warm_times),
            "queries_cold": len(ctx.captured_queries), "floor_raw_sql": floors,
            "floor_p95_ms_tables_of_figures": round(floor_p95, 3),
            "ratio_cold_to_floor_p95": round(pct(cold_times, 95) / floor_p95, 3) if floor_p95 else None,
            "values": {k: v.display for k, v in values.items()}, "checked_against_floor": sorted(checked),
            "exact_equal": exact,
        }
    return out


def inner(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.suite import machine
    from dangjian.accounts.models import RoleAssignment, User
    from dangjian.core.figures import Period
    from dangjian.orgs.models import Org

    load_start = [round(x, 2) for x in os.getloadavg()]
    call_command("migrate", verbosity=0)
    generated = generate(args)
    counts = table_counts()
    if args.generate_only:
        return {"data": counts, "generate": generated}
    users = {level: User.objects.get(username=f"gen_{level}_admin") for level in LEVELS}
    nodes = {level: Org.objects.get(pk=RoleAssignment.objects.get(user=u).org_id) for level, u in users.items()}
    period = Period.parse(PERIOD)
    wanted = set(args.parts.split(","))
    measures = {"evaluate_many": lambda: bench_evaluate(nodes, period, args.runs),
                "figure_pages": lambda: bench_pages(nodes, users["province"], args.runs),
                "dashboard": lambda: bench_dashboard(nodes, users["province"], args.runs),
                "home": lambda: bench_home(nodes, users, args.runs),
                "cadre_file": lambda: bench_cadre_file_once(nodes, users, max(args.runs, 50)),
                "annual_report": lambda: bench_annual_report(lambda: city_report_docx(nodes["city"], users["city"]))}
    parts = {}
    for name in PARTS:
        if name not in wanted:
            continue
        before = os.getloadavg()[0]
        parts[name] = measures[name]()
        parts[name]["load_average_1m"] = {"before": round(before, 2), "after": round(os.getloadavg()[0], 2)}
        parts[name]["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        print(f"{name} done", flush=True)
    summary = {}
    if "evaluate_many" in parts:
        evaluate = parts["evaluate_many"]["levels"]
        summary.update({f"evaluate_many_cold_p95_ms_{lvl}": evaluate[lvl]["cold"]["p95_ms"] for lvl in LEVELS})
        summary.update({f"evaluate_many_warm_p95_ms_{lvl}": evaluate[lvl]["warm"]["p95_ms"] for lvl in LEVELS})
        summary.update({f"evaluate_many_floor_p95_ms_{lvl}": evaluate[lvl]["floor_p95_ms_tables_of_figures"]
                        for lvl in LEVELS})
        summary["all_exact"] = all(m["exact_equal"] for m in evaluate.values())
    if "figure_pages" in parts:
        pages = [m for m in parts["figure_pages"]["figures"].values() if "skipped" not in m]
        summary["figure_page_worst_p95_ms"] = max(v["p95_ms"] for m in pages for v in m["levels"].values())
        summary["figure_pages_query_count_constant"] = all(m["query_count_constant"] for m in pages)
    if "cadre_file" in parts:
        summary["cadre_file_p95_ms"] = parts["cadre_file"]["app"]["p95_ms"]
    if "annual_report" in parts:
        summary["annual_report_city_max_seconds"] = parts["annual_report"]["max_seconds"]
    for page in ("dashboard", "home"):
        for lvl, m in parts.get(page, {}).get("levels", {}).items():
            for state in ("after_change", "cold", "warm"):
                summary[f"{page}_{state}_p95_ms_{lvl}"] = m[state]["p95_ms"]
    return {"database": "postgresql", "data": counts, "generate": generated, "period": PERIOD,
            "nodes": {lvl: {"id": o.pk, "path": o.path, "name": o.name} for lvl, o in nodes.items()},
            "machine": machine(), "load_average_at_start": load_start,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()], "summary": summary, **parts}


def table_counts() -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in ("orgs_org", "orgs_person", "matters_matter", "meetings_meeting", "meetings_attendance"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            out[table] = cursor.fetchone()[0]
    return out


if __name__ == "__main__":
    sys.exit(main())
