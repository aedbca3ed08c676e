"""The labelled development set of 群众诉求 pairs for duplicate detection (重复件识别), generated with a fixed seed.

Each *case* is a petition as first received (the original) and the messages that follow it:
  repeat     the same matter through another channel, told in other words (a hotline record, a QQ post, a letter):
             same facts, same places, other template — a duplicate;
  repost     the same text sent again with small edits (a prefix, punctuation, a sentence cut or added, a word
             swapped) — a duplicate;
  template   the same template and details about another 小区/路/学校/公司/村/医院 (a neighbour copying the text)
             — NOT a duplicate (the hard negatives);
  topic      another matter of the same topic, other template, other places — not a duplicate;
  place      another matter at the same place, about another topic — not a duplicate.

``pairs(seed)`` returns the labelled pairs; ``corpus(seed)`` the stored petitions and the queries whose original
must come back in the top 5; ``bulk_texts(n, seed)`` endless (subject, content) for the speed benchmark.
The texts are written to read like real messages (colloquial, repetitive, with addresses, building numbers and
times, the hotline's "来电人反映" records and short angry posts), but they are generated from a few templates per
topic: a check on real exported history is still owed (see the report in bench/results.json).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PREFIXES = [
    "幸福", "阳光", "金色", "和平", "建设", "人民", "解放", "东风", "红星", "锦绣", "翠湖", "滨江", "春晖", "长安",
    "兴华", "新华", "朝阳", "光明", "胜利", "繁荣", "富强", "民主", "文化", "友谊", "团结", "青年", "紫荆", "丽景",
    "银河", "凤凰", "龙湖", "桂花", "梧桐", "枫林", "碧水", "明珠", "华府", "盛世", "江南", "北辰", "南湖", "西岭",
    "东城", "清河", "望江", "秀水", "金桥", "玉泉", "康乐", "安居", "绿洲", "天成", "汇丰", "宏达", "永兴", "恒通",
]
KINDS = {
    "compound": ["小区", "花园", "家园", "苑", "新村"],
    "road": ["路", "街", "大道"],
    "school": ["小学", "中学", "幼儿园"],
    "company": ["建筑公司", "物业公司", "科技公司", "劳务公司", "餐饮公司"],
    "village": ["村"],
    "hospital": ["医院", "卫生院"],
    "market": ["农贸市场", "商场"],
    "factory": ["化工厂", "塑料厂", "造纸厂"],
}
TIMES = ["每天晚上十点以后", "最近一个月", "从上周开始", "已经两个多月了", "今年入夏以来", "每逢下雨", "这半年来",
         "每天早上六点多", "节假日期间", "近三周"]


def _name(rng: random.Random, kind: str, avoid: str = "", prefixes=PREFIXES) -> str:
    while True:
        name = rng.choice(prefixes) + rng.choice(KINDS[kind])
        if name != avoid and not (avoid and name[:2] == avoid[:2]):
            return name


# Each topic: the kinds of place it names (filled per case), and its templates by style. Slots: {compound}
# {road} {school} {company} {village} {hospital} {market} {factory}, {b} a building number, {n} a number,
# {t} a time phrase, {bus} a bus line.
TOPICS = {
    "路灯": (("compound", "road"), {
        "formal": [
            ("{compound}{road}段路灯不亮", "我是{compound}的居民，{road}靠近{compound}{b}号楼一段的路灯{t}一直不亮，晚上出行很不安全，"
             "老人孩子摔倒过好几次，请有关部门尽快派人维修。"),
            ("反映{road}路灯损坏问题", "{road}与{compound}交界处有{n}盏路灯坏了，{t}都是黑的，附近居民晚上回家只能打手电，"
             "希望相关部门重视，尽快修复。"),
        ],
        "call": [("来电反映{compound}附近路灯不亮", "市民来电反映：{compound}{b}号楼旁边的{road}，路灯{t}不亮，"
                  "晚上黑漆漆的，来电人担心安全，要求尽快维修。")],
        "short": [("{road}路灯坏了没人修", "{compound}门口{road}这边的路灯{t}都不亮了，有没有人管管？{n}盏全黑！")],
    }),
    "积水": (("compound", "road"), {
        "formal": [
            ("{road}{compound}门前道路积水严重", "{compound}门前{road}路段{t}积水严重，最深处没过小腿，居民出行困难，"
             "车辆经过溅得满身是水。请尽快疏通排水管道，彻底解决积水问题。"),
            ("关于{compound}周边排水不畅的建议", "{road}靠{compound}{b}号楼一侧的雨水井堵塞，{t}路面积水，"
             "建议对排水设施进行改造。"),
        ],
        "call": [("来电反映{road}积水", "来电人称其居住在{compound}，{road}上{t}积水排不出去，出门要蹚水，"
                  "请求相关部门疏通下水道。")],
        "short": [("{compound}门口又淹了", "{road}{compound}门口{t}一片汪洋，下水道堵了没人管，什么时候能修好？")],
    }),
    "噪音": (("compound", "company"), {
        "formal": [
            ("{company}施工噪音扰民", "{company}在{compound}旁边的工地{t}还在施工，打桩机声音很大，严重影响{compound}"
             "居民休息，请城管部门依法查处夜间违规施工。"),
            ("投诉{compound}附近夜间施工", "{compound}{b}号楼对面的工地由{company}承建，{t}机器轰鸣，"
             "孩子无法入睡，多次与施工方沟通无果。"),
        ],
        "call": [("来电投诉{company}噪音", "来电人反映：{company}的工地就在{compound}边上，{t}一直施工，"
                  "噪音大得睡不着觉，要求停止夜间施工。")],
        "short": [("{compound}边上工地太吵了", "{company}的工地{t}还在干活，{compound}的居民都没法睡觉，管不管？")],
    }),
    "物业": (("compound", "company"), {
        "formal": [
            ("{compound}物业服务差", "{compound}由{company}提供物业服务，{t}小区垃圾无人清运，电梯经常停运，"
             "物业费却年年上涨，业主意见很大，请住建部门督促整改。"),
            ("关于{compound}物业乱收费的投诉", "{company}在{compound}{t}以各种名目收取停车费、装修押金，"
             "没有公示收费依据，请有关部门调查处理。"),
        ],
        "call": [("来电反映{compound}物业问题", "来电人系{compound}{b}号楼业主，反映{company}物业服务不到位，"
                  "{t}电梯坏了没人修、垃圾堆在楼下，要求相关部门督促。")],
        "short": [("{compound}物业不作为", "{company}管的{compound}，电梯{t}三天两头坏，垃圾也不清，物业费照收，太过分了！")],
    }),
    "学校": (("school", "road"), {
        "formal": [
            ("{school}门口交通拥堵存在安全隐患", "{road}上的{school}门口{t}上下学时段车辆乱停乱放，"
             "学生过马路非常危险，建议增设交通信号灯并安排交警疏导。"),
            ("关于{school}食堂卫生问题的反映", "{school}食堂{t}饭菜质量差，有家长发现饭菜中有异物，"
             "请教育部门对{school}食堂进行检查。"),
        ],
        "call": [("家长来电反映{school}问题", "家长来电反映：孩子在{road}的{school}上学，{t}放学时门口车辆堵成一团，"
                  "孩子过马路很危险，希望安排人员维持秩序。")],
        "short": [("{school}门口太乱了", "{road}{school}放学时门口堵死了，{t}天天如此，出了事谁负责？")],
    }),
    "医保": (("hospital",), {
        "formal": [
            ("{hospital}医保报销慢", "本人{t}在{hospital}住院，出院后医保报销手续繁琐，至今{n}个月未到账，"
             "请医保部门督促{hospital}尽快办理。"),
            ("关于{hospital}医保结算的意见", "{hospital}{t}医保窗口只开一个，排队要{n}个小时，"
             "异地就医结算经常系统故障，建议增加窗口。"),
        ],
        "call": [("来电反映{hospital}医保报销", "来电人称其{t}在{hospital}看病，医保报销材料交上去{n}个月了还没到账，"
                  "多次询问没有答复。")],
        "short": [("{hospital}报销拖了{n}个月", "在{hospital}住院的医保报销{t}还没下来，到底要等多久？")],
    }),
    "就医": (("hospital", "road"), {
        "formal": [
            ("{hospital}挂号难排队久", "{road}的{hospital}{t}门诊挂号要排{n}个小时，网上预约总是约不上，"
             "老年人不会用手机更难，建议增加人工窗口。"),
            ("{hospital}周边停车难", "{hospital}门前{road}{t}车辆排长队等停车，堵塞交通，救护车都进不去，建议规划停车场。"),
        ],
        "call": [("来电反映{hospital}看病难", "来电人反映：{t}去{road}的{hospital}看病，挂号排队{n}个小时，"
                  "医生态度也不好，希望改进。")],
        "short": [("{hospital}挂个号太难了", "{road}{hospital}{t}挂号排了{n}个小时，这服务也太差了吧！")],
    }),
    "拖欠工资": (("company", "road"), {
        "formal": [
            ("{company}拖欠农民工工资", "我们在{company}承建的{road}工地干活，{t}工资一直没有发放，共计{n}万元，"
             "多次讨要未果，请劳动监察部门帮助追讨。"),
            ("请求帮助追讨{company}欠薪", "本人是{company}员工，公司{t}拖欠我和{n}名工友工资，老板联系不上，"
             "请人社部门介入处理。"),
        ],
        "call": [("来电反映{company}欠薪", "来电人反映：其在{road}的{company}工地务工，{t}没拿到工资，"
                  "欠款{n}万元，要求帮助讨薪。")],
        "short": [("{company}欠钱不给", "{company}欠我们{n}万工资{t}了，{road}工地的工友都没拿到钱，求帮忙！")],
    }),
    "违建": (("compound", "village"), {
        "formal": [
            ("{compound}顶楼违章搭建", "{compound}{b}号楼顶楼住户{t}私自搭建阳光房，占用公共屋面，存在安全隐患，"
             "请城管部门依法拆除。"),
            ("举报{village}违法占地建房", "{village}有村民{t}在耕地上违法建房，已建到{n}层，村委会不管，请自然资源部门查处。"),
        ],
        "call": [("来电举报{compound}违建", "来电人称{compound}{b}号楼有人{t}在楼顶加盖房屋，邻居多次劝阻无效，要求查处。")],
        "short": [("{compound}楼顶违建没人管", "{compound}{b}号楼楼顶{t}又盖了一层，城管来看过就走了，怎么回事？")],
    }),
    "公交": (("road", "compound"), {
        "formal": [
            ("建议增开{bus}路公交班次", "{bus}路公交车经过{road}{compound}站，{t}早高峰班次太少，等车要{n}分钟以上，"
             "建议增加班次。"),
            ("{bus}路公交司机服务态度差", "{t}乘坐{bus}路公交在{road}站上车，司机态度恶劣，不等乘客坐稳就急刹车，"
             "请公交公司加强管理。"),
        ],
        "call": [("来电反映{bus}路公交", "来电人反映：{bus}路公交在{road}{compound}站{t}经常不停站，早高峰等{n}分钟"
                  "都坐不上，希望增加班次。")],
        "short": [("{bus}路车太难等了", "{compound}门口{road}站的{bus}路车{t}半小时一班，上班天天迟到！")],
    }),
    "环境污染": (("factory", "village"), {
        "formal": [
            ("{factory}排放废气污染环境", "{village}附近的{factory}{t}夜间偷排废气，气味刺鼻，村民出现头晕咳嗽，"
             "请生态环境部门查处。"),
            ("{factory}污水直排河道", "{factory}{t}将污水直接排入{village}旁的河道，河水发黑发臭，鱼虾死亡，"
             "请环保部门调查。"),
        ],
        "call": [("来电举报{factory}污染", "来电人称其为{village}村民，{factory}{t}排放的废气很呛人，"
                  "晚上不敢开窗，要求环保部门检查。")],
        "short": [("{factory}又在偷排", "{village}边上的{factory}{t}晚上偷偷排气，臭得要命，环保局管不管？")],
    }),
    "市场": (("market", "road"), {
        "formal": [
            ("{market}占道经营", "{road}{market}周边摊贩{t}占道经营，道路拥堵，垃圾遍地，请市场监管和城管部门整治。"),
            ("{market}缺斤短两", "本人{t}在{market}买菜多次发现缺斤短两，{n}斤的菜少了二两，请市场监管部门检查电子秤。"),
        ],
        "call": [("来电反映{market}问题", "来电人反映：{road}的{market}门口{t}摊贩占道，车过不去，垃圾没人扫。")],
        "short": [("{market}门口堵死了", "{road}{market}门口{t}全是摆摊的，车根本过不去！")],
    }),
    "供暖": (("compound", "company"), {
        "formal": [
            ("{compound}供暖温度不达标", "{compound}{b}号楼{t}室内温度只有十几度，达不到供暖标准，"
             "多次联系{company}未解决，请供热主管部门督促。"),
            ("关于{compound}暖气不热的反映", "{compound}{t}暖气时冷时热，老人孩子冻得感冒，{company}推诿扯皮，请求协调。"),
        ],
        "call": [("来电反映{compound}暖气不热", "来电人系{compound}{b}号楼住户，反映{t}暖气不热，室温十几度，"
                  "{company}一直不来处理。")],
        "short": [("{compound}暖气冰凉", "{compound}{b}号楼暖气{t}就是凉的，{company}电话打不通，冻死了！")],
    }),
    "养犬": (("compound", "road"), {
        "formal": [
            ("{compound}不文明养犬问题", "{compound}{t}有住户遛狗不拴绳，狗粪随处可见，{b}号楼有老人被狗吓倒，"
             "请物业和公安部门加强管理。"),
            ("关于{compound}流浪狗伤人的反映", "{road}{compound}周边{t}流浪狗成群，已有{n}人被咬伤，请有关部门尽快处置。"),
        ],
        "call": [("来电反映{compound}养犬问题", "来电人称{compound}{t}很多人遛狗不牵绳，{b}号楼下狗粪成堆，"
                  "要求管理。")],
        "short": [("{compound}遛狗不拴绳", "{compound}{t}天天有人遛大狗不拴绳，孩子都不敢下楼！")],
    }),
    "停车": (("compound", "road"), {
        "formal": [
            ("{road}违规停车占用消防通道", "{compound}{b}号楼前的消防通道{t}被私家车长期占用，{road}一侧也停满车辆，"
             "一旦发生火情后果不堪设想，请交管部门整治。"),
            ("建议在{compound}周边增设停车位", "{compound}{t}车位严重不足，车辆只能停在{road}上，"
             "建议利用周边空地增设停车场。"),
        ],
        "call": [("来电反映{compound}消防通道被占", "来电人反映：{compound}{b}号楼前消防通道{t}停满了车，"
                  "{road}上也乱停，担心出事。")],
        "short": [("{compound}消防通道停满车", "{compound}{b}号楼门口消防通道{t}全是车，{road}上也堵着，真着火了咋办？")],
    }),
}
STYLES = ("formal", "call", "short")

# Small edits of a repost: what people do when they send the same text again.
REPOST_PREFIXES = ["再次反映：", "转发：", "【重复反映】", "之前反映过，至今没有解决：", "", "请领导重视！"]
REPOST_SUFFIXES = ["", "希望尽快解决！", "盼复。", "谢谢！", "已经反映多次了。", "请尽快答复。"]
SYNONYMS = [("请", "恳请"), ("尽快", "早日"), ("严重", "非常严重"), ("居民", "住户"), ("希望", "盼望"), ("相关部门", "有关部门"),
            ("一直", "始终"), ("很大", "特别大")]


@dataclass
class Case:
    topic: str
    facts: dict
    original: tuple[str, str]
    repeat: tuple[str, str]
    repost: tuple[str, str]
    template: tuple[str, str]  # same template, another name: NOT a duplicate
    topic_other: tuple[str, str]
    place_other: tuple[str, str]


def _fill(template: tuple[str, str], facts: dict) -> tuple[str, str]:
    return template[0].format(**facts), template[1].format(**facts)


def _facts(rng: random.Random, kinds, avoid: dict | None = None, prefixes=PREFIXES) -> dict:
    facts = {kind: "" for kind in KINDS}
    for kind in kinds:
        facts[kind] = _name(rng, kind, (avoid or {}).get(kind, ""), prefixes)
    facts.update(b=rng.randint(1, 30), n=rng.randint(2, 12), t=rng.choice(TIMES), bus=rng.randint(1, 99))
    return facts


def _repost(rng: random.Random, text: tuple[str, str]) -> tuple[str, str]:
    subject, content = text
    for old, new in rng.sample(SYNONYMS, 2):
        content = content.replace(old, new, 1)
    sentences = [s for s in content.replace("。", "。|").replace("，", "，|").split("|") if s]
    if len(sentences) > 3 and rng.random() < 0.5:  # a clause dropped
        del sentences[rng.randrange(1, len(sentences) - 1)]
    content = "".join(sentences)
    if rng.random() < 0.5:
        content = content.replace("，", ",").replace("。", ". ")
    return rng.choice(REPOST_PREFIXES) + subject, content + rng.choice(REPOST_SUFFIXES)


def cases(seed: int = 13, count: int = 336) -> list[Case]:
    rng = random.Random(seed)
    topics = list(TOPICS)
    out = []
    for i in range(count):
        topic = topics[i % len(topics)]
        kinds, styles = TOPICS[topic]
        facts = _facts(rng, kinds)
        # The first formal template, the call record and the short post tell the same matter (the second formal
        # one is another matter of the topic): the original is one of those, and its repeat another of them.
        same_matter = [styles["formal"][0], styles["call"][0], styles["short"][0]]
        original_tpl = rng.choice(same_matter)
        # the repeat: another channel, told another way, the same facts
        repeat_tpl = rng.choice([t for t in same_matter if t is not original_tpl])
        # the hard negative: the same template, every place name another (a neighbour copying the text), or only
        # the main one (the first kind the topic names)
        other = dict(facts)
        swap = kinds if rng.random() < 0.5 else kinds[:1]
        for kind in swap:
            other[kind] = _name(rng, kind, facts[kind])
        # another matter of the same topic: other template, other facts
        topic_tpl = rng.choice([t for s in STYLES for t in styles[s] if t is not original_tpl])
        # another topic at the same place(s)
        other_topic = rng.choice([t for t in topics if t != topic and set(TOPICS[t][0]) & set(kinds)])
        o_kinds, o_styles = TOPICS[other_topic]
        o_facts = _facts(rng, o_kinds)
        for kind in set(o_kinds) & set(kinds):
            o_facts[kind] = facts[kind]
        out.append(Case(
            topic=topic, facts=facts, original=_fill(original_tpl, facts), repeat=_fill(repeat_tpl, facts),
            repost=_repost(rng, _fill(original_tpl, facts)), template=_fill(original_tpl, other),
            topic_other=_fill(topic_tpl, _facts(rng, kinds, facts)),
            place_other=_fill(rng.choice(o_styles[rng.choice(STYLES)]), o_facts)))
    return out


def pairs(seed: int = 13) -> list[dict]:
    """Labelled pairs: {a, b (each (subject, content)), duplicate (bool), type}."""
    out = []
    for case in cases(seed):
        for kind, label in (("repeat", True), ("repost", True), ("template", False), ("topic_other", False),
                            ("place_other", False)):
            out.append({"a": getattr(case, kind), "b": case.original, "duplicate": label, "type": kind,
                        "topic": case.topic})
    return out


def corpus(seed: int = 13) -> tuple[list[tuple[str, str]], list[tuple[tuple[str, str], int]]]:
    """Stored petitions (every original and every negative) and the queries (each repeat and repost) with the
    index of their original in the stored list."""
    stored, queries = [], []
    for case in cases(seed):
        index = len(stored)
        stored += [case.original, case.template, case.topic_other, case.place_other]
        queries += [(case.repeat, index), (case.repost, index)]
    return stored, queries


def bulk_texts(seed: int = 99):
    """Endless generated (subject, content), every topic, style and place: the 1,000,000 stored petitions of the
    speed benchmark."""
    rng = random.Random(seed)
    topics = list(TOPICS)
    # A city's worth of names: 3,000 two-character prefixes drawn from the development set's words
    chars = sorted(set("".join(PREFIXES)))
    prefixes = sorted({rng.choice(chars) + rng.choice(chars) for _ in range(3000)})
    while True:
        topic = rng.choice(topics)
        kinds, styles = TOPICS[topic]
        facts = _facts(rng, kinds, None, prefixes)
        if facts["hospital"] and rng.random() < COMMON_SHARE:  # every city has its 人民医院: thousands name it
            facts["hospital"] = COMMON_NAME
        yield _fill(rng.choice([*styles["formal"], *styles["call"], *styles["short"]]), facts)


COMMON_NAME = "人民医院"
COMMON_SHARE = 0.3  # of the petitions naming a hospital (two topics of fifteen): about 4 % of all, 40,000 in a million


def common_name_queries(count: int = 50, seed: int = 5) -> list[tuple[str, str]]:
    """New petitions naming the common name (人民医院) and nothing rarer: the index finds thousands, the lookup
    reads at most its cap."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        styles = TOPICS["医保"][1]
        facts = _facts(rng, ("hospital",))
        facts["hospital"] = COMMON_NAME
        out.append(_fill(rng.choice([*styles["formal"], *styles["call"], *styles["short"]]), facts))
    return out
