"""纪委监督 API writes: plan, inspection, finding, follow-up through the pages' services, errors naming the field,
the same scope as the pages (anyone outside the discipline team and the 党组书记 finds nothing)."""

import datetime as dt

from dangjian.accounts.models import ApiToken
from dangjian.matters.models import Matter
from dangjian.supervision.models import Finding, Inspection, InspectionPlan, Result, Talk
from tests.conftest import signed_in

from .conftest import HELD


def _api(demo):
    tokens = {}

    def call(role, url, body):
        if role not in tokens:
            tokens[role] = ApiToken.issue(demo["users"][role], "测试")[1]
        return signed_in(None).post(f"/api/v1/supervision{url}", body, content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
    return call


def test_the_discipline_team_records_a_plan_an_inspection_a_finding_and_a_follow_up(sup, demo, people):
    api = _api(demo)
    plan_body = {"title": "2027年上半年定期检查", "year": 2026, "period": "h2", "people_ids": [people["kezhang"].pk],
                 "section_ids": [demo["orgs"]["SXX-BGS"].pk]}
    created = api("jijian", "/plans", plan_body)
    assert created.status_code == 201, created.json()
    plan = InspectionPlan.objects.get(pk=created.json()["id"])
    assert created.json()["checklist"] == plan.checklist and list(plan.people.all()) == [people["kezhang"]]
    # the same scope as the pages: a plain member finds nothing, the 党组书记 reads but may not record
    assert api("dangyuan", "/plans", plan_body).status_code == 404
    assert api("shuji", "/plans", plan_body).status_code == 403
    refused = api("jijian", "/plans", {**plan_body, "people_ids": [people["dangyuan"].pk]})
    assert refused.status_code == 422 and "检查对象" in refused.json()["errors"]["people_ids"][0]
    nobody = api("jijian", "/plans", {**plan_body, "people_ids": [], "section_ids": []})
    assert nobody.status_code == 422 and "请至少选择" in nobody.json()["errors"]["people_ids"][0]
    assert api("jijian", "/plans", {**plan_body, "people_ids": [10**20]}).status_code == 422

    results = [{"item": item, "result": "good", "note": ""} for item in plan.checklist]
    body = {"held_on": "2026-11-20", "person_id": people["kezhang"].pk, "inspector_ids": [people["jijian"].pk],
            "scope_text": "查阅台账", "results": results}
    missing = api("jijian", f"/plans/{plan.pk}/inspections", {**body, "results": results[1:]})
    assert missing.status_code == 422 and f"“{plan.checklist[0]}”未选择结果" in missing.json()["errors"]["results"][0]
    outsider = api("jijian", f"/plans/{plan.pk}/inspections", {**body, "person_id": people["banzi"].pk})
    assert outsider.status_code == 422 and "被检查人" in outsider.json()["errors"]["person_id"][0]
    both = api("jijian", f"/plans/{plan.pk}/inspections", {**body, "section_id": demo["orgs"]["SXX-BGS"].pk})
    assert both.status_code == 422 and "请选择其中一项" in both.json()["errors"]["person_id"][0]
    assert api("kezhang", f"/plans/{plan.pk}/inspections", body).status_code == 404
    done = api("jijian", f"/plans/{plan.pk}/inspections", body)
    assert done.status_code == 201 and done.json()["findings"] == [] and done.json()["findings_closed"] == 0
    inspection = Inspection.objects.get(pk=done.json()["id"])
    assert [r["result"] for r in inspection.results] == [Result.GOOD] * len(plan.checklist)

    finding_body = {"text": "台账不全", "item": plan.checklist[0], "owner_id": people["kezhang"].pk,
                    "leader_id": people["banzi"].pk}
    bad_leader = api("jijian", f"/inspections/{inspection.pk}/findings", {**finding_body,
                                                                          "leader_id": people["dangyuan"].pk})
    assert bad_leader.status_code == 422 and "责任领导" in bad_leader.json()["errors"]["leader_id"][0]
    added = api("jijian", f"/inspections/{inspection.pk}/findings", finding_body)
    assert added.status_code == 201
    finding = Finding.objects.get(pk=added.json()["id"])
    matter = Matter.objects.get(pk=added.json()["matter_id"])
    assert finding.matter_id == matter.pk and matter.owner == people["kezhang"] and added.json()["closed"] is False

    talk = sup["talk"]
    follow = {"followed_up_on": "2026-11-25", "follow_up_note": "已整改", "version": talk.version}
    assert api("kezhang", f"/talks/{talk.pk}/follow-up", follow).status_code == 403  # sees the talk, may not record
    assert api("banzi", f"/talks/{talk.pk}/follow-up", follow).status_code == 404
    early = api("jijian", f"/talks/{talk.pk}/follow-up", {**follow, "followed_up_on": "2026-10-01"})
    assert early.status_code == 422 and "早于谈话日期" in early.json()["errors"]["followed_up_on"][0]
    assert api("jijian", f"/talks/{talk.pk}/follow-up", follow).status_code == 200
    assert Talk.objects.get(pk=talk.pk).followed_up_on == dt.date(2026, 11, 25)
    assert api("jijian", f"/talks/{talk.pk}/follow-up", follow).status_code == 409  # a stale version
    assert HELD < dt.date(2026, 11, 25)
