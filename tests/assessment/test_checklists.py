"""两个责任清单考核 and the 一级抓一级 chain: refusals name the item or rule and write nothing; a score keeps the
checklist version it was scored under; the chain marks the failing level; the cadre's file shows the records'
results."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.assessment import checklist
from dangjian.assessment import checklist_rules as rules
from dangjian.assessment.checklist_models import ChecklistScore
from dangjian.core import rule_settings
from dangjian.core.models import AuditEvent, RuleSetting
from dangjian.duties.models import DutyKind, ResponsibilityLetter
from dangjian.orgs.services import agency_of

from ..conftest import signed_in

pytestmark = pytest.mark.django_db
LEADERSHIP = DutyKind.LEADERSHIP


def _refused(call, field: str, *words: str) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        call()
    messages = exc.value.message_dict.get(field) if hasattr(exc.value, "error_dict") else exc.value.messages
    assert messages, (field, exc.value)
    assert all(any(w in m for m in messages) for w in words), (words, messages)
    assert AuditEvent.objects.count() == before


def _full(kind, **changes):
    given = {i["code"]: (Decimal(i["points"]), "") for i in rules.items_in_force(kind)[1]}
    given.update(changes)
    return given


def test_scoring_is_refused_out_of_range_without_evidence_by_others_and_once_frozen(demo, frozen_today):
    shuji, staff = demo["users"]["shuji"], demo["users"]["dangwu"]
    member = demo["users"]["banzi"].person
    agency = agency_of(member.org)
    score = checklist.do_score_checklist

    def by(actor, year=2026, **given):
        return lambda: score(agency, member, LEADERSHIP, year, actor=actor, given=_full(LEADERSHIP, **given))

    _refused(by(shuji, l1=(Decimal(21), "")), "s_l1", "0 至 20")
    _refused(by(shuji, l1=(Decimal("19.55"), "记录")), "s_l1", "一位小数")
    _refused(by(shuji, l2=(Decimal(20), " ")), "e_l2", "扣分佐证")
    _refused(by(shuji, year=2027), "year", "尚未开始")
    for other in (staff, demo["users"]["banzi"], demo["users"]["jijian"]):  # only the 党组书记, never oneself
        with pytest.raises(PermissionDenied, match="党组书记"):
            by(other)()
    _refused(by(shuji, year=2025), "score", "已于", "审定")  # last year's is frozen
    # the 党组书记's own 第一责任人 checklist: the higher body's result, recorded by the staff naming the body
    secretary = shuji.person
    with pytest.raises(PermissionDenied):
        score(agency, secretary, DutyKind.PRIMARY, 2026, actor=shuji, given=_full(DutyKind.PRIMARY))
    _refused(lambda: score(agency, secretary, DutyKind.PRIMARY, 2026, actor=staff, given=_full(DutyKind.PRIMARY)),
             "scored_body", "评定机关")
    _refused(lambda: score(agency, demo["users"]["kezhang"].person, LEADERSHIP, 2026, actor=shuji,
                           given=_full(LEADERSHIP)), "person", "未担任")

    record = by(shuji, l1=(Decimal("17.5"), "全年仅一次专题研究"))()
    assert (record.total, record.scored_by, record.approved_on) == (Decimal("97.5"), secretary, None)
    assert AuditEvent.objects.filter(action="assessment.checklist_score", target_id=str(record.pk)).exists()


def test_a_checklist_is_versioned_and_a_score_keeps_its_version(demo, frozen_today):
    staff, shuji = demo["users"]["dangwu"], demo["users"]["shuji"]
    key = rules.rule_key(LEADERSHIP)
    before = RuleSetting.objects.count()
    with pytest.raises(ValidationError, match="第1行"):
        rule_settings.set_rule(key, "l1|只有内容|二十|标准", actor=staff)
    with pytest.raises(ValidationError, match="合计须为100"):
        rule_settings.set_rule(key, "l1|内容|50|标准\nl2|内容|40|标准", actor=staff)
    assert RuleSetting.objects.count() == before
    scored = ChecklistScore.objects.get(year=2026, person=demo["users"]["banzi"].person, kind=LEADERSHIP)
    edit = signed_in(staff).get(f"/settings/rules/{key}/")  # the settings page: a textarea, one item a line
    assert edit.status_code == 200 and "<textarea" in edit.content.decode()
    assert signed_in(staff).post(f"/settings/rules/{key}/", {
        "value": "n1|新清单第一项|60|未落实扣60分\r\nn2|新清单第二项|40|未落实扣40分", "reason": "修订"}).status_code == 302
    assert rules.items_in_force(LEADERSHIP)[0] == scored.rule_version + 1
    page = signed_in(shuji).get(scored.get_absolute_url())
    assert "新清单第一项" not in page.content.decode() and scored.items[0]["text"] in page.content.decode()
    again = checklist.do_score_checklist(agency_of(scored.person.org), scored.person, LEADERSHIP, 2026, actor=shuji,
                                         given=_full(LEADERSHIP) | {i["code"]: (Decimal(i["points"]), "")
                                                                    for i in scored.items})
    assert (again.pk, again.rule_version, again.items, again.total) == (scored.pk, scored.rule_version, scored.items,
                                                                       Decimal(100))


def test_the_chain_marks_the_failing_level_and_links_each_number(demo, frozen_today, django_assert_max_num_queries):
    client = signed_in(demo["users"]["dangwu"])
    with django_assert_max_num_queries(25):
        response = client.get("/assessment/chain/?year=2026")
    assert response.status_code == 200
    root = response.context["root"]
    assert root.person == demo["users"]["shuji"].person
    failing = [n for n in root.children if any("清单得分" in p for p in n.problems)]
    low = ChecklistScore.objects.filter(year=2026, kind=LEADERSHIP, total__lt=rules.pass_score())
    assert {n.person.pk for n in failing} == set(low.values_list("person_id", flat=True)) != set()
    assert root.failing_below >= len(failing)
    html = response.content.decode()
    for record in low:
        assert f'data-checklist-total="{record.pk}" href="{record.get_absolute_url()}">{record.total} 分' in html
    heads = [h for n in root.children for h in n.children if h.letter is not None and h.letter.total is not None]
    for head in heads:
        assert f'data-letter-total="{head.letter.pk}" href="/assessment/letters/{head.letter.pk}/">{head.letter.total}' \
               in html
    assert signed_in(demo["users"]["kezhang"]).get("/assessment/chain/").status_code == 404


def test_the_cadres_file_shows_the_letter_results_and_checklist_scores_of_the_records(demo, frozen_today):
    person = demo["users"]["banzi"].person
    html = signed_in(demo["users"]["dangwu"]).get(f"/assessment/people/{person.pk}/file/").content.decode()
    records = ChecklistScore.objects.filter(person=person, year__gte=2024)
    assert records.count() == 2  # 2025 approved, 2026 in progress
    shown = dict(re.findall(r'data-checklist-total="(\d+)">([\d.]+) 分', html))
    assert shown == {str(r.pk): str(r.total) for r in records}
    for letter in ResponsibilityLetter.objects.filter(counterpart=person, year__gte=2024):
        assert f"/assessment/letters/{letter.pk}/" in html


def test_the_scorer_scores_on_the_page_and_the_staff_approve(demo, frozen_today):
    shuji, staff = demo["users"]["shuji"], demo["users"]["dangwu"]
    record = ChecklistScore.objects.filter(year=2026, kind=LEADERSHIP, approved_on__isnull=True).first()
    client = signed_in(shuji)
    data = {f"s_{i['code']}": i["points"] for i in record.items} | {"loaded_version": record.version}
    bad = client.post(record.get_absolute_url(), data | {f"s_{record.items[0]['code']}": "1"})
    assert bad.status_code == 200 and "扣分须写明扣分佐证" in bad.content.decode()
    assert client.post(record.get_absolute_url(), data).status_code == 302
    record.refresh_from_db()
    assert record.total == Decimal(100)
    assert signed_in(staff).post(f"/assessment/checklists/{record.pk}/approve/").status_code == 302
    record.refresh_from_db()
    assert record.approved_on == dt.date(2026, 11, 30)
    assert client.post(record.get_absolute_url(), data).status_code == 403  # frozen
