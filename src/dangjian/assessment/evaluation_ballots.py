"""民主测评: anonymous one-time codes, one ballot per code, and the tally into each cadre's 民主测评 score
(anonymity: docs/architecture.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.scope import require_capability

from .evaluation_models import (
    Ballot,
    BallotCode,
    BallotMark,
    Evaluation,
    EvaluationRound,
    Grade,
)
from .evaluations import recompute, require_open

# ---- 民主测评: anonymous one-time codes ------------------------------------------------------------------

# The points a 民主测评 grade counts for.
BALLOT_POINTS = {Grade.EXCELLENT: 95, Grade.COMPETENT: 85, Grade.BASIC: 70, Grade.INCOMPETENT: 50}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def code_digest(code: str) -> str:
    """Keyed, so that the stored digests cannot be matched against guessed codes without the server's key."""
    normal = "".join(c for c in (code or "").upper() if c.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), f"ballot:{normal}".encode(), hashlib.sha256).hexdigest()


def do_issue_codes(rnd: EvaluationRound, count: int, *, actor) -> list[str]:
    """``count`` new one-time codes; only their digests are stored, so the sheet printed now is the only copy.
    Codes are not given to named voters: the sheet is cut and handed out at random."""
    require_capability(actor, "assessment.change", path=rnd.org.path, what="生成民主测评票码")
    require_open(rnd)
    if not 1 <= count <= 2000:
        raise ValidationError({"count": "票数：须在1至2000之间"})
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(10)) for _ in range(count)]
    with transaction.atomic():
        BallotCode.objects.bulk_create([BallotCode(round=rnd, digest=code_digest(c)) for c in codes])
        audit.record("assessment.codes_issue", actor=actor, target=rnd, message=f"生成民主测评票码{count}个")
    return codes


def ballot_round(code: str) -> tuple[EvaluationRound | None, bool]:
    """The code's round and whether the code was used already (the voter is told before filling the ballot)."""
    row = BallotCode.objects.filter(digest=code_digest(code)).select_related("round").first()
    return (row.round, row.used) if row else (None, False)


def cast_ballot(code: str, grades: dict[int, str]) -> None:
    """One ballot for the code's round: every cadre of the round graded; the code is spent in the same
    transaction. The ballot row carries no voter, no code and no time."""
    digest = code_digest(code)
    with transaction.atomic():
        row = BallotCode.objects.select_for_update().filter(digest=digest).select_related("round").first()
        if row is None:
            raise ValidationError({"code": "票码：无效，请核对测评票上的票码"})
        if row.used:
            raise ValidationError({"code": "票码：已经使用过，每个票码只能投票一次"})
        if row.round.frozen:
            raise ValidationError({"code": "票码：该轮考评已审定，测评已结束"})
        evaluations = set(Evaluation.objects.filter(round=row.round).values_list("pk", flat=True))
        if set(grades) != evaluations:
            raise ValidationError({"grades": "评价：须对每一名被测评人作出评价"})
        bad = [pk for pk, g in grades.items() if g not in Grade.values]
        if bad:
            raise ValidationError({"grades": "评价：须为优秀、称职、基本称职或不称职"})
        BallotCode.objects.filter(pk=row.pk).update(used=True)
        ballot = Ballot.objects.create(round=row.round)
        BallotMark.objects.bulk_create([BallotMark(ballot=ballot, evaluation_id=pk, grade=g) for pk, g in grades.items()])


def tally(rnd: EvaluationRound) -> None:
    """民主测评 score per cadre: the mean of the points of the grades on the ballots (set-based)."""
    counts = (BallotMark.objects.filter(evaluation__round=rnd).values("evaluation_id", "grade")
              .annotate(n=Count("id")))
    per: dict[int, list[int]] = {}
    for row in counts:
        per.setdefault(row["evaluation_id"], []).append((BALLOT_POINTS[row["grade"]], row["n"]))
    if not per:
        return
    for evaluation in Evaluation.objects.filter(pk__in=per).select_related("round"):
        rows = per[evaluation.pk]
        evaluation.democratic_score = (Decimal(sum(p * n for p, n in rows)) / sum(n for _p, n in rows)).quantize(
            Decimal("0.01"))
        audit.save_audited(recompute(evaluation), actor=None, action="assessment.recompute")


def do_tally(rnd: EvaluationRound, *, actor) -> None:
    require_capability(actor, "assessment.change", path=rnd.org.path, what="统计民主测评")
    require_open(rnd)
    with transaction.atomic():
        lock_row(EvaluationRound, rnd.pk)
        tally(rnd)


def ballot_counts(rnd: EvaluationRound) -> dict:
    codes = BallotCode.objects.filter(round=rnd).aggregate(n=Count("id"), used=Count("id", filter=Q(used=True)))
    return {"issued": codes["n"], "used": codes["used"], "ballots": Ballot.objects.filter(round=rnd).count()}
