"""考评: a round for one city's 10,000 cadres at province scale, created and pre-filled; into bench/results.json
under "evaluations".

    python -m bench.evaluations [--scale sqlite|postgres|both] [--matters N]

On a database made afresh (PostgreSQL: ``dangjian_bench_evals`` on the server of DATABASE_URL; SQLite:
var/bench-evals/): bench/matters.py's province tree (14 cities) with 140,000 people (10,000 a city), N matters,
a 作风台账 of 3 entries per 10 people and a talk per 20 people. Timed: creating the round over one city (one
Evaluation per cadre) and pre-filling it from the records (one query per source, whatever the cadres' number).
Goal: ≤ 30 s on PostgreSQL.
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
DEFAULT = {"sqlite": 300_000, "postgres": 300_000}
DB = "dangjian_bench_evals"
PEOPLE = 140_000  # 14 cities × 10,000
GOAL_SECONDS = 30.0


def run_scale(scale: str, matters: int | None = None) -> dict:
    matters = matters or DEFAULT[scale]
    return run_inner_on_fresh_database("bench.evaluations", scale, folder="bench-evals", db_name=DB,
                                       args=["--matters", str(matters)],
                                       title=f"考评 pre-fill: {PEOPLE} people, {matters} matters")


def _records(city_path: str) -> dict:
    """作风台账 entries and talks for a share of the people (bulk, as a load would write them)."""
    import datetime as dt
    import random

    from django.db import connection

    from dangjian.assessment.models import ConductEntry
    from dangjian.orgs.models import Person
    from dangjian.supervision.models import Talk

    rng = random.Random(11)
    people = list(Person.objects.values_list("pk", "org_id", "org_path"))
    year = dt.date.today().year
    kinds = ["praise", "notice", "talk", "overdue", "complaint_upheld", "model"]
    entries = []
    for n in range(len(people) * 3 // 10):
        pk, org_id, path = people[rng.randrange(len(people))]
        kind = rng.choice(kinds)
        entries.append(ConductEntry(person_id=pk, org_id=org_id, org_path=path, kind=kind,
                                    polarity="positive" if kind in ("praise", "model") else "negative",
                                    on=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), summary=f"台账{n}",
                                    evidence="佐证"))
    ConductEntry.objects.bulk_create(entries, batch_size=5000)
    talker = people[0][0]
    talks = []
    for n in range(len(people) // 20):
        pk, org_id, path = people[rng.randrange(len(people))]
        talks.append(Talk(kind="reminder", held_on=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                          talker_id=talker, subject_id=pk, content=f"谈话{n}", org_id=org_id, org_path=path))
    Talk.objects.bulk_create(talks, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"conduct_entries": len(entries), "talks": len(talks)}


def inner(n_matters: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    from bench.matters import generate
    from dangjian.accounts.models import User
    from dangjian.assessment import evaluation_prefill as prefill
    from dangjian.assessment import evaluations as ev
    from dangjian.assessment.evaluation_models import Adjustment, Evaluation, EvaluationRound
    from dangjian.assessment.evaluation_rules import DEFAULT_DIMENSIONS
    from dangjian.orgs.models import Org

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    made = generate(n_matters, owners=PEOPLE)
    records = _records(made["city_path"])
    generate_seconds = time.perf_counter() - start
    admin = User.objects.get(username="province_admin")
    ev.do_save_rules(DEFAULT_DIMENSIONS, actor=admin)
    city = Org.objects.get(path=made["city_path"])
    year = dt.date.today().year
    t = time.perf_counter()
    rnd = ev.do_create_round(EvaluationRound(title=f"{city.name}{year}年度考评", year=year, period="annual", org=city),
                             actor=admin)
    create_seconds = time.perf_counter() - t
    t = time.perf_counter()
    proposed = prefill.do_prefill(rnd, actor=admin)
    prefill_seconds = time.perf_counter() - t
    t = time.perf_counter()
    again = prefill.do_prefill(rnd, actor=admin)  # a second run: every row is there already
    again_seconds = time.perf_counter() - t
    cadres = Evaluation.objects.filter(round=rnd).count()
    stored = Adjustment.objects.filter(evaluation__round=rnd).count()
    total = create_seconds + prefill_seconds
    return {
        "database": connection.vendor, "people": made["people"], "matters": made["matters"], **records,
        "cadres_in_round": cadres, "adjustments_added": proposed, "adjustments_stored": stored,
        "prefill_again_added": again, "generate_seconds": round(generate_seconds, 1),
        "create_round_seconds": round(create_seconds, 2), "prefill_seconds": round(prefill_seconds, 2),
        "prefill_again_seconds": round(again_seconds, 2), "seconds": round(total, 2), "goal_seconds": GOAL_SECONDS,
        "goal_met": total <= GOAL_SECONDS,
        "note": "one city's cadres (10,000) of a 14-city province; create = one Evaluation per cadre (bulk), "
                "pre-fill = one query per source of the 评分细则 (作风台账, matters, study, 三会一课, 责任状, talks, "
                "findings) and one bulk insert",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["sqlite", "postgres", "both"], default="postgres")
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
    missed = []
    for scale in scales:
        result = run_scale(scale, args.matters)
        results.setdefault("evaluations", {})[scale] = result
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if not result["goal_met"]:
            missed.append(scale)
    print(json.dumps(results.get("evaluations", {}), ensure_ascii=False, indent=2))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
