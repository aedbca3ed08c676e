"""API routes for orgs and people: the same scope (visible_to) and services as the pages."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.api.filters import apply_filter, form_data
from dangjian.api.pagination import BoundedPageNumberPagination
from dangjian.api.schemas import InputSchema
from dangjian.core.scope import get_visible_or_404, grants_for, scope_roots

from . import services
from .filters import API_RENAMES, ApiPersonFilterForm
from .models import Education, Gender, Org, OrgKind, PartyStatus, Person

router = Router(tags=["组织与人员"])

Name = Field(..., min_length=1, max_length=50)


class OrgOut(Schema):
    id: int
    name: str
    kind: OrgKind
    code: str
    depth: int
    path: str
    is_active: bool
    version: int


class PersonOut(Schema):
    id: int
    name: str
    gender: Gender
    # The year only, as the masked ID number goes with it (a full date would give the number away).
    birth_year: int = Field(..., alias="birth_date.year", description="出生年份（完整出生日期与完整身份证号一样需查看权限）")
    id_number: str = Field(..., alias="masked_id_number", description="脱敏后的身份证号")
    phone: str = Field(..., alias="masked_phone", description="脱敏后的手机号")
    education: str
    job_title: str
    org_id: int
    branch_id: int | None
    party_status: PartyStatus
    joined_party_on: dt.date | None
    full_member_on: dt.date | None
    is_active: bool
    version: int


class PersonIn(InputSchema):
    # An unknown field (role, org_path, id, user…) is refused, never silently ignored (mass assignment).

    name: str = Name
    gender: Gender
    birth_date: dt.date | None = Field(None, description="可不填：按身份证号推算；填写时须与身份证号一致")
    id_number: str = Field(..., min_length=18, max_length=18)
    phone: str = Field("", max_length=11)
    education: Education | None = None
    job_title: str = Field("", max_length=50)
    org_id: int = Field(..., ge=1, le=2**62)
    branch_id: int | None = Field(None, ge=1, le=2**62)
    party_status: PartyStatus = PartyStatus.MASSES
    joined_party_on: dt.date | None = None
    full_member_on: dt.date | None = None


class PersonPatch(InputSchema):

    version: int = Field(..., ge=1, le=2**31, description="编辑所依据的版本号，用于冲突检测")
    name: str | None = Field(None, min_length=1, max_length=50)
    phone: str | None = Field(None, max_length=11)
    education: Education | None = None
    job_title: str | None = Field(None, max_length=50)
    org_id: int | None = Field(None, ge=1, le=2**62)
    branch_id: int | None = Field(None, ge=1, le=2**62)
    party_status: PartyStatus | None = None
    joined_party_on: dt.date | None = None
    full_member_on: dt.date | None = None
    is_active: bool | None = None


class PersonFilter(Schema):
    """The parameters of the roster page (花名册), applied by the page's own filter form."""

    # Not nullable: a query string has no null (None here only means "not given").
    q: str = Field(None, max_length=50, description="姓名包含")
    party_status: PartyStatus = None
    org_id: int = Field(None, ge=1, le=2**62, description="组织（含下级，按所在科室或所在支部）；同页面参数 org")
    org: int = Field(None, ge=1, le=2**62, description="同 org_id（页面的参数名）")
    inactive: bool = Field(None, description="含离职人员")


class MemberCounts(Schema):
    full: int
    probationary: int
    activist: int
    masses: int


class Me(Schema):
    id: int
    username: str
    full_name: str
    roles: list[dict]


@router.get("/me", response=Me, summary="当前用户")
def me(request):
    return {"id": request.auth.pk, "username": request.auth.username, "full_name": request.auth.full_name,
            "roles": [{"role": g.role, "org_id": g.org_id, "subtree": g.subtree} for g in grants_for(request.auth)]}


@router.get("/orgs", response=list[OrgOut], summary="组织列表")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_orgs(request, q: str = Query(None, max_length=50)):
    orgs = Org.objects.visible_to(request.auth)
    return orgs.filter(name__contains=q) if q else orgs


@router.get("/orgs/{int:org_id}", response=OrgOut, summary="组织详情")
def get_org(request, org_id: int):
    return get_visible_or_404(Org, request.auth, org_id)


@router.get("/stats/members", response=MemberCounts, summary="党员人数（按政治面貌）")
def member_stats(request, org_id: int = Query(None, ge=1, le=2**62)):
    if org_id:
        return services.member_counts([get_visible_or_404(Org, request.auth, org_id).path])
    return services.member_counts(scope_roots(request.auth, "person.view"))


@router.get("/people", response=list[PersonOut], summary="人员花名册",
            description="筛选与花名册页面相同（同一筛选定义）。组织须在本人可见范围内，否则返回 422。")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_people(request, filters: Query[PersonFilter]):
    form = ApiPersonFilterForm(form_data(filters, API_RENAMES), user=request.auth)
    return apply_filter(form, Person.objects.visible_to(request.auth))


@router.get("/people/{int:person_id}", response=PersonOut, summary="人员详情")
def get_person(request, person_id: int):
    return get_visible_or_404(Person, request.auth, person_id)


def _org_or_404(request, org_id):
    return get_object_or_404(Org.objects.visible_to(request.auth), pk=org_id) if org_id else None


@router.post("/people", response={201: PersonOut}, summary="登记人员")
def create_person(request, payload: PersonIn):
    data = payload.dict()
    data["org"] = _org_or_404(request, data.pop("org_id"))
    data["branch"] = _org_or_404(request, data.pop("branch_id"))
    data["education"] = data["education"] or ""
    person = services.do_create_person(Person(**data), actor=request.auth)
    return 201, person


@router.patch("/people/{int:person_id}", response=PersonOut, summary="修改人员（带版本号）")
def update_person(request, person_id: int, payload: PersonPatch):
    person = get_visible_or_404(Person, request.auth, person_id, "change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "org_id" in data:
        data["org"] = _org_or_404(request, data.pop("org_id"))
        if data["org"] is None:
            data.pop("org")
    if "branch_id" in data:
        data["branch"] = _org_or_404(request, data.pop("branch_id"))
    for key, value in data.items():
        setattr(person, key, "" if key == "education" and value is None else value)
    return services.do_update_person(person, actor=request.auth, expected_version=version)
