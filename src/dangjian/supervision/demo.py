"""Demo records of 纪委监督 for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS).

This half-year's inspection plan, the inspection of the 办公室 head with two findings — one being rectified
(交办、办理中), one closed by 备案销号 — and of a leader with none, and talks: one whose follow-up is still due (chased
on the talker's home page), one followed up. All made through the real services, by the 纪检组长.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.matters import services as matter_services
from dangjian.matters.models import Progress
from dangjian.orgs.demo import DEMO_BUILDERS, DEMO_EXTRA_BUILDERS

from . import petition_demo, petitions, services
from .models import Inspection, InspectionPlan, PetitionCategory, Result, Talk, TalkKind


def _results(plan, failed: dict[int, str]) -> list[dict]:
    return [{"item": item, "result": Result.FAILED if n in failed else Result.GOOD, "note": failed.get(n, "")}
            for n, item in enumerate(plan.checklist)]


def build(context: dict) -> None:
    jijian, admin = User.objects.get(username="jijian"), User.objects.get(username="dangwu")
    root, sections, heads = context["root"], context["sections"], context["heads"]
    secretary, deputies, inspector = context["secretary"], context["deputies"], context["discipline_head"]
    today = timezone.localdate()
    held = today - dt.timedelta(days=30)
    plan = services.do_create_plan(InspectionPlan(
        title=f"{held.year}年{'上' if held.month <= 6 else '下'}半年党风廉政建设定期检查", year=held.year,
        period="h1" if held.month <= 6 else "h2", org=root), actor=jijian,
        people=[deputies[0], heads["BGS"], heads["CWK"]], sections=[sections["BGS"]])
    office = services.do_record_inspection(Inspection(
        plan=plan, held_on=held, person=heads["BGS"], scope_text="查阅公务接待台账、公务用车记录和科室学习记录，个别谈话3人。",
        results=_results(plan, {1: "公务接待清单与审批单不一致2次", 4: "科室学习记录缺2次"})),
        actor=jijian, inspectors=[inspector])
    services.do_record_inspection(Inspection(
        plan=plan, held_on=held + dt.timedelta(days=1), person=deputies[0], scope_text="听取履行“一岗双责”情况汇报，查阅分管科室台账。",
        results=_results(plan, {})), actor=jijian, inspectors=[inspector])
    reception = services.do_add_finding(office, actor=jijian, item=plan.checklist[1], text="公务接待清单与审批单不一致",
                                        owner=heads["BGS"], leader=deputies[0])
    study = services.do_add_finding(office, actor=jijian, item=plan.checklist[4], text="科室集中学习记录不全",
                                    owner=heads["BGS"], leader=deputies[0])
    owner, leader = heads["BGS"].user, deputies[0].user
    for finding in (reception, study):
        matter = matter_services.do_transition(finding.matter, "assign", actor=admin, assigned_on=held)
        matter = matter_services.do_transition(matter, "start", actor=owner)
    matter_services.do_add_progress(Progress(matter=reception.matter, text="已逐笔核对接待审批单，正在修订接待管理办法。"),
                                    actor=owner)
    matter = matter_services.do_transition(study.matter, "submit", actor=owner, completion_statement="已补学并完善记录。",
                                           evidence="补学签到表、学习记录本")
    matter_services.do_transition(matter, "close", actor=leader)
    services.do_record_talk(Talk(
        kind=TalkKind.REMINDER, held_on=held + dt.timedelta(days=3), talker=inspector, subject=heads["BGS"],
        finding=reception, content="指出公务接待审批不规范的问题，提醒严格执行中央八项规定精神。",
        account="对接待审批把关不严，负有责任。", commitments="一个月内修订接待管理办法，逐笔核对接待审批。",
        follow_up_on=today + dt.timedelta(days=5)), actor=jijian)
    talk = services.do_record_talk(Talk(
        kind=TalkKind.SUMMONS, held_on=held - dt.timedelta(days=20), talker=secretary, subject=heads["CWK"],
        reason="财务报销审核不及时，群众有反映。", content="约谈财务科负责人，要求规范报销审核流程。",
        account="人手紧张，审核积压。", commitments="两周内清理积压，建立审核时限台账。",
        follow_up_on=held - dt.timedelta(days=5)), actor=jijian)
    services.do_record_follow_up(talk, actor=jijian, done_on=held - dt.timedelta(days=5),
                                 note="积压已清理，审核时限台账已建立。")


# 诉求分类: the agency's own categories, with the keywords that suggest them before there is history to learn from.
PETITION_CATEGORIES = [
    ("工作作风", "态度\n推诿\n效率\n不作为\n吃拿卡要"),
    ("政务服务", "办事\n窗口\n审批\n材料\n预约"),
    ("市容环境", "垃圾\n噪音\n占道\n违建\n污染"),
    ("道路交通", "道路\n积水\n路灯\n红绿灯\n停车"),
    ("住房物业", "物业\n小区\n电梯\n供暖\n维修基金"),
    ("劳动社保", "工资\n欠薪\n社保\n养老金\n医保"),
    ("教育医疗", "学校\n入学\n医院\n看病\n收费"),
    ("党风廉政", "违规吃喝\n公车私用\n收受\n红包\n违纪"),
]


def build_petition_categories(context: dict) -> None:
    """The demo agency's ~8 categories, added through the service by its 党务管理员."""
    dangwu, root = User.objects.get(username="dangwu"), context["root"]
    for order, (name, keywords) in enumerate(PETITION_CATEGORIES, start=1):
        petitions.do_save_category(PetitionCategory(org=root, name=name, keywords=keywords, order=order), actor=dangwu)


DEMO_BUILDERS.append(build)
DEMO_BUILDERS.append(build_petition_categories)
DEMO_EXTRA_BUILDERS.append(petition_demo.build)  # 群众监督: a year of petitions (not in the tests' demo)
