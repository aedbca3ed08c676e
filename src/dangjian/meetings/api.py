"""API routes of 会议学习: the same scope (visible_to) and services as the pages."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.api.filters import apply_filter, form_data
from dangjian.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from dangjian.api.schemas import InputSchema
from dangjian.core.scope import get_visible_or_404, path_in_scope, scope_roots
from dangjian.core.uploads import CONTENT_TYPES, stored_file_response
from dangjian.core.web import YEAR_MAX, YEAR_MIN
from dangjian.orgs.models import Org

from . import compliance, study
from .filters import MeetingFilterForm
from .models import (
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
    Outcome,
    Stance,
    Topic,
    TopicCategory,
)
from .services import decisions, qr_signin

router = Router(tags=["会议学习"])
Id = Field(..., ge=1, le=2**62)


class MeetingOut(Schema):
    id: int
    kind: str = Field(..., alias="kind.name")
    title: str
    org_id: int
    date: dt.date
    start_time: str = Field(..., pattern=r"^\d{2}:\d{2}$", description="开始时间 HH:MM（当地时间）")
    end_time: str = Field(..., pattern=r"^\d{2}:\d{2}$", description="结束时间 HH:MM（当地时间）")
    place: str
    status: MeetingStatus
    version: int

    # JSON Schema's "time" format demands a UTC offset; a meeting's time is a wall-clock time.
    @staticmethod
    def resolve_start_time(meeting) -> str:
        return meeting.start_time.strftime("%H:%M")

    @staticmethod
    def resolve_end_time(meeting) -> str:
        return meeting.end_time.strftime("%H:%M")


class TopicOut(Schema):
    id: int
    meeting_id: int
    title: str
    category: TopicCategory
    amount: float | None
    outcome: Outcome
    tally: dict
    entitled: list
    present: list
    recused: list
    rule_versions: dict


class VoteIn(InputSchema):
    person_id: int = Id
    order: int = Field(..., ge=1, le=99)
    stance: Stance
    reason: str = Field("", max_length=300)


class DecisionIn(InputSchema):
    votes: list[VoteIn] = Field(..., max_length=100)
    recused_ids: list[int] = Field(default_factory=list, max_length=100)
    decision_text: str = Field("", max_length=2000)


class SigninIn(InputSchema):
    token: str = Field(..., min_length=10, max_length=200)


class SigninOut(Schema):
    meeting_id: int
    person_id: int
    signed_in_at: dt.datetime


class GapOut(Schema):
    branch_id: int
    branch: str
    kind: str
    period: str


class HoursOut(Schema):
    person_id: int
    name: str = Field(..., alias="person__name")
    hours: float
    present: int
    missed: int
    makeup_open: int


class MeetingFilter(Schema):
    """The parameters of the meeting list page, applied by the page's own filter (filters.MeetingFilterForm)."""

    kind: str | None = Field(None, max_length=20, description="会议类型代码")
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="年度")


@router.get("/meetings", response=list[MeetingOut], summary="会议列表",
            description="筛选与会议列表页面相同（同一筛选定义）。")
@paginate(PageNumberPagination, page_size=50)
def list_meetings(request, filters: Query[MeetingFilter]):
    return apply_filter(MeetingFilterForm(form_data(filters)), Meeting.objects.visible_to(request.auth)
                        .select_related("kind"))


@router.get("/meetings/{int:meeting_id}", response=MeetingOut, summary="会议详情")
def get_meeting(request, meeting_id: int):
    return get_visible_or_404(Meeting.objects.select_related("kind"), request.auth, meeting_id)


@router.get("/meetings/{int:meeting_id}/topics", response=list[TopicOut], summary="会议议题及决定")
def meeting_topics(request, meeting_id: int):
    meeting = get_visible_or_404(Meeting, request.auth, meeting_id)
    return list(Topic.objects.visible_to(request.auth).filter(meeting=meeting))


class AttachmentOut(Schema):
    id: int
    meeting_id: int
    name: str = Field(..., description="上传时的文件名")
    size: int = Field(..., description="大小（字节）")
    uploaded_by: str = Field(..., description="上传人")
    uploaded_at: dt.datetime

    @staticmethod
    def resolve_uploaded_by(item) -> str:
        return item.uploaded_by.get_full_name() if item.uploaded_by else ""

    @staticmethod
    def resolve_uploaded_at(item) -> dt.datetime:
        return item.created_at


@router.get("/meetings/{int:meeting_id}/attachments", response=list[AttachmentOut], summary="会议附件列表")
def meeting_attachments(request, meeting_id: int):
    meeting = get_visible_or_404(Meeting, request.auth, meeting_id)
    return list(meeting.attachments.select_related("uploaded_by").order_by("id"))


@router.get("/attachments/{int:attachment_id}/file", summary="下载会议附件（记入安全日志）", openapi_extra={
    "responses": {200: {"description": "附件文件", "content": {
        content_type: {"schema": {"type": "string", "format": "binary"}}
        for content_type in sorted(set(CONTENT_TYPES.values()))}}}})
def attachment_file(request, attachment_id: int):
    """The same single way out as the page: scope first, then the file, the download logged."""
    item = get_visible_or_404(MeetingAttachment, request.auth, attachment_id)
    return stored_file_response(item.file, actor=request.auth, target=item, filename=item.download_stem)


@router.post("/topics/{int:topic_id}/decision", response=TopicOut, summary="记录决定（执行“三重一大”规则）")
def record_decision(request, topic_id: int, payload: DecisionIn):
    topic = get_visible_or_404(Topic, request.auth, topic_id, "change")
    votes = [decisions.Vote(v.person_id, v.order, v.stance, v.reason) for v in payload.votes]
    return decisions.do_record_decision(topic, votes, recused_ids=set(payload.recused_ids),
                                       decision_text=payload.decision_text, actor=request.auth)


@router.post("/signin", response=SigninOut, summary="扫码签到")
def signin(request, payload: SigninIn):
    row: Attendance = qr_signin.do_signin(payload.token, actor=request.auth)
    return {"meeting_id": row.meeting_id, "person_id": row.person_id, "signed_in_at": row.signed_in_at}


@router.get("/compliance", response=list[GapOut], summary="三会一课缺项")
def compliance_gaps(request, year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX), org_id: int | None = Query(None, ge=1,
                                                                                                     le=2**62)):
    if org_id:
        org = get_visible_or_404(Org, request.auth, org_id)
        if not path_in_scope(request.auth, "meeting.view", org.path):
            raise Http404
        roots = [org.path]
    else:
        roots = scope_roots(request.auth, "meeting.view")
    out = []
    for root in roots:
        out += [g.__dict__ for g in compliance.gap_report(root, year)[1]]
    return out


@router.get("/study-hours", response=list[HoursOut], summary="每人学习时长")
@paginate(PageNumberPagination, page_size=100)
def study_hours(request, year: int = Query(None, ge=YEAR_MIN, le=YEAR_MAX)):
    return study.hours_by_person(year or timezone.localdate().year, Attendance.objects.visible_to(request.auth))
