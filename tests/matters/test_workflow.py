"""Every transition of the one workflow, and each of its refusals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.audit import ConflictError
from dangjian.core.models import AuditEvent
from dangjian.matters import services, workflow
from dangjian.matters.models import Matter, Measure, Status, Transition

pytestmark = pytest.mark.django_db


def go(matter, name, user, **kw):
    return services.do_transition(matter, name, actor=user, **kw)


def test_the_table_covers_every_state_and_each_step_is_a_function_of_its_source():
    reachable = {s.target for s in workflow.TRANSITIONS.values()} | {Status.REGISTERED}
    assert reachable == set(Status.values)
    assert {n for n, s in workflow.TRANSITIONS.items() if s.reason_required} == {"decline", "return", "reopen"}


def test_it_takes_a_problem_from_registration_to_closure_with_every_refusal_on_the_way(demo, make_matter):
    u = demo["users"]
    matter = make_matter()
    assert matter.status == Status.REGISTERED and matter.due_on
    events_before = AuditEvent.objects.filter(action__startswith="matter.").count()

    matter = go(matter, "assign", u["dangwu"])
    assert matter.status == Status.ASSIGNED and matter.assigned_on == dt.date.today()
    with pytest.raises(PermissionDenied) as exc:
        go(matter, "start", u["dangyuan"])  # not the owner
    assert "责任人" in str(exc.value)
    matter = go(matter, "start", u["kezhang"])
    with pytest.raises(ValidationError) as exc:
        go(matter, "submit", u["kezhang"])
    assert "缺少完成情况说明、佐证材料" in exc.value.messages[0]
    assert Matter.objects.get(pk=matter.pk).status == Status.IN_PROGRESS  # nothing half-written
    matter = go(matter, "submit", u["kezhang"], completion_statement="已完成", evidence="制度文件1份")
    assert matter.status == Status.PENDING and matter.submitted_on

    with pytest.raises(PermissionDenied) as exc:
        go(matter, "close", u["shuji"])  # a leader, but not this matter's responsible leader
    assert "责任领导" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        go(matter, "return", u["banzi"])
    assert "须填写理由" in exc.value.messages[0]
    matter = go(matter, "return", u["banzi"], reason="佐证材料不充分")
    assert matter.status == Status.IN_PROGRESS
    matter = go(matter, "submit", u["kezhang"], evidence="制度文件及印发通知各1份")
    matter = go(matter, "close", u["banzi"])
    assert matter.status == Status.CLOSED and matter.closed_on == dt.date.today()
    assert matter.approved_by == u["banzi"] and matter.approved_at and matter.filing_number.startswith("销号备案〔")

    # A closed matter cannot be edited, only reopened (with a reason, by the leader or an approver).
    matter.title = "改个标题"
    with pytest.raises(ValidationError) as exc:
        services.do_update_matter(matter, actor=u["dangwu"], expected_version=matter.version)
    assert "已销号，不能修改" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.do_add_progress(services.Progress(matter=matter, text="补充"), actor=u["kezhang"])
    with pytest.raises(PermissionDenied):
        go(matter, "reopen", u["kezhang"], reason="x")
    with pytest.raises(ValidationError):
        go(matter, "reopen", u["banzi"])
    matter = go(Matter.objects.get(pk=matter.pk), "reopen", u["shuji"], reason="复查发现反弹")
    assert matter.status == Status.IN_PROGRESS and matter.closed_on is None

    names = list(Transition.objects.filter(matter=matter).order_by("id").values_list("name", flat=True))
    assert names == ["register", "assign", "start", "submit", "return", "submit", "close", "reopen"]
    t = Transition.objects.filter(matter=matter, name="return").get()
    assert (t.from_status, t.to_status, t.reason, t.actor) == (Status.PENDING, Status.IN_PROGRESS, "佐证材料不充分",
                                                                u["banzi"])
    assert AuditEvent.objects.filter(action__startswith="matter.").count() - events_before == 7


def test_a_step_not_allowed_from_the_current_state_is_refused_by_name(demo, make_matter):
    matter = make_matter()
    with pytest.raises(ValidationError) as exc:
        go(matter, "close", demo["users"]["banzi"])
    message = exc.value.messages[0]
    assert "不能“审批销号（备案）”" in message and "当前状态为“登记”" in message and "“办结待审”" in message
    with pytest.raises(ValidationError) as exc:
        go(matter, "jump", demo["users"]["dangwu"])
    assert "没有“jump”这种操作" in exc.value.messages[0]


def test_assigning_needs_an_owner_a_leader_and_the_right_to_manage(demo, make_matter):
    matter = make_matter(owner=None, leader=None)
    with pytest.raises(ValidationError) as exc:
        go(matter, "assign", demo["users"]["dangwu"])
    assert "缺少责任领导（分管领导）" in exc.value.messages[0] or "缺少责任人" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        go(matter, "assign", demo["users"]["jijian"])  # 纪检 sees matters but does not manage them
    with pytest.raises(PermissionDenied):
        go(matter, "assign", demo["users"]["zhibu"])  # a branch secretary, outside 办公室
    people = {p.user.username: p for p in (demo["users"]["kezhang"].person, demo["users"]["banzi"].person)}
    matter = go(matter, "assign", demo["users"]["kezhang"], owner=people["kezhang"], responsible_leader=people["banzi"])
    assert matter.status == Status.ASSIGNED


def test_the_owner_may_send_an_assignment_back_with_a_reason(demo, make_matter):
    matter = go(make_matter(), "assign", demo["users"]["dangwu"])
    matter = go(matter, "decline", demo["users"]["kezhang"], reason="不属于本科室职责")
    assert matter.status == Status.REGISTERED
    assert Transition.objects.get(matter=matter, name="decline").reason == "不属于本科室职责"


def test_open_measures_block_the_closing_request(demo, make_matter):
    u = demo["users"]
    matter = go(go(make_matter(), "assign", u["dangwu"]), "start", u["kezhang"])
    measure = services.do_add_measure(Measure(matter=matter, text="修订制度", owner=u["kezhang"].person,
                                              due_on=matter.due_on), actor=u["dangwu"])
    with pytest.raises(ValidationError) as exc:
        go(matter, "submit", u["kezhang"], completion_statement="完成", evidence="文件")
    assert "全部整改措施的完成日期" in exc.value.messages[0]
    services.do_complete_measure(measure, actor=u["kezhang"])
    assert go(matter, "submit", u["kezhang"], completion_statement="完成", evidence="文件").status == Status.PENDING


def test_proposals_need_the_reply_before_closure_and_record_satisfaction(demo, make_matter):
    u = demo["users"]
    matter = go(go(make_matter(kind="npc", leader="shuji", proposer="王代表"), "assign", u["dangwu"]), "start",
                u["kezhang"])
    with pytest.raises(ValidationError) as exc:
        go(matter, "submit", u["kezhang"], completion_statement="完成", evidence="答复函")
    assert "答复内容" in exc.value.messages[0] and "答复日期" in exc.value.messages[0]
    matter = go(matter, "submit", u["kezhang"], completion_statement="完成", evidence="答复函", reply_text="答复如下",
                replied_on=dt.date.today())
    matter = go(matter, "close", u["shuji"])
    matter = services.do_record_satisfaction(matter, "satisfied", actor=u["dangwu"])
    assert matter.get_satisfaction_display() == "满意"


def test_the_second_of_two_people_acting_on_the_same_version_gets_a_conflict(demo, make_matter):
    u = demo["users"]
    matter = go(make_matter(), "assign", u["dangwu"])
    seen = matter.version
    go(matter, "start", u["kezhang"], expected_version=seen)
    with pytest.raises(ConflictError) as exc:
        go(matter, "decline", u["kezhang"], reason="重复", expected_version=seen)
    assert "已被他人处理" in exc.value.messages[0]
    assert Matter.objects.get(pk=matter.pk).status == Status.IN_PROGRESS


def test_a_matter_moved_to_another_unit_takes_its_rows_along(demo, make_matter, people):
    """Measures, progress and the timeline carry the matter's org for scope: they move with it."""
    from dangjian.matters.models import Progress

    dangwu, office_head = demo["users"]["dangwu"], demo["users"]["kezhang"]  # kezhang: 办公室 only
    matter = make_matter(org_code="SXX-BGS")
    services.do_add_measure(Measure(matter=matter, text="建立台账", owner=people["dangyuan"], due_on=matter.due_on),
                            actor=dangwu)
    services.do_add_progress(Progress(matter=matter, text="已起草"), actor=dangwu)
    assert Measure.objects.visible_to(office_head).filter(matter=matter).exists()

    moved = Matter.objects.get(pk=matter.pk)
    moved.org = demo["orgs"]["SXX-CWK"]
    services.do_update_matter(moved, actor=dangwu, expected_version=moved.version)
    finance = demo["orgs"]["SXX-CWK"].path
    for model in (Measure, Progress, Transition):
        rows = model.objects.filter(matter=matter)
        assert rows.exists() and set(rows.values_list("org_path", flat=True)) == {finance}, model
        assert not model.objects.visible_to(office_head).filter(matter=matter).exists(), model
