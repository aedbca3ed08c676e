"""API routes of 纪委监督 (/api/v1/supervision): the same scope (visible_to) and services as the pages.

The person talked to gets their talk's date, kind and commitments only, the other fields empty (null)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.api.schemas import InputSchema
from dangjian.core.scope import get_visible_or_404, has_capability, path_condition
from dangjian.core.web import YEAR_MAX, YEAR_MIN
from dangjian.orgs.models import LEADERSHIP_TITLES, Org, OrgKind, Person, PositionTitle
from dangjian.orgs.services import current_positions, leadership_within_reach

from . import services
from .classify import agency_for, suggest
from .duplicates import find_duplicates
from .models import Finding, Inspection, InspectionPlan, Period, Result, Talk, TalkKind
from .petitions import CONTENT_MAX, SUBJECT_MAX

router = Router(tags=["监督"])
CHANGE = "supervision.change"

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


FULL_ONLY = ("talker_id", "subject_id", "finding_id", "petition_id", "reason", "content", "account", "follow_up_on",
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
    petition_id: int | None = None
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
    petition_id: int | None = OptId
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


# ---- writes: the pages' services and checks (readers only, 404 for anyone else; changers only, 403) -----------

IdItem = Annotated[int, Field(ge=1, le=2**62)]
# The services name their model's fields; the API's body names ids.
API_FIELDS = {"people": "people_ids", "person": "person_id", "section": "section_id", "inspectors": "inspector_ids"}


def _as_api_fields(call):
    """Run a service; its field errors named as the request body names those fields."""
    try:
        return call()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({API_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}) from None


class PlanIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    period: Period
    people_ids: list[IdItem] = Field([], max_length=200, description="检查对象：班子成员、责任科室负责人")
    section_ids: list[IdItem] = Field([], max_length=200, description="检查科室")


class ResultIn(InputSchema):
    item: str = Field(..., max_length=200)
    result: Result
    note: str = Field("", max_length=2000)


class InspectionIn(InputSchema):
    held_on: dt.date
    person_id: int | None = OptId
    section_id: int | None = OptId
    inspector_ids: list[IdItem] = Field(..., min_length=1, max_length=50)
    scope_text: str = Field(..., min_length=1, max_length=10000)
    results: list[ResultIn] = Field(..., max_length=200, description="每个检查项目一条结果")


class FindingIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=2000)
    item: str = Field("", max_length=200)
    owner_id: int = Id
    leader_id: int = Id
    due_on: dt.date | None = Field(None, description="留空则按“监督检查问题”的默认时限（工作日）计算")


class FollowUpIn(InputSchema):
    followed_up_on: dt.date
    follow_up_note: str = Field(..., min_length=1, max_length=2000)
    version: int | None = Field(None, ge=1, le=2**31, description="读取时的版本号（乐观锁）；不填则不检查")


def _require_changer(user) -> None:
    """As the pages: anyone outside the discipline team and the 党组书记 finds nothing; a reader who may not
    record is refused."""
    if not services.is_reader(user):
        raise Http404
    if not has_capability(user, CHANGE):
        raise PermissionDenied("无权登记监督记录（需要纪委监督权限）")


def _pick(queryset, ids: list[int], field: str, label: str) -> list:
    """The records of ``ids`` among ``queryset`` (what the page offers), or an error naming the field."""
    ids = list(dict.fromkeys(ids))
    found = {o.pk: o for o in queryset.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"{label}：{'、'.join(missing)} 不存在或不可选（不在您的权限范围内）"})
    return [found[i] for i in ids]


def _people(user):
    return Person.objects.visible_to(user).filter(is_active=True).select_related("org")


@router.post("/plans", response={201: PlanOut}, summary="制定监督检查计划")
def supervision_plan_create(request, payload: PlanIn):
    user = request.auth
    _require_changer(user)
    org = services.home_org(user)
    if org is None:
        raise PermissionDenied("无权制定监督检查计划")
    checked = current_positions([*LEADERSHIP_TITLES, PositionTitle.SECTION_HEAD]).values("person_id")
    people = _pick(_people(user).filter(pk__in=checked), payload.people_ids, "people_ids", "检查对象")
    sections = _pick(Org.objects.filter(path_condition(user, CHANGE, ("path",)), kind=OrgKind.SECTION, is_active=True),
                     payload.section_ids, "section_ids", "检查科室")
    plan = InspectionPlan(title=payload.title.strip(), year=payload.year, period=payload.period, org=org)
    return 201, _as_api_fields(lambda: services.do_create_plan(plan, actor=user, people=people, sections=sections))


@router.post("/plans/{int:plan_id}/inspections", response={201: InspectionOut}, summary="登记监督检查记录")
def supervision_inspection_create(request, plan_id: int, payload: InspectionIn):
    user = request.auth
    _require_changer(user)
    plan = get_visible_or_404(InspectionPlan.objects.select_related("org"), user, plan_id, "change")
    person = _pick(plan.people.all(), [payload.person_id], "person_id", "被检查人")[0] if payload.person_id else None
    section = (_pick(plan.sections.all(), [payload.section_id], "section_id", "被检查科室")[0]
               if payload.section_id else None)
    inspectors = _pick(_people(user), payload.inspector_ids, "inspector_ids", "检查人")
    inspection = Inspection(plan=plan, held_on=payload.held_on, person=person, section=section,
                            scope_text=payload.scope_text.strip(), results=[r.dict() for r in payload.results])
    inspection = _as_api_fields(lambda: services.do_record_inspection(inspection, actor=user, inspectors=inspectors))
    return 201, supervision_inspection(request, inspection.pk)


@router.post("/inspections/{int:inspection_id}/findings", response={201: FindingOut},
             summary="登记检查发现的问题（建立“监督检查问题”事项）")
def supervision_finding_create(request, inspection_id: int, payload: FindingIn):
    user = request.auth
    _require_changer(user)
    inspection = get_visible_or_404(Inspection.objects.select_related("plan"), user, inspection_id, "change")
    owner = _pick(_people(user), [payload.owner_id], "owner_id", "责任人")[0]
    leader = _pick(leadership_within_reach(user, CHANGE), [payload.leader_id], "leader_id", "责任领导")[0]
    finding = services.do_add_finding(inspection, actor=user, text=payload.text, item=payload.item, owner=owner,
                                      leader=leader, due_on=payload.due_on)
    matter = finding.matter
    return 201, {"id": finding.pk, "item": finding.item, "text": finding.text, "matter_id": matter.pk,
                 "matter_status": matter.status, "closed": matter.is_closed}


@router.post("/talks/{int:talk_id}/follow-up", response=TalkOut, summary="登记谈话回访")
def supervision_talk_follow_up(request, talk_id: int, payload: FollowUpIn):
    talk = get_visible_or_404(Talk, request.auth, talk_id, "change")
    return services.do_record_follow_up(talk, actor=request.auth, done_on=payload.followed_up_on,
                                        note=payload.follow_up_note, expected_version=payload.version)

# 群众监督's routes (their own module: its schemas are read by ninja without postponed annotations)
from . import petition_api  # noqa: E402,F401

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
