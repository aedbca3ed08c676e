"""API routes of 事项督办 (/api/v1/matters): the same scope (visible_to) and services as the pages."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.api.filters import apply_filter, form_data
from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.api.schemas import InputSchema
from dangjian.core.figures import FigureScope, Period, evaluate_many, get
from dangjian.core.scope import get_visible_or_404, require_capability, scope_roots
from dangjian.core.web import YEAR_MAX, YEAR_MIN
from dangjian.orgs.models import Org, Person

from . import figures as figs
from . import kinds, services, workflow
from .filters import API_RENAMES, ApiFilterForm, list_order
from .models import HandlingClass, Matter, ProblemList, Satisfaction, Status

router = Router(tags=["事项督办"])

Id = Field(..., ge=1, le=2**62)
OptId = Field(None, ge=1, le=2**62)


class MatterOut(Schema):
    id: int
    kind: str
    title: str
    content: str
    source: str
    number: str
    category: str
    batch: str
    level: str
    handling_class: str
    status: Status
    org_id: int
    owner_id: int | None
    responsible_leader_id: int | None
    problem_list_id: int | None
    received_on: dt.date
    assigned_on: dt.date | None
    due_on: dt.date | None
    due_provisional: bool
    due_state: str
    handoff_due_on: dt.date | None = Field(None, description="要事马上办：应交办日期（登记当日，非工作日登记的为其后第一个工作日）")
    handoff_late: bool = Field(False, description="要事交办超时：超过应交办日期才交办，或至今未交办")
    proposer: str
    reply_text: str
    replied_on: dt.date | None
    satisfaction: str
    completion_statement: str
    evidence: str
    closed_on: dt.date | None
    filing_number: str
    version: int

    @staticmethod
    def resolve_due_state(obj):
        return workflow.due_state(obj, timezone.localdate())

    @staticmethod
    def resolve_handoff_late(obj):
        return workflow.handoff_flag(obj, timezone.localdate())


class MatterIn(InputSchema):
    kind: str = Field(..., max_length=20, description="类别：rectify 整改问题 / assigned 交办事项 / npc 人大建议 / cppcc 政协提案")
    title: str = Field(..., min_length=1, max_length=200)
    content: str = Field("", max_length=10000)
    source: str = Field("", max_length=200)
    number: str = Field("", max_length=40)
    category: str = Field("", max_length=50)
    batch: str = Field("", max_length=30)
    level: str = Field("", max_length=30)
    handling_class: HandlingClass = HandlingClass.NORMAL
    org_id: int = Id
    owner_id: int | None = OptId
    responsible_leader_id: int | None = OptId
    problem_list_id: int | None = OptId
    received_on: dt.date | None = None
    due_on: dt.date | None = None
    proposer: str = Field("", max_length=100)


class MatterPatch(InputSchema):
    version: int = Field(..., ge=1, le=2**31, description="编辑所依据的版本号，用于冲突检测")
    title: str | None = Field(None, min_length=1, max_length=200)
    content: str | None = Field(None, max_length=10000)
    category: str | None = Field(None, max_length=50)
    owner_id: int | None = OptId
    responsible_leader_id: int | None = OptId
    due_on: dt.date | None = None


class TransitionIn(InputSchema):
    version: int = Field(..., ge=1, le=2**31, description="操作所依据的版本号；他人已先处理时返回 409")
    reason: str = Field("", max_length=1000)
    owner_id: int | None = OptId
    responsible_leader_id: int | None = OptId
    assigned_on: dt.date | None = None
    due_on: dt.date | None = None
    completion_statement: str | None = Field(None, max_length=10000)
    evidence: str | None = Field(None, max_length=10000)
    reply_text: str | None = Field(None, max_length=10000)
    replied_on: dt.date | None = None


class SatisfactionIn(InputSchema):
    version: int = Field(..., ge=1, le=2**31)
    satisfaction: Satisfaction


class TransitionOut(Schema):
    name: str
    label: str = Field(..., alias="name_label")
    from_status: str
    to_status: str
    actor_name: str
    at: dt.datetime
    reason: str
    on_time: bool | None = Field(None, description="要事交办是否当日完成（其他操作为空）")


class StepOut(Schema):
    name: str
    label: str
    reason_required: bool


class MatterFilter(Schema):
    """The parameters of the matter list page (事项清单), applied by the page's own filter form."""

    q: str | None = Field(None, max_length=50, description="标题包含")
    kind: str | None = Field(None, max_length=20, description="类别")
    status: Status | None = None
    due: str | None = Field(None, pattern="^(overdue|warning|ok|none|closed|handoff_late)$",
                            description="时限状态；handoff_late 为要事交办超时")
    handling_class: str | None = Field(None, max_length=20, description="办理方式；normal 为一般事项")
    org_id: int | None = Field(None, ge=1, le=2**62, description="组织（含下级）；同页面参数 org")
    org: int | None = Field(None, ge=1, le=2**62, description="同 org_id（页面的参数名）")
    leader_id: int | None = Field(None, ge=1, le=2**62, description="责任领导；同页面参数 leader")
    leader: int | None = Field(None, ge=1, le=2**62, description="同 leader_id（页面的参数名）")
    owner: str | None = Field(None, max_length=50, description="责任人姓名包含（页面的参数）")
    owner_id: int | None = Field(None, ge=1, le=2**62, description="责任人 ID")
    problem_list: int | None = Field(None, ge=1, le=2**62, description="问题清单 ID")
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="登记年度")
    open: bool | None = Field(None, description="仅在办")
    mine: str | None = Field(None, pattern="^(owner|leader)$", description="与我有关：owner 我负责的 / leader 我分管的")


class FigureOut(Schema):
    key: str
    label: str
    value: str
    count: int
    total: int | None


def _person(request, pk):
    return get_object_or_404(Person.objects.filter(is_active=True), pk=pk) if pk else None


@router.get("/", response=list[MatterOut], summary="事项列表",
            description="筛选与事项清单页面相同（同一筛选定义，同样的值得到同样的记录）。org_id/org、leader_id/leader "
                        "为同一参数的两个名称；组织、责任领导、问题清单须在本人可见范围内，否则返回 422。")
@paginate(PageNumberPagination, page_size=50)
def matters_list(request, filters: Query[MatterFilter]):
    form = ApiFilterForm(form_data(filters, API_RENAMES), user=request.auth)
    matters = apply_filter(form, Matter.objects.visible_to(request.auth), timezone.localdate())
    return matters.order_by(list_order(form))


@router.get("/figures", response=list[FigureOut], summary="年度统计数字（回复数、按期答复率、满意率、办结率、面商率）")
def matters_figures(request, year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX)):
    require_capability(request.auth, "matter.view", what="查看统计数字")
    roots = tuple(scope_roots(request.auth, "matter.view"))
    values = evaluate_many([get(k) for k in figs.YEAR_KEYS], FigureScope(roots, Period.year(year)))
    return [{"key": v.figure.key, "label": v.figure.label, "value": v.display, "count": v.count, "total": v.total}
            for v in values.values()]


@router.get("/{int:matter_id}", response=MatterOut, summary="事项详情")
def matter_get(request, matter_id: int):
    return get_visible_or_404(Matter, request.auth, matter_id)


@router.get("/{int:matter_id}/timeline", response=list[TransitionOut], summary="流转记录")
def matter_timeline(request, matter_id: int):
    matter = get_visible_or_404(Matter, request.auth, matter_id)
    return matter.transitions.order_by("id")


@router.get("/{int:matter_id}/steps", response=list[StepOut], summary="当前用户可执行的操作")
def matter_steps(request, matter_id: int):
    matter = get_visible_or_404(Matter, request.auth, matter_id)
    return [{"name": s.name, "label": s.label, "reason_required": s.reason_required}
            for s in services.allowed_steps(request.auth, matter)]


@router.post("/", response={201: MatterOut}, summary="登记事项")
def matter_create(request, payload: MatterIn):
    data = payload.dict()
    if data["kind"] not in kinds.KINDS:
        from django.core.exceptions import ValidationError

        raise ValidationError({"kind": f"类别“{data['kind']}”不存在，可选：{'、'.join(kinds.KINDS)}"})
    data["org"] = get_object_or_404(Org.objects.visible_to(request.auth), pk=data.pop("org_id"))
    data["owner"] = _person(request, data.pop("owner_id"))
    data["responsible_leader"] = _person(request, data.pop("responsible_leader_id"))
    plist_id = data.pop("problem_list_id")
    if plist_id:
        data["problem_list"] = get_visible_or_404(ProblemList, request.auth, plist_id)
    return 201, services.do_create_matter(Matter(**data), actor=request.auth)


@router.patch("/{int:matter_id}", response=MatterOut, summary="修改事项（带版本号）")
def matter_update(request, matter_id: int, payload: MatterPatch):
    matter = get_visible_or_404(Matter, request.auth, matter_id, "change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    for key in ("owner_id", "responsible_leader_id"):
        if key in data:
            setattr(matter, key.removesuffix("_id"), _person(request, data.pop(key)))
    for key, value in data.items():
        setattr(matter, key, value)
    return services.do_update_matter(matter, actor=request.auth, expected_version=version)


@router.post("/{int:matter_id}/transitions/{name}", response=MatterOut, summary="办理操作（交办、办结、销号、退回、重新打开…）")
def matter_transition(request, matter_id: int, name: str, payload: TransitionIn):
    matter = get_visible_or_404(Matter, request.auth, matter_id)
    data = payload.dict(exclude_none=True)
    version, reason = data.pop("version"), data.pop("reason", "")
    for key in ("owner_id", "responsible_leader_id"):
        if key in data:
            data[key.removesuffix("_id")] = _person(request, data.pop(key))
    return services.do_transition(matter, name, actor=request.auth, reason=reason, expected_version=version, **data)


@router.post("/{int:matter_id}/satisfaction", response=MatterOut, summary="登记代表委员满意度")
def matter_satisfaction(request, matter_id: int, payload: SatisfactionIn):
    matter = get_visible_or_404(Matter, request.auth, matter_id)
    return services.do_record_satisfaction(matter, payload.satisfaction, actor=request.auth,
                                           expected_version=payload.version)
