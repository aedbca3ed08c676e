"""查实认定: once a 投诉's or 检举控告's matter is closed, who may decide records 查实 / 部分查实 / 未查实 with the cadres
concerned; a 查实 goes to each cadre's 作风台账 (投诉查实), traced to its petition, while the cadre never learns who
complained nor finds the petition."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.assessment.models import ConductEntry, ConductKind
from dangjian.matters import services as matter_services
from dangjian.supervision import replies, verdicts
from dangjian.supervision.petition_demo import accept
from dangjian.supervision.petition_models import Channel, PetitionKind, PetitionVerdict, VerdictCadre
from tests.conftest import signed_in
from tests.supervision.test_replies import receive

ON = dt.date(2026, 11, 16)


def handled(demo, kind, *, close=True, **fields):
    """A named petition of ``kind``, accepted (owner kezhang — jijian for an accusation —, leader shuji), answered
    and — with ``close`` — closed."""
    users = demo["users"]
    staff = users["jijian"] if kind == PetitionKind.ACCUSATION else users["dangwu"]
    owner = staff if kind == PetitionKind.ACCUSATION else users["kezhang"]
    petition, _ = receive(demo, Channel.HOTLINE, subject="窗口人员办事推诿", kind=kind, actor=staff, anonymous=False,
                          contact_name="举报人赵某", contact_phone="13800000009", **fields)
    matter = accept(petition, actor=users["dangwu"], owner=owner.person, leader=users["shuji"].person, on=ON)
    matter = matter_services.do_transition(matter, "start", actor=owner)
    reply = replies.do_draft_reply(petition, "经核实，情况属实，已批评教育。", actor=staff)
    replies.do_submit_reply(reply, actor=staff)
    replies.do_approve_reply(reply, actor=users["shuji"])
    replies.do_publish_reply(reply, actor=staff)
    if close:
        matter = matter_services.do_transition(matter, "submit", actor=owner, completion_statement="已办结",
                                               evidence="答复函")
        matter_services.do_transition(matter, "close", actor=users["shuji"])
    petition.refresh_from_db()
    return petition


def _refused(call, field, text):
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict and text in str(exc.value.message_dict[field]), exc.value.message_dict


def test_an_upheld_complaint_goes_to_each_cadres_ledger_traced_to_its_petition(demo, frozen_today):
    users = demo["users"]
    shuji, cadre = users["shuji"], users["kezhang"].person
    open_one = handled(demo, PetitionKind.COMPLAINT, close=False)
    _refused(lambda: verdicts.do_record_verdict(open_one, outcome="upheld", basis="属实", cadre_ids=[cadre.pk],
                                                actor=shuji), "outcome", "尚未办结销号")
    petition = handled(demo, PetitionKind.COMPLAINT)
    with pytest.raises(PermissionDenied):  # the staff may handle it, but the verdict is the responsible leader's
        verdicts.do_record_verdict(petition, outcome="upheld", basis="属实", cadre_ids=[cadre.pk],
                                   actor=users["dangwu"])
    _refused(lambda: verdicts.do_record_verdict(petition, outcome="upheld", basis="属实", cadre_ids=[],
                                                actor=shuji), "cadres", "须写明涉及的干部")
    _refused(lambda: verdicts.do_record_verdict(petition, outcome="upheld", basis=" ", cadre_ids=[cadre.pk],
                                                actor=shuji), "basis", "不能为空")
    _refused(lambda: verdicts.do_record_verdict(petition, outcome="upheld", basis="属实", cadre_ids=[2**40],
                                                actor=shuji), "cadres", "不存在或不属本单位")
    assert not PetitionVerdict.objects.exists() and not ConductEntry.objects.filter(kind="complaint_upheld").exists()

    leader = signed_in(shuji)
    page = leader.get(replies.handling_url(petition.pk)).content.decode()
    assert "认定查实结果" in page
    leader.post(f"/supervision/petitions/replies/{petition.pk}/verdict/",
                {"outcome": "partly", "basis": "推诿属实，态度问题未查实", "cadres": [cadre.pk]})
    verdict = PetitionVerdict.objects.get(petition=petition)
    assert verdict.outcome == "partly" and verdict.decided_by == shuji
    entry = ConductEntry.objects.get(person=cadre, kind=ConductKind.COMPLAINT_UPHELD)
    source = VerdictCadre.objects.get(pk=entry.source_id)  # the entry traces to its petition
    assert (entry.source_type, source.verdict.petition_id) == ("supervision.verdictcadre", petition.pk)
    assert entry.source_url == replies.handling_url(petition.pk) and entry.polarity == "negative"
    _refused(lambda: verdicts.do_record_verdict(petition, outcome="not_upheld", basis="复议", cadre_ids=[],
                                                actor=shuji), "outcome", "不能重复认定")

    # the cadre reads the entry in their own ledger, never the petitioner, and cannot open the petition
    own = signed_in(users["kezhang"])
    ledger = own.get("/assessment/ledger/mine/", follow=True).content.decode()
    assert "投诉经核实部分查实" in ledger and "赵某" not in ledger and "13800000009" not in ledger
    assert own.get(replies.handling_url(petition.pk)).status_code == 404


def test_an_accusation_is_decided_by_the_discipline_team_and_hidden_from_the_accused(demo, frozen_today):
    users = demo["users"]
    accused = users["dangyuan"].person
    petition = handled(demo, PetitionKind.ACCUSATION, accused_person=accused)
    with pytest.raises(PermissionDenied):  # the matter's leader does not decide an accusation
        verdicts.do_record_verdict(petition, outcome="upheld", basis="属实", cadre_ids=[accused.pk],
                                   actor=users["shuji"])
    _refused(lambda: verdicts.do_record_verdict(petition, outcome="upheld", basis="属实", cadre_ids=[accused.pk],
                                                actor=users["zhibu"]), "outcome", "不存在或不在您的权限范围内")
    verdicts.do_record_verdict(petition, outcome="upheld", basis="查实收受礼品", cadre_ids=[accused.pk],
                               actor=users["jijian"])
    entry = ConductEntry.objects.get(person=accused, kind=ConductKind.COMPLAINT_UPHELD)
    assert "检举控告经核实查实" in entry.summary and "赵某" not in entry.source_label + entry.summary
    # the accused finds neither the verdict nor its cadre rows through any petition query
    assert not VerdictCadre.objects.visible_to(users["dangyuan"]).exists()
    assert VerdictCadre.objects.visible_to(users["jijian"]).count() == 1
    # 未查实: recorded, nobody's ledger changes
    other = handled(demo, PetitionKind.COMPLAINT)
    verdicts.do_record_verdict(other, outcome="not_upheld", basis="经核实不属实", cadre_ids=[], actor=users["shuji"])
    assert ConductEntry.objects.filter(kind=ConductKind.COMPLAINT_UPHELD).count() == 1
