"""纪委监督: plans, inspections, findings filed as Matters of kind 监督检查问题, talks, and who may read them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core import rule_settings, workdays
from dangjian.core.models import AuditEvent
from dangjian.core.notify import Notification
from dangjian.core.todos import todos_for
from dangjian.matters import services as matter_services
from dangjian.matters.models import Matter
from dangjian.matters.states import OPEN_STATUSES, Status
from dangjian.supervision import services
from dangjian.supervision.models import Finding, Inspection, InspectionPlan, Result, Talk, TalkKind

from .conftest import HELD

pytestmark = pytest.mark.django_db


def test_a_finding_is_a_matter_of_its_own_kind_with_a_working_day_deadline(sup, people):
    matter = sup["finding"].matter
    assert (matter.kind, matter.owner, matter.responsible_leader) == ("inspection", people["kezhang"], people["banzi"])
    assert matter.due_on == workdays.add_workdays(HELD, 20).date  # the kind's rule: 20 working days
    assert matter.status == Status.REGISTERED and matter.org == people["kezhang"].org
    assert AuditEvent.objects.filter(action="supervision.finding_create", target_id=str(sup["finding"].pk)).exists()


def test_the_plan_keeps_the_checklist_version_it_was_made_with(sup, demo, people):
    plan = sup["plan"]
    assert plan.checklist == rule_settings.get("supervision.checklist")
    rule_settings.set_rule("supervision.checklist", "政治纪律和政治规矩、廉洁纪律", actor=sup["jijian"])
    second = services.do_create_plan(InspectionPlan(title="第二次", year=2026, period="q4", org=demo["orgs"]["SXX"]),
                                     actor=sup["jijian"], people=[people["banzi"]])
    assert second.checklist == ["政治纪律和政治规矩", "廉洁纪律"]
    assert second.checklist_version == plan.checklist_version + 1
    plan.refresh_from_db()
    assert len(plan.checklist) == 5  # unchanged
    with pytest.raises(PermissionDenied):  # the discipline team edits the checklist, not the system administrator
        rule_settings.set_rule("supervision.checklist", "别的", actor=demo["users"]["admin"])


def test_refusals_name_the_field(sup, people, demo):
    plan, jijian = sup["plan"], sup["jijian"]
    partial = [{"item": plan.checklist[0], "result": Result.GOOD}]
    with pytest.raises(ValidationError, match="“中央八项规定精神”未选择结果"):
        services.do_record_inspection(Inspection(plan=plan, held_on=HELD, person=people["kezhang"], scope_text="x",
                                                 results=partial), actor=jijian, inspectors=[people["jijian"]])
    with pytest.raises(ValidationError, match="不是计划"):
        services.do_record_inspection(Inspection(plan=plan, held_on=HELD, person=people["banzi"], scope_text="x",
                                                 results=[]), actor=jijian, inspectors=[people["jijian"]])
    with pytest.raises(ValidationError, match="事由"):
        services.do_record_talk(Talk(kind=TalkKind.SUMMONS, held_on=HELD, talker=people["jijian"],
                                     subject=people["banzi"], content="x"), actor=jijian)
    with pytest.raises(PermissionDenied):  # the section head cannot record an inspection
        services.do_add_finding(sup["inspection"], actor=demo["users"]["kezhang"], text="x", owner=people["kezhang"],
                                leader=people["banzi"])


def test_the_closed_findings_figure_counts_matters_closed_by_filing(sup, people, demo):
    inspection, jijian = sup["inspection"], sup["jijian"]
    second = services.do_add_finding(inspection, actor=jijian, text="台账不全", owner=people["kezhang"],
                                     leader=people["banzi"])
    assert services.finding_counts([inspection]) == {inspection.pk: (2, 0)}
    matter, admin = second.matter, demo["users"]["dangwu"]
    matter = matter_services.do_transition(matter, "assign", actor=admin, assigned_on=HELD)
    owner, leader = demo["users"]["kezhang"], demo["users"]["banzi"]
    matter = matter_services.do_transition(matter, "start", actor=owner)
    matter = matter_services.do_transition(matter, "submit", actor=owner, completion_statement="已整改",
                                           evidence="台账")
    matter_services.do_transition(matter, "close", actor=leader)
    closed = Finding.objects.filter(inspection=inspection, matter__status=Status.CLOSED).count()
    assert closed == 1 and services.finding_counts([inspection]) == {inspection.pk: (2, closed)}


def test_only_the_discipline_team_and_the_secretary_read_supervision_records(sup, demo):
    users = demo["users"]
    for model, record in ((InspectionPlan, sup["plan"]), (Inspection, sup["inspection"]),
                          (Finding, sup["finding"]), (Talk, sup["talk"])):
        readers = {name for name, user in users.items() if model.objects.visible_to(user).filter(pk=record.pk)}
        expected = {"jijian", "shuji"} | ({"kezhang"} if model is Talk else set())  # kezhang is talked to
        assert readers == expected, model
        full = {name for name in readers if services.reads_in_full(users[name], record)}
        assert full == {"jijian", "shuji"}
    # the secretary reads but does not change
    assert not Talk.objects.visible_to(users["shuji"], "change").exists()
    # the finding's matter follows the matters' scope (owner, leader, matters' viewers)
    assert Matter.objects.visible_to(users["kezhang"]).filter(pk=sup["finding"].matter_id).exists()


def test_first_form_counts_per_year_count_the_talks_behind_them(sup, people):
    before = {k: n for k, _label, n in services.first_form_counts(sup["jijian"], 2026)}
    services.do_record_talk(Talk(kind=TalkKind.ADMONITION, held_on=dt.date(2026, 3, 2), talker=people["jijian"],
                                 subject=people["banzi"], reason="述职不实", content="y"), actor=sup["jijian"])
    services.do_record_talk(Talk(kind=TalkKind.REMINDER, held_on=dt.date(2025, 3, 3), talker=people["jijian"],
                                 subject=people["banzi"], reason="上年", content="y"), actor=sup["jijian"])
    counts = {k: n for k, _label, n in services.first_form_counts(sup["jijian"], 2026)}
    for kind in TalkKind.values:
        assert counts[kind] == Talk.objects.filter(held_on__year=2026, kind=kind).count()
    assert counts["admonition"] == before["admonition"] + 1 and counts["reminder"] == before["reminder"]
    # the person talked to reads their own talks, but the figures of the discipline team are not theirs
    own = Talk.objects.filter(subject=people["kezhang"], held_on__year=2026).count()
    assert own >= 1 and sum(n for _k, _l, n in services.first_form_counts(people["kezhang"].user, 2026)) == own


def test_a_follow_up_is_chased_until_it_is_recorded(sup, demo, frozen_today):
    talk, jijian = sup["talk"], sup["jijian"]
    link = f"/supervision/talks/{talk.pk}/"
    assert link in [t.link for t in todos_for(jijian, frozen_today)["week"]]
    assert services.remind_follow_ups(dt.date(2026, 12, 2)) == services.follow_ups_due(dt.date(2026, 12, 2)).filter(
        follow_up_on=dt.date(2026, 12, 2)).count() >= 1
    assert Notification.objects.filter(recipient=jijian, title="谈话回访到期", link=link).count() == 1
    with pytest.raises(ValidationError, match="回访情况"):
        services.do_record_follow_up(talk, actor=jijian, done_on=frozen_today, note="")
    services.do_record_follow_up(talk, actor=jijian, done_on=frozen_today, note="已整改到位", expected_version=talk.version)
    assert link not in [t.link for t in todos_for(jijian, frozen_today)["week"]]
    services.remind_follow_ups(dt.date(2026, 12, 2))
    assert Notification.objects.filter(recipient=jijian, title="谈话回访到期", link=link).count() == 1


def test_the_demo_holds_an_inspection_being_rectified_and_talks_with_follow_ups(demo):
    inspection = Inspection.objects.filter(findings__isnull=False).distinct().get()
    statuses = sorted(Finding.objects.filter(inspection=inspection).values_list("matter__status", flat=True))
    assert statuses == [Status.CLOSED, Status.IN_PROGRESS]
    assert services.finding_counts([inspection]) == {inspection.pk: (2, 1)}
    assert Talk.objects.filter(follow_up_on__isnull=False, followed_up_on__isnull=True).count() == 1
    assert Talk.objects.filter(followed_up_on__isnull=False).count() == 1


def test_matters_managers_do_not_file_inspection_findings_but_handle_them(sup, demo):
    from dangjian.matters.forms import MatterForm

    dangwu = demo["users"]["dangwu"]
    assert "inspection" not in dict(MatterForm(user=dangwu).fields["kind"].choices)
    assert "inspection" in dict(MatterForm(instance=sup["finding"].matter, user=dangwu).fields["kind"].choices)
    with pytest.raises(PermissionDenied, match="监督检查问题"):
        matter_services.do_create_matter(Matter(kind="inspection", title="x", org=demo["orgs"]["SXX-BGS"],
                                                received_on=HELD), actor=dangwu)


def test_a_finding_is_chased_by_the_weekly_sheet(sup, frozen_today):
    from dangjian.matters.models import SupervisionLines
    from dangjian.matters.supervision import issue_weekly_sheet

    sheet = issue_weekly_sheet(dt.date(2026, 12, 7), notify_people=False)
    matter = sup["finding"].matter
    row = SupervisionLines.objects.get(sheet=sheet, org=matter.org, owner=matter.owner)
    assert matter.pk in [line[0] for line in row.lines]
    assert sheet.figures["by_kind"]["inspection"] == Matter.objects.filter(kind="inspection",
                                                                           status__in=OPEN_STATUSES).count()


def test_the_daily_job_tells_the_talker_of_a_follow_up_due_today(sup, people, frozen_today):
    from dangjian.supervision import tasks

    talk = services.do_record_talk(Talk(kind=TalkKind.SUMMONS, held_on=HELD, talker=people["jijian"],
                                        subject=people["banzi"], reason="事由", content="内容",
                                        follow_up_on=frozen_today), actor=sup["jijian"])
    due = services.follow_ups_due(frozen_today).count()  # a Monday: those overdue are told again
    assert tasks.follow_up_reminders(frozen_today.isoformat())() == due >= 1
    assert Notification.objects.filter(recipient=sup["jijian"], link=f"/supervision/talks/{talk.pk}/").count() == 1
