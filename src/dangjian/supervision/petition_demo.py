"""Demo records of 群众监督 for the 市XX agency: a year of petitions from every channel (appended to
orgs.demo.DEMO_BUILDERS by supervision.demo).

Each case below is one complaint as the public raised it, through one channel or several (a merged group): some
answered (the reply approved by the responsible leader, published, delivered to each source and rated), some
answered late, some overdue, some in progress, some still in triage, one declined, and a few 检举控告 naming a
person, handled by the discipline team. Everything goes through the services; the services ran today, so the days
a reply was published, delivered and rated are then dated back to when the case says they happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import audit
from dangjian.matters import services as matter_services
from dangjian.matters.models import Matter
from dangjian.orgs.demo import ROOT_CODE, on_day
from dangjian.orgs.models import Org, Person, PositionTitle
from dangjian.orgs.services import current_positions

from . import classify, petitions, replies, verdicts
from .petition_models import (
    Channel,
    Petition,
    PetitionCategory,
    PetitionKind,
    PetitionReply,
    PetitionStatus,
    ReplyDelivery,
)

C = Channel
SUGGESTION, COMPLAINT, ACCUSATION = PetitionKind.SUGGESTION, PetitionKind.COMPLAINT, PetitionKind.ACCUSATION


def accept(petition: Petition, *, actor, owner, leader, on: dt.date) -> Matter:
    """受理 on ``on`` through the one accept service (the duplicates merged into it join its matter), then 交办."""
    category = petition.category or PetitionCategory.objects.filter(org=petition.org, active=True).order_by(
        "order", "pk").first()
    handler = actor if petition.kind != PetitionKind.ACCUSATION else User.objects.get(username="jijian")
    with on_day(on):
        matter = petitions.do_accept(petition, actor=handler, owner=owner, leader=leader, category=category).matter
        petition.refresh_from_db()  # the caller's copy as accepted (its matter, status and version)
        return matter_services.do_transition(matter, "assign", actor=actor, owner=owner, responsible_leader=leader,
                                             assigned_on=on)


@dataclass
class Source:
    """One source of a case: its channel, how many days after the first it came, who (None = anonymous), text."""

    channel: str
    later: int = 0
    contact: tuple[str, str] | None = None  # (name, phone or other contact)
    text: str = ""  # the source's own wording (the case's content when empty)


@dataclass
class Case:
    days_ago: int  # the first source's arrival
    kind: str
    subject: str
    content: str
    sources: list[Source]
    fate: str = "triage"  # triage | declined | open | overdue | answered
    owner: str = "XZSP"  # section whose head handles it
    leader: str = "secretary"  # secretary (党组书记) or deputy (分管领导)
    reply: str = ""
    reply_after: int = 0  # days from acceptance to the published reply
    ratings: tuple[str, ...] = ()  # one per source, in order ("" = not rated)
    close: bool = False  # filed and closed (备案销号) after the reply
    accused: str = ""  # section whose head a 检举控告 names
    extra: dict = field(default_factory=dict)


CASES = [
    Case(352, COMPLAINT, "幸福里小区旁项目工地夜间施工噪音扰民",
         "城东安置房项目工地连续多晚在23点后进行混凝土浇筑，噪音很大，小区老人孩子无法休息，希望督促施工单位遵守夜间施工规定。",
         [Source(C.PORTAL), Source(C.HOTLINE, 1, ("周女士", "13907310211"), "幸福里小区居民来电，反映旁边工地晚上十一点后还在施工，吵得睡不着。"),
          Source(C.QQ, 2, None, "群里好几个人说了，城东安置房工地半夜还在打灰，能不能管一管？")],
         fate="answered", owner="XMJS", leader="deputy", reply_after=6, ratings=("satisfied", "satisfied", ""),
         reply="经核查，城东安置房项目施工单位存在未经批准夜间施工的情况。我局已约谈施工单位负责人，责令其严格执行夜间施工审批制度，"
               "确需连续浇筑的提前三日公告并报批。此后我局将不定期夜查，欢迎继续监督。"),
    Case(338, SUGGESTION, "建议行政审批大厅增设周末预约服务",
         "上班族工作日请假办事不方便，建议审批大厅每月安排一到两个周六上午预约办理。",
         [Source(C.GOV_OPEN, 0, ("刘先生", "liu.xs@example.cn"))],
         fate="answered", reply_after=9, ratings=("basic",),
         reply="感谢您的建议。自本月起，审批大厅每月第二、第四个周六上午开放预约办理，可通过政务公开网或电话预约。"),
    Case(321, COMPLAINT, "企业技改补贴申报半年未兑现",
         "我公司去年申报的技术改造补贴，公示已经结束半年多，资金至今未拨付，多次打电话询问都说在走程序。",
         [Source(C.ENTERPRISE, 0, ("湘江精密机械有限公司 陈经理", "13807316688")),
          Source(C.EMAIL, 3, ("陈经理", "chen@xjjm.example.cn"), "关于技改补贴迟迟未拨付的情况反映，详见附件说明。"),
          Source(C.LETTER, 10, ("湘江精密机械有限公司", "市经开区创业路18号"), "来信反映技改补贴未兑现，请求尽快拨付。")],
         fate="answered", owner="CWK", reply_after=40, ratings=("basic", "", ""),
         reply="经查，该批技改补贴因预算调整延后拨付。目前资金已到位，贵公司补贴已于本月拨付到账。对拨付延迟给企业带来的不便表示歉意，"
               "我局已建立补贴兑现时限台账，公示结束后30个工作日内拨付。"),
    Case(330, SUGGESTION, "建议公开行政审批收费项目和标准", "办事时才知道要交哪些费用，建议在大厅和网站公开收费目录。",
         [Source(C.LETTER, 0, ("市民 石先生", "城南路45号"))], fate="answered", reply_after=8, ratings=("satisfied",),
         reply="已在审批大厅和XX网公开行政审批收费目录及依据，目录外一律不得收费，欢迎监督。"),
    Case(300, COMPLAINT, "审批窗口工作人员态度生硬",
         "上周去审批大厅办理施工许可，窗口工作人员说话很不耐烦，材料问题也不一次说清楚，让我来回跑了三趟。",
         [Source(C.PORTAL), Source(C.WEBSITE, 1, None, "在XX网留言：审批窗口办事要跑好几趟，工作人员不耐烦。")],
         fate="answered", owner="XZSP", reply_after=8, ratings=("unsatisfied", ""), close=True,
         extra={"verdict": ("upheld", "窗口工作人员解释不耐心、一次性告知不到位，经调查属实。")},
         reply="经调查核实，窗口工作人员存在解释不耐心、一次性告知不到位的问题，已对其批评教育并调离窗口岗位。"
               "我局已重新梳理施工许可一次性告知清单并在大厅公示。"),
    Case(284, SUGGESTION, "政务公开网办事指南更新不及时",
         "网上公布的建设项目审批办事指南还是前年的版本，材料清单与窗口要求不一致。",
         [Source(C.GOV_OPEN)], fate="answered", owner="ZCFG", reply_after=5, ratings=("satisfied",), close=True,
         reply="已对照现行规定更新全部办事指南，今后指南调整将与窗口同步发布。感谢您的监督。"),
    Case(270, COMPLAINT, "工地扬尘污染严重", "北环路改造工地没有洒水降尘，刮风天整条街都是灰。",
         [Source(C.HOTLINE, 0, ("北环路商户 龙女士", "13657318800")), Source(C.QQ, 1)],
         fate="answered", owner="XMJS", leader="deputy", reply_after=7, ratings=("basic", ""),
         reply="已督促施工单位落实围挡、覆盖、洒水等扬尘防治措施，增设雾炮两台，项目科每周检查一次。"),
    Case(262, COMPLAINT, "农民工工资被拖欠",
         "我们十几个人在城北道路改造项目干了三个月，包工头说项目款没到位，工资一直没发。",
         [Source(C.VISIT, 0, ("张师傅", "13574125896")), Source(C.HOTLINE, 2, ("张师傅的同乡 李某", "13617419632"))],
         fate="answered", owner="XMJS", leader="deputy", reply_after=10, ratings=("satisfied", "satisfied"), close=True,
         reply="我局已会同人社部门约谈总承包单位，督促其从工资专用账户足额发放。拖欠的工资已于上周全部发放到位。"),
    Case(240, SUGGESTION, "建议公开项目招标进展",
         "希望在网站上公开本市重点项目的招标和建设进展，方便群众监督。",
         [Source(C.PROPOSAL, 0, ("市政协委员 黄委员", "提案第2026031号"))],
         fate="answered", owner="XMJS", reply_after=12, ratings=("basic",),
         reply="已在XX网开设“重点项目进展”专栏，按月公开招标、开工和完工情况。"),
    Case(221, COMPLAINT, "村道硬化工程停工三个月",
         "我村通组道路硬化工程去年开工，铺了一半就停了，坑坑洼洼比原来还难走。",
         [Source(C.VILLAGE, 0, ("桃源村村委会 罗主任", "13874102233")), Source(C.VISIT, 4, ("桃源村村民 谭某", "13975106688"))],
         fate="answered", owner="XMJS", reply_after=35, ratings=("basic", "unsatisfied"),
         reply="经查，该工程因设计变更暂停。变更已批复，施工单位已复工，计划两个月内完工。项目科将每半月到现场检查进度。"),
    Case(210, SUGGESTION, "建议增设审批进度短信提醒", "提交申请后不知道办到哪一步了，希望每个环节有短信提醒。",
         [Source(C.GOV_OPEN, 0, ("市民 易女士", "13317316611"))], fate="answered", reply_after=10,
         ratings=("satisfied",), reply="审批系统已上线进度短信提醒，受理、审查、办结各环节自动发送。"),
    Case(199, SUGGESTION, "建议审批材料电子化减少纸质复印",
         "很多材料系统里已经有了，还要求提供纸质复印件，建议能共享的不再重复提交。", [Source(C.PORTAL)],
         fate="answered", owner="XZSP", reply_after=7, ratings=("satisfied",),
         reply="已梳理可共享材料23项，自下月起不再要求申请人提交纸质复印件。"),
    Case(176, COMPLAINT, "工地渣土车抛洒污染道路",
         "经开区创业路每天早上都有渣土车抛洒，路面全是泥，下雨更严重。",
         [Source(C.QQ), Source(C.PORTAL, 1), Source(C.HOTLINE, 1, ("赵先生", "13787310045"))],
         fate="answered", owner="XMJS", leader="deputy", reply_after=9, ratings=("", "satisfied", "basic"),
         reply="已责令相关项目工地完善车辆冲洗设施，联合城管部门对抛洒车辆依法处罚，并安排每日清扫。"),
    Case(165, COMPLAINT, "安置房项目竣工验收拖延影响入住", "安置房早已完工，验收一直没完成，我们还在外面租房。",
         [Source(C.VISIT, 0, ("拆迁户代表 常先生", "13874109900"))], fate="answered", owner="XMJS", reply_after=26,
         ratings=("unsatisfied",),
         reply="经查，验收因消防整改未完成而延后。整改已完成，竣工验收已于本月通过，将按计划组织交房。"),
    Case(135, SUGGESTION, "关于加强在建工程质量监管的提案", "建议建立在建工程质量随机抽查制度并公开抽查结果。",
         [Source(C.PROPOSAL, 0, ("市人大代表 乔代表", "建议第2026017号"))], fate="answered", owner="XMJS",
         reply_after=12, ratings=("basic",),
         reply="已制定在建工程质量“双随机”抽查办法，每季度抽查并在XX网公开结果。"),
    Case(110, COMPLAINT, "招标文件设置不合理资质门槛", "某道路项目招标要求特级资质，明显排斥本地中小企业。",
         [Source(C.ENTERPRISE, 0, ("本地建筑企业 段经理", "13511223344"))], fate="answered", owner="ZCFG",
         reply_after=9, ratings=("satisfied",),
         reply="经核查，该项目资质要求高于法定标准，已责令招标人修改招标文件并重新公告。"),
    Case(150, COMPLAINT, "施工许可办理超时",
         "我单位3月提交的施工许可申请，承诺时限10个工作日，至今一个多月还没办结。",
         [Source(C.EMAIL, 0, ("城建置业 王经理", "wang@cjzy.example.cn"))],
         fate="answered", owner="XZSP", reply_after=25, ratings=("unsatisfied",),
         reply="经核查，该申请因消防审查意见未按时反馈导致超时，现已办结。我局已对相关人员进行提醒谈话，并建立超时预警。"),
    Case(122, SUGGESTION, "建议热线电话延长接听时间", "中午和下班后热线没人接，建议延长接听时间或设置留言。",
         [Source(C.HOTLINE, 0, ("市民 钱先生", "13548769210"))],
         fate="answered", owner="BGS", reply_after=6, ratings=("satisfied",), close=True,
         reply="热线已于本月起开通午间接听和下班后语音留言，留言在下一个工作日内回复。"),
    Case(95, COMPLAINT, "安置房质量问题反映", "城西安置小区3栋多户墙面开裂、屋顶渗水，报修多次无人处理。",
         [Source(C.LETTER, 0, ("城西安置小区3栋业主代表", "城西安置小区3栋2单元501")), Source(C.PORTAL, 5)],
         fate="answered", owner="XMJS", leader="deputy", reply_after=14, ratings=("basic", ""),
         reply="已组织建设、监理、施工单位现场查勘，确定维修方案，保修期内由施工单位负责维修，预计一个月内完成。"),
    Case(70, COMPLAINT, "项目征地补偿款发放不透明", "征地补偿标准和名单没有公示，村民不知道自己该拿多少。",
         [Source(C.VILLAGE, 0, ("青山村村民 孙某", "13607316520")), Source(C.QQ, 3)],
         fate="overdue", owner="XMJS"),
    Case(58, SUGGESTION, "建议规范项目公示牌内容", "部分工地公示牌没有监督电话，建议统一标注。",
         [Source(C.WEBSITE)], fate="overdue", owner="ZCFG"),
    Case(40, COMPLAINT, "审批系统经常卡顿无法提交", "网上审批系统下午经常卡住，材料上传到一半就失败。",
         [Source(C.PORTAL), Source(C.EMAIL, 1, ("某设计院 资料员", "ziliao@example.cn"))],
         fate="answered", owner="ZHYW", reply_after=8, ratings=("satisfied", ""),
         reply="经排查，系统卡顿系下午集中上传时存储带宽不足所致，已完成扩容并优化大文件分片上传，近两周未再出现提交失败。"),
    Case(26, COMPLAINT, "路灯工程验收后大面积不亮", "滨江路新装路灯验收才两个月，一半以上晚上不亮。",
         [Source(C.HOTLINE, 0, ("滨江社区 何女士", "13973105577")), Source(C.PORTAL, 1)], fate="open", owner="XMJS",
         leader="deputy"),
    Case(18, SUGGESTION, "建议在审批大厅设置母婴室", "带孩子来办事很不方便，建议设置母婴室。",
         [Source(C.PORTAL)], fate="open", owner="BGS", reply="拟在审批大厅二楼设置母婴室，预计下月投入使用。"),
    Case(12, COMPLAINT, "企业开办业务被要求重复提交材料", "营业执照信息已共享，窗口仍要求提交复印件。",
         [Source(C.ENTERPRISE, 0, ("星沙电子 罗会计", "13487316699"))], fate="open", owner="XZSP"),
    Case(9, SUGGESTION, "希望公开监督电话和邮箱", "网站上找不到投诉电话和邮箱，希望在首页公布。", [Source(C.GOV_OPEN)]),
    Case(7, COMPLAINT, "施工围挡占用人行道", "人民路施工围挡把人行道全占了，行人只能走机动车道，很危险。",
         [Source(C.PORTAL), Source(C.QQ, 1)]),
    Case(5, SUGGESTION, "建议增加审批事项网上办理比例", "希望更多事项可以全程网办。", [Source(C.WEBSITE)]),
    Case(4, COMPLAINT, "物业维修基金使用不公开", "小区维修基金使用情况从未公示。",
         [Source(C.LETTER, 0, ("锦绣家园业主 吴先生", "锦绣家园6栋"))]),
    Case(3, COMPLAINT, "工程款结算拖延", "我公司承建的配套道路已完工一年，结算审核迟迟未完成。",
         [Source(C.ENTERPRISE, 0, ("鑫达建设 钟经理", "13308412266"))]),
    Case(2, SUGGESTION, "建议夜间施工许可信息公开", "夜间施工许可应在网上公示，方便居民查询。", [Source(C.PORTAL)]),
    Case(2, COMPLAINT, "审批大厅停车难", "大厅门口车位太少，办事群众只能停到路边被贴罚单。", [Source(C.PORTAL)]),
    Case(1, SUGGESTION, "窗口午休时间无人办理", "中午十二点到两点窗口全部关闭，建议轮流值守。", [Source(C.QQ)]),
    Case(1, COMPLAINT, "小区周边道路积水", "暴雨后园丁路积水没过膝盖，排水管网需要改造。",
         [Source(C.HOTLINE, 0, ("园丁路居民 邓女士", "13755186600")), Source(C.VISIT)]),
    Case(30, COMPLAINT, "反映邻居私搭乱建", "我家邻居在楼顶违规加盖房屋，请你们来拆除。", [Source(C.HOTLINE)],
         fate="declined", extra={"decline_reason": "违法建设的查处属城市管理执法部门职责，已告知来电人向区城管执法局反映。"}),
    Case(45, ACCUSATION, "检举行政审批科负责人收受申请人礼品",
         "据了解，行政审批科负责人在办理某房地产项目审批期间，多次接受申请单位赠送的购物卡和烟酒。",
         [Source(C.PORTAL)], fate="open", accused="XZSP"),
    Case(20, ACCUSATION, "检举项目建设科负责人违规插手工程分包",
         "项目建设科负责人打招呼让亲戚承接城东安置房项目的劳务分包。", [Source(C.LETTER)], accused="XMJS"),
    Case(8, ACCUSATION, "检举审批窗口人员吃拿卡要", "窗口有人暗示要“意思意思”才能加快办理。", [Source(C.PORTAL)]),
]


def build(context: dict | None = None) -> None:
    """The cases above, received by the agency and handled by its demo staff (found by their accounts and posts,
    so that a test can run this on the tests' demo, which leaves it out)."""
    users = {u.username: u for u in User.objects.filter(username__in=("dangwu", "jijian", "shuji", "banzi"))
             .select_related("person")}
    dangwu, jijian = users["dangwu"], users["jijian"]
    root = Org.objects.get(code=ROOT_CODE)
    heads = {p.org.code.removeprefix(f"{ROOT_CODE}-"): p.person for p in current_positions(
        [PositionTitle.SECTION_HEAD]).select_related("org", "person__user")}
    leaders = {"secretary": users["shuji"].person, "deputy": users["banzi"].person}
    now, today = timezone.now(), timezone.localdate()
    for n, case in enumerate(CASES, start=1):
        first = now - dt.timedelta(days=case.days_ago, hours=n % 7)
        staff = jijian if case.kind == ACCUSATION else dangwu
        made = []
        for source in case.sources:
            named = source.contact is not None
            name, reach = source.contact or ("", "")
            by_phone = reach[:1].isdigit()
            petition = Petition(
                org=root, kind=case.kind, channel=source.channel, received_at=first + dt.timedelta(days=source.later),
                subject=case.subject, content=source.text or case.content, anonymous=not named, contact_name=name,
                contact_phone=reach if by_phone else "", contact_other="" if by_phone else reach,
                accused_person=heads[case.accused] if case.accused else None)
            made.append(petitions.do_receive_petition(petition, actor=None if source.channel == C.PORTAL else staff)[0])
        owner = jijian.person if case.kind == ACCUSATION else heads[case.owner]
        _handle(case, made, staff=staff, dangwu=dangwu, owner=owner, leader=leaders[case.leader],
                received=timezone.localtime(first).date(), today=today)
    classify.retrain_all()  # the agency starts with its category suggestion learned from this year's petitions


def _handle(case: Case, made: list[Petition], *, staff, dangwu, owner, leader, received, today) -> None:
    original, repeats = made[0], made[1:]
    if case.fate == "declined":
        original.status, original.decline_reason = PetitionStatus.DECLINED, case.extra["decline_reason"]
        audit.save_audited(original, actor=staff, action="supervision.petition_decline")
        return
    for repeat in repeats:
        replies.do_merge(repeat, original, actor=staff, reason="同一事项经多个渠道反映")
    if case.fate == "triage":
        return
    accepted_on = received + dt.timedelta(days=max(s.later for s in case.sources) + 1)
    matter = accept(original, actor=dangwu, owner=owner, leader=leader, on=min(accepted_on, today))
    matter = matter_services.do_transition(matter, "start", actor=owner.user)
    if case.reply:
        reply = replies.do_draft_reply(original, case.reply, actor=staff)
    if case.fate != "answered":
        return
    replies.do_submit_reply(reply, actor=staff)
    replies.do_approve_reply(reply, actor=leader.user)
    reply, _, pending = replies.do_publish_reply(reply, actor=staff)
    for petition in pending:
        method = {C.HOTLINE: "phone", C.EMAIL: "email", C.QQ: "qq", C.LETTER: "letter"}.get(petition.channel,
                                                                                           "in_person")
        replies.do_record_delivery(petition, method, timezone.now(), "已告知答复内容", actor=staff)
    for petition, rating in zip(made, case.ratings, strict=False):
        if rating:
            replies.do_record_rating(petition, rating, actor=staff)
    if case.close:
        matter = matter_services.do_transition(
            matter, "submit", actor=owner.user, completion_statement="已按答复内容办理完毕。", evidence="答复函、现场照片")
        matter_services.do_transition(matter, "close", actor=leader.user)
        if "verdict" in case.extra:  # 查实认定 by the responsible leader → the 作风台账 of a window clerk of the section
            outcome, basis = case.extra["verdict"]
            clerk = Person.objects.filter(org_id=owner.org_id, is_active=True).exclude(pk=owner.pk).order_by("pk").first()
            verdicts.do_record_verdict(original, outcome=outcome, basis=basis, cadre_ids=[(clerk or owner).pk],
                                       actor=leader.user)
    _date_back(reply, matter, made, accepted_on + dt.timedelta(days=case.reply_after), close=case.close)


def _date_back(reply: PetitionReply, matter: Matter, members: list[Petition], day: dt.date, *, close: bool) -> None:
    """The services ran today: the reply, its deliveries and ratings are dated to the day the case was answered."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 30)))
    PetitionReply.objects.filter(pk=reply.pk).update(approved_at=at - dt.timedelta(hours=3), published_at=at)
    ReplyDelivery.objects.filter(reply=reply, method="portal").update(delivered_at=at)
    ReplyDelivery.objects.filter(reply=reply).exclude(method="portal").update(delivered_at=at + dt.timedelta(hours=1))
    Petition.objects.filter(pk__in=[m.pk for m in members]).exclude(satisfaction="").update(
        rated_at=at + dt.timedelta(days=2))
    dates = {"replied_on": day}
    if close:
        dates.update(submitted_on=day + dt.timedelta(days=1), closed_on=day + dt.timedelta(days=3))
    Matter.objects.filter(pk=matter.pk).update(**dates)
