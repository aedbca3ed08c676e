"""The weekly 督办单's storage per year at province scale; results into bench/results.json under "weekly_sheets".

    python -m bench.weekly [--scale sqlite|postgres|both] [--matters N]

Each scale on a database made afresh (SQLite: var/bench-weekly/; PostgreSQL: ``dangjian_bench_weekly`` on the
server of DATABASE_URL): bench/matters.py's province tree with N matters (60 % of them open) and owners in the
proportion of its province data (1,000,000 matters, 20,000 owners: 30 open matters per 责任人), then 52 weekly
sheets issued through the application (``issue_weekly_sheet``). The table's real size is read from the
database (SQLite ``dbstat``, PostgreSQL ``pg_total_relation_size``, table + indexes + TOAST), beside the
same 52 weeks in the former layout (one row per line, built in a scratch table with its columns and
indexes), and scaled to the province: 600,000 open matters, i.e. about 31 million lines a year.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench import run_inner_on_fresh_database

RESULTS = Path(__file__).resolve().parent / "results.json"
DEFAULT = {"sqlite": 50_000, "postgres": 100_000}
DB = "dangjian_bench_weekly"
WEEKS = 52
PROVINCE_OPEN = 600_000
PROVINCE_MATTERS, PROVINCE_OWNERS = 1_000_000, 20_000

# The former layout (one row per line), for comparison: the columns and indexes of matters 0001–0004.
OLD_TABLE = "bench_supervision_item"
OLD_DDL = {
    "sqlite": [f"CREATE TABLE {OLD_TABLE} (id integer PRIMARY KEY AUTOINCREMENT, version integer NOT NULL, "
               "created_at datetime NOT NULL, updated_at datetime NOT NULL, org_path varchar(255) NOT NULL, "
               "status varchar(12) NOT NULL, due_on date NULL, overdue bool NOT NULL, handoff_late bool NOT NULL, "
               "leader_id bigint NULL, matter_id bigint NOT NULL, org_id bigint NOT NULL, owner_id bigint NULL, "
               "sheet_id bigint NOT NULL)",
               f"CREATE INDEX bench_item_scope ON {OLD_TABLE} (sheet_id, org_path)",
               f"CREATE INDEX bench_item_matter ON {OLD_TABLE} (matter_id)"],
    "postgresql": [f"CREATE TABLE {OLD_TABLE} (id bigserial PRIMARY KEY, version integer NOT NULL, "
                   "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, org_path varchar(255) NOT NULL, "
                   "status varchar(12) NOT NULL, due_on date NULL, overdue boolean NOT NULL, "
                   "handoff_late boolean NOT NULL, leader_id bigint NULL, matter_id bigint NOT NULL, "
                   "org_id bigint NOT NULL, owner_id bigint NULL, sheet_id bigint NOT NULL)",
                   f"CREATE INDEX bench_item_scope ON {OLD_TABLE} (sheet_id, org_path varchar_pattern_ops)",
                   f"CREATE INDEX bench_item_matter ON {OLD_TABLE} (matter_id)"],
}


def run_scale(scale: str, matters: int | None = None) -> dict:
    matters = matters or DEFAULT[scale]
    return run_inner_on_fresh_database("bench.weekly", scale, folder="bench-weekly", db_name=DB,
                                       args=["--matters", str(matters)],
                                       title=f"weekly sheets: {matters} matters × {WEEKS} weeks")


def _bytes(cursor, vendor: str, table: str) -> int:
    if vendor == "sqlite":
        cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                       "(SELECT name FROM sqlite_master WHERE tbl_name = %s)", [table])
    else:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
    return int(cursor.fetchone()[0] or 0)


def inner(n_matters: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    from bench.matters import generate
    from dangjian.matters.models import Matter, SupervisionLines, SupervisionSheet
    from dangjian.matters.states import OPEN_STATUSES
    from dangjian.matters.supervision import issue_weekly_sheet

    call_command("migrate", verbosity=0)
    owners = max(50, round(n_matters * PROVINCE_OWNERS / PROVINCE_MATTERS))
    generate(n_matters, owners=owners)
    vendor, table = connection.vendor, SupervisionLines._meta.db_table
    n_open = Matter.objects.filter(status__in=OPEN_STATUSES).count()
    today = dt.date.today()
    seconds = []
    with connection.cursor() as cursor:
        for ddl in OLD_DDL[vendor]:
            cursor.execute(ddl)
        for week in range(WEEKS):
            day = today - dt.timedelta(days=7 * (WEEKS - 1 - week))
            t = time.perf_counter()
            sheet = issue_weekly_sheet(day, notify_people=False)
            seconds.append(time.perf_counter() - t)
            cursor.execute(
                f"INSERT INTO {OLD_TABLE} (sheet_id, matter_id, org_id, org_path, owner_id, leader_id, status, "
                f"due_on, overdue, handoff_late, version, created_at, updated_at) SELECT %s, id, org_id, org_path, "
                f"owner_id, responsible_leader_id, status, due_on, (due_on IS NOT NULL AND due_on < %s), "
                f"handoff_late, 1, created_at, updated_at FROM {Matter._meta.db_table} WHERE status <> 'closed'",
                [sheet.pk, day])
        rows = SupervisionLines.objects.count()
        lines = sum(SupervisionLines.objects.values_list("count", flat=True))
        new_bytes, old_bytes = _bytes(cursor, vendor, table), _bytes(cursor, vendor, OLD_TABLE)
        cursor.execute(f"SELECT COUNT(*) FROM {OLD_TABLE}")
        old_rows = cursor.fetchone()[0]
    scale = PROVINCE_OPEN / n_open
    return {
        "database": vendor, "matters": n_matters, "open_matters": n_open, "owners": owners, "weeks": WEEKS,
        "sheets": SupervisionSheet.objects.filter(period="week").count(), "lines": lines,
        "issue_seconds_median": round(sorted(seconds)[len(seconds) // 2], 3),
        "measured": {"rows": rows, "bytes": new_bytes, "bytes_per_line": round(new_bytes / lines, 1)},
        "former_layout_measured": {"rows": old_rows, "bytes": old_bytes, "bytes_per_line": round(old_bytes / old_rows, 1)},
        "province_per_year": {
            "open_matters": PROVINCE_OPEN, "open_matters_per_owner": round(PROVINCE_OPEN / PROVINCE_OWNERS),
            "lines": PROVINCE_OPEN * WEEKS, "rows": round(rows * scale), "bytes": round(new_bytes * scale),
            "gib": round(new_bytes * scale / 2**30, 2),
            "former_layout": {"rows": PROVINCE_OPEN * WEEKS, "bytes": round(old_bytes * scale),
                              "gib": round(old_bytes * scale / 2**30, 2)}},
        "note": "rows and bytes measured on this database for the open matters above × 52 weeks, scaled "
                "linearly to 600,000 open matters (one line each a week) with 30 open matters per 责任人",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--matters", type=int, default=None)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        Path(args.out).write_text(json.dumps(inner(args.matters), ensure_ascii=False, indent=2))
        return 0
    scales = ["sqlite", "postgres"] if args.scale == "both" else [args.scale]
    if "postgres" in scales and not os.environ.get("DATABASE_URL"):
        scales.remove("postgres")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for scale in scales:
        results.setdefault("weekly_sheets", {})[scale] = run_scale(scale, args.matters)
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results["weekly_sheets"], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
