"""`python -m bench.run` (make bench): province-scale benchmarks, results in bench/results.json.

Two scales, each in its own process with a database made afresh for the run:
  sqlite    100,000 members (~5,500 orgs) in var/bench/bench.sqlite3 (never the dev database)
  postgres  2,000,000 members (~110,000 orgs) in the database ``dangjian_bench`` on the server of
            DATABASE_URL (dropped and created again; needs DATABASE_URL)

Then, per scale, the 会议学习 benchmarks (bench/meetings.py: 三会一课 gap report, study hours) on a
database of their own (SQLite: a temporary file; PostgreSQL: ``dangjian_bench_meetings``), merged
into results.json under "meetings" → "sqlite" / "postgresql". Their size is chosen with --meetings or
the BENCH_MEETINGS environment variable:
  auto      small on SQLite (300 branches, ~38,000 meetings), issue on PostgreSQL (the default)
  small | reduced | issue   that preset on both (see bench/meetings.py; issue = 10,000 branches × 3
            years, ~2 million meetings and ~20 million attendance rows)
  none      skip them

Then the 事项督办 benchmarks (bench/matters.py: 100,000 matters on SQLite, 1,000,000 on PostgreSQL, each
scale on its own fresh database), written under the ``matters`` key; the other keys are kept.
``--skip-matters`` (or DANGJIAN_BENCH_SKIP_MATTERS=1) leaves them out.

Then 群众监督's duplicate detection (bench/petitions_dedupe.py): its quality on the labelled development set,
and find_duplicates among 1,000,000 petitions per scale, under the ``petitions_dedupe`` key (``--only dedupe``
alone; ``--skip-dedupe`` or DANGJIAN_BENCH_SKIP_DEDUPE=1 leaves it out).

Then the weekly 督办单's storage (bench/weekly.py): rows and bytes of 52 weekly sheets, measured on the
database and scaled to the province, under the ``weekly_sheets`` key (``--only weekly`` alone).

Then 历史诉求导入 (bench/petition_import.py): 100,000 rows imported through the application, under the
``petition_import`` key (``--only petition_import`` alone).
And the category suggestion of 群众监督 (bench/petitions_classify.py: macro-F1 beside the reference, retraining
on 100,000 petitions, suggestion latency), under ``petitions_classify`` (``--only classify`` alone).

    python -m bench.run [--scale sqlite|postgres|both] [--members N] [--runs 50] [--no-write]
                        [--only suite|meetings|matters|weekly|petition_import|classify|dedupe|evaluations|figures]
                        [--meetings auto|small|reduced|issue|none] [--reuse-figures]
                        [--skip-matters] [--matters N] [--matters-runs 40]

And on PostgreSQL, 考评's pre-fill of a round for one city's 10,000 cadres (bench/evaluations.py, ≤ 30 s),
under the ``evaluations`` key (``--only evaluations`` alone).

And on PostgreSQL, the figure registry (bench/figures.py, issue 15): evaluate_many of every registered figure,
each figure's record list, the dashboard (by URL, when it exists) for a province, a city and a county node, on
one database of 2,000,000 members, 1,000,000 matters and 2,000,000 meetings (``dangjian_bench_figures``), under
the ``figures`` key; and one cadre's 干部考评档案 on it, under ``postgres`` → ``benchmarks`` → ``cadre_file``
(``--only figures`` alone; ``--reuse-figures`` measures the data an earlier run generated).
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
# Several runs may share a machine and a database server: each may name its own (the defaults otherwise).
BENCH_DB = os.environ.get("DANGJIAN_BENCH_DB", "dangjian_bench")
BENCH_DIR = Path(os.environ.get("DANGJIAN_BENCH_DIR", ROOT / "var"))


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
    data_dir = BENCH_DIR / "bench"
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
    result = json.loads(out.read_text())
    # requests/s of the roster against /healthz, on gunicorn over the same database
    served = data_dir / f"throughput-{scale}.json"
    subprocess.run([sys.executable, "-m", "bench.throughput", "--user", "gen_city_admin",
                    "--page", "roster=/people/?party_status=full&page=3", "--reference", "login_page=/accounts/login/",
                    "--out", str(served)], env=env, cwd=ROOT, check=True)
    result["benchmarks"]["throughput"] = json.loads(served.read_text())
    result["summary"]["roster_throughput_ratio"] = result["benchmarks"]["throughput"]["ratio_to_bare"]["roster"]
    return result


MEETINGS_DB = os.environ.get("DANGJIAN_BENCH_MEETINGS_DB", "dangjian_bench_meetings")


def run_meetings(scale: str, preset: str) -> dict:
    """bench/meetings.py in its own process; its result (not yet merged into results.json)."""
    env = dict(os.environ)
    env.pop("DANGJIAN_DEBUG", None)
    env.pop("DANGJIAN_SQLITE_PATH", None)
    data_dir = BENCH_DIR / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    out = data_dir / f"meetings-{scale}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.meetings", "--scale", preset, "--out", str(out)]
    if scale == "sqlite":
        cmd.append("--sqlite")
    else:
        from urllib.parse import urlsplit, urlunsplit

        env["BENCH_DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + MEETINGS_DB))
    print(f"== {scale}: 会议学习 ({preset}) ==", flush=True)
    subprocess.run(cmd, env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


def meetings_missed(result: dict) -> list[str]:
    return [name for name in ("gap_report_subtree", "study_hours_per_person_subtree_top100",
                              "study_hours_one_person_year")
            if result[name]["seconds"] > result[name]["goal_seconds"]]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, default=None, help="override the scale's default member count")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="do not update bench/results.json")
    parser.add_argument("--meetings", choices=["auto", "small", "reduced", "issue", "none"],
                        default=os.environ.get("BENCH_MEETINGS", "auto"),
                        help="size of the 会议学习 benchmarks (default: $BENCH_MEETINGS or auto)")
    parser.add_argument("--only", choices=["suite", "meetings", "matters", "weekly", "petition_import", "classify",
                                           "dedupe", "evaluations", "figures"],
                        help="run only the foundation suite, only 会议学习, only 事项督办, only the weekly sheets' size, "
                             "only the history import, the category suggestion, the duplicate detection, 考评's "
                             "pre-fill or the figure registry (with the cadre file)")
    parser.add_argument("--reuse-figures", action="store_true",
                        help="the figures benchmark measures the database an earlier run generated")
    parser.add_argument("--skip-matters", action="store_true",
                        default=os.environ.get("DANGJIAN_BENCH_SKIP_MATTERS", "") not in ("", "0"),
                        help="leave out the 事项督办 benchmarks (also DANGJIAN_BENCH_SKIP_MATTERS=1)")
    parser.add_argument("--skip-dedupe", action="store_true",
                        default=os.environ.get("DANGJIAN_BENCH_SKIP_DEDUPE", "") not in ("", "0"),
                        help="leave out the 群众监督 duplicate detection benchmarks (also DANGJIAN_BENCH_SKIP_DEDUPE=1)")
    parser.add_argument("--matters", type=int, default=None, help="override the matters count of each scale")
    parser.add_argument("--matters-runs", type=int, default=40)
    args = parser.parse_args(argv)
    if args.only == "meetings" and args.meetings == "none" or args.only == "matters" and args.skip_matters:
        parser.error("--only with its part turned off runs nothing")
    scales = ["sqlite", "postgres"] if args.scale == "both" else [args.scale]
    if "postgres" in scales and not os.environ.get("DATABASE_URL"):
        if args.scale == "postgres":
            parser.error("the postgres scale needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
        print("DATABASE_URL not set: skipping the postgres scale", flush=True)
        scales.remove("postgres")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    missed = []
    summaries = {}
    for scale in scales:
        if args.only in (None, "suite"):
            result = run_scale(scale, args.members or DEFAULT_MEMBERS[scale], args.runs, args.seed)
            results[scale] = result
            summaries[scale] = result["summary"]
            missed += [f"{scale}: {name}" for name, m in result["benchmarks"].items() if not m.get("goal_met", True)]
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if args.only in (None, "meetings") and args.meetings != "none":
            preset = args.meetings if args.meetings != "auto" else ("small" if scale == "sqlite" else "issue")
            result = run_meetings(scale, preset)
            results.setdefault("meetings", {})[result["database"]] = result
            summaries[f"meetings-{scale}"] = {name: result[name]["seconds"] for name in (
                "gap_report_subtree", "study_hours_per_person_subtree_top100", "study_hours_one_person_year")}
            missed += [f"{scale}: meetings {name}" for name in meetings_missed(result)]
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if args.only in (None, "matters") and not args.skip_matters:
            from bench import matters

            result = matters.run_scale(scale, args.matters or matters.DEFAULT[scale], args.matters_runs)
            results.setdefault("matters", {})[scale] = result  # the note and the other scale stay
            summaries[f"matters-{scale}"] = {k: result[k] for k in ("list_city", "weekly_supervision")}
            missed += matters.goals_missed(scale, result)
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if args.only in (None, "dedupe") and not args.skip_dedupe:
            from bench import petitions_dedupe  # 群众监督 重复件识别

            result, dedupe_missed = petitions_dedupe.run([scale], write=False)
            results.setdefault("petitions_dedupe", {}).update(result)
            summaries[f"dedupe-{scale}"] = {
                "precision_at_recall_95": result["quality"]["ours"]["precision_at_recall_95"],
                "top5": result[scale]["top5"]["share"], "p95_ms": result[scale]["speed"]["p95_ms"]}
            missed += dedupe_missed
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if args.only in (None, "weekly"):
            from bench import weekly  # the weekly 督办单's rows and bytes per year (bench/weekly.py)

            result = weekly.run_scale(scale)
            results.setdefault("weekly_sheets", {})[scale] = result
            summaries[f"weekly-sheets-{scale}"] = result["province_per_year"]
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if args.only in (None, "petition_import"):
            from bench import petition_import  # 历史诉求导入, 100,000 rows (bench/petition_import.py)

            result = petition_import.run_scale(scale, petition_import.DEFAULT_ROWS)
            results.setdefault("petition_import", {})[scale] = result
            summaries[f"petition-import-{scale}"] = {k: result[k] for k in ("rows", "seconds", "cpu_seconds")}
        if args.only in (None, "classify"):
            from bench import petitions_classify  # 群众监督 category suggestion

            result = petitions_classify.run_scale(scale)
            results.setdefault("petitions_classify", {})[scale] = result
            summaries[f"petitions-classify-{scale}"] = {"macro_f1": result["quality"]["macro_f1"],
                                                        "reference": result["quality"]["reference_macro_f1"],
                                                        "retrain_s": result["retrain"]["seconds"],
                                                        "suggest_p95_ms": result["suggest"]["p95_ms"]}
            missed += petitions_classify.goals_missed(scale, result)
        if args.only in (None, "evaluations") and scale == "postgres":
            from bench import (
                evaluations,  # 考评: a city's round created and pre-filled (bench/evaluations.py)
            )

            result = evaluations.run_scale(scale)
            results.setdefault("evaluations", {})[scale] = result
            summaries[f"evaluations-{scale}"] = {k: result[k] for k in ("cadres_in_round", "seconds")}
            missed += [] if result["goal_met"] else [f"{scale}: evaluations pre-fill"]
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if args.only in (None, "figures") and scale == "postgres":
            from bench import (
                figures,  # the figure registry, the dashboards, the cadre file (bench/figures.py)
            )

            result = figures.run_scale(reuse=args.reuse_figures, runs=20, members=2_000_000, matters=1_000_000,
                                       meetings=2_000_000, attendees=3)
            figures.merge(results, result)
            summaries["figures-postgres"] = results["figures"]["summary"]
            missed += figures.goals_missed(results["figures"])
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(summaries, ensure_ascii=False, indent=2))
    if missed:
        print("goals missed: " + "; ".join(missed), flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
