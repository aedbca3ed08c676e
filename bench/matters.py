"""Benchmarks of 事项督办 at province scale; results into bench/results.json under "matters".

    python -m bench.matters [--scale sqlite|postgres|both] [--matters N] [--runs 40]

`make bench` (bench.run) runs it too, after the foundation benchmarks, for the same scales; `make
bench-matters` runs it alone.

Standalone (the shared `dangjian gen` had not landed when this was written): each scale runs in its
own process on a database made afresh — PostgreSQL ``dangjian_bench_matters`` on the server of
DATABASE_URL (1,000,000 matters by default), SQLite in var/bench-matters/ (100,000) — with its own
province tree (1 province, 14 cities, 12 counties each, 40 units each), 20,000 owners and the
matters bulk-loaded (COPY on PostgreSQL). Every figure is reported beside the raw-SQL floor
measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.stats import pct

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
DEFAULT = {"postgres": 1_000_000, "sqlite": 100_000}
DB = os.environ.get("DANGJIAN_BENCH_MATTERS_DB", "dangjian_bench_matters")  # dropped and made afresh
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


# ---- the outer driver --------------------------------------------------------------------------------

def run_scale(scale: str, matters: int, runs: int) -> dict:
    env = dict(os.environ)
    data = Path(os.environ.get("DANGJIAN_BENCH_DIR", ROOT / "var")) / "bench-matters"
    data.mkdir(parents=True, exist_ok=True)
    env["DANGJIAN_DATA_DIR"] = str(data)
    env["DANGJIAN_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    if scale == "sqlite":
        env.pop("DATABASE_URL", None)
        db = data / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env["DANGJIAN_SQLITE_PATH"] = str(db)
    else:
        import psycopg

        base = os.environ["DATABASE_URL"]
        admin = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB}")
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + DB
    out = data / f"result-{scale}.json"
    out.unlink(missing_ok=True)
    print(f"== matters, {scale}: {matters} ==", flush=True)
    # The machine may be shared (other sessions' tests and benchmarks): say how busy it was.
    load_before = [round(x, 2) for x in os.getloadavg()]
    subprocess.run([sys.executable, "-m", "bench.matters", "--inner", "--matters", str(matters), "--runs", str(runs),
                    "--out", str(out)], env=env, cwd=ROOT, check=True)
    result = json.loads(out.read_text())
    result["load_average_at_start"] = load_before
    # requests/s of the list against /healthz, on gunicorn over the same database
    served = data / f"throughput-{scale}.json"
    subprocess.run([sys.executable, "-m", "bench.throughput", "--user", "city_leader", "--page", "list=/matters/?open=1",
                    "--out", str(served)], env=env, cwd=ROOT, check=True)
    result["throughput"] = json.loads(served.read_text())
    # The weekly run in a process of its own, so that its peak memory is its own.
    weekly = data / f"weekly-{scale}.json"
    subprocess.run([sys.executable, "-m", "bench.matters", "--weekly", "--out", str(weekly)], env=env, cwd=ROOT,
                   check=True)
    result["weekly_supervision"] = json.loads(weekly.read_text())
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["cores"] = os.cpu_count()
    return result


def goals_missed(scale: str, result: dict) -> list[str]:
    """The issue's goals this scale's figures miss (bench.run reports them with the foundation's)."""
    missed = []
    lst, weekly, figs = result["list_city"], result["weekly_supervision"], result["yearly_proposal_figures"]
    if lst["p95_ms"] > lst["goal_ms"]:
        missed.append(f"matters {scale}: list_city p95 {lst['p95_ms']} ms > {lst['goal_ms']} ms")
    if not lst["constant_query_count"]:
        missed.append(f"matters {scale}: list_city query count varies {lst['queries_per_page']}")
    if weekly["seconds"] > weekly["goal_seconds"] or weekly["peak_rss_mb"] > weekly["goal_peak_mb"]:
        missed.append(f"matters {scale}: weekly run {weekly['seconds']} s / {weekly['peak_rss_mb']} MB")
    if figs["p50_ms"] > figs["goal_ms"]:
        missed.append(f"matters {scale}: yearly figures p50 {figs['p50_ms']} ms > {figs['goal_ms']} ms")
    if "throughput" in result and not result["throughput"]["goal_met"]:
        missed.append(f"matters {scale}: list throughput {result['throughput']['ratio_to_bare']} of /healthz")
    conc = result["concurrent_transitions"]
    if conc["different_matters"]["not_applied"] or conc["same_matter"]["final_version_increase"] != 1 or any(
            k.startswith(("lock_error", "db_error", "error")) for part in ("different_matters", "same_matter")
            for k in conc[part]["outcomes"]):
        missed.append(f"matters {scale}: concurrent transitions {conc}")
    return missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--matters", type=int, default=None)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--weekly", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if args.inner:
        Path(args.out).write_text(json.dumps(inner(args.matters, args.runs), ensure_ascii=False, indent=2))
        return 0
    if args.weekly:
        Path(args.out).write_text(json.dumps(weekly_run(), ensure_ascii=False, indent=2))
        return 0
    scales = ["sqlite", "postgres"] if args.scale == "both" else [args.scale]
    if "postgres" in scales and not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL not set: skipping the postgres scale", flush=True)
        scales.remove("postgres")
    results = {s: run_scale(s, args.matters or DEFAULT[s], args.runs) for s in scales}
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if not args.no_write:
        existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        existing.setdefault("matters", {}).update(results)
        RESULTS.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n")
    return 0


# ---- inside the benchmark process ---------------------------------------------------------------------

def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


def _ms(seconds):
    return round(seconds * 1000, 2)


def generate(n_matters: int, seed: int = 7, owners: int = 20_000) -> dict:
    """The province tree, owners with accounts, and the matters; returns what the benchmarks need."""
    import datetime as dt

    from django.utils import timezone

    from dangjian.accounts.models import RoleAssignment, User
    from dangjian.accounts.roles import Role
    from dangjian.orgs.models import Org, Person

    rng = random.Random(seed)
    now = timezone.now()
    orgs = [Org(path=_step(1), depth=1, numchild=14, name="某省", kind="committee", code="P", order=0)]
    units = []
    for c in range(1, 15):
        cpath = _step(1) + _step(c)
        orgs.append(Org(path=cpath, depth=2, numchild=12, name=f"第{c}市", kind="committee", code=f"P-{c}", order=c))
        for k in range(1, 13):
            kpath = cpath + _step(k)
            orgs.append(Org(path=kpath, depth=3, numchild=40, name=f"第{c}市第{k}县", kind="committee",
                            code=f"P-{c}-{k}", order=k))
            for u in range(1, 41):
                upath = kpath + _step(u)
                orgs.append(Org(path=upath, depth=4, numchild=0, name=f"第{c}市第{k}县单位{u}", kind="section",
                                code=f"P-{c}-{k}-{u}", order=u))
                units.append(upath)
    Org.objects.bulk_create(orgs, batch_size=2000)
    org_ids = dict(Org.objects.values_list("path", "id"))
    users = [User(username=f"u{i:06d}", full_name=f"责任人{i}", password="!", is_active=True) for i in range(owners)]
    User.objects.bulk_create(users, batch_size=5000)
    user_ids = list(User.objects.filter(username__startswith="u").order_by("id").values_list("id", flat=True))
    people = []
    for i, uid in enumerate(user_ids):
        path = units[i % len(units)]
        people.append(Person(name=f"责任人{i}", gender="M", birth_date=dt.date(1980, 1, 1),
                             id_number=f"BENCH{i:013d}", org_id=org_ids[path], org_path=path, user_id=uid,
                             created_at=now, updated_at=now))
        people[-1].fill_derived()  # the blind indexes, as the app's bulk paths fill them
    Person.objects.bulk_create(people, batch_size=5000)
    person_rows = list(Person.objects.values_list("id", "org_path"))
    by_county: dict[str, list[int]] = {}
    for pid, path in person_rows:
        by_county.setdefault(path[:12], []).append(pid)
    # Leaders: the first person of each county leads its matters.
    leader_of = {county: ids[0] for county, ids in by_county.items()}
    start = time.perf_counter()
    load_matters(n_matters, person_rows, leader_of, dict(org_ids), rng)
    load_seconds = time.perf_counter() - start
    city = Org.objects.get(code="P-7")
    root = Org.objects.get(code="P")
    city_user = User.objects.create(username="city_leader", full_name="市级领导")
    RoleAssignment.objects.create(user=city_user, role=Role.LEADER, org=city, include_subtree=True)
    admin = User.objects.create(username="province_admin", full_name="省级党务")
    RoleAssignment.objects.create(user=admin, role=Role.PARTY_ADMIN, org=root, include_subtree=True)
    return {"orgs": len(orgs), "people": len(person_rows), "matters": n_matters, "load_seconds": round(load_seconds, 1),
            "city_path": city.path}


MATTER_COLUMNS = ["kind", "title", "content", "source", "number", "category", "batch", "level", "handling_class",
                  "status", "responsible_leader_id", "owner_id", "received_on", "assigned_on", "due_on",
                  "due_provisional", "due_basis", "due_rule_version", "proposer", "reply_text", "replied_on",
                  "satisfaction", "completion_statement", "evidence", "submitted_on", "closed_on", "filing_number",
                  "org_id", "org_path", "version", "created_at", "updated_at", "handoff_late"]


def load_matters(n_matters: int, person_rows: list[tuple[int, str]], leader_of: dict[str, int],
                 org_ids: dict[str, int], rng: random.Random) -> None:
    """``n_matters`` matters bulk-loaded (COPY on PostgreSQL) into an existing tree: each owned by a random
    person of ``person_rows`` (id, org path) at that person's org, led by ``leader_of[county path]``; received
    over the last two years, in a mix of kinds and states."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from dangjian.matters.models import Matter

    now = timezone.now()
    today = dt.date.today()
    kinds = ["rectify"] * 5 + ["assigned"] * 3 + ["npc", "cppcc"]
    statuses = ["closed"] * 4 + ["in_progress"] * 3 + ["assigned", "pending", "registered"]

    def rows():
        for i in range(n_matters):
            pid, path = person_rows[rng.randrange(len(person_rows))]
            kind, status = rng.choice(kinds), rng.choice(statuses)
            received = today - dt.timedelta(days=rng.randrange(730))
            due = received + dt.timedelta(days=rng.randrange(14, 100))
            closed = min(today, received + dt.timedelta(days=rng.randrange(5, 120))) if status == "closed" else None
            proposal = kind in ("npc", "cppcc")
            replied = closed if proposal and closed else None
            yield [kind, f"事项{i}", "", "", str(i), "", "", "", "", status, leader_of[path[:12]], pid, received,
                   received if status != "registered" else None, due, False, "manual", 0,
                   "代表" if proposal else "", "答复" if replied else "", replied,
                   rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"]) if replied else "",
                   "完成" if closed else "", "材料" if closed else "", closed, closed,
                   f"备案{i}" if closed else "", org_ids[path], path, 1, now, now, False]

    table = Matter._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(MATTER_COLUMNS)}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
            # As autovacuum does after a bulk insert: the visibility map is what lets the list's COUNT be an
            # index-only scan (matter_scope_cover); right after COPY every row would need a heap visit.
            if not connection.in_atomic_block:
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            sql = f"INSERT INTO {table} ({', '.join(MATTER_COLUMNS)}) VALUES ({', '.join(['%s'] * len(MATTER_COLUMNS))})"
            batch = []
            for row in rows():
                batch.append(row)
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    batch = []
            cursor.executemany(sql, batch)
            cursor.execute("ANALYZE")


def bench_list(runs: int, city_path: str) -> dict:
    """The filtered, paged list for a city: the real page through the test client, p95, query count."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="city_leader"))
    session = client.session
    session["login_at"] = time.time()  # as a real log-in does (accounts.middleware checks the lifetime)
    session.save()
    filters = ["?open=1", "?kind=rectify&open=1", "?due=overdue", "?status=in_progress&page=3", "?kind=npc&year=2026",
               "?due=warning", "?page=20", "?q=事项1"]
    timings, counts = [], set()
    for url in filters:  # warm: templates, and each rule read once into the cache
        client.get("/matters/" + url)
    for i in range(runs):
        url = "/matters/" + filters[i % len(filters)]
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
        counts.add(len(ctx.captured_queries))
    # The raw-SQL floor: the same COUNT and page SELECT on the city's path prefix, nothing else.
    from dangjian.matters.models import Matter

    table = Matter._meta.db_table
    floor = []
    with connection.cursor() as cursor:
        for i in range(runs):
            t = time.perf_counter()
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE org_path LIKE %s AND status <> 'closed'",
                           [city_path + "%"])
            cursor.fetchall()
            cursor.execute(f"SELECT id, title, kind, status, due_on, org_id, owner_id FROM {table} "
                           f"WHERE org_path LIKE %s AND status <> 'closed' ORDER BY id DESC LIMIT 50 OFFSET %s",
                           [city_path + "%", (i % 5) * 50])
            cursor.fetchall()
            floor.append(time.perf_counter() - t)
    return {"goal_ms": 150, "p50_ms": _ms(pct(timings, 50)), "p95_ms": _ms(pct(timings, 95)),
            "queries_per_page": sorted(counts), "constant_query_count": len(counts) == 1,
            "raw_sql_floor_p95_ms": _ms(pct(floor, 95)), "runs": runs}


def bench_figures(runs: int) -> dict:
    import datetime as dt

    from django.db import connection

    from dangjian.accounts.models import User
    from dangjian.matters import figures
    from dangjian.matters.models import Matter

    user = User.objects.get(username="province_admin")
    year = dt.date.today().year
    timings = []
    for _ in range(max(5, runs // 4)):
        t = time.perf_counter()
        values = [(f.key, f.value) for f in figures.year_figures(Matter.objects.visible_to(user), year)]
        timings.append(time.perf_counter() - t)
    table = Matter._meta.db_table
    floor = []
    for _ in range(max(5, runs // 4)):
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN status='closed' THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN replied_on IS NOT NULL THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN replied_on <= due_on THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN satisfaction <> '' THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN satisfaction IN ('satisfied','basic') THEN 1 ELSE 0 END) "
                f"FROM {table} WHERE kind IN ('npc','cppcc') AND received_on >= %s AND received_on <= %s",
                [dt.date(year, 1, 1), dt.date(year, 12, 31)])
            cursor.fetchall()
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE kind='assigned' AND submitted_on >= %s "
                           f"AND submitted_on <= %s", [dt.date(year, 1, 1), dt.date(year, 12, 31)])
            cursor.fetchall()
        floor.append(time.perf_counter() - t)
    return {"goal_ms": 1000, "p50_ms": _ms(pct(timings, 50)), "max_ms": _ms(max(timings)),
            "raw_sql_floor_p50_ms": _ms(pct(floor, 50)), "figures": dict(values)}


def bench_concurrency() -> dict:
    """200 transitions on different matters and 20 on the same one, each in its own thread and connection."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import OperationalError, connection, connections

    from dangjian.accounts.models import User
    from dangjian.core.audit import ConflictError
    from dangjian.matters import services
    from dangjian.matters.models import Matter

    actor = User.objects.get(username="province_admin")
    assigned = list(Matter.objects.filter(status="assigned").order_by("id").values_list("id", "version")[:221])
    different, same = assigned[:200], assigned[200]
    # 200 threads at once, but never more connections than the server takes: a shared server with the default
    # max_connections = 100 refused 86 of 200 connections outright (app servers hold a bounded pool anyway).
    slots_n = 200
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            max_conn = int(cursor.fetchone()[0])
            cursor.execute("SELECT count(*) FROM pg_stat_activity")
            slots_n = max(10, min(200, max_conn - int(cursor.fetchone()[0]) - 10))
    slots = threading.BoundedSemaphore(slots_n)

    def attempt(pk, version, outcome, lock):
        try:
            with slots:
                try:
                    services.do_transition(pk, "start", actor=actor, expected_version=version)
                finally:
                    connections.close_all()
            key = "ok"
        except ConflictError:
            key = "conflict"
        except (ValidationError, PermissionDenied):
            key = "refused"
        except OperationalError as exc:
            text = str(exc)
            kind = "lock_error" if ("lock" in text or "deadlock" in text) else "db_error"
            key = f"{kind}: {text}"[:80]
        except Exception as exc:  # noqa: BLE001  (counted: an unexpected error is a finding)
            key = f"error: {type(exc).__name__}: {exc}"[:120]
        with lock:
            outcome[key] = outcome.get(key, 0) + 1

    def run(targets):
        outcome, lock = {}, threading.Lock()
        threads = [threading.Thread(target=attempt, args=(pk, v, outcome, lock)) for pk, v in targets]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return outcome, time.perf_counter() - t

    diff_outcome, diff_s = run(different)
    same_outcome, same_s = run([same] * 20)
    lost = Matter.objects.filter(pk__in=[pk for pk, _ in different]).exclude(status="in_progress").count()
    same_row = Matter.objects.get(pk=same[0])
    # The raw-SQL floor: the same 200 optimistic updates, one thread each, nothing around them.
    table = Matter._meta.db_table
    floor_targets = list(Matter.objects.filter(status="assigned").order_by("id").values_list("id", "version")[:200])

    def raw(pk, version):
        from django.db import transaction

        with slots:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {table} SET status='in_progress', version=version+1 WHERE id=%s "
                                   f"AND version=%s", [pk, version])
            finally:
                connections.close_all()

    threads = [threading.Thread(target=raw, args=t) for t in floor_targets]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    floor_s = time.perf_counter() - t
    return {"different_matters": {"threads": 200, "outcomes": diff_outcome, "seconds": round(diff_s, 2),
                                  "not_applied": lost},
            "same_matter": {"threads": 20, "outcomes": same_outcome, "seconds": round(same_s, 2),
                            "final_version_increase": same_row.version - same[1]},
            "raw_sql_floor_200_seconds": round(floor_s, 2), "connections_at_once_max": slots_n}


def inner(n_matters: int, runs: int) -> dict:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    data = generate(n_matters)
    return {"database": connection.vendor, "data": data, "list_city": bench_list(runs, data["city_path"]),
            "yearly_proposal_figures": bench_figures(runs), "concurrent_transitions": bench_concurrency()}


def weekly_run() -> dict:
    _setup()
    import datetime as dt

    from django.db import transaction

    from dangjian.core.models import Notification
    from dangjian.matters.models import Matter, SupervisionLines, SupervisionSheet
    from dangjian.matters.supervision import copy_lines, issue_weekly_sheet

    SupervisionSheet.objects.filter(period="week", end=dt.date.today()).delete()  # a re-run measures afresh
    open_count = Matter.objects.exclude(status="closed").count()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    sheet = issue_weekly_sheet(dt.date.today(), notify_people=True)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = sum(SupervisionLines.objects.filter(sheet=sheet).values_list("count", flat=True))
    notes = Notification.objects.filter(category="matter.supervision",
                                        link__startswith=f"/matters/supervision/{sheet.pk}/").count()
    # The floor: the one statement that copies the open matters into the sheet's rows, rolled back.
    with transaction.atomic():
        floor_sheet = SupervisionSheet.objects.create(period="week", start=dt.date(1999, 12, 25), end=dt.date(2000, 1, 1))
        t = time.perf_counter()
        copy_lines(floor_sheet, dt.date.today())
        floor = time.perf_counter() - t
        transaction.set_rollback(True)
    return {"goal_seconds": 60, "goal_peak_mb": 500, "seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1),
            "rss_before_mb": round(rss_before, 1), "open_matters": open_count, "lines": lines,
            "notifications": notes, "raw_sql_floor_seconds": round(floor, 2)}


if __name__ == "__main__":
    sys.exit(main())
