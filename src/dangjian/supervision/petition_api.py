"""API routes of 群众监督 (/api/v1/supervision/petitions…): the same scope and confidentiality as the pages
(PetitionQuerySet) and the same filters, by the same parameter names, as the list page (PetitionFilter).

No ``from __future__ import annotations`` here: ninja builds the query schema from the annotations at import."""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.core.scope import get_visible_or_404
from dangjian.core.web import YEAR_MAX, YEAR_MIN

from .api import router
from .petition_forms import PetitionFilter
from .petition_models import Channel, Petition, PetitionKind, PetitionStatus


class PetitionFilterIn(Schema):
    """The list page's parameters, with the same names (supervision/petitions/?status=…)."""

    status: PetitionStatus | None = None
    kind: PetitionKind | None = None
    channel: Channel | None = None
    category: int | None = Field(None, ge=1, le=2**62, description="分类 ID")
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="收到年度")
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="收到月份 YYYY-MM")
    replied: str | None = Field(None, pattern="^(on_time|late|pending)$", description="答复：按期/超期/待答复")
    satisfaction: str | None = Field(None, pattern="^(satisfied|basic|unsatisfied)$", description="满意度")
    q: str | None = Field(None, max_length=100, description="标题包含")


class PetitionOut(Schema):
    id: int
    number: str
    kind: PetitionKind
    channel: Channel
    received_at: dt.datetime
    subject: str
    status: PetitionStatus
    category_id: int | None
    category: str | None = Field(None, description="分类名称")
    category_source: str = Field(..., description="分类来源：suggested/confirmed/corrected/imported，空为未分类")
    category_confidence: float | None
    original_id: int | None = Field(None, description="重复于（原件）ID；本件为原件时为空")
    duplicate_ids: list[int] = Field(default_factory=list, description="归并到本件的重复件 ID（仅详情）")
    matter_id: int | None
    satisfaction: str

    @staticmethod
    def resolve_category(obj):
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_original_id(obj):
        return obj.duplicate_of_id


class PetitionDetailOut(PetitionOut):
    content: str
    anonymous: bool
    decline_reason: str


@router.get("/petitions/", response=list[PetitionOut], summary="群众诉求（分页，筛选参数同列表页）")
@paginate(PageNumberPagination, page_size=50)
def supervision_petitions(request, filters: Query[PetitionFilterIn]):
    values = {k: v for k, v in filters.dict().items() if v is not None}
    form = PetitionFilter(values, user=request.auth)
    if form.is_bound and not form.is_valid():
        raise ValidationError({k: "；".join(v) for k, v in form.errors.items()})
    return form.apply(Petition.objects.visible_to(request.auth)).select_related("category")


@router.get("/petitions/{int:petition_id}", response=PetitionDetailOut, summary="群众诉求详情（分类及重复件组）")
def supervision_petition(request, petition_id: int):
    petition = get_visible_or_404(Petition.objects.select_related("category"), request.auth, petition_id)
    original_pk = petition.duplicate_of_id or petition.pk
    petition.duplicate_ids = list(Petition.objects.visible_to(request.auth).filter(duplicate_of=original_pk)
                                  .order_by("pk").values_list("pk", flat=True))
    return petition
