"""A labelled set of Chinese petitions (群众诉求) for the category benchmark, generated with a fixed seed.

Nine categories an agency might keep. Each petition is written the way residents write: a greeting or not, the
place (a compound, road, school, company, hospital), what is wrong, for how long, the harm, and what they ask
for, in varying order and register (short QQ posts, hotline notes taken by staff, long letters). Categories
overlap as they do in real queues: noise is 环境保护 from a building site but 住房物业 from a neighbour's
renovation and 城市管理 from a night market; rubbish is 城市管理 on the street and 住房物业 inside a compound;
an official's rudeness is 作风纪律, but 营商环境 when it delays a company's licence; parking is 交通出行 on
the road and 住房物业 in the compound. A few labels are inconsistent (``NOISE``), as staff labels are.

    python -m bench.petition_data [--rows 2000] [--seed 13]   # prints a sample
"""

from __future__ import annotations

import random

CATEGORIES = ["城市管理", "环境保护", "交通出行", "教育", "医疗卫生", "社会保障", "住房物业", "作风纪律", "营商环境"]
NOISE = 0.03  # share of rows labelled with a neighbouring category, as hurried staff do

COMPOUNDS = ["阳光花园", "锦绣华庭", "翠湖苑", "金桂园", "东方名城", "幸福里", "滨江一号", "紫荆花园", "和平新村", "凤凰城",
             "盛世豪庭", "书香门第", "碧水湾", "怡景苑", "新华小区", "南湖家园", "春晖苑", "银河湾", "丽景天成", "康乐小区"]
ROADS = ["人民路", "解放大道", "建设路", "中山路", "友谊大街", "新华路", "长江路", "黄河路", "光明街", "胜利路", "朝阳大道",
         "府前街", "工业大道", "滨河路", "文化路"]
SCHOOLS = ["实验小学", "第二中学", "育才小学", "第五中学", "阳光幼儿园", "向阳小学", "城南初级中学", "博雅幼儿园", "第一职业中学"]
COMPANIES = ["宏达机械", "恒通物流", "华兴食品", "鑫源建材", "天成科技", "万顺纺织", "远航电子", "盛泰化工", "金鼎商贸"]
HOSPITALS = ["市第一人民医院", "中心医院", "中医院", "妇幼保健院", "社区卫生服务中心", "人民医院东院", "第三人民医院"]
OFFICES = ["政务服务中心", "街道办事处", "社区居委会", "不动产登记中心", "市场监管所", "税务分局", "社保服务大厅", "城管中队"]
DISTRICTS = ["城东", "城西", "开发区", "高新区", "老城区", "北关", "南郊"]

# What is wrong, per category: (subject phrase, content sentence). {p} is a place.
ISSUES = {
    "城市管理": [
        ("占道经营", "{p}门口每天都有流动摊贩占道经营，行人只能走到机动车道上"),
        ("夜市噪音扰民", "{p}附近的夜市每天营业到凌晨两点，烧烤油烟和吆喝声吵得居民无法休息"),
        ("违章搭建", "{p}有人在公共绿地上违章搭建铁皮房，多次反映没人管"),
        ("路灯不亮", "{p}一段的路灯坏了一个多月，晚上漆黑一片，老人孩子出行很不安全"),
        ("井盖缺失", "{p}人行道上的井盖丢失，只用一个破桶挡着，随时可能有人掉下去"),
        ("街面垃圾无人清扫", "{p}街面上的垃圾好几天没人清扫，垃圾桶满了溢到路上"),
        ("广告牌存在安全隐患", "{p}楼顶的大型广告牌已经锈蚀松动，刮风时晃得厉害"),
        ("共享单车乱停放", "{p}地铁口共享单车堆成山，把盲道和人行道全占了"),
        ("广场舞噪音", "{p}旁边广场每晚跳广场舞，音响开得震天响，一直到十点多"),
        ("城管执法问题", "{p}城管执法时把摊主的三轮车拖走了，也不开收据，希望规范执法"),
        ("渣土车抛洒", "{p}夜间渣土车一路抛洒，第二天路面全是泥"),
        ("绿化带被毁", "{p}的绿化带被人铲掉种菜，影响市容"),
    ],
    "环境保护": [
        ("工厂排放废气", "{p}附近有工厂晚上偷偷排放废气，气味刺鼻，居民头晕恶心"),
        ("河道污染", "{p}旁边的河道发黑发臭，有企业往河里排污水，鱼都死了"),
        ("工地夜间施工噪音", "{p}附近的工地天天夜间施工到凌晨，打桩声震得窗户都响，也没有夜间施工许可公示"),
        ("扬尘污染", "{p}周边的工地没有覆盖防尘网，一刮风满天都是灰，车上窗台全是土"),
        ("焚烧垃圾", "{p}附近有人露天焚烧垃圾和秸秆，浓烟滚滚"),
        ("餐饮油烟污染", "{p}楼下饭店的油烟直排，没有安装净化设施，熏得楼上不敢开窗"),
        ("危险废物倾倒", "{p}边上的空地被人倾倒了大量废油桶和化工废料"),
        ("养殖场臭味", "{p}附近的养猪场臭气熏天，粪水直接排到沟里"),
        ("噪音超标", "{p}旁边的厂房机器日夜轰鸣，噪音明显超标"),
        ("水源地保护", "{p}上游的水源保护区里有人钓鱼野炊，还有洗车的"),
        ("垃圾填埋场渗漏", "{p}附近的垃圾填埋场渗滤液外流，地下水都有异味"),
        ("非法采砂", "{p}河段夜里有人非法采砂，河岸都被挖塌了"),
    ],
    "交通出行": [
        ("公交线路调整", "{p}的公交车站被取消了，附近居民出行要走二十多分钟才能坐车"),
        ("红绿灯设置不合理", "{p}路口的红绿灯时间太短，老人过马路走一半就变灯了"),
        ("道路坑洼", "{p}的路面坑坑洼洼，下雨积水，电动车经常摔倒"),
        ("违停占道", "{p}两侧车辆乱停，把机动车道占了一半，早晚高峰堵得走不动"),
        ("缺少人行横道", "{p}学校门口没有人行横道和减速带，孩子上学过马路很危险"),
        ("公交车拒载", "{p}的公交车司机经常不进站，到站不停，乘客投诉也没用"),
        ("出租车拒载绕路", "在{p}打出租车经常被拒载，还有司机故意绕路多收费"),
        ("停车收费混乱", "{p}路边停车乱收费，没有发票，收费标准也没公示"),
        ("道路施工围挡", "{p}修路围挡了半年还没完工，交通一直堵"),
        ("货车超载", "{p}每天有大量超载货车通过，路面被压坏了"),
        ("地铁站出口", "{p}地铁站只开了一个出口，早高峰排队很长"),
        ("交通信号灯损坏", "{p}路口的信号灯坏了好几天，车辆抢行很危险"),
    ],
    "教育": [
        ("乱收费", "{p}开学又收了资料费和校服费，说是自愿其实必须交"),
        ("课后服务", "{p}的课后服务就是让孩子写作业，还要交费，希望规范"),
        ("有偿补课", "{p}有老师在外面办辅导班，暗示学生去上，不去就在课上冷落"),
        ("学区划分", "我们{p}的孩子被划到很远的学校，上学要走四十分钟，希望调整学区"),
        ("校车安全", "{p}接送学生的校车超载，一辆面包车坐了十几个孩子"),
        ("食堂饭菜质量", "{p}食堂的饭菜质量很差，孩子说经常吃不饱，还发现过异物"),
        ("入学报名", "{p}入学报名材料要求太多，跑了好几趟还没办成"),
        ("作业负担过重", "{p}的作业太多，孩子每天写到十一点，双减没有落实"),
        ("幼儿园收费", "{p}的保育费一年涨了两次，家长意见很大"),
        ("教师体罚学生", "{p}有老师体罚学生，孩子回家不敢说"),
        ("学校周边安全", "{p}放学时段周边没有交警和保安，秩序混乱"),
        ("职业培训", "{p}的实习安排和专业不对口，学生被派去流水线打工"),
    ],
    "医疗卫生": [
        ("看病难排队久", "在{p}挂号排队要两三个小时，专家号根本挂不上"),
        ("医生态度差", "{p}的医生看病不耐烦，问两句就被呵斥，态度恶劣"),
        ("乱收费过度检查", "{p}让做了一大堆没必要的检查，收费明细也看不懂"),
        ("医保报销", "在{p}住院后医保报销比例和说的不一样，少报了很多"),
        ("药品短缺", "{p}的常用药经常缺货，让我们去外面药店买"),
        ("食品安全", "{p}附近的小饭馆卫生很差，吃完后一家人上吐下泻"),
        ("疫苗接种", "{p}的疫苗接种预约不上，打电话也没人接"),
        ("医疗纠纷", "家人在{p}做完手术出现并发症，医院推卸责任"),
        ("诊所无证行医", "{p}旁边有个诊所没有执业许可，还给人输液"),
        ("急救车到达慢", "在{p}打了120，救护车四十分钟才到"),
        ("病房环境差", "{p}病房卫生间又脏又臭，陪护床也不够"),
        ("红包回扣", "{p}有医生暗示收红包，不给就拖着不安排手术"),
    ],
    "社会保障": [
        ("养老金发放", "我在{p}办了退休，养老金三个月了还没发下来"),
        ("低保审核", "我家符合低保条件，在{p}申请了半年一直没有审批结果"),
        ("拖欠农民工工资", "我们在{p}的工地干了一年活，老板拖欠工资不给，过年都回不了家"),
        ("社保缴费", "单位没给我们交社保，到{p}查询才发现断缴了两年"),
        ("残疾人补贴", "{p}的残疾人两项补贴停发了，也没人说明原因"),
        ("失业保险金", "在{p}申领失业金，材料交齐了还让反复跑"),
        ("高龄津贴", "我父亲已经满八十岁，{p}说高龄津贴要等下个季度才能办"),
        ("工伤认定", "我在{p}干活受伤，单位不配合工伤认定"),
        ("养老服务", "{p}的养老服务中心收费高，服务却跟不上"),
        ("临时救助", "家里突遭变故，到{p}申请临时救助被推来推去"),
        ("退役军人待遇", "我是退役军人，{p}的优抚金一直没有落实"),
        ("劳动合同纠纷", "{p}不签劳动合同，辞退也不给经济补偿"),
    ],
    "住房物业": [
        ("物业费上涨", "{p}物业费一下涨了三成，也没开业主大会"),
        ("电梯经常故障", "{p}的电梯三天两头坏，老人被困过好几次，物业不管"),
        ("小区停车难", "{p}小区车位被物业高价出租，业主的车只能停在外面马路上"),
        ("装修噪音扰民", "{p}楼上装修天天从早砸到晚，周末中午也不停，物业说管不了"),
        ("小区垃圾清运不及时", "{p}小区里垃圾站好几天不清运，臭气熏天，物业拖着不处理"),
        ("房屋漏水", "{p}的房子交房不到一年就漏水，开发商一直推脱维修"),
        ("办不了房产证", "{p}交房五年了还办不了不动产权证"),
        ("公共维修资金", "{p}的公共维修资金怎么用的从来不公开"),
        ("楼道堆物", "{p}楼道里堆满杂物和电动车，存在消防隐患"),
        ("物业服务差", "{p}的物业保安形同虚设，外人随便进出，绿化也没人管"),
        ("小区供暖", "{p}暖气一直不热，室温不到十五度"),
        ("拆迁安置", "{p}的拆迁安置房迟迟不交付，过渡费也停发了"),
    ],
    "作风纪律": [
        ("工作人员态度恶劣", "到{p}办事，工作人员边玩手机边爱答不理，还说不归他们管"),
        ("上班时间脱岗", "{p}的工作人员上班时间经常不在岗，电话也没人接"),
        ("公车私用", "看到{p}的公务车周末停在酒店门口，像是办私事"),
        ("吃拿卡要", "{p}有工作人员暗示要请吃饭才给办"),
        ("违规收受礼品", "{p}有干部过节收受管理对象的购物卡"),
        ("推诿扯皮", "{p}几个部门互相推诿，一件事跑了五六趟没人负责"),
        ("违规吃喝", "{p}有干部工作日中午在饭店喝酒"),
        ("形式主义", "{p}要求我们社区每周填各种表格、拍照留痕，真正办事的时间都没有了"),
        ("优亲厚友", "{p}评低保优亲厚友，干部亲戚都评上了"),
        ("办事效率低", "{p}的窗口只开一个，工作人员慢吞吞，排了一上午"),
        ("违规操办婚丧喜庆", "{p}有领导给孩子大办升学宴，请了很多管理对象"),
        ("工作人员不作为", "向{p}反映问题三个月了，没有任何答复也没人来看"),
    ],
    "营商环境": [
        ("审批时间长", "我们{p}办理施工许可，材料交齐两个月了还在审批"),
        ("企业被乱检查", "{p}一个月被不同部门检查了五次，严重影响生产"),
        ("拖欠企业账款", "{p}给政府项目供货，货款拖欠一年多没有支付"),
        ("营业执照办理", "{p}办营业执照变更来回跑了四趟，说法每次不一样"),
        ("政策兑现难", "{p}申请的扶持资金公示了半年还没兑现"),
        ("涉企乱收费", "{p}被要求交各种协会会费和评比费，不交就不给办事"),
        ("招投标不公", "{p}参加的招标明显是量身定做的条件，外地企业根本进不去"),
        ("融资难", "{p}想申请贴息贷款，银行和部门互相推，一直办不下来"),
        ("水电气报装", "{p}新厂房水电报装等了三个月还没通"),
        ("执法部门刁难企业", "{p}被执法人员刁难，小问题就要罚款停业"),
        ("企业用工", "{p}招工难，希望有关部门组织对接"),
        ("知识产权保护", "{p}的产品被人仿冒，投诉到有关部门没人处理"),
    ],
}

# Where each category's petitions happen: a kind of place, and its format.
PLACES = {
    "城市管理": [("road", "{d}{r}"), ("compound", "{c}小区"), ("road", "{r}与{r2}交叉口")],
    "环境保护": [("compound", "{c}小区"), ("district", "{d}"), ("company", "{d}{co}公司")],
    "交通出行": [("road", "{r}"), ("road", "{r}与{r2}交叉口"), ("school", "{s}")],
    "教育": [("school", "{s}"), ("school", "{d}{s}")],
    "医疗卫生": [("hospital", "{h}"), ("hospital", "{d}{h}")],
    "社会保障": [("office", "{d}{o}"), ("office", "{o}")],
    "住房物业": [("compound", "{c}"), ("compound", "{c}小区")],
    "作风纪律": [("office", "{d}{o}"), ("office", "{o}")],
    "营商环境": [("company", "{co}公司"), ("company", "{d}{co}有限公司")],
}

# Places other categories' issues are also reported at: the overlap the classifier must see through.
BORROWED = {  # (category, issue index) also written about a place of another kind
    ("作风纪律", 0): ["hospital", "office"], ("作风纪律", 9): ["hospital", "office"],
    ("城市管理", 5): ["compound"], ("住房物业", 4): ["compound"], ("城市管理", 8): ["compound"],
    ("交通出行", 3): ["compound"], ("住房物业", 2): ["compound"], ("环境保护", 2): ["compound"],
}

OPENINGS = ["", "", "", "您好，", "领导您好！", "尊敬的领导：", "我是附近居民，", "反映一个问题：", "市民来电反映：",
            "网友留言：", "群众来信称，", "我想投诉一下，", "再次反映，"]
DURATIONS = ["", "", "这种情况已经持续很久了。", "已经半年多了。", "从上个月开始就这样。", "反映过好几次都没解决。",
             "打过12345也没有结果。", "问题一直存在。"]
HARMS = ["", "", "严重影响了我们的正常生活。", "群众意见很大。", "希望引起重视。", "大家都很着急。", "老百姓敢怒不敢言。",
         "存在很大的安全隐患。"]
REQUESTS = ["", "请有关部门尽快处理。", "希望领导重视，尽快解决。", "恳请调查处理并给予答复。", "请相关部门管一管。",
            "希望给个说法。", "请尽快核实。", "盼复。", "谢谢！"]
SUBJECT_FORMS = ["{issue}", "关于{place}{issue}的问题", "{place}{issue}", "反映{place}{issue}", "{issue}问题",
                 "投诉{place}{issue}", "{place}{issue}，望解决", "建议解决{issue}", "{issue}（{place}）"]


def _place(rng: random.Random, kind_format: tuple[str, str]) -> str:
    r, r2 = rng.sample(ROADS, 2)
    return kind_format[1].format(d=rng.choice(DISTRICTS), r=r, r2=r2, c=rng.choice(COMPOUNDS),
                                 s=rng.choice(SCHOOLS), co=rng.choice(COMPANIES), h=rng.choice(HOSPITALS),
                                 o=rng.choice(OFFICES))


def _place_of_kind(rng: random.Random, kind: str) -> str:
    formats = [f for fs in PLACES.values() for f in fs if f[0] == kind]
    return _place(rng, rng.choice(formats))


def petition(rng: random.Random, category: str) -> tuple[str, str, str]:
    """One (subject, content, category)."""
    index = rng.randrange(len(ISSUES[category]))
    issue, sentence = ISSUES[category][index]
    borrowed = BORROWED.get((category, index))
    if borrowed and rng.random() < 0.5:
        place = _place_of_kind(rng, rng.choice(borrowed))
    else:
        place = _place(rng, rng.choice(PLACES[category]))
    subject = rng.choice(SUBJECT_FORMS).format(issue=issue, place=place)
    if rng.random() < 0.15:  # a vague subject, the message says the rest
        subject = rng.choice(["反映问题", "投诉", "求助", "建议", "急！！", "请领导看看", "问题反映"])
    clauses = sentence.format(p=place).split("，")
    if len(clauses) > 1 and rng.random() < 0.4:  # told more briefly: the first clause and some of the rest
        clauses = clauses[:1] + [c for c in clauses[1:] if rng.random() < 0.5]
    if rng.random() < 0.12:  # a hotline note taken by staff: hardly more than the subject
        clauses = [f"来电人反映{place}{issue}"]
    parts = [rng.choice(OPENINGS) + "，".join(clauses) + "。", rng.choice(DURATIONS), rng.choice(HARMS)]
    if rng.random() < 0.3:  # a second complaint of another kind in the same message
        other = rng.choice(CATEGORIES)
        parts.append("另外，" + rng.choice(ISSUES[other])[1].format(p=_place(rng, rng.choice(PLACES[other]))) + "。")
    rng.shuffle(parts[1:])
    content = "".join(parts) + rng.choice(REQUESTS)
    if rng.random() < NOISE:
        category = rng.choice(CATEGORIES)
    return subject.replace("小区小区", "小区")[:200], content.replace("小区小区", "小区"), category


def generate(rows: int, seed: int = 13) -> list[tuple[str, str, str]]:
    """``rows`` labelled petitions, the categories in roughly real proportions (城市管理 and 住房物业 most)."""
    rng = random.Random(seed)
    weights = [16, 10, 12, 9, 9, 10, 16, 8, 10]
    return [petition(rng, rng.choices(CATEGORIES, weights)[0]) for _ in range(rows)]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    for subject, content, category in generate(args.rows, args.seed):
        print(f"[{category}] {subject}\n    {content}")
