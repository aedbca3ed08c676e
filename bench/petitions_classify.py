"""Benchmarks of the category suggestion (issue 13 §3 “Category quality”, “Speed”).

1. Quality: macro-F1 on the held-out part of the labelled set (bench/petition_data.py, seed 13: 2,000 rows, the
   first 1,200 train, the other 800 are held out), ours (supervision/classify.py, the pipeline production uses)
   beside the reference (logistic regression on character 1–3-gram TF-IDF of subject + content, same rows).
   Also: of the held-out rows at or above the default threshold, the share and their accuracy.
2. Retraining on 100,000 classified petitions stored in the database (``classify.train`` for real: it reads the
   rows, fits, stores the model), in a process of its own so that its peak memory (max RSS) is the training's.
   Floor: the same fit on the same rows already in memory (no database read, no storing).
3. Suggestion latency for a new petition (``classify.suggest``: the model's version check, the categories,
   the prediction), p95 over held-out texts, with the model loaded; floor: the prediction alone. The CPU time
   per call is given too: on a shared machine the wall time includes waiting for a core.

    python -m bench.petitions_classify [--scale sqlite|postgres] [--rows 100000] [--runs 300] [--no-write]

Results go to bench/results.json under "petitions_classify" → scale; ``make bench`` runs it through bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.stats import pct

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("results.json")
DB = os.environ.get("DANGJIAN_BENCH_CLASSIFY_DB", "dangjian_bench_classify")
SEED, ROWS, TRAIN = 13, 2000, 1200
GOALS = {"macro_f1": 0.90, "retrain_seconds": 120, "retrain_peak_mib": 1024, "suggest_p95_ms": 50}


def p95(values: list[float]) -> float:
    return round(pct(values, 95), 3)


def quality() -> dict:
    """Macro-F1 of ours and of the reference on the held-out rows (no database)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline

    from bench.petition_data import generate
    from dangjian.supervision import classify

    rows = generate(ROWS, SEED)
    train, test = rows[:TRAIN], rows[TRAIN:]
    truth = np.array([c for _, _, c in test])
    reference = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LogisticRegression(max_iter=1000))
    reference.fit([f"{s}\n{c}" for s, c, _ in train], [c for _, _, c in train])
    ref_f1 = f1_score(truth, reference.predict([f"{s}\n{c}" for s, c, _ in test]), average="macro")
    started = time.perf_counter()
    ours = classify.fit([(s, c) for s, c, _ in train], [c for _, _, c in train])
    fit_seconds = time.perf_counter() - started
    probabilities = ours.predict_proba([(s, c) for s, c, _ in test])
    predicted = ours.classes_[probabilities.argmax(axis=1)]
    confident = probabilities.max(axis=1) >= classify.rule_settings.rule(classify.THRESHOLD_KEY).default
    return {"train_rows": len(train), "held_out_rows": len(test), "categories": len(set(truth)),
            "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
            "reference_macro_f1": round(float(ref_f1), 4), "fit_seconds": round(fit_seconds, 2),
            "at_default_threshold": {"share_suggested": round(float(confident.mean()), 3),
                                     "accuracy_of_suggested": round(float((predicted == truth)[confident].mean()), 3)}}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


def store_history(rows: int):
    """An agency with the nine categories and ``rows`` classified (imported) petitions; returns the agency."""
    from dangjian.orgs.models import Org, OrgKind

    return add_history(Org.add_root(name="基准机关", kind=OrgKind.AGENCY, code="BENCH-CLS"), rows)


def add_history(org, rows: int):
    """The nine categories and ``rows`` classified (imported) petitions of the labelled set, filed under ``org``."""
    from django.utils import timezone

    from bench.petition_data import CATEGORIES, generate
    from dangjian.supervision.petition_models import CategorySource, Channel, Petition, PetitionCategory

    categories = {name: PetitionCategory.objects.create(org=org, name=name, order=n)
                  for n, name in enumerate(CATEGORIES)}
    now = timezone.now()
    batch = []
    for subject, content, category in generate(rows, seed=7):
        batch.append(Petition(org=org, org_path=org.path, channel=Channel.WEBSITE, received_at=now, subject=subject,
                              content=content, status="accepted", category=categories[category],
                              category_source=CategorySource.IMPORTED, imported=True))
        if len(batch) == 5000:
            Petition.objects.bulk_create(batch)
            batch = []
    Petition.objects.bulk_create(batch)
    return org


def train_only(org_id: int) -> dict:
    """Run in its own process: one retraining for real, its time and this process's peak memory."""
    from dangjian.orgs.models import Org
    from dangjian.supervision import classify

    org = Org.objects.get(pk=org_id)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    row = classify.train(org, force=True)
    return {"rows": row.rows, "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "peak_mib_before_training": round(base, 1), "model_bytes": row.size}


def inner(rows: int, runs: int) -> dict:
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench.petition_data import generate
    from dangjian.supervision import classify
    from dangjian.supervision.classify import _training_rows

    result = {"quality": quality()}
    started = time.perf_counter()
    org = store_history(rows)
    result["store_seconds"] = round(time.perf_counter() - started, 2)
    child = subprocess.run([sys.executable, "-m", "bench.petitions_classify", "--train-only", str(org.pk)],
                           env=os.environ, cwd=ROOT, check=True, capture_output=True, text=True)
    retrain = json.loads(child.stdout.strip().splitlines()[-1])
    # Floor: the same fit on the same rows, already in memory.
    pairs = list(_training_rows(org.pk).values_list("subject", "content", "category_id"))
    started = time.perf_counter()
    classify.fit([(s, c) for s, c, _ in pairs], [c for _, _, c in pairs])
    retrain["floor_fit_in_memory_seconds"] = round(time.perf_counter() - started, 2)
    result["retrain"] = retrain

    texts = generate(runs + 20, seed=99)
    pipeline = classify.load(org.pk)
    for subject, content, _ in texts[:20]:  # warm: the model loaded, the queries' plans cached
        classify.suggest(org.pk, subject, content)
    timings, cpu, floor = [], [], []
    for subject, content, _ in texts[20:]:
        started, cpu_started = time.perf_counter(), time.process_time()
        classify.suggest(org.pk, subject, content)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        started = time.perf_counter()
        classify.model_scores(pipeline, subject, content)
        floor.append((time.perf_counter() - started) * 1000)
    result["suggest"] = {"runs": runs, "p95_ms": p95(timings), "median_ms": round(statistics.median(timings), 3),
                         "cpu_p95_ms": p95(cpu), "floor_predict_only_p95_ms": p95(floor)}
    result["goals"] = GOALS
    result["goals_met"] = {
        "macro_f1": result["quality"]["macro_f1"] >= GOALS["macro_f1"],
        "at_least_reference": result["quality"]["macro_f1"] >= result["quality"]["reference_macro_f1"],
        "retrain_seconds": retrain["seconds"] <= GOALS["retrain_seconds"],
        "retrain_peak_mib": retrain["peak_mib"] <= GOALS["retrain_peak_mib"],
        "suggest_p95_ms": result["suggest"]["p95_ms"] <= GOALS["suggest_p95_ms"]}
    return result


def run_scale(scale: str, rows: int = 100_000, runs: int = 300) -> dict:
    """The benchmark on a fresh database of its own (SQLite file or PostgreSQL ``DB``)."""
    env = dict(os.environ)
    data = Path(os.environ.get("DANGJIAN_BENCH_DIR", ROOT / "var")) / "bench-classify"
    data.mkdir(parents=True, exist_ok=True)
    env["DANGJIAN_DATA_DIR"] = str(data)
    env.pop("DANGJIAN_DEBUG", None)
    if scale == "sqlite":
        env.pop("DATABASE_URL", None)
        db = data / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env["DANGJIAN_SQLITE_PATH"] = str(db)
    else:
        import psycopg

        base = os.environ["DATABASE_URL"]
        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB}")
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + DB
    out = data / f"result-{scale}.json"
    out.unlink(missing_ok=True)
    print(f"== 诉求分类建议, {scale}: {rows} ==", flush=True)
    load_before = [round(x, 2) for x in os.getloadavg()]  # the machine may be shared: say how busy it was
    subprocess.run([sys.executable, "-m", "bench.petitions_classify", "--inner", "--rows", str(rows), "--runs",
                    str(runs), "--out", str(out)], env=env, cwd=ROOT, check=True)
    result = json.loads(out.read_text())
    result["load_average_at_start"] = load_before
    result["cores"] = os.cpu_count()
    return result


def goals_missed(scale: str, result: dict) -> list[str]:
    return [f"{scale}: petitions_classify {name}" for name, met in result["goals_met"].items() if not met]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--train-only", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.train_only:
        _setup()
        print(json.dumps(train_only(args.train_only)))
        return 0
    if args.inner:
        args.out.write_text(json.dumps(inner(args.rows, args.runs), ensure_ascii=False, indent=2) + "\n")
        return 0
    result = run_scale(args.scale, args.rows, args.runs)
    if not args.no_write:
        data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        data.setdefault("petitions_classify", {})[args.scale] = result
        RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    missed = goals_missed(args.scale, result)
    if missed:
        print("goals missed: " + "; ".join(missed), flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
