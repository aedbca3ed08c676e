"""The 作风台账 and its registers: every refusal names its field or rule and writes nothing; each event becomes one
entry that traces to its source record; the figures (a commitment's value reached, a letter's total) are the
records'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.assessment import ledger
from dangjian.assessment.ledger_models import (
    Accountability,
    AccountabilityForm,
    Commendation,
    Commitment,
    CommitmentProgress,
    CommitmentResult,
    TaskScore,
)
from dangjian.assessment.models import ConductEntry, ConductKind
from dangjian.core.models import AuditEvent
from dangjian.duties.models import LetterTask, ResponsibilityLetter, TaskStatus
from dangjian.matters.models import Matter
from dangjian.matters.states import OPEN_STATUSES, Status
from dangjian.supervision import services as supervision
from dangjian.supervision.models import Talk, TalkKind

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def _refused(call, field: str, *words: str) -> None:
    """``call`` is refused on ``field`` with a message holding ``words``, and nothing is written."""
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        call()
    messages = exc.value.message_dict.get(field) if hasattr(exc.value, "error_dict") else None
    assert messages, (field, exc.value)
    assert all(any(w in m for m in messages) for w in words), (words, messages)
    assert AuditEvent.objects.count() == before


def test_manual_entries_need_evidence_and_a_kind_no_register_records(demo, frozen_today):
    staff, person = demo["users"]["dangwu"], demo["users"]["dangyuan"].person
    add = ledger.do_add_entry
    _refused(lambda: add(person, kind=ConductKind.PRAISE, on=TODAY, summary="表扬", evidence=" ", actor=staff),
             "evidence", "佐证材料")
    _refused(lambda: add(person, kind=ConductKind.MODEL, on=TODAY, summary="典型", evidence="文件", actor=staff),
             "kind", "典型", "自动记入")
    _refused(lambda: add(person, kind=ConductKind.PRAISE, on=TODAY + dt.timedelta(days=1), summary="表扬",
                         evidence="文件", actor=staff), "on", "晚于今天")
    _refused(lambda: add(person, kind=ConductKind.PRAISE, on=TODAY, summary="", evidence="文件", actor=staff),
             "summary", "摘要")
    with pytest.raises(PermissionDenied):  # 班子成员 reads the ledger, enters nothing
        add(person, kind=ConductKind.PRAISE, on=TODAY, summary="表扬", evidence="文件", actor=demo["users"]["banzi"])
    entry = add(person, kind=ConductKind.PRAISE, on=TODAY, summary="表扬", evidence="市委通报", actor=staff)
    assert (entry.polarity, entry.evidence, entry.source_id, entry.org_path) == ("positive", "市委通报", "",
                                                                                  person.org.path)


def test_commitment_progress_check_and_the_kept_entry(demo, frozen_today):
    staff, cadre = demo["users"]["dangwu"], demo["users"]["dangyuan"]
    person = cadre.person
    new = ledger.do_create_commitment

    def commitment(**kw):
        return Commitment(**{"person": person, "year": 2026, "title": "走访群众", "target_value": Decimal(10),
                             "unit": "户", "due_on": dt.date(2026, 12, 31), **kw})

    _refused(lambda: new(commitment(target_value=Decimal(0)), actor=staff), "target_value", "大于 0")
    _refused(lambda: new(commitment(due_on=dt.date(2027, 1, 5)), actor=staff), "due_on", "2026年度内")
    _refused(lambda: new(commitment(unit=""), actor=staff), "unit", "计量单位")
    c = new(commitment(), actor=staff)

    report = ledger.do_report_progress
    _refused(lambda: report(c, actor=cadre, on=TODAY, value=Decimal(4), note="走访", evidence=""), "evidence", "佐证")
    _refused(lambda: report(c, actor=cadre, on=dt.date(2025, 12, 1), value=Decimal(4), note="走访", evidence="记录"),
             "on", "2026年度内")
    with pytest.raises(PermissionDenied):  # another cadre may not report on it
        report(c, actor=demo["users"]["kezhang"], on=TODAY, value=Decimal(4), note="走访", evidence="记录")
    report(c, actor=cadre, on=TODAY - dt.timedelta(days=30), value=Decimal(4), note="走访", evidence="记录")
    report(c, actor=staff, on=TODAY, value=Decimal(7), note="走访", evidence="记录")
    c.refresh_from_db()
    latest = CommitmentProgress.objects.filter(commitment=c).order_by("-on", "-id").first()
    assert c.reached_value == latest.value == Decimal(7)

    check = ledger.do_check_commitment
    _refused(lambda: check(c, actor=staff, result=CommitmentResult.MET, reason="好"), "result", "未达到目标值")
    _refused(lambda: check(c, actor=staff, result=CommitmentResult.PARTLY, reason="差三户"), "result", "完成时限")
    with pytest.raises(PermissionDenied):  # never by the cadre
        check(c, actor=cadre, result=CommitmentResult.PARTLY, reason="差三户")
    report(c, actor=cadre, on=TODAY, value=Decimal(10), note="走访", evidence="记录")
    _refused(lambda: check(c, actor=staff, result=CommitmentResult.MET, reason=""), "result_reason", "核查说明")
    checked = check(c, actor=staff, result=CommitmentResult.MET, reason="十户均有走访记录")
    _refused(lambda: check(c, actor=staff, result=CommitmentResult.MET, reason="再核"), "result", "已于")
    _refused(lambda: report(c, actor=cadre, on=TODAY, value=Decimal(11), note="走访", evidence="记录"), "value",
             "年终核查")
    kept = ConductEntry.objects.get(kind=ConductKind.COMMITMENT_KEPT, source_id=str(c.pk))
    assert (checked.result, kept.person, kept.source_type, kept.on) == ("met", person, "assessment.commitment", TODAY)
    assert kept.source_url == f"/assessment/commitments/{c.pk}/"


def test_commendations_and_accountability_write_their_entries(demo, frozen_today):
    staff, person = demo["users"]["dangwu"], demo["users"]["dangyuan"].person
    base = {"person": person, "title": "岗位标兵", "conferred_by": "市XX党组", "basis": "事迹",
            "conferred_on": dt.date(2026, 7, 1), "period_start": dt.date(2026, 7, 1)}
    _refused(lambda: ledger.do_register_commendation(Commendation(**base, period_end=dt.date(2026, 6, 1)),
                                                     actor=staff), "period_end", "不能早于")
    _refused(lambda: ledger.do_register_commendation(Commendation(**{**base, "basis": ""}), actor=staff),
             "basis", "事迹")
    model = ledger.do_register_commendation(Commendation(**base), actor=staff)
    entry = ConductEntry.objects.get(kind=ConductKind.MODEL, source_id=str(model.pk))
    assert (entry.person, entry.on, entry.source_type) == (person, dt.date(2026, 7, 1), "assessment.commendation")

    record = ledger.do_record_accountability
    decision = {"basis": "履职不力", "decided_by": "市XX党组", "decided_on": dt.date(2026, 9, 15)}
    _refused(lambda: record(Accountability(form=AccountabilityForm.ORG_CHECK, person=person, org=person.org,
                                           **decision), actor=staff), "person", "对党组织", "第八条")
    _refused(lambda: record(Accountability(form=AccountabilityForm.ADMONITION, org=person.org, **decision),
                            actor=staff), "person", "对党的领导干部", "第八条")
    _refused(lambda: record(Accountability(form=AccountabilityForm.NOTICE, person=person,
                                           effect_until=dt.date(2026, 9, 1), **decision), actor=staff),
             "effect_until", "不能早于")
    admonition = record(Accountability(form=AccountabilityForm.ADMONITION, person=person, **decision), actor=staff)
    assert admonition.effect_until == dt.date(2027, 3, 14)  # six months (the rule's default) from the decision
    entry = ConductEntry.objects.get(kind=ConductKind.ACCOUNTABILITY, source_id=str(admonition.pk))
    assert (entry.person, entry.on, entry.polarity) == (person, dt.date(2026, 9, 15), "negative")
    org_check = record(Accountability(form=AccountabilityForm.ORG_CHECK, org=person.org, **decision), actor=staff)
    assert not ConductEntry.objects.filter(source_type="assessment.accountability", source_id=str(org_check.pk))
    flags = ledger.eligibility_flags([], [admonition, org_check], TODAY)
    assert len(flags) == 1 and "2027-03-14" in flags[0]["text"] and "第二十四条" in flags[0]["rule"]
    assert not ledger.eligibility_flags([], [admonition], dt.date(2027, 3, 15))


def test_talks_become_entries_when_recorded(demo, frozen_today):
    jijian, subject = demo["users"]["jijian"], demo["users"]["dangyuan"].person

    def talk(kind):
        return supervision.do_record_talk(Talk(kind=kind, held_on=dt.date(2026, 11, 2), talker=jijian.person,
                                               subject=subject, reason="事由保密", content="内容保密"), actor=jijian)

    summons, admonition, reminder = talk(TalkKind.SUMMONS), talk(TalkKind.ADMONITION), talk(TalkKind.REMINDER)
    entries = ConductEntry.objects.filter(source_type="supervision.talk", person=subject)
    assert {(e.kind, e.source_id, e.source_url) for e in entries} == {
        (ConductKind.TALK, str(summons.pk), f"/supervision/talks/{summons.pk}/"),
        (ConductKind.ADMONITION, str(admonition.pk), f"/supervision/talks/{admonition.pk}/")}
    assert not entries.filter(source_id=str(reminder.pk)).exists()
    assert all("保密" not in e.summary + e.source_label for e in entries)  # the talk stays confidential
    flags = ledger.eligibility_flags(list(entries), [], TODAY)
    assert [f["until"] for f in flags] == [dt.date(2027, 5, 1)]  # the 诫勉 talk: six months


def test_the_daily_check_records_each_owned_matter_that_went_overdue_once(demo, frozen_today):
    late = [m for m in Matter.objects.filter(owner__isnull=False, due_on__isnull=False)
            if (m.status in OPEN_STATUSES and m.due_on < TODAY) or (m.status == Status.CLOSED and m.closed_on > m.due_on)]
    ConductEntry.objects.filter(kind=ConductKind.OVERDUE).delete()
    n = ledger.record_overdue(TODAY)
    entries = ConductEntry.objects.filter(kind=ConductKind.OVERDUE)
    assert n == entries.count() == len(late) > 0
    assert {(e.source_id, e.person_id, e.on) for e in entries} == {
        (str(m.pk), m.owner_id, m.due_on + dt.timedelta(days=1)) for m in late}
    assert ledger.record_overdue(TODAY) == 0 and entries.count() == n


def test_only_the_secretary_who_signed_scores_a_task_within_range(demo, frozen_today):
    letter = ResponsibilityLetter.objects.filter(year=2026, signed_on__isnull=False).order_by("id").first()
    secretary = letter.secretary.user
    task = LetterTask.objects.filter(letter=letter).order_by("seq").last()
    LetterTask.objects.filter(pk=task.pk).update(status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 12, 31))
    TaskScore.objects.filter(task=task).delete()
    score = ledger.do_score_task
    with pytest.raises(PermissionDenied):
        score(task, actor=demo["users"]["dangwu"], score=Decimal(90), comment="好")
    with pytest.raises(PermissionDenied):
        score(task, actor=letter.counterpart.user, score=Decimal(100))
    _refused(lambda: score(task, actor=secretary, score=Decimal(90), comment="好"), "score", "尚未完成")
    LetterTask.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    _refused(lambda: score(task, actor=secretary, score=Decimal(101)), "score", "0 至 100")
    _refused(lambda: score(task, actor=secretary, score=Decimal(-1)), "score", "0 至 100")
    _refused(lambda: score(task, actor=secretary, score=Decimal("90.25"), comment="好"), "score", "一位小数")
    _refused(lambda: score(task, actor=secretary, score=Decimal(90)), "comment", "扣分理由")
    unsigned = ResponsibilityLetter.objects.filter(year=2026, signed_on__isnull=True).first()
    other = LetterTask.objects.filter(letter=unsigned).first()
    LetterTask.objects.filter(pk=other.pk).update(status=TaskStatus.DONE)
    _refused(lambda: score(other, actor=unsigned.secretary.user, score=Decimal(100)), "score", "尚未签订")

    tasks = LetterTask.objects.filter(letter=letter)
    LetterTask.objects.filter(letter=letter).update(status=TaskStatus.DONE)
    for n, t in enumerate(tasks.order_by("seq")):
        score(t, actor=secretary, score=Decimal(100 - 10 * n), comment="" if n == 0 else "扣分")
    again = score(task, actor=secretary, score=Decimal("55.5"), comment="复核后调整")
    assert TaskScore.objects.filter(task=task).count() == 1 and again.version == 2
    scored = ledger.scored_tasks(letter.tasks.all())
    expected = sum(TaskScore.objects.get(task=t).score * t.weight / 100 for t in tasks)
    assert ledger.letter_total(scored) == Decimal(expected).quantize(Decimal("0.1"))
    assert sum(t.weight for t in tasks) == 100
