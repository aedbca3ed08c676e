"""分类建议: the category suggested for a new petition, learned from the agency's own classified history.

Learning: the agency's petitions whose category was confirmed or corrected by staff, or came with the history
import (category_source confirmed / corrected / imported), in its active categories. Features are character
n-grams (1–3, TF-IDF with sublinear term frequency) of the subject and of the content, each in its own space:
both are scaled to the same length, so that the few characters of the subject weigh as much as the whole
content. The classifier is a linear model fitted by stochastic gradient descent on the logistic loss (one
versus the rest), its scores calibrated into probabilities (Platt's sigmoid on 3-fold cross-validation,
CalibratedClassifierCV), and that probability is the confidence (on the benchmark set, 92% of the suggestions
with a confidence of 0.6–0.8 were right, 97% of those above 0.8: cautious rather than over-confident). SGD
rather than liblinear or lbfgs: on 100,000 petitions those took minutes and, copying the data into their own
structures, close to 1 GB (bench/petitions_classify.py). Character n-grams need no word segmentation and cope
with the short, informal texts petitions are. A category with fewer than
``MIN_PER_CATEGORY`` classified petitions is left out of the model (it cannot be learned, nor calibrated).

Without a trained model (no history, or too little: fewer than ``MIN_ROWS`` rows or one category), the staff's
keywords per category (PetitionCategory.keywords) give the suggestion (``keyword_scores``).

A suggestion at or above the rule ``supervision.category_threshold`` is put on the petition (category_source
"suggested", the confidence beside it); below it the petition waits in triage with no category.

The model is retrained by the nightly job and on demand (``dangjian petitions retrain``, ``request_retrain``);
a retraining whose history has not changed since the last one (``fingerprint``) keeps the stored model.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import Substr
from django.utils import timezone

from dangjian.core import audit, jobs, rule_settings
from dangjian.core.scope import scope_roots
from dangjian.orgs.models import Org
from dangjian.orgs.services import agency_of

from .classify_models import CategoryModel
from .petition_models import CategorySource, Petition, PetitionCategory

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline

# scikit-learn, NumPy and joblib are imported where a model is trained or read: importing them takes seconds,
# which every process (each server worker, each command) would otherwise pay at start-up.

THRESHOLD_KEY = "supervision.category_threshold"
TRAINED_SOURCES = (CategorySource.CONFIRMED, CategorySource.CORRECTED, CategorySource.IMPORTED)
MIN_ROWS = 20  # fewer classified petitions than this: the keywords suggest
MIN_PER_CATEGORY = 3  # one per fold of the calibration
# The start of a long letter says what it is about; the rest only costs time and memory.
CONTENT_CHARS = 1000
MAX_FEATURES = 200_000  # per text field: bounds the model's size and memory whatever the history
SUGGESTIONS = 3


@dataclass(frozen=True)
class Suggestion:
    category_id: int
    name: str
    confidence: float


# ---- the learned model ------------------------------------------------------------------------------------

def subjects(rows):
    """The subjects of (subject, content) rows (a named function: the stored pipeline refers to it)."""
    return [row[0] for row in rows]


def contents(rows):
    return [row[1][:CONTENT_CHARS] for row in rows]


def _ngrams() -> TfidfVectorizer:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    # min_df=2 drops the n-grams seen once (names, typos): they teach nothing and fill the model.
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2,
                           max_features=MAX_FEATURES, dtype=np.float32)


def build_pipeline() -> Pipeline:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    features = FeatureUnion([
        ("subject", Pipeline([("pick", FunctionTransformer(subjects)), ("tfidf", _ngrams())])),
        ("content", Pipeline([("pick", FunctionTransformer(contents)), ("tfidf", _ngrams())])),
    ])
    linear = SGDClassifier(loss="log_loss", alpha=5e-5, max_iter=30, tol=1e-3, random_state=0)
    classifier = CalibratedClassifierCV(linear, method="sigmoid", cv=MIN_PER_CATEGORY)
    return Pipeline([("features", features), ("classifier", classifier)])


def fit(rows: list[tuple[str, str]], labels: list) -> Pipeline:
    return build_pipeline().fit(rows, labels)


def _training_rows(org_id: int):
    return (Petition.objects.filter(org_id=org_id, category_source__in=TRAINED_SOURCES, category__active=True)
            .exclude(category=None))


def fingerprint(org_id: int) -> str:
    """What the training would read, summed up: the rows' number, latest change and categories."""
    rows = _training_rows(org_id)
    summary = rows.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    per_category = sorted(rows.values_list("category_id").annotate(n=Count("id")).order_by())
    return hashlib.sha256(repr((summary, per_category)).encode()).hexdigest()[:32]


def train(org, *, actor=None, force: bool = False) -> CategoryModel | None:
    """Train the agency's model afresh from its classified petitions (or drop it when there are too few); the
    stored model is kept when the history has not changed (unless ``force``). Returns the model row, or None."""
    stamp = fingerprint(org.pk)
    current = CategoryModel.objects.filter(org=org).defer("model").first()
    if current and current.categories and not force and current.fingerprint == stamp:
        return current
    started = time.perf_counter()
    rows, labels = [], []
    trainable = _training_rows(org.pk)
    learnable = [pk for pk, n in trainable.values_list("category_id").annotate(n=Count("id")).order_by()
                 if n >= MIN_PER_CATEGORY]
    for subject, content, category_id in trainable.filter(category_id__in=learnable).annotate(
            head=Substr("content", 1, CONTENT_CHARS)).values_list("subject", "head", "category_id").order_by("id") \
            .iterator(chunk_size=5000):
        rows.append((subject, content))
        labels.append(category_id)
    if len(rows) < MIN_ROWS or len(set(labels)) < 2:
        if current:
            with transaction.atomic():
                audit.record("supervision.category_model_drop", actor=actor, target=current,
                             message=f"可学习的已分类诉求仅 {len(rows)} 条，改按关键词建议分类")
                current.delete()
        return None
    import joblib

    pipeline = fit(rows, labels)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    names = dict(PetitionCategory.objects.filter(pk__in=set(labels)).values_list("pk", "name"))
    classes = [[int(c), names.get(int(c), "")] for c in pipeline.classes_]
    with transaction.atomic():
        row = CategoryModel.objects.select_for_update().filter(org=org).first() or CategoryModel(org=org, version=0)
        before = None if row.pk is None else {"rows": row.rows, "categories": row.categories}
        row.version += 1
        row.trained_at, row.rows, row.categories = timezone.now(), len(rows), classes
        row.seconds, row.model = round(time.perf_counter() - started, 2), buffer.getvalue()
        row.size, row.fingerprint = len(row.model), stamp
        row.save()
        audit.record("supervision.category_retrain", actor=actor, target=row, before=before,
                     after={"rows": row.rows, "categories": row.categories, "seconds": row.seconds,
                            "size": row.size})
    return row


def agencies_to_train():
    """The agencies that keep petition categories (the orgs their categories are filed under)."""
    return Org.objects.filter(pk__in=PetitionCategory.objects.values("org_id")).order_by("path")


def retrain_all(orgs=None, *, actor=None, force: bool = False) -> dict[str, int | None]:
    """Each agency's model (or those of ``orgs``) trained anew: {org code: rows used, or None when the keywords
    suggest}."""
    done = {}
    for org in agencies_to_train() if orgs is None else orgs:
        row = train(org, actor=actor, force=force)
        done[org.code] = row.rows if row else None
    return done


def request_retrain(org) -> None:
    """Retrain the agency's model in the background after the caller's commit (after an import, say)."""
    jobs.submit(RETRAIN_JOB, timezone.localdate().isoformat(), org.pk)


RETRAIN_JOB = "supervision.retrain_categories"

# ---- loading (per process, keyed by the row's version) ------------------------------------------------------

_loaded: dict[int, tuple[int, Pipeline]] = {}
_lock = threading.Lock()


def load(org_id: int) -> Pipeline | None:
    """The agency's trained pipeline, loaded once per process and version (one small query otherwise)."""
    version = CategoryModel.objects.filter(org_id=org_id).values_list("version", flat=True).first()
    if version is None:
        _loaded.pop(org_id, None)
        return None
    cached = _loaded.get(org_id)
    if cached and cached[0] == version:
        return cached[1]
    import joblib

    with _lock:
        row = CategoryModel.objects.filter(org_id=org_id).values_list("version", "model").first()
        if row is None:
            return None
        pipeline = joblib.load(io.BytesIO(bytes(row[1])))
        _loaded[org_id] = (row[0], pipeline)
    return pipeline


def model_scores(pipeline: Pipeline, subject: str, content: str) -> dict[int, float]:
    probabilities = pipeline.predict_proba([(subject or "", content or "")])[0]
    return {int(c): float(p) for c, p in zip(pipeline.classes_, probabilities, strict=True)}


# ---- keywords ---------------------------------------------------------------------------------------------

def keywords_of(category: PetitionCategory) -> list[str]:
    return [k.strip() for k in (category.keywords or "").replace("，", "\n").replace(",", "\n").splitlines()
            if k.strip()]


def keyword_scores(categories, subject: str, content: str) -> dict[int, float]:
    """Confidence from the staff's keywords. Each keyword found counts once (twice in the subject); a category's
    certainty 1 − 0.5^hits grows with its hits (1 hit 0.5, 2 hits 0.75, 3 hits 0.875), and is shared out by its
    share of all the hits when other categories' keywords are found too."""
    hits = {}
    for category in categories:
        n = sum(2 if word in subject else 1 for word in keywords_of(category) if word in subject or word in content)
        if n:
            hits[category.pk] = n
    total = sum(hits.values())
    return {pk: (n / total) * (1 - 0.5 ** n) for pk, n in hits.items()}


# ---- the suggestion ---------------------------------------------------------------------------------------

def suggest(org_id: int, subject: str, content: str, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The likeliest active categories of the agency for a text, the best first (empty when nothing fits)."""
    categories = list(PetitionCategory.objects.filter(org_id=org_id, active=True))
    pipeline = load(org_id)
    if pipeline is not None:
        scores = model_scores(pipeline, subject, content)
    else:
        scores = keyword_scores(categories, subject or "", content or "")
    names = {c.pk: c.name for c in categories}
    ranked = sorted(((p, pk) for pk, p in scores.items() if pk in names and p > 0), reverse=True)[:limit]
    return [Suggestion(pk, names[pk], round(p, 3)) for p, pk in ranked]


def threshold() -> float:
    return float(rule_settings.get(THRESHOLD_KEY))


def apply_suggestion(petition: Petition) -> Suggestion | None:
    """Put the suggested category on a petition that has none (before it is saved, by intake): at or above the
    threshold the category, source "suggested" and the confidence; below it nothing (manual triage)."""
    if petition.category_id or petition.category_source:
        return None
    found = suggest(petition.org_id, petition.subject, petition.content, limit=1)
    if not found or found[0].confidence < threshold():
        return None
    best = found[0]
    petition.category_id, petition.category_source = best.category_id, CategorySource.SUGGESTED
    petition.category_confidence = best.confidence
    return best


def agency_for(user):
    """The agency whose model suggests for a user: that of the top-most node where they read petitions (the
    first, for the rare user who reads in several agencies), or None when they read none."""
    roots = scope_roots(user, "petition.view")
    org = Org.objects.filter(path=roots[0]).first() if roots else None
    return agency_of(org) if org else None
