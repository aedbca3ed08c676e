"""API routes of 报告报备 (外出报备): the same scope (visible_to) and services as the pages — a filing that would
leave the agency without the one presiding is refused (422) naming the other filing, as on the page."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.api.schemas import InputSchema
from dangjian.core.scope import get_visible_or_404, has_capability
from dangjian.orgs.models import Person
from dangjian.orgs.services import agency_of

from . import services
from .models import Absence, AbsenceStatus

router = Router(tags=["报告报备"])
Id = Field(..., ge=1, le=2**62)


class AbsenceOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(..., alias="person.name")
    destination: str
    leaves_on: dt.date
    returns_on: dt.date
    reason: str
    acting_id: int | None
    status: AbsenceStatus
    decided_on: dt.date | None
    decision_note: str
    returned_on: dt.date | None
    version: int


class AbsenceIn(InputSchema):
    person_id: int | None = Field(None, ge=1, le=2**62, description="外出领导；工作人员代为报备时必填，本人报备时省略")
    destination: str = Field(..., min_length=1, max_length=100)
    leaves_on: dt.date
    returns_on: dt.date
    reason: str = Field(..., min_length=1, max_length=300)
    acting_id: int | None = Field(None, ge=1, le=2**62, description="外出期间主持工作的同志（党组书记外出时必填）")


@router.get("/absences", response=list[AbsenceOut], summary="外出报备列表（本人可见范围内）")
@paginate(PageNumberPagination, page_size=50)
def absences_list(request, status: AbsenceStatus | None = None):
    rows = Absence.objects.visible_to(request.auth).select_related("person").order_by("-leaves_on", "-pk")
    return rows.filter(status=status) if status else rows


@router.get("/absences/{int:absence_id}", response=AbsenceOut, summary="外出报备详情")
def absence_get(request, absence_id: int):
    return get_visible_or_404(Absence.objects.select_related("person"), request.auth, absence_id)


def _leader(request, person_id: int | None) -> Person:
    """Whom the filing is for: the staff (filing.change) name a leader they may see; a leader files their own."""
    user = request.auth
    own = getattr(user, "person", None)
    if has_capability(user, services.CHANGE) and person_id is not None:
        return get_object_or_404(Person.objects.visible_to(user).select_related("org"), pk=person_id)
    if own is None or not services.obliged(own):
        raise PermissionDenied("外出报备：只有领导班子成员本人或工作人员可以报备")
    if person_id is not None and person_id != own.pk:
        raise PermissionDenied("无权为他人报备外出")
    return own


@router.post("/absences", response={201: AbsenceOut}, summary="外出报备（与主持工作安排冲突的不予报备，说明冲突的报备）")
def absence_create(request, payload: AbsenceIn):
    data = payload.dict()
    person = _leader(request, data.pop("person_id"))
    acting_id = data.pop("acting_id")
    acting = None
    if acting_id is not None:
        acting = services.leaders_of(agency_of(person.org)).filter(pk=acting_id).first()
        if acting is None:
            raise ValidationError({"acting_id": f"主持工作的同志：编号 {acting_id} 不是本单位领导班子成员"})
    absence = services.do_file_absence(Absence(person=person, acting=acting, **data), actor=request.auth)
    return 201, absence
