"""API routes of 责任体系: the same scope (visible_to) and services as the pages."""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.api.filters import apply_filter, form_data
from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.api.schemas import InputSchema
from dangjian.core.scope import get_visible_or_404, path_in_scope
from dangjian.core.web import YEAR_MAX, YEAR_MIN
from dangjian.orgs.models import Org, Person

from . import letters, register, services
from .filters import LetterFilter
from .models import (
    Duty,
    DutyKind,
    Institution,
    InstitutionCategory,
    LetterTask,
    ResponsibilityLetter,
    TaskStatus,
)

router = Router(tags=["责任体系"])
Id = Field(..., ge=1, le=2**62)


class DutyOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(..., alias="person.name")
    kind: DutyKind
    org_id: int
    org_name: str = Field(..., alias="org.name")
    start_date: dt.date
    end_date: dt.date | None
    rule_version: int
    version: int


class DutyIn(InputSchema):
    person_id: int = Id
    kind: DutyKind
    org_id: int = Id
    start_date: dt.date
    end_date: dt.date | None = None
    note: str = Field("", max_length=200)


class DutyEnd(InputSchema):
    end_date: dt.date
    version: int = Field(..., ge=1, le=2**31)


class ConflictOut(Schema):
    duty_id: int
    person_name: str
    section: str
    domains: list[str]
    message: str


class MatrixRowOut(Schema):
    person_id: int
    person_name: str
    titles: list[str]
    sections: list[int]


class MatrixOut(Schema):
    on: dt.date
    sections: list[dict]
    rows: list[MatrixRowOut]
    domain_overseers: dict[str, list[dict]]
    conflicts: list[ConflictOut]


class ChainOut(Schema):
    label: str
    person_id: int | None
    person_name: str | None
    org_id: int | None


class TaskOut(Schema):
    id: int
    letter_id: int
    seq: int
    title: str
    target: str
    owner_id: int
    deadline: dt.date
    weight: int
    status: TaskStatus
    overdue: bool
    evidence: str
    version: int

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()


class LetterOut(Schema):
    id: int
    year: int
    kind: str
    org_id: int
    secretary_id: int
    counterpart_id: int
    counterpart_name: str = Field(..., alias="counterpart.name")
    signed_on: dt.date | None
    version: int


class LetterDetail(LetterOut):
    responsibilities: str
    tasks: list[TaskOut]

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.order_by("seq", "id"))


class LetterIn(InputSchema):
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    counterpart_id: int = Id


class TaskIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    target: str = Field(..., min_length=1, max_length=300)
    owner_id: int = Id
    deadline: dt.date
    weight: int = Field(..., ge=1, le=100)


class ProgressIn(InputSchema):
    status: TaskStatus
    note: str = Field(..., min_length=1, max_length=2000)
    evidence: str = Field("", max_length=300)
    version: int = Field(..., ge=1, le=2**31, description="编辑所依据的版本号，用于冲突检测")


class SignIn(InputSchema):
    signed_on: dt.date


class InstitutionOut(Schema):
    id: int
    title: str
    doc_number: str
    category: InstitutionCategory
    issuer: str
    issued_on: dt.date
    repealed_on: dt.date | None
    has_file: bool

    @staticmethod
    def resolve_has_file(obj):
        return bool(obj.file)


def _visible_person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.auth), pk=pk)


@router.get("/duties", response=list[DutyOut], summary="在任责任分工")
@paginate(PageNumberPagination, page_size=100)
def list_duties(request, on: dt.date | None = None):
    return Duty.objects.visible_to(request.auth).current(on).select_related("person", "org")


@router.post("/duties", response={201: DutyOut}, summary="分配责任（核验四个不直接分管）")
def assign_duty(request, payload: DutyIn):
    data = payload.dict()
    org = get_object_or_404(Org.objects.visible_to(request.auth), pk=data.pop("org_id"))
    person = _visible_person(request, data.pop("person_id"))
    duty = services.do_assign_duty(Duty(org=org, person=person, **data), actor=request.auth)
    return 201, duty


@router.post("/duties/{int:duty_id}/end", response=DutyOut, summary="终止责任分工")
def end_duty(request, duty_id: int, payload: DutyEnd):
    duty = get_visible_or_404(Duty.objects.select_related("person", "org"), request.auth, duty_id, "change")
    return services.do_end_duty(duty, payload.end_date, actor=request.auth, expected_version=payload.version)


def _conflict(c):
    return {"duty_id": c.duty.pk, "person_name": c.duty.person.name, "section": c.duty.org.name,
            "domains": c.domains, "message": c.message}


@router.get("/matrix", response=MatrixOut, summary="班子成员分管科室一览表")
def duty_matrix(request, on: dt.date | None = None):
    m = services.duty_matrix(request.auth, on)
    return {
        "on": m.on, "sections": [{"id": s.pk, "name": s.name, "domains": d} for s, d in zip(m.sections, m.domains,
                                                                                           strict=True)],
        "rows": [{"person_id": r.person.pk, "person_name": r.person.name, "titles": r.titles,
                  "sections": [s.pk for s, on_ in zip(m.sections, r.cells, strict=True) if on_]} for r in m.rows],
        "domain_overseers": {d: [{"section": s.name, "overseers": [p.name for p in people]} for s, people in e]
                             for d, e in m.domain_overseers},
        "conflicts": [_conflict(c) for c in m.conflicts],
    }


@router.get("/conflicts", response=list[ConflictOut], summary="四个不直接分管核验结果")
def duty_conflicts(request):
    visible = set(Duty.objects.visible_to(request.auth).current().values_list("pk", flat=True))
    return [_conflict(c) for c in services.rule_conflicts() if c.duty.pk in visible]


@router.get("/chain", response=list[ChainOut], summary="责任链条：科室负责人→分管领导→党组书记")
def duty_chain(request, org_id: int = Query(..., ge=1, le=2**62), on: dt.date | None = None):
    org = get_visible_or_404(Org, request.auth, org_id)
    if not path_in_scope(request.auth, "duty.view", org.path):
        raise Http404
    return [{"label": c.label, "person_id": c.person.pk if c.person else None,
             "person_name": c.person.name if c.person else None, "org_id": c.org.pk if c.org else None}
            for c in services.responsibility_chain(org, on)]


class LetterQuery(Schema):
    """The parameters of the 责任状 page, applied by the page's own filter (filters.LetterFilter)."""

    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="年度；不填为全部年度（页面不填为本年度）")
    leader: int | None = Field(None, ge=1, le=2**62, description="班子成员：签给他的责任状及其分管科室的责任状")
    section: int | None = Field(None, ge=1, le=2**62, description="科室（含下级）")


@router.get("/letters", response=list[LetterOut], summary="责任状",
            description="筛选与责任状页面相同（同一筛选定义）；班子成员、科室须在本人可见范围内，否则返回 422。")
@paginate(PageNumberPagination, page_size=100)
def list_letters(request, filters: Query[LetterQuery]):
    form = LetterFilter(form_data(filters), user=request.auth)
    return apply_filter(form, ResponsibilityLetter.objects.visible_to(request.auth).select_related("counterpart"))


@router.get("/letters/{int:letter_id}", response=LetterDetail, summary="责任状详情（含任务）")
def get_letter(request, letter_id: int):
    return get_visible_or_404(ResponsibilityLetter.objects.select_related("counterpart"), request.auth, letter_id)


@router.post("/letters", response={201: LetterOut}, summary="起草责任状")
def create_letter(request, payload: LetterIn):
    person = _visible_person(request, payload.counterpart_id)
    return 201, letters.do_create_letter(payload.year, person, actor=request.auth)


@router.post("/letters/{int:letter_id}/tasks", response={201: TaskOut}, summary="添加责任状任务")
def add_task(request, letter_id: int, payload: TaskIn):
    letter = get_visible_or_404(ResponsibilityLetter, request.auth, letter_id, "change")
    data = payload.dict()
    owner = get_object_or_404(Person, pk=data.pop("owner_id"))  # the service checks the letter's scope
    return 201, letters.do_save_task(LetterTask(letter=letter, owner=owner, **data), actor=request.auth)


@router.post("/letters/{int:letter_id}/sign", response=LetterOut, summary="登记签订")
def sign_letter(request, letter_id: int, payload: SignIn):
    letter = get_visible_or_404(ResponsibilityLetter, request.auth, letter_id, "change")
    return letters.do_sign_letter(letter, actor=request.auth, signed_on=payload.signed_on)


@router.post("/tasks/{int:task_id}/progress", response=TaskOut, summary="填报任务进展")
def report_progress(request, task_id: int, payload: ProgressIn):
    task = get_visible_or_404(LetterTask.objects.select_related("owner"), request.auth, task_id)
    letters.do_report_progress(task, actor=request.auth, note=payload.note, status=payload.status,
                               evidence=payload.evidence, expected_version=payload.version)
    return task


class InstitutionFilter(Schema):
    q: str | None = Field(None, max_length=50, description="全文检索")
    category: InstitutionCategory | None = None
    on: dt.date | None = Field(None, description="在该日期有效")
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="制定年度")


@router.get("/institutions", response=list[InstitutionOut], summary="制度汇编")
@paginate(PageNumberPagination, page_size=50)
def list_institutions(request, filters: Query[InstitutionFilter]):
    items = Institution.objects.visible_to(request.auth)
    if filters.q:
        items = register.search(items, filters.q)
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.on:
        items = items.in_force(filters.on)
    if filters.year:
        items = register.made_in_year(items, filters.year)
    return items
