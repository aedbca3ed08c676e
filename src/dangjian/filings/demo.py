"""Demo records of 报告报备 for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS).

Two reports to the 市委 (one answered, one sent late: in the 党组书记's 作风台账), last year's annual personal reports
of the 领导班子 (one late) and one report of a change, and 外出报备: the 党组书记's trip approved by the higher
organisation and its return confirmed, a deputy's approved trip whose return nobody confirmed (entered by the daily
check), one approved and one pending ahead, an absence found without a filing, and one refused overlap — the
deputy who presides while the 党组书记 is away tried to leave at the same time: nothing was written but the failed
attempt in the audit log. Each filing is made through the real services on the day it was made.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.demo import DEMO_BUILDERS, on_day

from . import services
from .models import Absence, AgencyReport, Occasion, PersonalCategory, PersonalReport, ReportKind


def build(context: dict) -> None:
    dangwu, shuji = User.objects.get(username="dangwu"), User.objects.get(username="shuji")
    secretary, deputies = context["secretary"], context["deputies"]
    today = timezone.localdate()
    d = lambda n: today + dt.timedelta(days=n)  # noqa: E731

    # 重大事项请示报告
    with on_day(d(-40)):
        services.do_save_report(AgencyReport(
            kind=ReportKind.REPORT, subject="上半年落实全面从严治党主体责任情况", recipient="中共市委",
            content="党组履行主体责任、班子成员“一岗双责”落实和问题整改情况。", responsible=secretary,
            due_on=d(-45), reported_on=d(-47), reply="已阅，望继续抓好整改落实。", replied_on=d(-41)), actor=dangwu)
        services.do_save_report(AgencyReport(
            kind=ReportKind.REQUEST, subject="调整内设机构职责的请示", recipient="市委组织部、市委编办",
            content="拟调整综合业务科与项目建设科部分职责。", responsible=secretary,
            due_on=d(-50), reported_on=d(-43)), actor=dangwu)

    # 个人有关事项: last year's annual reports (January), one late; one change reported within 30 days
    year = today.year - 1
    for n, person in enumerate([secretary, *deputies, context["discipline_head"]]):
        reported = dt.date(today.year, 2, 20) if person == deputies[0] else dt.date(today.year, 1, 10 + n)
        with on_day(min(reported, today)):
            services.do_file_personal_report(PersonalReport(
                person=person, occasion=Occasion.ANNUAL, year=year,
                content="婚姻情况：已婚，无变化。因私出国（境）证件：普通护照1本，由组织统一保管。房产：本人与配偶共有住房1套。"
                        "投资：无。配偶、子女从业：配偶在市属事业单位工作。"), actor=person.user)
    with on_day(d(-60)):
        services.do_file_personal_report(PersonalReport(
            person=deputies[2], occasion=Occasion.EVENT, category=PersonalCategory.EMPLOYMENT, event_on=d(-75),
            content="子女大学毕业，入职本市一家民营科技企业（非高级职务）。"), actor=deputies[2].user)

    # 外出报备
    with on_day(d(-20)):
        own = services.do_file_absence(Absence(
            person=secretary, destination="北京", leaves_on=d(-14), returns_on=d(-12), reason="参加全国系统业务培训",
            acting=deputies[0]), actor=shuji)
        services.do_decide_absence(own, actor=dangwu, approve=True, note="市委办公室已同意")
        unconfirmed = services.do_file_absence(Absence(
            person=deputies[1], destination="杭州", leaves_on=d(-7), returns_on=d(-5), reason="考察学习数字政务建设",
            acting=deputies[2]), actor=deputies[1].user)
        services.do_decide_absence(unconfirmed, actor=shuji, approve=True)
    with on_day(d(-11)):
        services.do_confirm_return(own, actor=shuji, returned_on=d(-12))
    with on_day(d(-2)):
        ahead = services.do_file_absence(Absence(
            person=deputies[0], destination="上海", leaves_on=d(3), returns_on=d(5), reason="参加长三角项目对接会",
            acting=deputies[1]), actor=deputies[0].user)
        services.do_decide_absence(ahead, actor=shuji, approve=True)
        services.do_file_absence(Absence(
            person=deputies[2], destination="省城", leaves_on=d(1), returns_on=d(2), reason="到省厅汇报项目进展",
            acting=deputies[1]), actor=deputies[2].user)
    with on_day(d(-1)):
        services.do_file_absence(Absence(
            person=secretary, destination="深圳", leaves_on=d(8), returns_on=d(10), reason="招商引资洽谈",
            acting=deputies[0]), actor=shuji)
        try:  # the deputy presiding meanwhile may not leave then: refused, the attempt is in the audit log
            services.do_file_absence(Absence(
                person=deputies[0], destination="广州", leaves_on=d(9), returns_on=d(11), reason="参加行业论坛",
                acting=deputies[1]), actor=deputies[0].user)
        except ValidationError:
            pass
    services.do_record_unfiled(Absence(person=deputies[2], destination="外省", leaves_on=d(-30), returns_on=d(-29)),
                               actor=dangwu, evidence="周一班子会未到，经核实前往外省处理私事，未报备。")
    services.run_daily_checks(today)


DEMO_BUILDERS.append(build)
