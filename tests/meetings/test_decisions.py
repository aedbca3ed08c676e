"""三重一大 decisions: each rule of docs/rules.md enforced when the decision is recorded, each refusal named."""

import re

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import rule_settings
from dangjian.core.models import AuditEvent
from dangjian.meetings.models import Opinion, Outcome, Topic
from dangjian.meetings.services import decisions

from .helpers import add_topic, dangwu, group_meeting, members, votes

pytestmark = pytest.mark.django_db


def refused(demo, topic, vote_list, recused=()):
    before_opinions = Opinion.objects.count()
    stored = Topic.objects.get(pk=topic.pk)
    before = (stored.outcome, stored.entitled, stored.rule_versions, stored.version)
    failures = AuditEvent.objects.filter(action="meeting.decide_refused").count()
    with pytest.raises(ValidationError) as exc:
        decisions.do_record_decision(topic, vote_list, recused_ids=set(recused), actor=dangwu(demo))
    topic.refresh_from_db()
    assert (topic.outcome, topic.entitled, topic.rule_versions, topic.version) == before
    assert Opinion.objects.count() == before_opinions  # nothing half-written
    event = AuditEvent.objects.filter(action="meeting.decide_refused").order_by("-id").first()
    assert AuditEvent.objects.filter(action="meeting.decide_refused").count() == failures + 1
    assert event.success is False and event.target_id == str(topic.pk)
    return "；".join(exc.value.messages)


def test_it_records_a_valid_large_fund_decision_and_freezes_who_was_entitled(demo):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    principal = people[0]
    decisions.do_record_decision(topic, votes(people, principal), decision_text="同意", actor=dangwu(demo))
    topic.refresh_from_db()
    assert topic.outcome == Outcome.PASSED
    assert [e["id"] for e in topic.entitled] == [p.pk for p in people]
    assert len(topic.present) == 5 and topic.recused == []
    assert topic.tally["agree"] == 5 and topic.tally["should"] == 5
    assert set(topic.rule_versions) >= {"meetings.quorum", "meetings.pass_share", "meetings.agenda_notice_workdays"}
    opinions = list(topic.opinions.order_by("order"))
    assert opinions[-1].person_id == principal.pk and opinions[-1].is_principal


def test_it_refuses_a_decision_without_quorum(demo):
    people_ids = [p.pk for p in members(group_meeting(demo, days_ago=400))]
    meeting = group_meeting(demo, leave=people_ids[1:4])  # 2 of 5 present
    topic = add_topic(demo, meeting)
    present = [p for p in members(meeting) if p.pk not in people_ids[1:4]]
    message = refused(demo, topic, votes(present, present[0]))
    assert "不符合：须超过半数的成员到会方可开会（应到5人，到会表决2人）" in message


def test_cadre_appointment_needs_two_thirds(demo):
    people = members(group_meeting(demo, days_ago=400))
    meeting = group_meeting(demo, leave=[people[1].pk, people[2].pk])  # 3 of 5: a sitting, not 2/3
    topic = add_topic(demo, meeting, category="cadre", amount=None)
    present = [p for p in people if p.pk not in (people[1].pk, people[2].pk)]
    message = refused(demo, topic, votes(present, people[0]))
    assert "不符合：干部任免须三分之二以上成员到会（应到5人，到会表决3人）" in message
    # the same attendance suffices for an ordinary 三重一大 matter
    fund = add_topic(demo, meeting, title="关于使用办公经费的议题")
    decisions.do_record_decision(fund, votes(present, people[0]), actor=dangwu(demo))
    assert Topic.objects.get(pk=fund.pk).outcome == Outcome.PASSED  # 3 同意 > half of the 5 who should attend


def test_the_principal_must_state_opinion_last(demo):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    message = refused(demo, topic, votes(people, people[0], principal_first=True))
    assert f"不符合：主要负责人须末位表态（{people[0].name}应最后发表意见）" in message


def test_a_recused_member_may_not_vote_and_leaves_the_count(demo):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    message = refused(demo, topic, votes(people, people[0]), recused=[people[3].pk])
    assert f"不符合：回避成员不得参与表决（{people[3].name}）" in message
    without = [p for p in people if p.pk != people[3].pk]
    decisions.do_record_decision(topic, votes(without, people[0]), recused_ids={people[3].pk}, actor=dangwu(demo))
    topic.refresh_from_db()
    assert topic.recused == [{"id": people[3].pk, "name": people[3].name}]
    assert topic.tally["should"] == 4 and topic.outcome == Outcome.PASSED


def test_a_major_matter_cannot_be_decided_in_a_meeting_of_another_kind(demo):
    meeting = group_meeting(demo, kind="special", org_code="SXX-DZ")
    topic = add_topic(demo, meeting)
    message = refused(demo, topic, [])
    assert "不符合：“三重一大”事项须由党组会议集体决策（本次为专题会议）" in message


def test_every_present_member_states_an_opinion_with_reasons_for_dissent(demo):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    message = refused(demo, topic, votes(people[:3], people[0]))
    assert "不符合：到会成员须逐一表态，缺少：" in message and people[4].name in message
    dissent = votes(people, people[0], stances={people[1].pk: "disagree", f"r{people[1].pk}": " "})
    message = refused(demo, topic, dissent)
    assert f"不符合：表态“不同意”须说明理由（{people[1].name}）" in message


def test_materials_must_reach_members_before_the_meeting(demo):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting, sent=meeting.date)
    people = members(meeting)
    message = refused(demo, topic, votes(people, people[0]))
    assert "不符合：议题材料须于会前1个工作日送达参会成员" in message


def test_outcome_counts_the_members_who_should_attend_not_those_present(demo):
    people = members(group_meeting(demo, days_ago=400))
    meeting = group_meeting(demo, leave=[people[1].pk])
    topic = add_topic(demo, meeting)
    sitting = [p for p in people if p.pk != people[1].pk]
    stances = {sitting[1].pk: "disagree", sitting[2].pk: "disagree"}  # 2 同意 of 5 who should attend
    decisions.do_record_decision(topic, votes(sitting, people[0], stances=stances), actor=dangwu(demo))
    topic.refresh_from_db()
    assert topic.outcome == Outcome.REJECTED and topic.tally == {
        "agree": 2, "disagree": 2, "defer": 0, "should": 5, "sitting": 4}


def test_a_deferred_matter_can_be_reconsidered_but_a_decided_one_cannot(demo):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    defer = {p.pk: "defer" for p in people[1:4]}
    decisions.do_record_decision(topic, votes(people, people[0], stances=defer), actor=dangwu(demo))
    assert Topic.objects.get(pk=topic.pk).outcome == Outcome.DEFERRED
    decisions.do_record_decision(topic, votes(people, people[0]), actor=dangwu(demo))
    assert Topic.objects.get(pk=topic.pk).outcome == Outcome.PASSED
    message = refused(demo, Topic.objects.get(pk=topic.pk), votes(people, people[0]))
    assert "已作出决定" in message


def test_a_large_amount_is_flagged_as_large_fund_by_the_threshold_rule(demo):
    meeting = group_meeting(demo)
    small = add_topic(demo, meeting, category="", amount="49.99", title="小额议题")
    large = add_topic(demo, meeting, category="", amount="50", title="大额议题")
    assert small.category == "" and large.category == "fund"
    rule_settings.set_rule("meetings.large_fund_threshold", "200", actor=demo["users"]["admin"], reason="测试")
    assert add_topic(demo, meeting, category="", amount="150", title="新标准下的议题").category == ""


def test_the_quorum_fraction_is_a_rule_and_its_version_is_stored(demo):
    rule_settings.set_rule("meetings.quorum", "2/3", actor=demo["users"]["admin"], reason="本地规定")
    people = members(group_meeting(demo, days_ago=400))
    meeting = group_meeting(demo, leave=[people[1].pk, people[2].pk])
    topic = add_topic(demo, meeting)
    present = [p for p in people if p.pk not in (people[1].pk, people[2].pk)]
    assert "须超过三分之二的成员到会" in refused(demo, topic, votes(present, people[0]))
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    decisions.do_record_decision(topic, votes(people, people[0]), actor=dangwu(demo))
    assert Topic.objects.get(pk=topic.pk).rule_versions["meetings.quorum"] == 1


def test_a_member_outside_scope_cannot_record_a_decision(demo):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    from django.core.exceptions import PermissionDenied

    for name in ("zhibu", "kezhang", "jijian", "dangyuan", "banzi"):
        with pytest.raises(PermissionDenied):
            decisions.do_record_decision(topic, votes(people, people[0]), actor=demo["users"][name])
    assert Topic.objects.get(pk=topic.pk).outcome == ""


def test_the_demo_holds_a_refused_attempt_in_the_audit_log(demo):
    event = AuditEvent.objects.get(action="meeting.decide_refused", actor__username="dangwu",
                                   target_repr="关于任命财务科科长的议题")
    assert not event.success and "末位表态" in event.message


def test_recusal_holds_for_the_topic_in_the_next_round_until_lifted_with_a_reason(demo):
    """Issue 11 item 13: recused in a round that ended 缓议, the member stays recused in the next round."""
    from dangjian.meetings.models import Recusal

    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    recused = people[3]
    without = [p for p in people if p.pk != recused.pk]
    defer = {p.pk: "defer" for p in without[1:4]}
    decisions.do_record_decision(topic, votes(without, people[0], stances=defer), recused_ids={recused.pk},
                                 actor=dangwu(demo))
    assert Topic.objects.get(pk=topic.pk).outcome == Outcome.DEFERRED
    standing = Recusal.objects.get(topic=topic, person=recused, lifted_at__isnull=True)
    # next round: the form does not tick the box again, the member votes — refused, and nothing counted
    message = refused(demo, Topic.objects.get(pk=topic.pk), votes(people, people[0]))
    assert f"不符合：回避成员不得参与表决（{recused.name}）" in message
    decisions.do_record_decision(Topic.objects.get(pk=topic.pk), votes(without, people[0]), actor=dangwu(demo))
    decided = Topic.objects.get(pk=topic.pk)
    assert decided.recused == [{"id": recused.pk, "name": recused.name}] and decided.tally["should"] == 4
    assert not decided.opinions.filter(person=recused).exists()
    # lifting needs a reason, and keeps the recusal in the record
    with pytest.raises(ValidationError) as exc:
        decisions.do_lift_recusal(standing, "  ", actor=dangwu(demo))
    assert "解除回避理由" in exc.value.message_dict["lift_reason"][0]
    lifted = decisions.do_lift_recusal(standing, "经核实与本议题无利害关系", actor=dangwu(demo))
    assert lifted.lifted_at and Recusal.objects.filter(topic=topic).count() == 1
    assert AuditEvent.objects.filter(action="meeting.recusal_lift", target_id=str(standing.pk)).exists()


def test_the_decision_page_keeps_a_standing_recusal_ticked_and_lifts_it_with_a_reason(demo):
    from dangjian.meetings.models import Recusal
    from tests.conftest import signed_in

    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    people = members(meeting)
    without = [p for p in people if p.pk != people[3].pk]
    defer = {p.pk: "defer" for p in without[1:4]}
    decisions.do_record_decision(topic, votes(without, people[0], stances=defer), recused_ids={people[3].pk},
                                 actor=dangwu(demo))
    client = signed_in(dangwu(demo))
    page = client.get(f"/meetings/topics/{topic.pk}/decide/").content.decode()
    box = page.split(f'name="recused_{people[3].pk}"')[0].rsplit("<input", 1)[1] + page.split(
        f'name="recused_{people[3].pk}"')[1].split(">", 1)[0]
    assert "checked" in box and "disabled" in box
    recusal = Recusal.objects.get(topic=topic)
    client.post(f"/meetings/recusals/{recusal.pk}/lift/", {"lift_reason": ""})
    assert Recusal.objects.get(pk=recusal.pk).lifted_at is None
    client.post(f"/meetings/recusals/{recusal.pk}/lift/", {"lift_reason": "利害关系已消除"})
    assert Recusal.objects.get(pk=recusal.pk).lift_reason == "利害关系已消除"


def test_topics_of_a_meeting_are_numbered_in_order_and_a_duplicate_is_refused(demo):
    """Issue 11 item 17: each new topic takes the next 序号; the same topic twice in a meeting is refused."""
    meeting = group_meeting(demo)
    first = decisions.do_add_topic(Topic(meeting=meeting, title="关于年度预算的议题"), actor=dangwu(demo))
    second = decisions.do_add_topic(Topic(meeting=meeting, title="关于办公用房调整的议题"), actor=dangwu(demo))
    third = add_topic(demo, meeting)
    assert [first.order, second.order, third.order] == [1, 2, 3]
    before = meeting.topics.count()
    with pytest.raises(ValidationError) as exc:
        decisions.do_add_topic(Topic(meeting=meeting, title=" 关于年度预算的 议题"), actor=dangwu(demo))
    assert "已有相同议题" in exc.value.message_dict["title"][0] and "序号1" in exc.value.message_dict["title"][0]
    assert meeting.topics.count() == before
    from tests.conftest import signed_in

    page = signed_in(dangwu(demo)).get(f"/meetings/{meeting.pk}/").content.decode()
    assert [int(n) for n in re.findall(r"<tr><td>(\d+)</td><td>关于", page)] == [1, 2, 3]
