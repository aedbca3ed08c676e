"""API routes of 纪委监督 (/api/v1/supervision): the same scope (visible_to) and services as the pages.

The person talked to gets their talk's date, kind and commitments only, the other fields empty (null)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.api.schemas import InputSchema
from dangjian.core.scope import get_visible_or_404
from dangjian.core.web import YEAR_MAX, YEAR_MIN
from dangjian.orgs.models import Person

from . import services
from .models import Finding, Inspection, InspectionPlan, Talk, TalkKind

router = Router(tags=["监督"])

Id = Field(..., ge=1, le=2**62)
OptId = Field(None, ge=1, le=2**62)


class PlanOut(Schema):
    id: int
    title: str
    year: int
    period: str
    org_id: int
    checklist: list[str]
    checklist_version: int


class ResultOut(Schema):
    item: str
    result: str
    note: str = ""


class FindingOut(Schema):
    id: int
    item: str
    text: str
    matter_id: int
    matter_status: str
    closed: bool


class InspectionOut(Schema):
    id: int
    plan_id: int
    held_on: dt.date
    person_id: int | None
    section_id: int | None
    scope_text: str
    results: list[ResultOut]
    findings: list[FindingOut]
    findings_closed: int = Field(..., description="已备案销号的问题数")


FULL_ONLY = ("talker_id", "subject_id", "finding_id", "reason", "content", "account", "follow_up_on",
             "followed_up_on", "follow_up_note")


def _full(obj, context) -> bool:
    return services.reads_in_full(context["request"].auth, obj)


def _full_only(name):
    return staticmethod(lambda obj, context: getattr(obj, name) if _full(obj, context) else None)


class TalkOut(Schema):
    id: int
    kind: TalkKind
    held_on: dt.date
    commitments: str
    full: bool = Field(..., description="是否可查看全部内容；谈话对象本人只能看到日期、方式和本人承诺")
    talker_id: int | None = None
    subject_id: int | None = None
    finding_id: int | None = None
    reason: str | None = None
    content: str | None = None
    account: str | None = None
    follow_up_on: dt.date | None = None
    followed_up_on: dt.date | None = None
    follow_up_note: str | None = None

    resolve_full = staticmethod(_full)
    locals().update({f"resolve_{name}": _full_only(name) for name in FULL_ONLY})


class TalkIn(InputSchema):
    kind: TalkKind
    held_on: dt.date
    talker_id: int = Id
    subject_id: int = Id
    finding_id: int | None = OptId
    reason: str = Field("", max_length=2000)
    content: str = Field(..., min_length=1, max_length=10000)
    account: str = Field("", max_length=10000)
    commitments: str = Field("", max_length=10000)
    follow_up_on: dt.date | None = None


class FormCountOut(Schema):
    kind: str
    label: str
    count: int


@router.get("/plans", response=list[PlanOut], summary="监督检查计划")
@paginate(PageNumberPagination, page_size=50)
def supervision_plans(request):
    return InspectionPlan.objects.visible_to(request.auth)


@router.get("/inspections/{int:inspection_id}", response=InspectionOut, summary="监督检查记录（逐项结果与发现的问题）")
def supervision_inspection(request, inspection_id: int):
    inspection = get_visible_or_404(Inspection, request.auth, inspection_id)
    findings = [{"id": f.id, "item": f.item, "text": f.text, "matter_id": f.matter_id, "matter_status": f.matter.status,
                 "closed": f.matter.is_closed}
                for f in Finding.objects.visible_to(request.auth).filter(inspection=inspection).select_related("matter")]
    total, closed = services.finding_counts([inspection.pk]).get(inspection.pk, (0, 0))
    return {**{f: getattr(inspection, f) for f in ("id", "plan_id", "held_on", "person_id", "section_id",
                                                   "scope_text", "results")},
            "findings": findings, "findings_closed": closed}


@router.get("/talks", response=list[TalkOut], summary="谈话记录（谈话对象本人只见日期、方式和本人承诺）")
@paginate(PageNumberPagination, page_size=50)
def supervision_talks(request):
    return Talk.objects.visible_to(request.auth)


@router.get("/talks/{int:talk_id}", response=TalkOut, summary="谈话记录详情")
def supervision_talk(request, talk_id: int):
    return get_visible_or_404(Talk, request.auth, talk_id)


@router.post("/talks", response={201: TalkOut}, summary="登记谈话")
def supervision_talk_create(request, payload: TalkIn):
    data = payload.dict()
    people = Person.objects.visible_to(request.auth).filter(is_active=True)
    for name in ("talker", "subject"):
        data[name] = people.filter(pk=data.pop(f"{name}_id")).first()
        if data[name] is None:
            raise ValidationError({f"{name}_id": f"{Talk._meta.get_field(name).verbose_name}：人员不存在或不在您的权限范围内"})
    talk = services.do_record_talk(Talk(**data), actor=request.auth)
    return 201, talk


@router.get("/figures", response=list[FormCountOut], summary="“四种形态”第一种形态：各方式谈话次数（本系统只登记第一种形态）")
def supervision_figures(request, year: int = Query(None, ge=YEAR_MIN, le=YEAR_MAX)):
    if not services.is_reader(request.auth):  # the discipline team's figures; no hint for anyone else
        raise Http404("记录不存在或不在您的权限范围内")
    year = year or timezone.localdate().year
    return [{"kind": k, "label": label, "count": n} for k, label, n in services.first_form_counts(request.auth, year)]


# ---- 群众监督: the category and duplicate suggestion for a text being entered ----------------------------------

class SuggestIn(InputSchema):
    subject: str = Field("", description="标题")
    content: str = Field("", description="内容")


class CategorySuggestionOut(Schema):
    name: str
    confidence: float = Field(..., description="置信度（0–1）")


class DuplicateOut(Schema):
    id: int
    score: float
    reason: str = Field(..., description="相同的词句")


class SuggestOut(Schema):
    categories: list[CategorySuggestionOut]
    duplicates: list[DuplicateOut]


@router.post("/petitions/suggest", response=SuggestOut, summary="诉求分类建议与可能重复的诉求")
def supervision_petition_suggest(request, payload: SuggestIn):
    from .classify import agency_for, suggest
    from .duplicates import find_duplicates
    from .petitions import CONTENT_MAX, SUBJECT_MAX

    subject, content = payload.subject.strip(), payload.content.strip()
    errors = {}
    if len(subject) > SUBJECT_MAX:
        errors["subject"] = f"标题：最多 {SUBJECT_MAX} 字（现有 {len(subject)} 字）"
    if len(content) > CONTENT_MAX:
        errors["content"] = f"内容：最多 {CONTENT_MAX} 字（现有 {len(content)} 字）"
    if not (subject or content or errors):
        errors["subject"] = "标题：标题和内容不能都为空"
    if errors:
        raise ValidationError(errors)
    agency = agency_for(request.auth)
    if agency is None:
        raise PermissionDenied("无权查看群众诉求")
    return {"categories": [{"name": s.name, "confidence": s.confidence} for s in suggest(agency.pk, subject, content)],
            "duplicates": [{"id": d.petition_id, "score": d.score, "reason": d.reason}
                           for d in find_duplicates(agency, subject, content, user=request.auth)]}
