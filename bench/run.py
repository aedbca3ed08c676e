"""`python -m bench.run` (make bench): province-scale benchmarks, results in bench/results.json.

Two scales, each in its own process with a database made afresh for the run:
  sqlite    100,000 members (~5,500 orgs) in var/bench/bench.sqlite3 (never the dev database)
  postgres  2,000,000 members (~110,000 orgs) in the database ``dangjian_bench`` on the server of
            DATABASE_URL (dropped and created again; needs DATABASE_URL)

Then the 事项督办 benchmarks (bench/matters.py: 100,000 matters on SQLite, 1,000,000 on PostgreSQL, each
scale on its own fresh database) for the same scales, written under the ``matters`` key; the other keys
are kept. ``--skip-matters`` (or DANGJIAN_BENCH_SKIP_MATTERS=1) leaves them out, ``--only-matters`` runs
only them (what `make bench-matters` does through bench.matters itself).

    python -m bench.run [--scale sqlite|postgres|both] [--members N] [--runs 50] [--no-write]
                        [--skip-matters | --only-matters] [--matters N] [--matters-runs 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
DEFAULT_MEMBERS = {"sqlite": 100_000, "postgres": 2_000_000}
BENCH_DB = "dangjian_bench"


def _postgres_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + BENCH_DB))


def _fresh_postgres(url: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def run_scale(scale: str, members: int, runs: int, seed: int) -> dict:
    env = dict(os.environ)
    data_dir = ROOT / "var" / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    env["DANGJIAN_DATA_DIR"] = str(data_dir)
    env.pop("DANGJIAN_DEBUG", None)
    if scale == "sqlite":
        env.pop("DATABASE_URL", None)
        db = data_dir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env["DANGJIAN_SQLITE_PATH"] = str(db)
    else:
        url = _postgres_url(os.environ["DATABASE_URL"])
        _fresh_postgres(url)
        env["DATABASE_URL"] = url
    out = data_dir / f"result-{scale}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.suite", "--members", str(members), "--runs", str(runs),
           "--seed", str(seed), "--out", str(out)]
    print(f"== {scale}: {members} members ==", flush=True)
    subprocess.run(cmd, env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, default=None, help="override the scale's default member count")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="do not update bench/results.json")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--skip-matters", action="store_true",
                       default=os.environ.get("DANGJIAN_BENCH_SKIP_MATTERS", "") not in ("", "0"),
                       help="leave out the 事项督办 benchmarks (also DANGJIAN_BENCH_SKIP_MATTERS=1)")
    which.add_argument("--only-matters", action="store_true", help="run only the 事项督办 benchmarks")
    parser.add_argument("--matters", type=int, default=None, help="override the matters count of each scale")
    parser.add_argument("--matters-runs", type=int, default=40)
    args = parser.parse_args(argv)
    scales = ["sqlite", "postgres"] if args.scale == "both" else [args.scale]
    if "postgres" in scales and not os.environ.get("DATABASE_URL"):
        if args.scale == "postgres":
            parser.error("the postgres scale needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
        print("DATABASE_URL not set: skipping the postgres scale", flush=True)
        scales.remove("postgres")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    missed = []
    for scale in ([] if args.only_matters else scales):
        result = run_scale(scale, args.members or DEFAULT_MEMBERS[scale], args.runs, args.seed)
        results[scale] = result
        missed += [f"{scale}: {name}" for name, m in result["benchmarks"].items() if not m.get("goal_met", True)]
        if not args.no_write:
            RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    if not args.only_matters:
        print(json.dumps({s: results[s]["summary"] for s in scales}, ensure_ascii=False, indent=2))
    if not args.skip_matters:
        from bench import matters

        for scale in scales:
            result = matters.run_scale(scale, args.matters or matters.DEFAULT[scale], args.matters_runs)
            results.setdefault("matters", {})[scale] = result  # the note and the other scale stay
            missed += matters.goals_missed(scale, result)
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps({s: {k: results["matters"][s][k] for k in ("list_city", "weekly_supervision")}
                          for s in scales}, ensure_ascii=False, indent=2))
    if missed:
        print("goals missed: " + "; ".join(missed), flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
