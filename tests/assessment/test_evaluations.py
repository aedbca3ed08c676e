"""考评: the 评分细则 versions, a round's pre-fill tracing to its records, every refusal, the 优秀 cap, approval that
freezes, 复核 within its working days, anonymous 民主测评 ballots, and the 民主评议党员."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.assessment import evaluation_ballots as ballots
from dangjian.assessment import evaluation_members as member_review
from dangjian.assessment import evaluation_prefill as prefill
from dangjian.assessment import evaluation_results as results
from dangjian.assessment import evaluations as ev
from dangjian.assessment.conduct import record_conduct
from dangjian.assessment.evaluation_models import (
    Adjustment,
    AdjustmentStatus,
    Ballot,
    BallotCode,
    BallotMark,
    Evaluation,
    EvaluationRound,
    FollowUp,
    Grade,
    MemberGrade,
    ReviewStatus,
    ScoringRules,
)
from dangjian.assessment.evaluation_rules import DEFAULT_DIMENSIONS
from dangjian.assessment.evaluation_todos import my_todos
from dangjian.assessment.models import ConductEntry
from dangjian.core import workdays
from dangjian.core.models import AuditEvent
from dangjian.duties.models import LetterTask
from dangjian.matters.models import Matter
from dangjian.meetings.models import Attendance
from dangjian.supervision.models import Talk
from tests.conftest import freeze_today, signed_in
from tests.supervision.conftest import people, sup  # noqa: F401  (fixtures: a finding and a talk of kezhang)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_round(demo, frozen_today):
    """The 2026 annual round of 办公室 under a fresh 评分细则 version."""
    dangwu = demo["users"]["dangwu"]
    ev.do_save_rules(DEFAULT_DIMENSIONS, actor=dangwu, note="测试")
    return ev.do_create_round(EvaluationRound(title="办公室2026年度考评", year=2026, period="annual",
                                              org=demo["orgs"]["SXX-BGS"]), actor=dangwu)


def _refused(call, field: str, *words: str):
    with pytest.raises(ValidationError) as info:
        call()
    text = " ".join(str(m) for m in info.value.message_dict[field])
    assert all(w in text for w in words), text


def test_rules_are_versioned_checked_and_a_round_keeps_its_version(office_round, demo):
    dangwu = demo["users"]["dangwu"]
    bad = [{"code": "party", "name": "党性修养", "points": 20, "items": [
        {"code": "x", "name": "无佐证条目", "kind": "deduct", "points": 1, "cap": 2, "rule": "r", "evidence": ""}]}]
    _refused(lambda: ev.do_save_rules(bad, actor=dangwu), "dimensions", "党性修养·无佐证条目", "佐证")
    with pytest.raises(PermissionDenied):
        ev.do_save_rules(DEFAULT_DIMENSIONS, actor=demo["users"]["kezhang"])
    first = office_round.rules
    text = ev.rules_text(first)
    assert ev.parse_rules_text(text) == [{**d, "code": d["name"]} for d in first.dimensions]  # the page round-trips
    second = ev.do_save_rules(ev.parse_rules_text(text.replace("|1|5|", "|2|6|")), actor=dangwu)
    assert second.number == first.number + 1 and ScoringRules.objects.count() == first.number + 1
    office_round.refresh_from_db()
    assert office_round.rules_id == first.pk  # scored under the version it began with
    assert AuditEvent.objects.filter(action="assessment.rules_save", target_id=str(second.pk)).exists()


def test_prefill_traces_each_row_to_its_record(office_round, demo, sup, people):  # noqa: F811
    kezhang, dangwu = people["kezhang"], demo["users"]["dangwu"]
    entry = record_conduct(kezhang, kind="praise", on=dt.date(2026, 6, 1), summary="抗洪抢险受表扬",
                           evidence="市委通报", actor=dangwu)
    added = prefill.do_prefill(office_round, actor=dangwu)
    assert added == Adjustment.objects.filter(evaluation__round=office_round).count() > 0
    assert prefill.do_prefill(office_round, actor=dangwu) == 0  # a second run adds nothing twice
    mine = Adjustment.objects.filter(evaluation__round=office_round, evaluation__person=kezhang)
    talk = mine.get(item="talk", source_id=str(sup["talk"].pk))
    assert (talk.source_type, talk.source_id, talk.points) == ("supervision.talk", str(sup["talk"].pk), Decimal(-3))
    assert Talk.objects.get(pk=talk.source_id).subject == kezhang and talk.source_url.endswith(f"/{sup['talk'].pk}/")
    finding = mine.get(item="finding", source_id=str(sup["finding"].pk))
    assert finding.source_id == str(sup["finding"].pk) and finding.source_url == f"/matters/{sup['finding'].matter_id}/"
    praise = mine.get(item="conduct_positive", source_id=str(entry.pk))  # beside the demo ledger's own entries
    assert (praise.source_id, praise.points) == (str(entry.pk), Decimal(1))
    # Every row is unique per source, proposed, and names a record of the person it is charged to.
    rows = Adjustment.objects.filter(evaluation__round=office_round)
    assert rows.count() == len({(a.evaluation_id, a.item, a.source_type, a.source_id) for a in rows})
    assert set(rows.values_list("status", flat=True)) == {AdjustmentStatus.PROPOSED}
    assert all(a.source_type and a.source_id for a in rows)
    assert all(a.source_url for a in rows.exclude(source_type="assessment.conductentry"))
    # Every row's record belongs to the person it is charged to.
    owner_of = {"matters.matter": lambda pk: Matter.objects.get(pk=pk).owner_id,
                "meetings.attendance": lambda pk: Attendance.objects.get(pk=pk).person_id,
                "duties.lettertask": lambda pk: LetterTask.objects.get(pk=pk).owner_id,
                "assessment.conductentry": lambda pk: ConductEntry.objects.get(pk=pk).person_id,
                "supervision.talk": lambda pk: Talk.objects.get(pk=pk).subject_id}
    for a in rows.exclude(source_type__in=["supervision.finding", "meetings.gap"]).select_related("evaluation"):
        assert owner_of[a.source_type](a.source_id) == a.evaluation.person_id, a
    assert rows.filter(source_type__in=["matters.matter", "meetings.attendance"]).exists()


def test_every_refusal_and_the_freeze(office_round, demo, sup, people, monkeypatch):  # noqa: F811
    dangwu, shuji = demo["users"]["dangwu"], demo["users"]["shuji"]
    kezhang = people["kezhang"]
    prefill.do_prefill(office_round, actor=dangwu)
    mine = Evaluation.objects.get(round=office_round, person=kezhang)
    talk = Adjustment.objects.get(evaluation=mine, item="talk", source_id=str(sup["talk"].pk))
    _refused(lambda: ev.do_decide_adjustment(talk, confirm=True, reason="", actor=dangwu), "reason", "理由")
    # a deduction with neither a source record nor evidence cannot be confirmed
    bare = Adjustment.objects.create(evaluation=mine, org=mine.org, item="overdue_matter", item_name="承办事项超期",
                                     points=-1, summary="口头反映")
    _refused(lambda: ev.do_decide_adjustment(bare, confirm=True, reason="核实", actor=dangwu), "evidence", "佐证")
    _refused(lambda: ev.do_add_adjustment(mine, item="talk", points=-3, summary="再谈话", evidence="", actor=dangwu),
             "evidence", "被约谈或诫勉", "佐证")
    _refused(lambda: ev.do_add_adjustment(mine, item="talk", points=-12, summary="谈话", evidence="记录", actor=dangwu),
             "points", "遵纪守法·被约谈或诫勉", "-9")
    _refused(lambda: ev.do_add_adjustment(mine, item="task_done", points=-1, summary="x", evidence="y", actor=dangwu),
             "points", "工作态度·责任状任务按期完成")
    ev.do_decide_adjustment(talk, confirm=True, reason="谈话记录属实", actor=dangwu)
    ev.do_add_adjustment(mine, item="talk", points=-6, summary="另一次约谈", evidence="谈话记录二", actor=dangwu)
    ev.do_add_adjustment(mine, item="talk", points=-2, summary="第三次约谈", evidence="谈话记录三", actor=dangwu)
    mine.refresh_from_db()
    assert ev.item_sums(mine)["talk"] == (Decimal(-11), Decimal(-9))  # three talks, counted up to the cap
    _refused(lambda: ev.do_score(mine, "leader", 101, actor=dangwu), "leader_score", "领导评价", "0至100")
    with pytest.raises(PermissionDenied):
        ev.do_score(mine, "self", 90, actor=dangwu)  # 自评 is the person's own
    ev.do_score(mine, "self", 95, actor=kezhang.user)
    ev.do_score(mine, "leader", 90, actor=dangwu)
    mine.refresh_from_db()
    # (95×10 + 90×40) / 50 = 91, minus the confirmed talks (11, counted up to the cap 9) = 82 → 称职
    assert (mine.total, mine.adjustment, mine.grade) == (Decimal("82.00"), Decimal("-9.00"), Grade.COMPETENT)
    ev.do_decide_adjustment(bare, confirm=False, reason="无佐证，不予采纳", actor=dangwu)
    # everyone else scored 优秀: over the cap (1/5 of the cadres) the approval is refused
    others = Evaluation.objects.filter(round=office_round).exclude(pk=mine.pk)
    for e in others:
        ev.do_score(e, "leader", 98, actor=dangwu)
    Adjustment.objects.filter(evaluation__round=office_round, status=AdjustmentStatus.PROPOSED).update(
        status=AdjustmentStatus.REJECTED, reason="测试")
    with pytest.raises(PermissionDenied):
        results.do_approve(office_round, actor=dangwu)  # the Party group approves (assessment.approve)
    _refused(lambda: results.do_approve(office_round, actor=shuji), "grade", "优秀等次", "20%")
    total = others.count() + 1
    keep = ev.excellent_limit(total, Decimal(1) / 5)
    for e in others.order_by("pk")[keep:]:
        ev.do_set_grade(e, Grade.COMPETENT, reason="优秀比例所限", actor=dangwu)
    _refused(lambda: ev.do_set_grade(mine, Grade.EXCELLENT, reason="x", actor=dangwu), "grade", "优秀等次")
    rnd = results.do_approve(office_round, actor=shuji)
    assert rnd.frozen and rnd.approved_on == dt.date(2026, 11, 30) and rnd.review_days == 22
    _refused(lambda: ev.do_score(mine, "leader", 70, actor=dangwu), "round", "已冻结")
    _refused(lambda: prefill.do_prefill(rnd, actor=dangwu), "round", "已冻结")
    # 复核: the person only, within the working days, tracked to an answer
    with pytest.raises(PermissionDenied):
        results.do_request_review(mine, reason="不服", actor=dangwu)
    review = results.do_request_review(mine, reason="第二次约谈已计入作风台账，重复扣分", actor=kezhang.user)
    assert review.due_on == workdays.add_workdays(dt.date(2026, 11, 30), 15).date
    _refused(lambda: results.do_request_review(mine, reason="再次", actor=kezhang.user), "reason", "待答复")
    # past its due day unanswered: shown overdue on the page, and still the staff's to-do until answered
    freeze_today(monkeypatch, review.due_on + dt.timedelta(days=1))
    assert "已逾期未答复" in signed_in(dangwu).get(f"/assessment/evaluations/{mine.pk}/").content.decode()
    todo = [t for t in my_todos(dangwu, review.due_on, review.due_on) if "考评复核待答复" in t.text]
    assert [t.day for t in todo] == [review.due_on] and not my_todos(kezhang.user, review.due_on, review.due_on)
    answered = results.do_answer_review(review, answer="经核实维持原结果", actor=dangwu)
    assert answered.status == ReviewStatus.UPHELD and answered.answered_on == review.due_on + dt.timedelta(days=1)
    assert not answered.overdue and not my_todos(dangwu, review.due_on, review.due_on)
    late = workdays.add_workdays(dt.date(2026, 11, 30), 23).date
    freeze_today(monkeypatch, late)
    _refused(lambda: results.do_request_review(mine, reason="逾期申请", actor=kezhang.user), "reason", "届满")


def test_ballots_are_anonymous_and_a_code_works_once(office_round, demo):
    dangwu = demo["users"]["dangwu"]
    codes = ballots.do_issue_codes(office_round, 3, actor=dangwu)
    assert len(set(codes)) == 3 and not BallotCode.objects.filter(digest__in=codes).exists()  # digests only
    evals = list(Evaluation.objects.filter(round=office_round).values_list("pk", flat=True))
    _refused(lambda: ballots.cast_ballot("NOPE-CODE", dict.fromkeys(evals, Grade.EXCELLENT)), "code", "无效")
    _refused(lambda: ballots.cast_ballot(codes[0], {evals[0]: Grade.EXCELLENT}), "grades", "每一名")
    ballots.cast_ballot(codes[0].lower(), dict.fromkeys(evals, Grade.EXCELLENT))  # read off paper in any case
    ballots.cast_ballot(codes[1], dict.fromkeys(evals, Grade.COMPETENT))
    _refused(lambda: ballots.cast_ballot(codes[0], dict.fromkeys(evals, Grade.BASIC)), "code", "已经使用")
    assert Ballot.objects.filter(round=office_round).count() == 2
    # Nothing on a ballot leads back to a code or a voter: no such field, no time, no sequence.
    for model in (Ballot, BallotMark):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"code", "digest", "user", "voter", "person", "created_at", "cast_at", "updated_at"}
        assert model._meta.pk.get_internal_type() == "UUIDField"
    assert {f.name for f in BallotCode._meta.concrete_fields} == {"id", "round", "digest", "used"}
    assert not AuditEvent.objects.filter(action__startswith="assessment.ballot").exists()
    # The tally is the mean of the grades' points: (95 + 85) / 2
    ballots.tally(office_round)
    assert set(Evaluation.objects.filter(round=office_round).values_list("democratic_score", flat=True)) == {
        Decimal("90.00")}
    assert ballots.ballot_counts(office_round) == {"issued": 3, "used": 2, "ballots": 2}


def test_member_review_caps_excellent_and_tracks_the_unqualified(demo, frozen_today):
    dangwu, branch = demo["users"]["dangwu"], demo["orgs"]["SXX-ZB2"]
    review = member_review.do_open_member_review(branch.pk, 2029, actor=dangwu)
    _refused(lambda: member_review.do_open_member_review(branch.pk, 2029, actor=dangwu), "year", "已发起")
    members = list(member_review.branch_members(branch).values_list("pk", flat=True))
    limit = len(members) // 3
    too_many = {pk: (MemberGrade.EXCELLENT if n <= limit else MemberGrade.QUALIFIED, "")
                for n, pk in enumerate(members)}
    _refused(lambda: member_review.do_rate_members(review, too_many, actor=dangwu), "grades", "优秀等次", "1/3")
    grades = {pk: (MemberGrade.EXCELLENT if n < limit else MemberGrade.QUALIFIED, "") for n, pk in enumerate(members)}
    grades[members[-1]] = (MemberGrade.UNQUALIFIED, "")
    _refused(lambda: member_review.do_rate_members(review, grades, actor=dangwu), "grades", "组织处置")
    grades[members[-1]] = (MemberGrade.UNQUALIFIED, FollowUp.CORRECT)
    review = member_review.do_rate_members(review, grades, actor=dangwu)
    assert review.closed and review.ratings.count() == len(members)
    bad = review.ratings.get(person_id=members[-1])
    assert (bad.follow_up, bad.follow_up_due) == (FollowUp.CORRECT, dt.date(2027, 11, 28))
    _refused(lambda: member_review.do_rate_members(review, grades, actor=dangwu), "grades", "已评定")
    with pytest.raises(PermissionDenied):
        member_review.do_record_follow_up(bad, done_on=dt.date(2026, 11, 30), note="x", actor=demo["users"]["kezhang"])
    done = member_review.do_record_follow_up(bad, done_on=dt.date(2026, 11, 30), note="谈话教育，制定改正计划", actor=dangwu)
    assert done.follow_up_done_on == dt.date(2026, 11, 30)
