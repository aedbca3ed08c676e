"""会议类型 and 学习计划 pages: who may edit, validation naming the field, conflicts, audit, paging."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.web import YEAR_MAX, YEAR_MIN
from dangjian.meetings import compliance, study
from dangjian.meetings.models import Meeting, MeetingKind, MeetingStatus, StudyPlan, StudyTopic
from dangjian.meetings.services import records
from dangjian.orgs.models import Org

from .helpers import dangwu

pytestmark = pytest.mark.django_db


def _kind_data(kind, **kw):
    return {"code": kind.code, "name": kind.name, "audience": kind.audience, "order": kind.order,
            "is_active": "on" if kind.is_active else "", "is_study": "on" if kind.is_study else "",
            "frequency_months": kind.frequency_months or "", "loaded_version": kind.version, **kw}


def test_only_agency_wide_meeting_managers_edit_kinds(demo, client_for):
    assert client_for("jijian").get(reverse("meetings:kinds")).status_code == 200
    for role in ("zhibu", "banzi", "jijian", "dangyuan"):
        assert client_for(role).get(reverse("meetings:kind_add")).status_code == 403, role
    page = client_for("dangwu").get(reverse("meetings:kinds")).content.decode()
    assert "新增会议类型" in page and "每3个月至少一次" in page  # 支部党员大会 from the rules


def test_a_new_kind_with_a_frequency_enters_the_gap_report(demo, client_for):
    client = client_for("dangwu")
    response = client.post(reverse("meetings:kind_add"), {
        "code": "study_seminar", "name": "专题学习研讨", "audience": "party", "order": 20, "is_active": "on",
        "frequency_months": "6"})
    assert response.status_code == 302
    kind = MeetingKind.objects.get(code="study_seminar")
    assert AuditEvent.objects.filter(action="meeting.kind_create", target_id=str(kind.pk)).exists()
    root = Org.objects.get(code="SXX-ZB1")
    _b, gaps, _h = compliance.gap_report(root.path, 2020, today=dt.date(2021, 1, 1))
    assert {g.period for g in gaps if g.kind == "专题学习研讨"} == {"2020年上半年", "2020年下半年"}
    records.do_create_meeting(Meeting(org=root, kind=kind, title="研讨", date=dt.date(2020, 3, 5),
                                       start_time=dt.time(9), end_time=dt.time(10), status=MeetingStatus.HELD),
                               actor=dangwu(demo))
    _b, gaps, _h = compliance.gap_report(root.path, 2020, today=dt.date(2021, 1, 1))
    assert {g.period for g in gaps if g.kind == "专题学习研讨"} == {"2020年下半年"}


def test_bad_kind_input_names_the_field_and_writes_nothing(demo, client_for):
    client = client_for("dangwu")
    general = MeetingKind.objects.get(code="branch_general")
    page = client.post(reverse("meetings:kind_edit", args=[general.pk]),
                       _kind_data(general, frequency_months="1")).content.decode()
    assert "党支部应召开频次：“支部党员大会”的召开频次由规则“支部党员大会（每几个月至少一次）”规定" in page
    group = MeetingKind.objects.get(code="party_group")
    page = client.post(reverse("meetings:kind_edit", args=[group.pk]), _kind_data(group, is_active="")).content
    assert "启用：“党组会议”是“三重一大”决策和集中学习日所依据的会议类型，不能停用" in page.decode()
    cell = MeetingKind.objects.get(code="cell")
    page = client.post(reverse("meetings:kind_edit", args=[cell.pk]), _kind_data(cell, is_active="")).content
    assert "启用：“党小组会”的召开频次由规则规定（三会一课），不能停用" in page.decode()
    page = client.post(reverse("meetings:kind_add"), {"code": "x", "name": "党课", "audience": "party",
                                                       "order": 1, "frequency_months": "5"}).content.decode()
    assert "名称：" in page and "党支部应召开频次：" in page
    page = client.post(reverse("meetings:kind_add"), {"code": "x2", "name": "党组专题", "audience": "group",
                                                       "order": 1, "frequency_months": "3"}).content.decode()
    assert "党支部应召开频次：召开频次按党支部检查，党组成员参加的会议不设频次" in page
    study_day = MeetingKind.objects.get(code="study_day")  # used by the demo's Thursday study days
    page = client.post(reverse("meetings:kind_edit", args=[study_day.pk]), _kind_data(study_day, is_study="")).content
    assert "计入学习时长：已有会议使用该类型" in page.decode()
    assert MeetingKind.objects.get(pk=study_day.pk).is_study
    assert not MeetingKind.objects.filter(code__in=["x", "x2"]).exists()
    general.refresh_from_db()
    group.refresh_from_db()
    assert general.frequency_months is None and general.version == 1 and group.is_active
    assert MeetingKind.objects.get(pk=cell.pk).is_active


def test_a_kind_taken_out_of_use_stays_on_its_meetings(demo, client_for):
    kind = MeetingKind.objects.get(code="special")
    meeting = Meeting.objects.filter(kind=kind).first() or records.do_create_meeting(Meeting(
        org=demo["orgs"]["SXX"], kind=kind, title="专题", date=timezone.localdate(), start_time=dt.time(9),
        end_time=dt.time(10)), actor=dangwu(demo))
    client = client_for("dangwu")
    assert client.post(reverse("meetings:kind_edit", args=[kind.pk]), _kind_data(kind, is_active="")).status_code == 302
    edit = client.get(reverse("meetings:edit", args=[meeting.pk])).content.decode()
    assert f'<option value="{kind.pk}" selected>专题会议</option>' in edit
    assert ">专题会议</option>" not in client.get(reverse("meetings:add")).content.decode()


def test_two_people_editing_a_kind_conflict(demo, client_for):
    kind = MeetingKind.objects.get(code="special")
    url = reverse("meetings:kind_edit", args=[kind.pk])
    assert client_for("dangwu").post(url, _kind_data(kind, name="专题会议（一）")).status_code == 302
    second = client_for("shuji").post(url, _kind_data(kind, name="专题会议（二）"))
    assert second.status_code == 200 and "已被他人修改" in second.content.decode()
    kind.refresh_from_db()
    assert kind.name == "专题会议（一）" and kind.version == 2
    # the code is fixed once saved (meetings and rules refer to it)
    client_for("dangwu").post(url, _kind_data(kind, code="other"))
    assert MeetingKind.objects.get(pk=kind.pk).code == "special"


def _plan_data(plan=None, **kw):
    base = {"org": plan.org_id, "year": plan.year, "title": plan.title, "note": plan.note,
            "loaded_version": plan.version} if plan else {}
    return {**base, **kw}


def test_a_branch_secretary_makes_and_edits_their_branch_plan(demo, client_for):
    client = client_for("zhibu")
    zb2 = demo["orgs"]["SXX-ZB2"]
    year = timezone.localdate().year + 1
    response = client.post(reverse("meetings:plan_add"), {
        "org": zb2.pk, "year": year, "title": "第二党支部学习计划", "note": "",
        "topics": "1｜学习党章｜党章原文\n3月｜学习条例\n"})
    assert response.status_code == 302
    plan = StudyPlan.objects.get(org=zb2, year=year)
    assert [(t.month, t.title, t.materials) for t in plan.topics.order_by("month")] == [
        (1, "学习党章", "党章原文"), (3, "学习条例", "")]
    assert AuditEvent.objects.filter(action="meeting.study_plan_create", target_id=str(plan.pk)).exists()
    kept = plan.topics.get(month=1)
    page = client.get(reverse("meetings:plan_edit", args=[plan.pk])).content.decode()
    assert "1｜学习党章｜党章原文" in page
    # topics alone changed: the kept topic keeps its id, the removed one goes, the plan gets a new version
    response = client.post(reverse("meetings:plan_edit", args=[plan.pk]), _plan_data(
        plan, topics="1｜学习党章｜党章原文及释义\n6｜学习纪律处分条例"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2 and plan.topics.get(month=1).pk == kept.pk
    assert sorted(plan.topics.values_list("month", flat=True)) == [1, 6]
    assert StudyTopic.objects.get(pk=kept.pk).materials == "党章原文及释义"
    assert AuditEvent.objects.filter(action="meeting.study_topics", target_id=str(plan.pk)).count() == 2
    # outside their branch: refused
    assert client.get(reverse("meetings:plan_edit", args=[StudyPlan.objects.get(org__code="SXX").pk])
                      ).status_code == 404


def test_bad_plan_input_names_the_field_and_writes_nothing(demo, client_for):
    client = client_for("dangwu")
    existing = StudyPlan.objects.get(org__code="SXX")
    count, topics = StudyPlan.objects.count(), StudyTopic.objects.count()
    page = client.post(reverse("meetings:plan_add"), {
        "org": existing.org_id, "year": existing.year, "title": "重复", "topics": ""}).content.decode()
    assert f"年度：“{existing.org}”{existing.year}年已有学习计划" in page
    page = client.post(reverse("meetings:plan_add"), {
        "org": existing.org_id, "year": 1999, "title": "旧", "topics": "13｜x\n2\n"}).content.decode()
    assert "年度：" in page and "第 1 行：月份“13”应为 1—12" in page and "第 2 行：缺少学习内容" in page
    assert StudyPlan.objects.count() == count and StudyTopic.objects.count() == topics


def test_two_people_editing_a_plan_conflict(demo, client_for):
    plan = StudyPlan.objects.get(org__code="SXX")
    url = reverse("meetings:plan_edit", args=[plan.pk])
    topics = "\n".join(f"{t.month}｜{t.title}" for t in plan.topics.all())
    assert client_for("dangwu").post(url, _plan_data(plan, topics=topics + "\n12｜年终学习总结")).status_code == 302
    second = client_for("shuji").post(url, _plan_data(plan, title="改标题", topics=topics))
    assert second.status_code == 200 and "已被他人修改" in second.content.decode()
    plan.refresh_from_db()
    assert plan.title != "改标题" and plan.topics.filter(month=12).exists()


def test_plan_and_kind_lists_run_in_constant_queries(demo, client_for, django_assert_max_num_queries):
    client = client_for("dangwu")
    root = demo["orgs"]["SXX"]
    client.get(reverse("meetings:plans"))
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("meetings:plans"))
    n = len(small.captured_queries)  # read now: the next request resets the connection's query log
    for year in range(2040, 2100):
        StudyPlan.objects.create(org=root, org_path=root.path, year=year, title=f"计划{year}")
    with django_assert_max_num_queries(n):
        client.get(reverse("meetings:plans"), {"page": 2})
    client.get(reverse("meetings:kinds"))
    with django_assert_max_num_queries(n + 1):
        client.get(reverse("meetings:kinds"))


def test_a_study_plan_year_is_bounded_by_the_shared_year_range(demo, client_for):
    """The plan's year has the one range of every year field and parameter (core.web YEAR_MIN..YEAR_MAX):
    refused on the form's year field and, for a caller past the form, by the service."""
    zb2 = demo["orgs"]["SXX-ZB2"]
    for year in (YEAR_MIN - 1, YEAR_MAX + 1):
        response = client_for("zhibu").post(reverse("meetings:plan_add"), {
            "org": zb2.pk, "year": year, "title": "越界年度的计划", "note": "", "topics": ""})
        assert response.status_code == 200 and "year" in response.context["form"].errors
        with pytest.raises(ValidationError) as refused:
            study.do_save_plan(StudyPlan(org=zb2, year=year, title="越界年度的计划"), [], actor=demo["users"]["zhibu"])
        assert refused.value.message_dict == {"year": [f"年度应为 {YEAR_MIN}—{YEAR_MAX} 之间的年份"]}
    assert not StudyPlan.objects.filter(title="越界年度的计划").exists()
    response = client_for("zhibu").post(reverse("meetings:plan_add"), {
        "org": zb2.pk, "year": YEAR_MAX, "title": "最后一年的计划", "note": "", "topics": ""})
    assert response.status_code == 302 and StudyPlan.objects.get(title="最后一年的计划").year == YEAR_MAX
