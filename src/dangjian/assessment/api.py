"""API routes of 考评: what a cadre reads about themself — their evaluation results and their 作风台账 — scoped
with visible_to (a record's person reads it through ``self_field``) and narrowed to their own person."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.core.web import YEAR_MAX, YEAR_MIN

from .evaluation_models import Evaluation, Grade, Period
from .evaluation_results import review_deadline
from .models import ConductEntry, ConductKind, Polarity

router = Router(tags=["考评"])


class EvaluationOut(Schema):
    id: int
    round_id: int
    round_title: str = Field(..., alias="round.title")
    year: int = Field(..., alias="round.year")
    period: Period = Field(..., alias="round.period")
    approved: bool
    self_score: Decimal | None
    leader_score: Decimal | None
    peer_score: Decimal | None
    democratic_score: Decimal | None
    adjustment: Decimal
    total: Decimal | None
    grade: Grade | None
    grade_reason: str
    review_deadline: dt.date | None = Field(None, description="申请复核的截止日（审定后）")

    @staticmethod
    def resolve_approved(obj):
        return obj.round.frozen

    @staticmethod
    def resolve_grade(obj):
        return obj.grade or None

    @staticmethod
    def resolve_review_deadline(obj):
        return review_deadline(obj.round)


class ConductOut(Schema):
    id: int
    on: dt.date
    kind: ConductKind
    kind_label: str
    polarity: Polarity
    summary: str
    source: str = Field(..., alias="source_label")
    source_url: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


def _own(queryset, user, person_field: str):
    person = getattr(user, "person", None)
    if person is None:
        return queryset.none()
    return queryset.visible_to(user).filter(**{person_field: person.pk})


@router.get("/evaluations/mine", response=list[EvaluationOut], summary="本人的考评结果")
@paginate(PageNumberPagination, page_size=50)
def my_evaluations(request):
    return _own(Evaluation.objects, request.auth, "person_id").select_related("round").order_by("-round__year", "-pk")


@router.get("/conduct/mine", response=list[ConductOut], summary="本人的作风台账")
@paginate(PageNumberPagination, page_size=50)
def my_conduct(request, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)):
    rows = _own(ConductEntry.objects, request.auth, "person_id").order_by("-on", "-pk")
    return rows.filter(on__year=year) if year else rows
