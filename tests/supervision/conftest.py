"""Helpers for the 监督 tests: a plan, an inspection with a finding and a talk, made through the real services."""

import datetime as dt

import pytest

from dangjian.supervision import services
from dangjian.supervision.models import Inspection, InspectionPlan, Result, Talk, TalkKind

HELD = dt.date(2026, 11, 2)  # a Monday, before the frozen today (2026-11-30)


@pytest.fixture
def people(demo):
    return {name: user.person for name, user in demo["users"].items() if getattr(user, "person", None)}


@pytest.fixture
def sup(demo, people, frozen_today):
    """A plan checking 科室负责人 (kezhang) and 办公室, one inspection of kezhang with one finding, one talk."""
    jijian = demo["users"]["jijian"]
    plan = services.do_create_plan(InspectionPlan(title="2026年下半年定期检查", year=2026, period="h2",
                                                  org=demo["orgs"]["SXX"]),
                                   actor=jijian, people=[people["kezhang"]], sections=[demo["orgs"]["SXX-BGS"]])
    results = [{"item": item, "result": Result.GOOD, "note": ""} for item in plan.checklist]
    results[1] = {"item": plan.checklist[1], "result": Result.FAILED, "note": "公务接待超标准一次"}
    inspection = services.do_record_inspection(Inspection(
        plan=plan, held_on=HELD, person=people["kezhang"], scope_text="查阅接待台账", results=results),
        actor=jijian, inspectors=[people["jijian"]])
    finding = services.do_add_finding(inspection, actor=jijian, text="公务接待超标准", item=plan.checklist[1],
                                      owner=people["kezhang"], leader=people["banzi"])
    talk = services.do_record_talk(Talk(
        kind=TalkKind.REMINDER, held_on=HELD, talker=people["jijian"], subject=people["kezhang"], finding=finding,
        content="谈话内容甲乙丙", account="本人说明丁戊", commitments="承诺一个月内整改", follow_up_on=dt.date(2026, 12, 2)),
        actor=jijian)
    return {"plan": plan, "inspection": inspection, "finding": finding, "talk": talk, "jijian": jijian}
