"""重复件识别 (群众监督): quality on the labelled development set, and speed among 1,000,000 stored petitions.

    python -m bench.petitions_dedupe [--scale sqlite|postgres|both] [--petitions N] [--runs 200] [--no-write]

`make bench` (bench.run) runs it too (``--only dedupe`` alone); results into bench/results.json under
"petitions_dedupe": "quality" (no database needed) and one entry per scale.

Quality (bench/petition_corpus.py, fixed seed): every labelled pair scored by ours (supervision.duplicates.score)
and by the reference, cosine of character 2–4-gram TF-IDF vectors fitted on the set; for each, the precision at
the best threshold that keeps recall ≥ 0.95; the template-with-another-name pairs at or above our merge threshold
(the rule's default; goal 0); and, per scale, the share of repeats whose true original comes back in the top 5 of
``find_duplicates`` (the real function: the database's index, then the re-scoring) among the development set's
stored petitions, with the million others in the same table (goal ≥ 99 %).

Speed: each scale on a database made afresh (PostgreSQL ``dangjian_bench_dedupe`` on the server of DATABASE_URL;
SQLite in var/bench-dedupe/), N generated petitions bulk-loaded (COPY on PostgreSQL) with the index built after
the load; the p50/p95 of ``find_duplicates`` over the whole agency for the development set's queries, beside the
floor measured in the same run: the raw index query alone (``candidate_ids``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.stats import pct

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
DEFAULT = {"postgres": 1_000_000, "sqlite": 1_000_000}
DB = os.environ.get("DANGJIAN_BENCH_DEDUPE_DB", "dangjian_bench_dedupe")  # dropped and made afresh
NOTE = ("Quality: on the generated development set (bench/petition_corpus.py), not on real messages; the reference "
        "is cosine of character 2–4-gram TF-IDF at its own best threshold. Speed: find_duplicates over the whole "
        "agency (every stored petition in scope) for the set's repeats and reposts, on a machine possibly shared "
        "(see load_average_*); the floor is the candidates' index statement alone, in the same run.")
GOALS = {"precision_at_recall_95": 0.97, "template_pairs_above_threshold": 0, "top5": 0.99, "p95_ms": 50}


def _ms(seconds):
    return round(seconds * 1000, 2)


# ---- quality: the labelled pairs --------------------------------------------------------------------------

def precision_at_recall(scores, labels, recall=0.95) -> tuple[float, float]:
    """The best precision over the thresholds that keep recall ≥ ``recall``, and that threshold."""
    ranked = sorted(zip(scores, labels, strict=True), key=lambda x: -x[0])
    positives = sum(labels)
    best, best_t, tp, fp = 0.0, 1.0, 0, 0
    i = 0
    while i < len(ranked):
        t = ranked[i][0]
        while i < len(ranked) and ranked[i][0] == t:  # every pair at this score is in or out together
            tp, fp = tp + ranked[i][1], fp + (not ranked[i][1])
            i += 1
        if tp / positives >= recall and tp / (tp + fp) >= best:
            best, best_t = tp / (tp + fp), t
    return round(best, 4), round(float(best_t), 4)


def quality(seed: int = 13) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bench import petition_corpus
    from dangjian.core import rule_settings
    from dangjian.supervision import duplicates

    pairs = petition_corpus.pairs(seed)
    labels = [p["duplicate"] for p in pairs]
    t = time.perf_counter()
    ours = [duplicates.score(duplicates.Text(*p["a"]), duplicates.Text(*p["b"])).score for p in pairs]
    ours_ms = (time.perf_counter() - t) / len(pairs) * 1000
    texts_a = [f"{s}。{c}" for s, c in (p["a"] for p in pairs)]
    texts_b = [f"{s}。{c}" for s, c in (p["b"] for p in pairs)]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 4)).fit(texts_a + texts_b)
    a, b = vectorizer.transform(texts_a), vectorizer.transform(texts_b)
    reference = [float(x) for x in a.multiply(b).sum(axis=1).A1]  # rows are L2-normalised: the cosine
    threshold = float(rule_settings.rule("supervision.duplicate_threshold").default)
    ours_p, ours_t = precision_at_recall(ours, labels)
    ref_p, ref_t = precision_at_recall(reference, labels)

    def above(scores, t, kind):
        return sum(1 for s, p in zip(scores, pairs, strict=True) if p["type"] == kind and s >= t)

    by_type = {}
    for kind in ("repeat", "repost", "template", "topic_other", "place_other"):
        rows = [(o, r) for o, r, p in zip(ours, reference, pairs, strict=True) if p["type"] == kind]
        by_type[kind] = {"pairs": len(rows), "ours_median": round(sorted(o for o, _ in rows)[len(rows) // 2], 3),
                         "reference_median": round(sorted(r for _, r in rows)[len(rows) // 2], 3),
                         "ours_max": round(max(o for o, _ in rows), 3), "reference_max": round(max(r for _, r in rows), 3)}
    negatives = [p["type"] for p in pairs if not p["duplicate"]]
    at_merge = [(s >= threshold, label) for s, label in zip(ours, labels, strict=True)]
    merge_tp = sum(1 for hit, label in at_merge if hit and label)
    merge_hits = sum(1 for hit, _ in at_merge if hit)
    return {
        "set": {"pairs": len(pairs), "duplicates": sum(labels), "seed": seed, "by_type": by_type,
                "generator": "bench/petition_corpus.py"},
        "ours": {"precision_at_recall_95": ours_p, "best_threshold": ours_t, "ms_per_pair": round(ours_ms, 3)},
        "reference": {"precision_at_recall_95": ref_p, "best_threshold": ref_t,
                      "what": "cosine of character 2–4-gram TF-IDF (scikit-learn), fitted on the set"},
        "merge_threshold": threshold,
        "at_merge_threshold": {"precision": round(merge_tp / max(1, merge_hits), 4),
                               "recall": round(merge_tp / sum(labels), 4)},
        "template_pairs_above_merge_threshold": above(ours, threshold, "template"),
        "template_pairs_above_reference_threshold": above(reference, ref_t, "template"),
        "reference_negatives_above_its_threshold": round(
            sum(1 for s, p in zip(reference, pairs, strict=True) if not p["duplicate"] and s >= ref_t)
            / len(negatives), 3),
        "goal_precision": GOALS["precision_at_recall_95"],
        "goal_met": ours_p >= GOALS["precision_at_recall_95"] and above(ours, threshold, "template") == 0,
    }


# ---- the outer driver --------------------------------------------------------------------------------------

def run_scale(scale: str, petitions: int, runs: int, reuse: bool = False) -> dict:
    env = dict(os.environ)
    data = Path(os.environ.get("DANGJIAN_BENCH_DIR", ROOT / "var")) / "bench-dedupe"
    data.mkdir(parents=True, exist_ok=True)
    env["DANGJIAN_DATA_DIR"] = str(data)
    env.pop("DANGJIAN_DEBUG", None)
    if scale == "sqlite":
        env.pop("DATABASE_URL", None)
        db = data / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if not reuse:
                Path(str(db) + suffix).unlink(missing_ok=True)
        env["DANGJIAN_SQLITE_PATH"] = str(db)
    else:
        import psycopg

        base = os.environ["DATABASE_URL"]
        admin = base.rsplit("/", 1)[0] + "/postgres"
        if not reuse:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {DB}")
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + DB
    out = data / f"result-{scale}.json"
    out.unlink(missing_ok=True)
    print(f"== petitions dedupe, {scale}: {petitions} ==", flush=True)
    load_before = [round(x, 2) for x in os.getloadavg()]
    subprocess.run([sys.executable, "-m", "bench.petitions_dedupe", "--inner", "--petitions", str(petitions),
                    "--runs", str(runs), "--out", str(out), *(["--reuse"] if reuse else [])],
                   env=env, cwd=ROOT, check=True)
    result = json.loads(out.read_text())
    result["load_average_at_start"] = load_before
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["cores"] = os.cpu_count()
    return result


def goals_missed(scale: str, result: dict) -> list[str]:
    missed = []
    together = result.get("suggest_together", {}).get("p95_ms", 0)
    if together > GOALS["p95_ms"] and scale == "postgres":
        missed.append(f"dedupe {scale}: categories + duplicates p95 {together} ms > {GOALS['p95_ms']} ms")
    if result["speed"]["p95_ms"] > GOALS["p95_ms"] and scale == "postgres":
        missed.append(f"dedupe {scale}: find_duplicates p95 {result['speed']['p95_ms']} ms > {GOALS['p95_ms']} ms")
    if result["top5"]["share"] < GOALS["top5"]:
        missed.append(f"dedupe {scale}: original in top 5 {result['top5']['share']} < {GOALS['top5']}")
    return missed


def run(scales: list[str], petitions: int | None = None, runs: int = 200, write: bool = True,
        reuse: bool = False) -> tuple[dict, list]:
    """Quality, then each scale; merged into results.json under "petitions_dedupe" (other keys kept)."""
    out = Path(os.environ.get("DANGJIAN_BENCH_DIR", ROOT / "var")) / "bench-dedupe" / "quality.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "bench.petitions_dedupe", "--quality", "--out", str(out)], cwd=ROOT,
                   check=True)  # in a process of its own, as the scales are: Django set up there
    results = {"quality": json.loads(out.read_text()), "note": NOTE}
    missed = [] if results["quality"]["goal_met"] else ["dedupe quality: " + json.dumps(
        {k: results["quality"][k] for k in ("ours", "template_pairs_above_merge_threshold")}, ensure_ascii=False)]
    for scale in scales:
        results[scale] = run_scale(scale, petitions or DEFAULT[scale], runs, reuse)
        previous = (json.loads(RESULTS.read_text()) if RESULTS.exists() else {}).get("petitions_dedupe", {})
        if reuse and scale in previous:  # measured again on the data that run loaded: its load figures stand
            results[scale]["data"] = {**previous[scale]["data"], "measured_again_on_the_same_data": True}
        missed += goals_missed(scale, results[scale])
        if write:
            existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
            existing.setdefault("petitions_dedupe", {}).update(results)
            RESULTS.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n")
    if write and not scales:
        existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        existing.setdefault("petitions_dedupe", {}).update(results)
        RESULTS.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n")
    return results, missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["sqlite", "postgres", "both", "none"], default="both")
    parser.add_argument("--petitions", type=int, default=None)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quality", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again on the data a previous run left (no new load; for tuning)")
    args = parser.parse_args(argv)
    if args.quality:
        _setup()
        Path(args.out).write_text(json.dumps(quality(), ensure_ascii=False, indent=2))
        return 0
    if args.inner:
        Path(args.out).write_text(json.dumps(inner(args.petitions, args.runs, args.reuse), ensure_ascii=False,
                                             indent=2))
        return 0
    scales = {"both": ["sqlite", "postgres"], "none": []}.get(args.scale, [args.scale])
    if "postgres" in scales and not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL not set: skipping the postgres scale", flush=True)
        scales.remove("postgres")
    results, missed = run(scales, args.petitions, args.runs, write=not args.no_write, reuse=args.reuse)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if missed:
        print("goals missed: " + "; ".join(missed), flush=True)
    return 1 if missed else 0


# ---- inside the benchmark process --------------------------------------------------------------------------

def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


COLUMNS = ["number", "kind", "channel", "received_at", "subject", "content", "anonymous", "contact_name",
           "contact_phone", "contact_other", "query_code_hash", "status", "category_source", "merge_reason",
           "decline_reason", "satisfaction", "imported", "org_id", "org_path", "version", "created_at", "updated_at"]


def generate(n: int, seed: int = 7) -> dict:
    """An agency (a root and 20 units), N generated petitions spread over them and two years, and the development
    set's stored petitions in a unit of their own (DEV). The text index is built after the load, as a restore
    would; returns what the measures need."""
    import datetime as dt
    from importlib import import_module

    from django.db import connection
    from django.utils import timezone

    from bench import petition_corpus
    from bench.matters import _step
    from dangjian.orgs.models import Org
    from dangjian.supervision.petition_models import Petition

    index_sql = import_module("dangjian.supervision.migrations.0003_petition_text_index")
    rng = random.Random(seed)
    now = timezone.now()
    root = Org.objects.create(path=_step(1), depth=1, numchild=21, name="某市", kind="committee", code="C", order=0)
    units = [Org.objects.create(path=root.path + _step(i), depth=2, numchild=0, name=f"单位{i}", kind="section",
                                code=f"C-{i}", order=i) for i in range(1, 21)]
    dev = Org.objects.create(path=root.path + _step(21), depth=2, numchild=0, name="开发集", kind="section",
                             code="DEV", order=21)
    channels = ["portal", "website", "qq", "email", "hotline", "letter"]
    statuses = ["accepted"] * 6 + ["triage", "merged", "declined", "declined"]

    def row(i, subject, content, org, received):
        return [f"B{i}", "complaint", rng.choice(channels), received, subject, content, True, "", "", "", "",
                rng.choice(statuses), "", "", "", "", False, org.pk, org.path, 1, now, now]

    def rows():
        texts = petition_corpus.bulk_texts()
        for i in range(n):
            subject, content = next(texts)
            yield row(i, subject, content, units[i % len(units)], now - dt.timedelta(minutes=rng.randrange(1_050_000)))
        stored, _queries = petition_corpus.corpus()
        for j, (subject, content) in enumerate(stored):
            yield row(n + j, subject, content, dev, now - dt.timedelta(days=1, minutes=j))

    table = Petition._meta.db_table
    start = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in index_sql.POSTGRES_BACK:
                cursor.execute(sql)
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for values in rows():
                    copy.write_row(values)
            load = time.perf_counter() - start
            start = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for sql in index_sql.POSTGRES:
                cursor.execute(sql)
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            for sql in index_sql.SQLITE_BACK:
                cursor.execute(sql)
            sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            batch = []
            for values in rows():
                batch.append(values)
                if len(batch) >= 10_000:
                    cursor.executemany(sql, batch)
                    batch = []
            cursor.executemany(sql, batch)
            load = time.perf_counter() - start
            start = time.perf_counter()
            for sql in index_sql.SQLITE:
                cursor.execute(sql)
            cursor.execute("ANALYZE")
    index = time.perf_counter() - start
    return {"petitions": n, "development_set_stored": len(petition_corpus.corpus()[0]), "load_seconds": round(load, 1),
            "index_seconds": round(index, 1), "root": root, "dev": dev}


def inner(n: int, runs: int, reuse: bool = False) -> dict:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import petition_corpus
    from dangjian.supervision import duplicates

    call_command("migrate", verbosity=0)
    if reuse:
        from dangjian.orgs.models import Org

        data = {"petitions": n, "reused": True}
        root, dev = Org.objects.get(code="C"), Org.objects.get(code="DEV")
    else:
        data = generate(n)
        root, dev = data.pop("root"), data.pop("dev")
    stored, queries = petition_corpus.corpus()
    from dangjian.supervision.petition_models import Petition

    first_id = Petition.objects.filter(org=dev).order_by("id").values_list("id", flat=True).first()
    # Top 5 among the development set's petitions (its unit's subtree), the million others in the same index.
    found, misses = 0, []
    for (subject, content), index in queries:
        hits = duplicates.find_duplicates(dev, subject, content)
        if first_id + index in [h.petition_id for h in hits]:
            found += 1
        elif len(misses) < 5:
            misses.append(subject)
    # Speed: the whole agency (every petition in scope), the queries in turn, after a warm-up.
    sample = [q for q, _ in queries]
    random.Random(3).shuffle(sample)
    for subject, content in sample[:10]:
        duplicates.find_duplicates(root, subject, content)
    timings, floor, candidates = [], [], []
    import datetime as dt

    from django.utils import timezone

    cutoff = timezone.now() - dt.timedelta(days=duplicates.window_days())
    for i in range(runs):
        subject, content = sample[i % len(sample)]
        t = time.perf_counter()
        duplicates.find_duplicates(root, subject, content)
        timings.append(time.perf_counter() - t)
        t = time.perf_counter()
        ids = duplicates.candidate_ids(root.path, subject, content, duplicates.Text(subject, content),
                                       cutoff=cutoff, exclude_pk=None)
        floor.append(time.perf_counter() - t)
        candidates.append(len(ids))
    # A name in thousands of petitions (人民医院): the lookup reads its cap of rows, then orders them.
    common, common_floor = [], []
    for subject, content in petition_corpus.common_name_queries():
        t = time.perf_counter()
        duplicates.find_duplicates(root, subject, content)
        common.append(time.perf_counter() - t)
        t = time.perf_counter()
        duplicates.candidate_ids(root.path, subject, content, duplicates.Text(subject, content), cutoff=cutoff,
                                 exclude_pk=None)
        common_floor.append(time.perf_counter() - t)
    common_rows = Petition.objects.filter(content__contains=petition_corpus.COMMON_NAME).count()
    both = suggestions_together(root, sample, runs)
    return {"suggest_together": both, "database": connection.vendor, "data": data,
            "common_name": {"name": petition_corpus.COMMON_NAME, "petitions_naming_it": common_rows,
                            "runs": len(common), "p50_ms": _ms(pct(common, 50)), "p95_ms": _ms(pct(common, 95)),
                            "floor_index_query_p95_ms": _ms(pct(common_floor, 95))},
            "top5": {"queries": len(queries), "found": found, "share": round(found / len(queries), 4),
                     "goal": GOALS["top5"], "missed_examples": misses},
            "speed": {"goal_ms": GOALS["p95_ms"], "runs": runs, "p50_ms": _ms(pct(timings, 50)),
                      "p95_ms": _ms(pct(timings, 95)), "floor_index_query_p50_ms": _ms(pct(floor, 50)),
                      "floor_index_query_p95_ms": _ms(pct(floor, 95)),
                      "candidates_mean": round(sum(candidates) / len(candidates), 1),
                      "what": "find_duplicates(org=the agency root, every petition in scope): the index query, "
                              "the window, the rows read and re-scored; floor = the index query alone"}}


def suggestions_together(root, sample, runs: int) -> dict:
    """What POST /api/v1/supervision/petitions/suggest computes for a new petition, timed as one: the agency's
    learned categories (a model trained on the classify bench's 2,000 labelled rows, stored under the agency
    beside the million) and find_duplicates among every petition in scope."""
    from bench.petitions_classify import add_history
    from dangjian.supervision import classify, duplicates
    from dangjian.supervision.petition_models import PetitionCategory

    if not PetitionCategory.objects.filter(org=root).exists():
        add_history(root, 2000)
    classify.train(root, force=True)
    for subject, content in sample[:10]:
        classify.suggest(root.pk, subject, content)
    timings = []
    for i in range(runs):
        subject, content = sample[i % len(sample)]
        t = time.perf_counter()
        classify.suggest(root.pk, subject, content)
        duplicates.find_duplicates(root, subject, content)
        timings.append(time.perf_counter() - t)
    return {"goal_ms": GOALS["p95_ms"], "runs": runs, "p50_ms": _ms(pct(timings, 50)),
            "p95_ms": _ms(pct(timings, 95)),
            "what": "classify.suggest + find_duplicates for the same text, the agency root (every petition in "
                    "scope), as the suggest API runs them"}


if __name__ == "__main__":
    sys.exit(main())
