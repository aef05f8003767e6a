"""Demo township generator (演示数据): two units of 天水市 filled with a year of plausible grid work.

``generate_demo`` builds a rural township, 秦州区玉泉镇 (乡镇 → 领导包片区域 → 行政村 → 网格), and an urban street
office, 麦积区道北街道 (街道 → 社区 → 网格), with their staff (一网三员), households and people, places, the rural
7+1 organisations, 民情日志, events, half-monthly 排查, meetings and 代办 errands for 2026-01-01 … 2026-11-27.

Everything is drawn from one ``random.Random(seed)``: the same seed and household count give the same field values
and the same record ids, so benchmarks and screenshots are reproducible. Records go through the one write path
(``WriteTx.create_many``), so the outbox, audit log and search keys are filled as for real data.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import Any, Generic, NamedTuple, TypeVar

from app.idcard import make_id_number, region_name
from app.ledger import Ledger
from app.models import (
    Errand,
    ErrandItem,
    ErrandStep,
    Event,
    EventParty,
    EventStep,
    GridNode,
    GridPost,
    Household,
    InspectionRound,
    InspectionVisit,
    Meeting,
    MeetingEvent,
    Membership,
    Organisation,
    Person,
    Place,
    ResidenceDetail,
    SentimentLog,
    SpecialGroupRecord,
    Staff,
    Synced,
    Tenancy,
)
from app.pinyin import read_name
from app.rules import errands as errand_rules
from app.rules import events as event_rules
from app.rules.errands import ErrandAction, ErrandState
from app.rules.events import EventAction, EventState
from app.services.reference import DEFAULT_DEADLINES, deadline_rules, load_calendar
from app.workdays import WorkCalendar, bundled_calendar

__all__ = ["DEMO_TODAY", "DemoSummary", "Progress", "generate_demo"]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: the stage's Chinese name and how far it is — households for 户与人口 (written
as they are generated, so the demo never holds the whole population), records for the other stages."""

Row = dict[str, Any]
T = TypeVar("T")
_Member = tuple[str, bool, date, str, str]
"""A family member before it becomes a person row: relation, male, birth date, surname, marital status."""

DEMO_TODAY = date(2026, 11, 27)
"""The demo's "today": work records run from 2026-01-01 up to this day."""

CHUNK_ROWS = 20_000
"""Records written per write transaction (the write path holds ~25 KB per person row while it writes them)."""

_ID_BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: the time part of every demo record id


# --- reference lists ---------------------------------------------------------------------------------------------

# Surnames with their share in per cent (2020 census order, nudged towards Tianshui: 马 牛 安 蒲 裴 巩 …),
# and a few rarer ones whose surname reading differs (曾 单 朴 解 仇 区 欧阳).
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.1), ("陈", 4.0), ("杨", 3.6), ("黄", 1.6), ("赵", 2.4),
    ("吴", 1.6), ("周", 1.7), ("徐", 1.3), ("孙", 1.5), ("马", 1.6), ("朱", 1.1), ("胡", 1.2), ("郭", 1.3),
    ("何", 1.0), ("林", 0.5), ("高", 1.2), ("罗", 0.8), ("郑", 0.7), ("梁", 0.9), ("谢", 0.6), ("宋", 0.8),
    ("唐", 0.6), ("许", 0.6), ("韩", 0.8), ("冯", 0.7), ("邓", 0.5), ("曹", 0.7), ("彭", 0.5), ("肖", 0.5),
    ("田", 0.7), ("董", 0.7), ("袁", 0.5), ("潘", 0.4), ("于", 0.5), ("蒋", 0.4), ("蔡", 0.4), ("余", 0.4),
    ("杜", 0.6), ("叶", 0.3), ("程", 0.5), ("苏", 0.5), ("魏", 0.6), ("吕", 0.5), ("丁", 0.5), ("任", 0.6),
    ("沈", 0.3), ("姚", 0.4), ("卢", 0.4), ("姜", 0.4), ("崔", 0.5), ("钟", 0.3), ("谭", 0.3), ("陆", 0.3),
    ("汪", 0.6), ("范", 0.4), ("金", 0.3), ("石", 0.4), ("贾", 0.5), ("夏", 0.3), ("付", 0.4), ("方", 0.3),
    ("白", 0.5), ("孟", 0.4), ("秦", 0.4), ("侯", 0.4), ("尹", 0.3), ("薛", 0.4), ("闫", 0.4), ("段", 0.4),
    ("雷", 0.4), ("史", 0.3), ("贺", 0.3), ("毛", 0.3), ("郝", 0.3), ("武", 0.3), ("常", 0.3), ("康", 0.3),
    ("牛", 0.5), ("安", 0.4), ("蒲", 0.3), ("裴", 0.3), ("巩", 0.2), ("焦", 0.2), ("温", 0.2), ("党", 0.2),
    ("漆", 0.1), ("麻", 0.1), ("权", 0.1), ("令", 0.05), ("曾", 0.12), ("单", 0.04), ("朴", 0.02),
    ("解", 0.04), ("仇", 0.03), ("区", 0.02), ("欧阳", 0.03),
)  # fmt: skip
# Hui (回族) families of Tianshui and 张家川.
_HUI_SURNAMES: tuple[tuple[str, float], ...] = (
    ("马", 30), ("杨", 6), ("丁", 5), ("白", 5), ("穆", 3), ("李", 4), ("王", 4), ("张", 4), ("韩", 3),
    ("海", 2), ("哈", 2), ("冶", 2), ("米", 2), ("苏", 2), ("金", 2), ("锁", 1), ("撒", 1), ("拜", 1),
)  # fmt: skip

# Given names by birth era: (≤1959, 1960–1984, 1985–2004, 2005–): single characters and two-character names.
_ERA_STARTS = (1960, 1985, 2005)
_MALE_SINGLE = (
    "福贵生明德忠富林山平海有成发喜全义",
    "军伟强勇斌刚涛明华平峰辉东兵亮波杰",
    "磊鹏超浩鑫杰帅博宇龙飞凯阳旭",
    "轩睿泽宸浩宇航晨铭皓煜辰博俊",
)
_FEMALE_SINGLE = (
    "英兰珍梅凤花秀琴芳桂香莲翠菊",
    "红霞芳丽娟敏燕艳萍玲静梅琴",
    "婷雪倩欣佳丹晶璐瑶娜琳蕾悦洁",
    "萱涵悦彤琪瑶妍欣怡诺曦雯菲",
)
_MALE_DOUBLE = (
    ("建国", "国庆", "建华", "振华", "志刚", "文斌", "玉成", "根生", "福全", "国栋", "树林", "满仓", "天喜", "万福", "长生", "德胜"),
    ("建军", "海军", "卫东", "红军", "志强", "建平", "小平", "永强", "国平", "文军", "建明", "永红", "立新", "海峰", "晓东", "新民"),
    ("鹏飞", "文博", "子豪", "俊杰", "浩然", "天宇", "家豪", "嘉伟", "志鹏", "博文", "晓龙", "宇航", "明轩", "振宇"),
    ("子轩", "浩然", "宇航", "梓豪", "一鸣", "俊熙", "宇泽", "沐阳", "思远", "睿哲", "皓轩", "子墨", "锦程", "奕辰"),
)  # fmt: skip
_FEMALE_DOUBLE = (
    ("秀英", "桂兰", "玉兰", "桂英", "秀兰", "玉珍", "凤英", "淑珍", "翠兰", "玉梅", "秀珍", "桂香", "金花"),
    ("丽娟", "晓燕", "海燕", "红霞", "丽萍", "春梅", "小红", "秀芳", "晓丽", "玉霞", "彩霞", "美玲", "亚萍"),
    ("婷婷", "佳怡", "雅琪", "晓雪", "梦瑶", "思雨", "欣悦", "丹丹", "佳慧", "静怡", "文静", "雪婷", "倩倩"),
    ("梓涵", "欣怡", "一诺", "语桐", "可馨", "雨萱", "子涵", "诗涵", "若曦", "梓萱", "思彤", "雨桐", "语嫣"),
)  # fmt: skip

_VILLAGE_NAMES = (
    "李家村", "王家庄村", "杨家寺村", "赵家崖村", "刘家湾村", "张家坪村", "马家河村", "陈家沟村", "周家山村",
    "吴家庄村", "何家湾村", "罗家坪村", "石马坪村", "暖和湾村", "烟铺村", "枣园村", "坚家河村", "七里墩村",
    "西十里村", "东十里村", "吕家崖村", "瓦窑坡村", "阳坡村", "柳林村", "红崖村", "南山村", "北坡村", "水眼村",
    "下河村", "上庄村", "中滩村", "槐树坪村", "杏树湾村", "桃园村", "梨树村", "窑庄村", "山坪村", "川口村",
    "峡门村", "牛家坪村",
)  # fmt: skip
_PLACE_SUFFIXES = "庄湾坪沟河山坡崖咀寨岔川塬"
_COMMUNITY_NAMES = (
    "建设路社区", "渭滨社区", "天河社区", "桥南社区", "北河社区", "向阳社区", "新华社区", "商埠路社区",
    "滨河路社区", "二马路社区", "三马路社区", "花园社区", "民主路社区", "社棠路社区", "陇昌路社区", "渭河社区",
)  # fmt: skip
_ESTATE_NAMES = (
    "渭滨花园", "天河小区", "建设新村", "铁路新村", "阳光小区", "滨河家园", "金城花苑", "锦绣苑", "福兴小区",
    "和平小区", "幸福家园", "东方红小区", "馨园小区", "桥南小区", "商埠佳苑", "铁路家属院", "怡和苑", "春风小区",
)  # fmt: skip

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
    "157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "193", "195", "198", "199",
)  # fmt: skip

# Where floating people (流动人口) come from: region, weight, share of Hui families.
_ORIGINS: tuple[tuple[str, float, float], ...] = (
    ("620521", 10, 0.02), ("620522", 12, 0.03), ("620523", 12, 0.01), ("620524", 8, 0.01),
    ("620525", 12, 0.7), ("621102", 5, 0.0), ("622901", 3, 0.6), ("620102", 3, 0.05), ("621202", 3, 0.0),
    ("610302", 4, 0.0), ("610303", 3, 0.0), ("610104", 2, 0.0), ("640402", 3, 0.5), ("640104", 1, 0.3),
    ("410102", 2, 0.0), ("510104", 2, 0.0),
)  # fmt: skip

_HOUSEHOLD_TAGS_RURAL = (
    ("tuopin", 0.08),
    ("dibao", 0.05),
    ("jiance", 0.02),
    ("canji", 0.03),
    ("junshu", 0.01),
)
_HOUSEHOLD_TAGS_URBAN = (("dibao", 0.02), ("canji", 0.02), ("junshu", 0.01))

# (type code, local category, urban/rural/both, title, description, result); {a} {b} people, {place} an address.
_EVENT_TEMPLATES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("0201", "dispute", "both", "{a}与{b}因排水不畅引发邻里纠纷",
     "{place}{a}反映邻居{b}家修建院墙时堵塞排水沟，雨天院内积水，双方多次争吵。",
     "网格员会同调委会现场调解，{b}同意疏通排水沟，双方达成和解。"),
    ("0202", "dispute", "rural", "{a}与{b}宅基地边界争议",
     "{a}与{b}因相邻宅基地边界划分发生争执，{b}新砌围墙占用通道约半米。",
     "乡镇国土所现场测量确认边界，双方签订调解协议。"),
    ("0102", "dispute", "both", "{a}家老人赡养纠纷",
     "{a}兄弟之间因老人赡养费分担产生矛盾，老人生活无人照料。",
     "村（社区）调委会组织家庭会议，约定赡养费分担和轮流照料。"),
    ("0901", "dispute", "rural", "{a}与{b}土地承包经营纠纷",
     "{a}反映其承包地被{b}耕种多年未归还。",
     "乡镇农经站核实承包合同，{b}同意秋收后归还土地。"),
    ("0904", "dispute", "rural", "{place}灌溉用水分配纠纷",
     "{place}附近农户因灌溉轮水次序发生争执，{a}与{b}发生口角。",
     "村委会重新排定轮灌表并张贴公示，双方认可。"),
    ("0203", "dispute", "rural", "{a}反映{b}家养殖污染",
     "{b}家养殖圈舍粪污直排，气味较大，影响周边群众生活。",
     "督促养殖户建设粪污收集池，已按期整改。"),
    ("0701", "request", "both", "{a}反映务工工资被拖欠",
     "{a}在外地建筑工地务工，工程结束后工资未结清。",
     "协调劳动保障所联系施工单位，拖欠工资已全部支付。"),
    ("1304", "hazard", "both", "{place}电线私拉乱接存在火灾隐患",
     "排查发现{place}出租房电线老化、私拉乱接，存在火灾隐患。",
     "督促房主更换电线并配备灭火器，隐患已整改。"),
    ("1304", "hazard", "both", "{place}冬季燃煤取暖存在煤气中毒隐患",
     "走访发现{a}家卧室内使用蜂窝煤炉取暖，未安装烟道。",
     "协助安装烟道和一氧化碳报警器，并宣传防范知识。"),
    ("1104", "request", "both", "{place}附近路灯损坏",
     "群众反映{place}附近路灯损坏多日，夜间出行不便。",
     "联系供电所维修，路灯已恢复照明。"),
    ("1104", "request", "rural", "{place}道路路面塌陷",
     "{a}反映村道雨后路面塌陷，农用车通行困难。",
     "乡镇协调村级公路养护资金修复路面。"),
    ("1202", "request", "both", "{a}申请临时救助",
     "{a}家中因病致困，申请临时救助。",
     "民政办审核后发放临时救助金，并纳入动态监测。"),
    ("0101", "dispute", "both", "{a}夫妻矛盾纠纷",
     "{a}与配偶因家庭琐事多次争吵，邻居担心发生过激行为。",
     "妇联和网格员上门调解，双方表示和好。"),
    ("0804", "hard", "both", "{a}与{b}民间借贷纠纷",
     "{a}称{b}三年前借款至今未还，双方多次争执，涉及金额较大。",
     "经司法所调解，双方签订分期还款协议。"),
    ("0402", "dispute", "urban", "{place}物业服务纠纷",
     "业主反映物业公司收费不合理、电梯长期故障。",
     "社区组织业主代表与物业公司协商，电梯已维修。"),
    ("0602", "dispute", "urban", "{a}与房东{b}租房押金纠纷",
     "租户{a}退租时房东{b}以墙面损坏为由扣押押金。",
     "网格员调解，双方协商退还大部分押金。"),
    ("1301", "request", "urban", "{place}占道经营影响通行",
     "群众反映{place}路口早市摊点占道经营，影响车辆和行人通行。",
     "联系城管部门规范摊点，划定临时经营区域。"),
    ("0503", "incident", "both", "{place}发生一起轻微交通事故",
     "{a}驾驶电动车与{b}驾驶的三轮车发生剐蹭，无人受伤。",
     "交警到场处理，双方协商赔偿。"),
    ("1201", "request", "rural", "{place}村务公开不及时",
     "{a}等群众反映村务公开栏长期未更新。",
     "督促村委会按季度公开村务财务，并接受群众监督。"),
    ("1101", "hard", "urban", "{place}旧城改造房屋征收补偿诉求",
     "{a}等住户对棚户区改造补偿标准有异议，多次到社区反映。",
     "街道会同征收部门逐户解释政策，对个别困难户给予帮扶。"),
)  # fmt: skip
_HAZARD_TEMPLATES = tuple(t for t in _EVENT_TEMPLATES if t[1] == "hazard")

_SENTIMENTS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("livelihood", 0.28, ("{a}反映家中自来水水压不足，希望协调解决。", "{a}询问今年冬季取暖补贴何时发放。",
                          "{a}家老人行动不便，希望提供上门服务。", "{a}反映巷道垃圾清运不及时。")),
    ("dispute", 0.12, ("{a}与邻居因柴草堆放位置有矛盾，已当场劝解。", "{a}反映与邻居因停车位发生口角。")),
    ("safety", 0.12, ("走访发现{a}家煤炉烟道不通，已提醒防范煤气中毒。", "{a}家电动车在楼道充电，已劝导。")),
    ("policy", 0.2, ("{a}咨询城乡居民医保缴费标准和时间，已告知。", "{a}咨询高龄补贴申领条件，已讲解。",
                     "{a}咨询养老保险待遇认证办法，已告知。")),
    ("suggestion", 0.08, ("{a}建议在村（社区）活动室增设健身器材。", "{a}建议增加公交班次方便出行。")),
    ("other", 0.2, ("入户走访{a}家，家庭成员身体健康，生活正常。", "走访{a}家，了解家庭生产生活情况。")),
)  # fmt: skip

# Inspection focus of each half month of 2026 (1st–15th, 16th–end) and the targets it is about (每次排查有一个侧重点):
# R rental housing, F floating people, K key persons, C complex places.
_FOCUS: tuple[tuple[str, str], ...] = (
    ("元旦期间安全隐患排查", "RC"), ("冬季取暖防煤气中毒", "R"), ("春节前流动人口返乡登记", "F"),
    ("节后返岗流动人口核查", "FR"), ("出租屋消防安全排查", "R"), ("重点人员稳控走访", "K"), ("清明节森林防火", "C"),
    ("出租屋登记信息核查", "RF"), ("劳动节期间安全检查", "CR"), ("复杂场所治安排查", "C"),
    ("防汛安全隐患排查", "RC"), ("校园周边治安排查", "CK"), ("汛期地质灾害隐患排查", "R"), ("暑期未成年人安全", "K"),
    ("防溺水安全排查", "K"), ("流动人口信息核查", "F"), ("矛盾纠纷排查化解", "KF"), ("重点人员走访", "K"),
    ("国庆期间安全检查", "CR"), ("出租屋消防安全排查", "R"), ("冬季取暖防煤气中毒", "R"), ("流动人口信息核查", "F"),
    ("岁末年初安全隐患排查", "RC"), ("元旦前矛盾纠纷排查", "KF"),
)  # fmt: skip
SPECIAL_GROUP_SHARE = 0.007
"""Share of people with a special-group record (kept under 1%): about half 留守人员, the rest the groups below."""
# Special groups other than 留守人员: relative weight, ages, sex ("" any), one coded detail field (GB/T 31000).
_SPECIAL_GROUPS: tuple[tuple[str, float, int, int, str, str, tuple[str, ...]], ...] = (
    ("released", 12, 25, 60, "1", "crime_type", ("05", "06", "04")),
    ("correction", 5, 20, 60, "", "correction_type", ("99",)),
    ("mental", 25, 16, 99, "", "risk_level", ("01", "02", "03")),
    ("drug", 5, 18, 55, "", "control", ("01", "05", "06")),
    ("aids", 2, 18, 60, "", "infection_pathway", ("01", "99")),
    ("youth", 12, 14, 25, "", "personnel_type", ("01", "02")),
)
_FOCUS_LETTER = {"rental": "R", "floating": "F", "key_person": "K", "complex": "C"}
_FINDINGS_OK = ("未发现问题", "租住人员信息与登记一致", "消防器材完好", "无异常情况")
_FINDINGS_HAZARD = (
    "楼道堆放杂物，已要求清理",
    "电动车在室内充电，已劝导",
    "灭火器过期，已督促更换",
    "电线老化存在隐患",
)

# The errand catalogue (代办事项目录): category, name, materials, in person (需本人办理), office.
_ERRAND_ITEMS: tuple[tuple[str, str, tuple[str, ...], bool, str], ...] = (
    ("party", "党员组织关系转接", ("党员组织关系介绍信", "身份证复印件"), False, "镇党委组织办"),
    ("party", "流动党员活动证办理", ("身份证复印件", "一寸照片"), False, "镇党委组织办"),
    ("civil", "农村最低生活保障申请", ("身份证复印件", "户口簿复印件", "家庭收入情况说明", "银行卡复印件"), False, "镇民政办"),
    ("civil", "临时救助申请", ("身份证复印件", "户口簿复印件", "救助申请书", "医疗费用票据"), False, "镇民政办"),
    ("civil", "高龄补贴申领", ("身份证复印件", "户口簿复印件", "一寸照片"), False, "镇民政办"),
    ("civil", "残疾人证办理", ("身份证复印件", "户口簿复印件", "二寸照片"), True, "区残疾人联合会"),
    ("civil", "结婚登记", ("双方身份证", "双方户口簿", "二寸合影照片"), True, "区民政局婚姻登记处"),
    ("social_security", "城乡居民养老保险参保登记", ("身份证复印件", "户口簿复印件"), False, "镇社会保障服务中心"),
    ("social_security", "城乡居民医疗保险缴费", ("身份证复印件", "户口簿复印件"), False, "镇社会保障服务中心"),
    ("social_security", "养老保险待遇领取资格认证", ("身份证复印件", "近期一寸照片"), False, "镇社会保障服务中心"),
    ("social_security", "医疗费用报销", ("住院发票原件", "费用清单", "出院小结", "身份证复印件", "银行卡复印件"), False, "区医疗保障局"),
    ("social_security", "社会保障卡申领", ("身份证复印件", "一寸照片"), False, "镇社会保障服务中心"),
    ("family_planning", "生育登记", ("夫妻双方身份证复印件", "户口簿复印件", "结婚证复印件"), False, "镇卫生健康办"),
    ("family_planning", "独生子女父母奖励扶助申请", ("身份证复印件", "户口簿复印件", "独生子女父母光荣证"), False, "镇卫生健康办"),
    ("floating", "居住证办理", ("身份证复印件", "租房合同", "一寸照片"), False, "玉泉派出所"),
    ("floating", "流动人口婚育证明", ("身份证复印件", "结婚证复印件"), False, "镇卫生健康办"),
    ("labour", "外出务工就业登记", ("身份证复印件", "就业创业证"), False, "镇劳务工作站"),
    ("labour", "劳务技能培训报名", ("身份证复印件", "户口簿复印件"), False, "镇劳务工作站"),
    ("land", "农村宅基地申请", ("宅基地申请表", "身份证复印件", "户口簿复印件", "村委会意见"), False, "镇自然资源所"),
    ("land", "农村危房改造申请", ("申请书", "身份证复印件", "户口簿复印件", "房屋照片"), False, "镇村镇建设办"),
    ("land", "耕地地力保护补贴信息核对", ("身份证复印件", "惠农一卡通复印件"), False, "镇农业农村办"),
    ("other", "办理第二代身份证", ("户口簿",), True, "玉泉派出所"),
    ("other", "开具居住证明", ("身份证复印件", "户口簿复印件"), False, "镇便民服务中心"),
)  # fmt: skip

_SERVICE_POINTS: dict[str, tuple[str, ...]] = {
    "life": ("便民超市", "家政服务站", "居家养老服务中心", "便民菜店"),
    "health": ("社区卫生服务站", "社区药店", "诊所"),
    "government": ("社区党群服务中心", "社区居委会", "社区服务管理站"),
    "safety": ("社区警务室", "综治中心", "微型消防站"),
    "culture": ("文化广场", "健身广场", "图书阅览室", "居民活动室"),
}
_COMPLEX_PLACES_RURAL = ("农家乐", "棋牌室", "集贸市场", "网吧", "建筑工地")
_COMPLEX_PLACES_URBAN = ("网吧", "KTV", "宾馆", "洗浴中心", "棋牌室", "建筑工地")

_ORG_KINDS = (
    ("village_rules", "村规民约", ""),
    ("red_white", "红白理事会", "会长"),
    ("council", "村民议事会", "召集人"),
    ("supervisory", "党员村民代表监事会", "主任"),
    ("mediation", "邻里纠纷调委会", "主任"),
    ("patrol", "护村联防队", "队长"),
    ("informants", "综治信息员队伍", "组长"),
)
_CN_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """1–99 in Chinese numerals (一, 十, 十二, 二十三)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


class _Weighted(Generic[T]):
    """Values with weights, drawn with one random number (the cumulative weights are computed once)."""

    __slots__ = ("_cum", "_total", "_values")

    def __init__(self, *pairs: tuple[T, float]) -> None:
        self._values = [v for v, _ in pairs]
        self._cum = list(accumulate(w for _, w in pairs))
        self._total = self._cum[-1]

    def draw(self, rng: random.Random) -> T:
        return self._values[bisect_right(self._cum, rng.random() * self._total)]


_FAMILY_KINDS = {
    False: _Weighted(("elder", 0.07), ("single", 0.05), ("couple", 0.17), ("nuclear", 0.45), ("three", 0.21), ("parent", 0.05)),
    True: _Weighted(("elder", 0.08), ("single", 0.07), ("couple", 0.2), ("nuclear", 0.5), ("three", 0.1), ("parent", 0.05)),
}  # fmt: skip
_FLOATING_KINDS = _Weighted(("single", 0.3), ("couple", 0.25), ("family", 0.45))
_INFLOW_CAUSES = _Weighted(("01", 6), ("03", 2), ("05", 0.6), ("06", 1), ("08", 0.4), ("04", 0.3))
_RENTAL_USES = _Weighted(("02", 8), ("01", 1.5), ("03", 0.5))
_SATISFACTION = _Weighted(("满意", 0.75), ("基本满意", 0.2), ("不满意", 0.05))
_ORIGIN_DRAW = _Weighted(*((o, o[1]) for o in _ORIGINS))
_SENTIMENT_DRAW = _Weighted(*((s, s[1]) for s in _SENTIMENTS))
# Education of adults (GB/T 4658) by birth cohort: before 1956, 1956–75, 1976–95, 1996 on (urban: one cohort up).
_EDUCATION = (
    _Weighted(("80", 0.5), ("70", 0.25), ("90", 0.2), ("60", 0.05)),
    _Weighted(("80", 0.3), ("70", 0.45), ("60", 0.15), ("40", 0.05), ("30", 0.04), ("90", 0.01)),
    _Weighted(("70", 0.42), ("60", 0.2), ("40", 0.13), ("30", 0.13), ("20", 0.11), ("80", 0.01)),
    _Weighted(("70", 0.18), ("60", 0.2), ("40", 0.15), ("30", 0.22), ("20", 0.22), ("10", 0.03)),
)
_OCCUPATION_FLOATING = _Weighted(
    ("建筑工人", 3), ("个体经营", 2), ("餐饮服务", 2), ("快递员", 1), ("企业职工", 2)
)
_OCCUPATION_URBAN = _Weighted(
    ("企业职工", 35),
    ("个体经营", 15),
    ("灵活就业", 12),
    ("教师", 5),
    ("医务人员", 4),
    ("公务员", 4),
    ("无业", 8),
)
_OCCUPATION_RURAL = _Weighted(
    ("农民", 50), ("外出务工", 32), ("个体经营", 7), ("乡村医生", 0.5), ("村干部", 1)
)


# --- the summary ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """How many records of each kind the demo wrote, and how long it took."""

    grid_nodes: int = 0
    staff: int = 0
    grid_posts: int = 0
    households: int = 0
    persons: int = 0
    residence_details: int = 0
    special_group_records: int = 0
    places: int = 0
    tenancies: int = 0
    organisations: int = 0
    memberships: int = 0
    sentiment_logs: int = 0
    events: int = 0
    event_parties: int = 0
    event_steps: int = 0
    inspection_rounds: int = 0
    inspection_visits: int = 0
    meetings: int = 0
    meeting_events: int = 0
    errand_items: int = 0
    errands: int = 0
    errand_steps: int = 0
    elapsed_seconds: float = 0.0

    @property
    def total_records(self) -> int:
        """Every record written (each has one outbox operation)."""
        return sum(self.counts().values())

    def counts(self) -> dict[str, int]:
        """Records per kind, by field name."""
        return {name: getattr(self, name) for name in _SUMMARY_FIELDS.values()}


_SUMMARY_FIELDS: dict[type[Synced], str] = {
    GridNode: "grid_nodes", Staff: "staff", GridPost: "grid_posts", Household: "households", Person: "persons",
    ResidenceDetail: "residence_details", SpecialGroupRecord: "special_group_records", Place: "places",
    Tenancy: "tenancies", Organisation: "organisations", Membership: "memberships",
    SentimentLog: "sentiment_logs", Event: "events", EventParty: "event_parties", EventStep: "event_steps",
    InspectionRound: "inspection_rounds", InspectionVisit: "inspection_visits", Meeting: "meetings",
    MeetingEvent: "meeting_events", ErrandItem: "errand_items", Errand: "errands", ErrandStep: "errand_steps",
}  # fmt: skip


# --- generators of ids, phones, ID numbers and names ------------------------------------------------------------


class _IdMaker:
    """UUIDv7-shaped record ids: the time part is 2026-01-01 plus a counter, the random part from the seed."""

    __slots__ = ("_bits", "_n")

    def __init__(self, rng: random.Random) -> None:
        self._n = 0
        self._bits = rng.getrandbits

    def __call__(self) -> str:
        n = self._n
        self._n = n + 1
        value = (
            ((_ID_BASE_MS + (n >> 12)) << 80) | ((0x7000 | (n & 0xFFF)) << 64) | (0b10 << 62) | self._bits(62)
        )
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class _Phones:
    """Unique mobile numbers 1[3-9]x xxxx xxxx."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def __call__(self) -> str:
        rng = self._rng
        while True:
            number = f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"
            if number not in self._used:
                self._used.add(number)
                return number


class _IdNumbers:
    """Valid ID numbers whose sequence is unique per (region, birth date) and whose parity gives the sex."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[tuple[str, int, int]] = set()

    def __call__(self, region: str, birth: date, male: bool) -> str:
        day = birth.toordinal()
        parity = 1 if male else 0
        for _ in range(40):
            sequence = self._rng.randrange(500) * 2 + parity
            if (region, day, sequence) not in self._used:
                break
        else:  # a crowded birth date: take the first free sequence of this sex
            sequence = next((s for s in range(parity, 1000, 2) if (region, day, s) not in self._used), -1)
            if sequence < 0:
                raise ValueError(f"no free ID sequence left for {region} {birth}")
        self._used.add((region, day, sequence))
        return make_id_number(region, birth, sequence)


class _Names:
    """Chinese names: surnames by frequency, given names by sex and birth era, ~60% one-character given names."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._surnames = _Weighted(*_SURNAMES)
        self._hui = _Weighted(*_HUI_SURNAMES)

    def surname(self, hui: bool = False) -> str:
        return (self._hui if hui else self._surnames).draw(self._rng)

    def given(self, male: bool, birth_year: int) -> str:
        era = sum(1 for start in _ERA_STARTS if birth_year >= start)
        rng = self._rng
        if rng.random() < 0.6:
            return rng.choice((_MALE_SINGLE if male else _FEMALE_SINGLE)[era])
        return rng.choice((_MALE_DOUBLE if male else _FEMALE_DOUBLE)[era])


# --- the grid tree ----------------------------------------------------------------------------------------------


@dataclass
class _Grid:
    """A leaf grid, with what later stages need of it."""

    id: str
    code: str
    name: str
    urban: bool
    size: int
    parent: _Unit  # the village or community
    manager: str = ""
    assistant: str = ""
    collector: str = ""
    households: list[_HouseholdInfo] = field(default_factory=list)
    rentals: list[str] = field(default_factory=list)
    complex_places: list[str] = field(default_factory=list)
    key_persons: list[str] = field(default_factory=list)


@dataclass
class _Unit:
    """A village (行政村) or community (社区): the level above the grids."""

    id: str
    code: str
    name: str
    urban: bool
    grids: list[_Grid]
    adults: list[tuple[str, str, str]]  # (person id, name, phone) of residents aged 18–70


@dataclass
class _HouseholdInfo:
    id: str
    head_id: str
    head_name: str
    phone: str
    address: str
    spot: str  # the 组 or building, for event titles
    floating: bool
    members: list[str]


class _Resident(NamedTuple):
    """What choosing special-group people needs of a person, kept instead of the written person row."""

    id: str
    grid_id: str
    age: int
    sex: str


@dataclass
class _Rental:
    """A rental housing unit (出租屋) of a grid and the floating households living in it."""

    id: str
    group: str
    door: str
    address: str
    tenants: list[str] = field(default_factory=list)


def _split(total: int, low: int, high: int, rng: random.Random) -> list[int]:
    """``total`` households as grid sizes within [low, high] (one smaller grid when there are fewer than ``low``)."""
    if total < low:
        return [total]
    k = max(1, round(total / ((low + high) / 2)))
    while k > 1 and k * low > total:
        k -= 1
    while k * high < total:
        k += 1
    sizes = [low] * k
    rest = total - k * low
    weights = [rng.uniform(0.5, 1.5) for _ in range(k)]
    scale = sum(weights)
    for i, w in enumerate(weights):
        share = min(high - low, int(rest * w / scale))
        sizes[i] += share
    left = total - sum(sizes)
    while left > 0:
        i = rng.randrange(k)
        if sizes[i] < high:
            sizes[i] += 1
            left -= 1
    return sizes


def _runs(n: int, lengths: Sequence[int], weights: Sequence[float], rng: random.Random) -> list[int]:
    """``n`` items cut into consecutive runs whose lengths are drawn from ``lengths``."""
    runs: list[int] = []
    while n > 0:
        k = min(n, rng.choices(lengths, weights=weights)[0])
        runs.append(k)
        n -= k
    return runs


class _Addresses:
    """Door addresses of a village (组 and 门牌号) or a community (小区, 楼 单元 室), handed out in order."""

    def __init__(self, unit: _Unit, rng: random.Random) -> None:
        self._unit = unit
        self._rng = rng
        self._block = 0
        self._doors: list[tuple[str, str]] = []
        self._estates = list(_ESTATE_NAMES)
        rng.shuffle(self._estates)
        self._estate = ""
        self._building = 0

    def new_block(self) -> None:
        """Start a new 组 (rural) or a new 小区 with a new building (urban)."""
        self._block += 1
        if self._unit.urban:
            self._estate = self._estates[(self._block - 1) % len(self._estates)]
        self._fill()

    def _fill(self) -> None:
        rng = self._rng
        if not self._unit.urban:
            group = f"{_cn(self._block)}组" if self._block < 100 else f"{self._block}组"
            self._doors = [(group, f"{d}号") for d in range(rng.randint(30, 60), 0, -1)]
            return
        self._building += 1
        building = self._building
        floors = rng.choice((6, 6, 7, 11, 18))
        self._doors = [
            (self._estate, f"{building}号楼{u}单元{f}{room:02d}")
            for u in range(rng.randint(2, 4), 0, -1)
            for f in range(floors, 0, -1)
            for room in (2, 1)
        ]

    def take(self) -> tuple[str, str, str]:
        """The next free door: (组 or 小区, door number, address)."""
        if not self._doors:
            if not self._unit.urban:
                self._block += 1
            self._fill()
        group, door = self._doors.pop()
        if self._unit.urban:
            return group, door, f"道北街道{self._unit.name}{door}"
        return group, door, f"玉泉镇{self._unit.name}{group}{door}"


class _Walk:
    """A record walked through its workflow: each move is checked by the rule module and kept as a step row.

    A move dated after DEMO_TODAY is not made (the record stays where it is); moves never go back in time. A
    recent record may be held at a ``halt`` state, so that every state of the workflow shows in the demo.
    """

    def __init__(
        self,
        new_id: Callable[[], str],
        next_state: Callable[[Any, Any], StrEnum],
        parent_field: str,
        record_id: str,
        grid_id: str,
        state: StrEnum,
        start: date,
        steps: list[Row],
    ) -> None:
        self._new_id = new_id
        self._next_state = next_state
        self._parent_field = parent_field
        self._record_id = record_id
        self._grid_id = grid_id
        self._steps = steps
        self.state = state
        self.last = start
        self.halt: StrEnum | None = None

    def move(self, action: StrEnum, on: date, note: str = "") -> bool:
        on = max(on, self.last)
        if on > DEMO_TODAY or self.state == self.halt:
            return False
        new = self._next_state(self.state, action)
        self._steps.append(
            {"id": self._new_id(), "grid_id": self._grid_id, self._parent_field: self._record_id,
             "action": action.value, "from_state": self.state.value, "to_state": new.value, "acted_on": on,
             "note": note}
        )  # fmt: skip
        self.state = new
        self.last = on
        return True


# --- the generator ----------------------------------------------------------------------------------------------


class _Demo:
    """Builds the demo rows stage by stage and writes them through the ledger's write path."""

    def __init__(self, ledger: Ledger, households: int, seed: int, progress: Progress | None) -> None:
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.new_id = _IdMaker(random.Random(self.rng.getrandbits(64)))
        self.phone = _Phones(random.Random(self.rng.getrandbits(64)))
        self.id_number = _IdNumbers(random.Random(self.rng.getrandbits(64)))
        self.names = _Names(random.Random(self.rng.getrandbits(64)))
        # Deadlines and return dates as the app computes them: the ledger's own calendar and deadline rules.
        with ledger.read() as session:
            calendar = load_calendar(session)
            self.rules: dict[str, int] = deadline_rules(session) or dict(DEFAULT_DEADLINES)
        self.calendar: WorkCalendar = calendar if calendar.published_years else bundled_calendar()
        self.progress = progress
        self.households = households
        self.counts: dict[str, int] = dict.fromkeys(_SUMMARY_FIELDS.values(), 0)
        self.grids: list[_Grid] = []
        self.units: list[_Unit] = []
        self.township = ""  # the rural township's node id (玉泉镇)
        self.staff_names: dict[str, str] = {}
        self.agents: list[str] = []
        self._logins: set[str] = set()
        self._residents: list[_Resident] = []
        self._left_behind: list[_Resident] = []  # people of 留守 households who may be 留守人员
        self._events_by_unit_month: dict[tuple[str, int], list[tuple[date, str]]] = {}

    # -- writing -----------------------------------------------------------------------------------------------
    def write(self, stage: str, batches: Sequence[tuple[type[Synced], list[Row]]]) -> None:
        """Write a stage's ``batches``, reporting progress in records."""
        total = sum(len(rows) for _, rows in batches)
        done = 0
        if self.progress:
            self.progress(stage, 0, total)

        def written(n: int) -> None:
            nonlocal done
            done += n
            if self.progress:
                self.progress(stage, done, total)

        self.commit(batches, written)

    def commit(
        self, batches: Sequence[tuple[type[Synced], list[Row]]], written: Callable[[int], None] | None = None
    ) -> None:
        """Write ``batches`` in order (parents first) through the write path, about CHUNK_ROWS per transaction."""
        pieces = [
            (model, rows[i : i + CHUNK_ROWS])
            for model, rows in batches
            for i in range(0, len(rows), CHUNK_ROWS)
        ]
        while pieces:
            group: list[tuple[type[Synced], list[Row]]] = []
            size = 0
            while pieces and size < CHUNK_ROWS:
                group.append(pieces.pop(0))
                size += len(group[-1][1])
            with self.ledger.write(actor="demo") as tx:
                for model, rows in group:
                    tx.create_many(model, rows)
            for model, rows in group:
                self.counts[_SUMMARY_FIELDS[model]] += len(rows)
            if written:
                written(size)

    # -- helpers -----------------------------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def birth_for_age(self, age: int) -> date:
        """A birth date giving ``age`` full years on DEMO_TODAY."""
        latest = DEMO_TODAY.replace(year=DEMO_TODAY.year - age)
        return latest - timedelta(days=self.rng.randrange(365))

    def workday_after(self, day: date, n: int = 1) -> date:
        return self.calendar.add_workdays(day, n).day

    def day_in(self, start: date, end: date) -> date:
        end = min(end, DEMO_TODAY)
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def login_for(self, name: str) -> str:
        base = read_name(name).full
        if not base.isascii() or not base:
            base = "staff"
        login = base
        n = 2
        while login in self._logins:
            login = f"{base}{n}"
            n += 1
        self._logins.add(login)
        return login

    # -- stage 1: grid tree and staff --------------------------------------------------------------------------
    def build_grid(self) -> None:
        rng = self.rng
        rural_total = max(1, round(self.households * 0.6))
        urban_total = max(0, self.households - rural_total)
        nodes: list[Row] = []

        def node(
            code: str, name: str, level: int, kind: str, urban: bool, parent: str | None, order: int
        ) -> str:
            nid = self.new_id()
            nodes.append(
                {"id": nid, "code": code, "name": name, "level": level, "kind": kind,
                 "urban": urban, "parent_id": parent, "sort_order": order}
            )  # fmt: skip
            return nid

        # Rural: 秦州区玉泉镇 → 领导包片区域 → 行政村 → 网格 (100–300 households).
        town = node("620502101000", "玉泉镇", 1, "township", False, None, 1)
        self.township = town
        sizes = _split(rural_total, 100, 300, rng)
        villages = _runs(len(sizes), (1, 2, 3, 4), (0.2, 0.4, 0.3, 0.1), rng)
        n_areas = min(len(villages), rng.choice((2, 3)))
        per_area = -(-len(villages) // n_areas)
        village_names = self._village_names(len(villages))
        for v, n_grids in enumerate(villages):
            a = v // per_area
            if v % per_area == 0:
                area = node(
                    f"620502101A{a + 1:02d}", f"第{_cn(a + 1)}包片区域", 2, "area", False, town, a + 1
                )
            code = f"620502101{201 + v:03d}"
            vid = node(code, village_names[v], 3, "village", False, area, v + 1)
            unit = _Unit(vid, code, village_names[v], False, [], [])
            self.units.append(unit)
            for g in range(1, n_grids + 1):
                name = f"{unit.name}第{_cn(g)}网格"
                gid = node(f"{code}{g:03d}", name, 4, "grid", False, vid, g)
                unit.grids.append(_Grid(gid, f"{code}{g:03d}", name, False, sizes.pop(0), unit))
            self.grids.extend(unit.grids)

        # Urban: 麦积区道北街道 → 社区 → 网格 (300–500 households).
        street = node("620503002000", "道北街道", 1, "street", True, None, 2)
        sizes = _split(urban_total, 300, 500, rng)
        communities = _runs(len(sizes), (2, 3, 4, 5, 6), (0.15, 0.25, 0.3, 0.2, 0.1), rng)
        community_names = list(_COMMUNITY_NAMES)
        rng.shuffle(community_names)
        for c, n_grids in enumerate(communities, start=1):
            code = f"620503002{c:03d}"
            cname = community_names[c - 1] if c <= len(community_names) else f"道北第{_cn(c % 100)}社区"
            cid = node(code, cname, 2, "community", True, street, c)
            unit = _Unit(cid, code, cname, True, [], [])
            self.units.append(unit)
            for g in range(1, n_grids + 1):
                name = f"{cname}第{_cn(g)}网格"
                gid = node(f"{code}{g:03d}", name, 3, "grid", True, cid, g)
                unit.grids.append(_Grid(gid, f"{code}{g:03d}", name, True, sizes.pop(0), unit))
            self.grids.extend(unit.grids)

        staff, posts = self._staff(town, street)
        self.write("网格与人员", [(GridNode, nodes), (Staff, staff), (GridPost, posts)])

    def _village_names(self, n: int) -> list[str]:
        names = list(_VILLAGE_NAMES)
        self.rng.shuffle(names)
        used = set(names)
        while len(names) < n:
            for _ in range(20):
                name = f"{self.names.surname()}家{self.rng.choice(_PLACE_SUFFIXES)}村"
                if name not in used:
                    break
            else:
                name = f"新建{len(names) + 1}村"
            used.add(name)
            names.append(name)
        return names[:n]

    def _staff(self, town: str, street: str) -> tuple[list[Row], list[Row]]:
        rng = self.rng
        staff: list[Row] = []
        posts: list[Row] = []

        def person() -> str:
            male = self.chance(0.55)
            year = rng.randint(1966, 1999)
            name = self.names.surname() + self.names.given(male, year)
            sid = self.new_id()
            staff.append(
                {"id": sid, "grid_id": None, "name": name, "login": self.login_for(name),
                 "phone": self.phone(), "active": True}
            )  # fmt: skip
            self.staff_names[sid] = name
            return sid

        def post(sid: str, grid_id: str, code: str) -> None:
            posts.append({"id": self.new_id(), "grid_id": grid_id, "staff_id": sid, "post": code})

        for unit in self.units:
            previous_manager = ""
            for grid in unit.grids:
                # 一员多能: a manager may look after two neighbouring grids, an assistant may also collect.
                if previous_manager and self.chance(0.25):
                    grid.manager = previous_manager
                    previous_manager = ""
                else:
                    grid.manager = previous_manager = person()
                grid.assistant = person()
                grid.collector = grid.assistant if self.chance(0.2) else person()
                post(grid.manager, grid.id, "manager")
                post(grid.assistant, grid.id, "assistant")
                post(grid.collector, grid.id, "collector")
        for unit_id in (town, street):  # 乡镇（街道）值班人员
            for _ in range(rng.choice((2, 3))):
                post(person(), unit_id, "duty")
        for _ in range(2):  # 代办员 (乡镇驻村干部) of the rural township
            sid = person()
            post(sid, town, "agent")
            self.agents.append(sid)
        return staff, posts

    # -- stage 2: households and people ------------------------------------------------------------------------
    def build_people(self) -> None:
        """Households and people grid by grid, written as they accumulate (progress counts households)."""
        stage = "户与人口"
        kinds: tuple[type[Synced], ...] = (Household, Person, ResidenceDetail, Place, Tenancy)
        pending: dict[type[Synced], list[Row]] = {kind: [] for kind in kinds}
        done = 0
        if self.progress:
            self.progress(stage, 0, self.households)
        for unit in self.units:
            address = _Addresses(unit, self.rng)
            for grid in unit.grids:
                address.new_block()  # a grid is made of whole 组 (rural) or buildings (urban)
                self._grid_people(grid, unit, address, *pending.values())
                done += grid.size
                if sum(len(rows) for rows in pending.values()) >= CHUNK_ROWS:
                    self.commit(list(pending.items()))
                    pending = {kind: [] for kind in kinds}
                    if self.progress:
                        self.progress(stage, done, self.households)
        self.commit([*pending.items(), (SpecialGroupRecord, self._special_groups())])
        if self.progress:
            self.progress(stage, done, self.households)

    def _grid_people(
        self,
        grid: _Grid,
        unit: _Unit,
        address: _Addresses,
        households: list[Row],
        persons: list[Row],
        details: list[Row],
        places: list[Row],
        tenancies: list[Row],
    ) -> None:
        rng = self.rng
        urban = grid.urban
        county = "620503" if urban else "620502"
        info: list[_HouseholdInfo] = []
        floating_share = 0.09 if urban else 0.05
        n_floating = sum(1 for _ in range(grid.size) if self.chance(floating_share))
        n_floating = min(n_floating, grid.size - 1) if grid.size > 1 else 0
        # Rental housing (出租屋): each holds one to three floating households.
        n_rentals = max(min(2, grid.size), -(-n_floating * 10 // 18))
        rentals = [_Rental(self.new_id(), *address.take()) for _ in range(n_rentals)]
        local_heads: list[tuple[str, str, str]] = []
        floating_done = 0
        for i in range(grid.size):
            floating = i >= grid.size - n_floating
            hid = self.new_id()
            if floating and rentals:
                rental = (
                    rentals[floating_done % len(rentals)]
                    if floating_done < len(rentals)
                    else rng.choice(rentals)
                )
                floating_done += 1
                rental.tenants.append(hid)
                group, door, addr = rental.group, rental.door, rental.address
            else:
                group, door, addr = address.take()
            # 户号: grid code + serial, as app.services.households numbers a grid's households.
            number = f"{grid.code}{i + 1:04d}"
            collective = self.chance(0.01) and not floating
            if floating:
                origin, _, hui_share = _ORIGIN_DRAW.draw(rng)
                hui = self.chance(hui_share)
                members = self._floating_family(hui)
                region = origin
            else:
                hui = self.chance(0.06 if urban else 0.04)
                members = self._collective(urban) if collective else self._family(urban, hui)
                region = county
            tags = self._household_tags(urban, members, floating)
            person_rows = self._persons(grid, unit, hid, members, region, floating, hui, addr)
            head = person_rows[0]
            phone = head["phone"] or next((p["phone"] for p in person_rows if p["phone"]), "")
            households.append(
                {"id": hid, "grid_id": grid.id, "number": number, "head_id": head["id"],
                 "household_type": "2" if collective else "1", "group_name": group, "door_number": door,
                 "address": addr, "registry_matches": not floating and not self.chance(0.02), "phone": phone,
                 "tags": tags, "note": ("乡镇敬老院集体户" if not urban else "单位集体户") if collective else ""}
            )  # fmt: skip
            persons.extend(person_rows)
            spot = unit.name + (door[: door.index("楼") + 1] if urban else group)
            members_ids = [p["id"] for p in person_rows]
            info.append(
                _HouseholdInfo(hid, head["id"], head["name"], phone, addr, spot, floating, members_ids)
            )
            if not floating:
                local_heads.append((head["id"], head["name"], head["phone"]))
            for p in person_rows:
                age = DEMO_TODAY.year - p["birth_date"].year
                if 18 <= age <= 70 and not floating:
                    unit.adults.append((p["id"], p["name"], p["phone"]))
                if floating:
                    inflow = self.day_in(date(2019, 1, 1), date(2026, 10, 31))
                    details.append(
                        {"id": self.new_id(), "grid_id": grid.id, "person_id": p["id"], "residence_class": "2",
                         "fields": {"inflow_cause": _INFLOW_CAUSES.draw(rng),
                                    "certificate_type": "01" if self.chance(0.7) else "02",
                                    "domicile_type": "02" if self.chance(0.9) else "05",
                                    "inflow_date": inflow.isoformat()}}
                    )  # fmt: skip
                resident = _Resident(p["id"], grid.id, age, p["sex"])
                self._residents.append(resident)
                if "liushou" in tags and (age < 16 or age >= 60 or p["sex"] == "2"):
                    self._left_behind.append(resident)
        # Rental places with their tenants; the owner is a local household head of the grid.
        rental_ids: list[str] = []
        by_household = {h.id: h for h in info}
        for rental in rentals:
            rid, addr = rental.id, rental.address
            owner = rng.choice(local_heads) if local_heads else ("", "", "")
            places.append(
                {"id": rid, "grid_id": grid.id, "kind": "rental", "name": f"{owner[1] or '村集体'}出租屋（{addr}）",
                 "address": addr, "category": _RENTAL_USES.draw(rng),
                 "owner_id": owner[0] or None, "owner_name": owner[1], "phone": owner[2],
                 "hidden_danger": "01" if self.chance(0.05) else "00",
                 "fields": {"rooms": rng.randint(1, 6)}}
            )  # fmt: skip
            rental_ids.append(rid)
            for hid in rental.tenants:
                start = self.day_in(date(2021, 1, 1), date(2026, 10, 31))
                for pid in by_household[hid].members:
                    tenancies.append(
                        {"id": self.new_id(), "grid_id": grid.id, "place_id": rid, "person_id": pid,
                         "start_on": start, "end_on": None}
                    )  # fmt: skip
        complex_ids: list[str] = []
        kinds = _COMPLEX_PLACES_URBAN if urban else _COMPLEX_PLACES_RURAL
        for kind in rng.sample(kinds, rng.randint(1, 2)):
            pid = self.new_id()
            owner = rng.choice(local_heads) if local_heads else ("", "", "")
            area = unit.name if not urban else rng.choice(_ESTATE_NAMES)
            name = f"{area}{rng.choice(('', '兴旺', '顺发', '如意', '鑫源'))}{kind}"
            places.append(
                {"id": pid, "grid_id": grid.id, "kind": "complex", "name": name,
                 "address": address.take()[2], "category": kind, "owner_id": owner[0] or None,
                 "owner_name": owner[1], "phone": owner[2],
                 "hidden_danger": "02" if self.chance(0.1) else "00", "fields": {}}
            )  # fmt: skip
            complex_ids.append(pid)
        grid.households = info
        grid.rentals = rental_ids
        grid.complex_places = complex_ids

    def _member(self, relation: str, male: bool, age: int, surname: str, marital: str) -> _Member:
        return (relation, male, self.birth_for_age(max(0, age)), surname, marital)

    def _children(
        self, mother_age: int, surname: str, weights: Sequence[float], oldest: int = 30
    ) -> list[_Member]:
        rng = self.rng
        low, high = max(0, mother_age - 40), min(oldest, mother_age - 20)
        if high < low:
            return []
        k = rng.choices(range(len(weights)), weights=weights)[0]
        ages = sorted(rng.sample(range(low, high + 1), min(k, high - low + 1)), reverse=True)
        out = []
        for age in ages:
            male = self.chance(0.52)
            out.append(self._member("20" if male else "30", male, age, surname, "10"))
        return out

    def _family(self, urban: bool, hui: bool) -> list[_Member]:
        rng = self.rng
        names = self.names
        kind = _FAMILY_KINDS[urban].draw(rng)
        surname = names.surname(hui)
        kids = (0.1, 0.5, 0.35, 0.05) if urban else (0.05, 0.3, 0.45, 0.2)
        if kind == "elder":
            male = self.chance(0.4)
            return [
                self._member("02", male, rng.randint(65, 92), surname, "30" if self.chance(0.85) else "10")
            ]
        if kind == "single":
            age = rng.randint(22, 64)
            marital = "10" if age < 35 or self.chance(0.4) else "40"
            return [self._member("02", self.chance(0.65), age, surname, marital)]
        head_male = self.chance(0.85 if not urban else 0.78)
        if kind == "parent":  # widowed or divorced head with children
            age = rng.randint(35, 60)
            members = [self._member("02", head_male, age, surname, "30" if self.chance(0.5) else "40")]
            child_surname = surname if head_male else names.surname(hui)
            return members + self._children(age, child_surname, (0, 0.6, 0.4))
        if kind == "couple":
            age = rng.randint(50, 82)
        elif kind == "three":
            age = rng.randint(48, 72)
        else:
            age = rng.randint(25, 60)
        spouse_age = max(20, age + (rng.randint(-5, 1) if head_male else rng.randint(-1, 5)))
        marital = "22" if self.chance(0.05) else ("21" if self.chance(0.3) else "20")
        members = [
            self._member("02", head_male, age, surname, marital),
            self._member(("12" if head_male else "11") if self.chance(0.9) else "10", not head_male, spouse_age,
                         names.surname(hui), marital),
        ]  # fmt: skip
        child_surname = surname if head_male else members[1][3]
        mother_age = spouse_age if head_male else age
        if kind == "nuclear":
            members += self._children(mother_age, child_surname, kids if age >= 30 else kids[:3])
            if age <= 58 and self.chance(0.1 if urban else 0.18):
                parent_age = min(95, age + rng.randint(22, 32))
                both = self.chance(0.3)
                father = both or self.chance(0.35)
                if father:
                    members.append(self._member("51", True, parent_age, surname, "20" if both else "30"))
                if both or not father:
                    members.append(
                        self._member("52", False, max(parent_age - rng.randint(0, 4), age + 20), names.surname(hui),
                                     "20" if both else "30")
                    )  # fmt: skip
        elif kind == "three":  # the married son stays with his parents, as is usual in the north-west
            son_age = max(22, mother_age - rng.randint(22, 30))
            members.append(self._member("20", True, son_age, child_surname, "20"))
            wife_age = max(20, son_age + rng.randint(-4, 1))
            members.append(self._member("97", False, wife_age, names.surname(hui), "20"))
            low, high = max(0, wife_age - 38), wife_age - 20
            if high >= low:
                k = rng.choices((1, 2, 3), weights=(0.5, 0.4, 0.1))[0]
                for gage in sorted(rng.sample(range(low, high + 1), min(k, high - low + 1)), reverse=True):
                    members.append(self._member("40", self.chance(0.52), gage, child_surname, "10"))
            if self.chance(0.2) and son_age > 16:
                age2 = rng.randint(max(14, son_age - 10), son_age - 1)
                male = self.chance(0.4)
                members.append(self._member("20" if male else "30", male, age2, child_surname, "10"))
        return members

    def _floating_family(self, hui: bool) -> list[_Member]:
        rng = self.rng
        surname = self.names.surname(hui)
        age = rng.randint(19, 52)
        kind = _FLOATING_KINDS.draw(rng)
        if kind == "single":
            return [self._member("02", self.chance(0.7), age, surname, "10" if age < 28 else "20")]
        members = [
            self._member("02", True, max(age, 22), surname, "20"),
            self._member("12", False, max(20, age + rng.randint(-4, 1)), self.names.surname(hui), "20"),
        ]
        if kind == "family":
            mother_age = DEMO_TODAY.year - members[1][2].year
            members += self._children(mother_age, surname, (0, 0.6, 0.4), 16)
        return members

    def _collective(self, urban: bool) -> list[_Member]:
        rng = self.rng
        out = []
        for i in range(rng.randint(3, 8)):
            age = rng.randint(22, 58) if urban else rng.randint(66, 90)
            marital = "10" if urban and age < 30 else ("30" if not urban else "20")
            out.append(
                self._member("02" if i == 0 else "99", self.chance(0.6), age, self.names.surname(), marital)
            )
        return out

    def _household_tags(self, urban: bool, members: list[_Member], floating: bool) -> list[str]:
        if floating:
            return []
        tags = [
            tag for tag, p in (_HOUSEHOLD_TAGS_URBAN if urban else _HOUSEHOLD_TAGS_RURAL) if self.chance(p)
        ]
        if len(members) == 1 and DEMO_TODAY.year - members[0][2].year >= 65:
            tags.append("dujulaoren")
            if not urban and members[0][4] != "20" and self.chance(0.3):
                tags.append("wubao")
        elif not urban and len(members) >= 3 and self.chance(0.05):
            tags.append("liushou")
        return tags

    def _persons(
        self,
        grid: _Grid,
        unit: _Unit,
        household_id: str,
        members: list[_Member],
        region: str,
        floating: bool,
        hui: bool,
        address: str,
    ) -> list[Row]:
        rng = self.rng
        urban = grid.urban
        rows: list[Row] = []
        seen_names: set[str] = set()
        if floating:
            registered_region = region + "000000"
            registered_address = f"{region_name(region)}{members[0][3]}家{rng.choice(_PLACE_SUFFIXES)}村"
        else:
            registered_region = unit.code
            registered_address = address
        for relation, male, birth, surname, marital in members:
            age = DEMO_TODAY.year - birth.year
            name = surname + self.names.given(male, birth.year)
            while name in seen_names:
                name = surname + self.names.given(male, birth.year)
            seen_names.add(name)
            ethnicity = "03" if hui else ("01" if not self.chance(0.003) else rng.choice(("02", "04", "11")))
            phone_p = 0.0 if age < 14 else 0.5 if age < 18 else 0.95 if age <= 65 else 0.75
            rows.append(
                {"id": self.new_id(), "grid_id": grid.id, "household_id": household_id, "relation": relation,
                 "id_type": "111", "id_number": self.id_number(region, birth, male), "name": name,
                 "sex": "1" if male else "2", "birth_date": birth, "ethnicity": ethnicity, "native_place": region,
                 "marital": marital if age >= 20 else "10", "political": self._political(age, urban),
                 "education": self._education(age, birth.year, urban), "religion": self._religion(hui, age),
                 "occupation": self._occupation(age, urban, floating), "phone": self.phone() if self.chance(phone_p) else "",
                 "registered_region": registered_region, "registered_address": registered_address,
                 "residence_region": unit.code, "residence_address": address,
                 "residence_class": "2" if floating else "1", "former_name": "", "workplace": "", "tags": [],
                 "note": "", "deleted": False}
            )  # fmt: skip
        return rows

    def _education(self, age: int, year: int, urban: bool) -> str:
        if age < 6:
            return ""
        if age < 12:
            return "80"
        if age < 15:
            return "70"
        if age < 18:
            return "60" if self.chance(0.75) else "40"
        tier = 0 if year < 1956 else 1 if year < 1976 else 2 if year < 1996 else 3
        if urban:
            tier = min(3, tier + 1)
        return _EDUCATION[tier].draw(self.rng)

    def _political(self, age: int, urban: bool) -> str:
        r = self.rng.random()
        if age < 14:
            return "13"
        if age <= 28:
            return "03" if r < 0.3 else "01" if r < 0.33 else "13"
        party = 0.1 if urban else 0.07
        if r < party:
            return "01"
        if r < party + 0.004:
            return "02"
        if urban and r < party + 0.006:
            return self.rng.choice(("04", "05", "07", "10"))
        return "13"

    def _religion(self, hui: bool, age: int) -> str:
        if hui:
            return "伊斯兰教"
        return "佛教" if age >= 50 and self.chance(0.01) else ""

    def _occupation(self, age: int, urban: bool, floating: bool) -> str:
        if age < 6:
            return "学龄前儿童"
        if age < 18:
            return "学生"
        if age < 23 and self.chance(0.4):
            return "学生"
        if floating:
            return _OCCUPATION_FLOATING.draw(self.rng)
        if urban:
            if age >= 60:
                return "退休人员" if self.chance(0.8) else "无"
            if age >= 50 and self.chance(0.06):
                return "退休人员"
            return _OCCUPATION_URBAN.draw(self.rng)
        if age >= 65:
            return "农民" if self.chance(0.7) else "无"
        return _OCCUPATION_RURAL.draw(self.rng)

    def _special_groups(self) -> list[Row]:
        """Special-group detail records for SPECIAL_GROUP_SHARE of the people; all but 留守人员 are key persons."""
        rng = self.rng
        residents = self._residents
        quota = int(len(residents) * SPECIAL_GROUP_SHARE)
        left_behind = rng.sample(self._left_behind, min(len(self._left_behind), quota // 2))
        rows = []
        for p in left_behind:
            kind = "03" if p.age < 16 else "01" if p.age >= 60 else "02"
            rows.append(self._special_row(p, "left_behind", "03", {"left_behind_type": kind}))
        taken = {p.id for p in left_behind}
        grids = {g.id: g for g in self.grids}
        rest = quota - len(rows)
        weights = sum(g[1] for g in _SPECIAL_GROUPS)
        for code, weight, low, high, sex, detail, values in _SPECIAL_GROUPS:
            wanted = int(rest * weight / weights)
            for _ in range(wanted * 50):  # bounded: a small township may have nobody who fits
                if not wanted:
                    break
                p = rng.choice(residents)
                if p.id in taken or not low <= p.age <= high or sex not in ("", p.sex):
                    continue
                taken.add(p.id)
                wanted -= 1
                rows.append(
                    self._special_row(p, code, rng.choice(("01", "02", "03")), {detail: rng.choice(values)})
                )
                grids[p.grid_id].key_persons.append(p.id)
        return rows

    def _special_row(self, person: _Resident, code: str, concern: str, fields: dict[str, str]) -> Row:
        return {
            "id": self.new_id(), "grid_id": person.grid_id, "person_id": person.id, "group_code": code,
            "concern_level": concern, "help_situation": self.rng.choice(("01", "05", "99")), "fields": fields,
        }  # fmt: skip

    # -- stage 3: service points and organisations -------------------------------------------------------------
    def build_organisations(self) -> None:
        rng = self.rng
        places: list[Row] = []
        orgs: list[Row] = []
        members: list[Row] = []
        for unit in self.units:
            if unit.urban:
                for category, kinds in _SERVICE_POINTS.items():
                    for kind in rng.sample(kinds, rng.randint(1, 2)):
                        places.append(
                            {"id": self.new_id(), "grid_id": unit.id, "kind": "service_point",
                             "name": f"{unit.name.removesuffix('社区')}{kind}", "address": f"道北街道{unit.name}",
                             "category": category, "phone": self.phone(), "hidden_danger": "00",
                             "fields": {"hours": "8:00-18:00"}}
                        )  # fmt: skip
                leader = rng.choice(unit.adults) if unit.adults else ("", "", "")
                oid = self.new_id()
                orgs.append(
                    {"id": oid, "grid_id": unit.id, "kind": "social_org", "name": f"{unit.name}志愿服务队",
                     "leader_name": leader[1], "phone": leader[2], "address": f"道北街道{unit.name}",
                     "fields": {"members": rng.randint(15, 60)}}
                )  # fmt: skip
                members += self._members(oid, unit, "队长", leader)
                continue
            # The rural 7+1: seven organisations per administrative village (the +1 is 代办式服务, see errands).
            for kind, label, role in _ORG_KINDS:
                leader = rng.choice(unit.adults) if unit.adults else ("", "", "")
                oid = self.new_id()
                orgs.append(
                    {"id": oid, "grid_id": unit.id, "kind": kind, "name": f"{unit.name}{label}",
                     "leader_name": leader[1] if role else "", "phone": leader[2] if role else "",
                     "address": f"玉泉镇{unit.name}村委会",
                     "fields": {"established": f"{rng.randint(2011, 2016)}-{rng.randint(1, 12):02d}"}}
                )  # fmt: skip
                if role:
                    members += self._members(oid, unit, role, leader)
        self.write("场所与组织", [(Place, places), (Organisation, orgs), (Membership, members)])

    def _members(self, org_id: str, unit: _Unit, role: str, leader: tuple[str, str, str]) -> list[Row]:
        """The leader with ``role`` and a few members (组织成员) from the village's or community's adults."""
        if not leader[0]:
            return []
        others = self.rng.sample(unit.adults, min(len(unit.adults), self.rng.randint(2, 5)))
        people = [leader, *(p for p in others if p[0] != leader[0])]
        return [
            {"id": self.new_id(), "grid_id": unit.id, "organisation_id": org_id, "person_id": p[0],
             "role": role if p is leader else "成员"}
            for p in people
        ]  # fmt: skip

    # -- stage 4: sentiment logs, events and inspections -------------------------------------------------------
    def build_work(self) -> None:
        rng = self.rng
        events: list[Row] = []
        steps: list[Row] = []
        parties: list[Row] = []
        logs: list[Row] = []
        rounds: list[Row] = []
        visits: list[Row] = []
        for grid in self.grids:
            infos = grid.households
            locals_ = [h for h in infos if not h.floating] or infos
            if not infos:
                continue
            for month in range(1, 12):
                start = date(2026, month, 1)
                end = date(2026, month + 1, 1) - timedelta(days=1)
                # 民情日志: a few entries per grid and month by the information collector.
                for _ in range(rng.randint(2, 5)):
                    h = rng.choice(locals_)
                    category, _, texts = _SENTIMENT_DRAW.draw(rng)
                    day = self.day_in(start, end)
                    follow = category in ("livelihood", "dispute", "safety") and self.chance(0.12)
                    event_id = None
                    if follow:
                        event_id = self._event(grid, day, h, events, steps, parties, category)
                    logs.append(
                        {"id": self.new_id(), "grid_id": grid.id, "staff_id": grid.collector, "logged_on": day,
                         "visited": f"{h.head_name}户", "person_id": h.head_id, "category": category,
                         "content": rng.choice(texts).format(a=h.head_name), "needs_follow_up": follow,
                         "event_id": event_id}
                    )  # fmt: skip
                # Events reported in the grid directly.
                for _ in range(rng.choices((0, 1, 2), weights=(0.3, 0.45, 0.25))[0]):
                    self._event(grid, self.day_in(start, end), rng.choice(locals_), events, steps, parties)
            self._inspections(grid, events, steps, parties, rounds, visits)
        self.write(
            "民情、事件与排查",
            [(Event, events), (EventStep, steps), (EventParty, parties), (SentimentLog, logs),
             (InspectionRound, rounds), (InspectionVisit, visits)],
        )  # fmt: skip

    def _inspections(
        self,
        grid: _Grid,
        events: list[Row],
        steps: list[Row],
        parties: list[Row],
        rounds: list[Row],
        visits: list[Row],
    ) -> None:
        rng = self.rng
        infos = grid.households
        targets = (
            [("rental", pid) for pid in grid.rentals]
            + [("floating", h.head_id) for h in infos if h.floating]
            + [("complex", pid) for pid in grid.complex_places]
            + [("key_person", pid) for pid in grid.key_persons]
        )
        for half in range(24):
            month, second = divmod(half, 2)
            start = date(2026, month + 1, 16 if second else 1)
            if start > DEMO_TODAY:
                break
            if not second:
                end = date(2026, month + 1, 15)
            elif month < 11:
                end = date(2026, month + 2, 1) - timedelta(days=1)
            else:
                end = date(2026, 12, 31)
            rid = self.new_id()
            rounds.append(
                {
                    "id": rid,
                    "grid_id": grid.id,
                    "period_start": start,
                    "period_end": end,
                    "focus": _FOCUS[half][0],
                }
            )
            # Targets of the round's focus are nearly all visited (half of them so far in the current round);
            # key persons and complex places are called on every round; other rental housing is spot-checked.
            coverage = 0.5 if end >= DEMO_TODAY else 0.9
            focus = _FOCUS[half][1]
            for kind, target in targets:
                if _FOCUS_LETTER[kind] in focus or kind in ("key_person", "complex"):
                    if not self.chance(coverage):
                        continue
                elif kind == "floating" or not self.chance(0.1):
                    continue
                day = self.day_in(start, end)
                hazard = kind in ("rental", "complex") and self.chance(0.02)
                event_id = None
                if hazard and self.chance(0.5) and infos:
                    event_id = self._event(
                        grid, day, rng.choice(infos), events, steps, parties, hazard=True, place_id=target
                    )
                visits.append(
                    {"id": self.new_id(), "grid_id": grid.id, "round_id": rid, "target_kind": kind,
                     "target_id": target, "visited_on": day,
                     "findings": rng.choice(_FINDINGS_HAZARD) if hazard else rng.choice(_FINDINGS_OK),
                     "has_hazard": hazard, "event_id": event_id}
                )  # fmt: skip

    def _event(
        self,
        grid: _Grid,
        occurred: date,
        household: _HouseholdInfo,
        events: list[Row],
        steps: list[Row],
        parties: list[Row],
        sentiment: str = "",
        hazard: bool = False,
        place_id: str | None = None,
    ) -> str:
        """One event with its parties and handling record, walked through the event workflow up to DEMO_TODAY."""
        rng = self.rng
        where = "urban" if grid.urban else "rural"
        if hazard or sentiment == "safety":
            pool = _HAZARD_TEMPLATES
        else:
            pool = tuple(
                t for t in _EVENT_TEMPLATES
                if t[2] in ("both", where) and (sentiment != "dispute" or t[1] == "dispute")
            )  # fmt: skip
        type_code, category, _, title, description, result = rng.choice(pool)
        other = rng.choice(grid.households or [household])
        names = {"a": household.head_name, "b": other.head_name, "place": household.spot}
        eid = self.new_id()
        event: Row = {
            "id": eid, "grid_id": grid.id, "title": title.format(**names)[:100],
            "description": description.format(**names), "type_code": type_code, "category": category,
            "scale": "02" if self.chance(0.03) else "01", "place_text": household.address, "place_id": place_id,
            "occurred_on": occurred, "reporter_id": grid.collector, "immediate": False, "accepted_on": None,
            "deadline": None, "deadline_estimated": False, "extension_days": 0, "urge_count": 0,
            "supervise_count": 0, "handled_on": None, "closed_on": None, "feedback": "", "satisfaction": "",
        }  # fmt: skip
        parties.append(
            {"id": self.new_id(), "grid_id": grid.id, "event_id": eid, "person_id": household.head_id,
             "name": household.head_name, "role": "当事人"}
        )  # fmt: skip
        if "{b}" in title + description and other.head_id != household.head_id:
            parties.append(
                {"id": self.new_id(), "grid_id": grid.id, "event_id": eid, "person_id": other.head_id,
                 "name": other.head_name, "role": "当事人"}
            )  # fmt: skip
        walk = _Walk(
            self.new_id, event_rules.next_state, "event_id", eid, grid.id, EventState.DRAFT, occurred, steps
        )
        if (DEMO_TODAY - occurred).days <= 30 and self.chance(0.5):
            walk.halt = rng.choice([s for s in EventState if s is not EventState.ARCHIVED])
        self._handle_event(walk, event, result.format(**names))
        event["state"] = walk.state.value
        events.append(event)
        self._events_by_unit_month.setdefault((grid.parent.id, occurred.month), []).append((occurred, eid))
        return eid

    def _handle_event(self, walk: _Walk, event: Row, result: str) -> None:
        """上报 → 受理 → 处置 → 核查 → 结案 → 回访 → 归档, with the side exits, as far as DEMO_TODAY allows."""
        rng = self.rng
        category: str = event["category"]
        occurred: date = event["occurred_on"]
        r = rng.random()
        if r > 0.97:
            return  # still a draft
        if r < 0.3 and category in ("default", "dispute", "request", "hazard"):
            if walk.move(EventAction.RESOLVE_AT_ONCE, occurred, "网格内即时办结：" + result):
                deadline = event_rules.event_deadline(
                    occurred, category, self.rules, self.calendar, immediate=True
                )
                event.update(immediate=True, deadline=deadline.day, handled_on=occurred)
                self._close_event(walk, event, result)
            return
        reported = occurred + timedelta(days=0 if self.chance(0.7) else 1)
        if not walk.move(EventAction.REPORT, reported, "网格员上报"):
            return
        r = rng.random()
        if r < 0.05:  # 退回: reported again, withdrawn, or still with the reporter
            if not walk.move(EventAction.RETURN, self.workday_after(walk.last), "事件信息不完整，退回补充"):
                return
            r = rng.random()
            if r < 0.25:
                self._withdraw_event(walk, walk.last + timedelta(days=1), "当事人已自行协商解决，撤回")
                return
            if r < 0.5 or not walk.move(
                EventAction.REPORT, walk.last + timedelta(days=rng.randint(1, 3)), "补充情况后重新上报"
            ):
                return
        elif r < 0.08:
            note = "不属于受理范围，已告知当事人通过司法途径解决"
            if walk.move(EventAction.REJECT, self.workday_after(walk.last), note):
                self._archive_event(walk, 0.7)
            return
        elif r < 0.1:
            self._withdraw_event(walk, walk.last + timedelta(days=rng.randint(0, 2)), "矛盾已化解，撤回")
            return
        reported = walk.last
        accepted = (
            reported
            if self.calendar.is_workday(reported) and self.chance(0.4)
            else self.workday_after(reported)
        )
        if not walk.move(EventAction.ACCEPT, accepted, "乡镇（街道）综治中心受理，交办处置"):
            return
        deadline = event_rules.event_deadline(accepted, category, self.rules, self.calendar)
        event.update(accepted_on=accepted, deadline=deadline.day, deadline_estimated=deadline.estimated)
        started = accepted if self.chance(0.7) else self.workday_after(accepted)
        if not walk.move(EventAction.START, started, "责任单位开始处置"):
            return
        allowed = self.rules.get(category) or self.rules.get(
            event_rules.DEFAULT_CATEGORY, event_rules.ORDINARY_WORKING_DAYS
        )
        if self.chance(0.08) and allowed <= event_rules.MAX_WORKING_DAYS - 2:
            extension = rng.randint(2, min(5, event_rules.MAX_WORKING_DAYS - allowed))
            asked = min(deadline.day, self.workday_after(walk.last))
            if walk.move(EventAction.EXTEND, asked, f"情况复杂，经批准延期{extension}个工作日"):
                allowed += extension
                deadline = event_rules.event_deadline(
                    accepted, category, self.rules, self.calendar, extension_days=extension
                )
                event.update(
                    extension_days=extension, deadline=deadline.day, deadline_estimated=deadline.estimated
                )
        late = self.chance(0.1)
        finished = self.workday_after(
            accepted, allowed + rng.randint(1, 4) if late else rng.randint(1, allowed)
        )
        if min(finished, DEMO_TODAY) > deadline.day:  # overdue: 催办, sometimes 督办
            event.update(urge_count=rng.randint(1, 3), supervise_count=rng.randint(0, 1))
        if walk.move(EventAction.FINISH, finished, "处置完毕：" + result):
            event["handled_on"] = walk.last
            self._close_event(walk, event, result)

    def _close_event(self, walk: _Walk, event: Row, result: str) -> None:
        """处置完毕 → 核查 (sometimes failed once) → 结案 → 回访评价 → 归档."""
        if not walk.move(EventAction.VERIFY, self.workday_after(walk.last), "提请核查处置结果"):
            return
        if self.chance(0.06):
            if not walk.move(EventAction.VERIFY_FAIL, walk.last, "核查发现问题未彻底解决，退回继续处置"):
                return
            if not walk.move(EventAction.FINISH, self.workday_after(walk.last, 2), "再次处置完毕"):
                return
            event["handled_on"] = walk.last
            if not walk.move(EventAction.VERIFY, self.workday_after(walk.last), "再次提请核查"):
                return
        closed = walk.last if self.chance(0.6) else self.workday_after(walk.last)
        if not walk.move(EventAction.CLOSE, closed, "核查通过，予以结案"):
            return
        event["closed_on"] = walk.last
        satisfaction = _SATISFACTION.draw(self.rng)
        revisit = walk.last + timedelta(days=self.rng.randint(1, 5))
        if walk.move(EventAction.REVISIT, revisit, f"电话回访当事人，评价：{satisfaction}"):
            event.update(feedback=result, satisfaction=satisfaction)
            self._archive_event(walk, 1.0)

    def _withdraw_event(self, walk: _Walk, day: date, note: str) -> None:
        if walk.move(EventAction.WITHDRAW, day, note):
            self._archive_event(walk, 0.6)

    def _archive_event(self, walk: _Walk, p: float) -> None:
        if self.chance(p):
            walk.move(
                EventAction.ARCHIVE, walk.last + timedelta(days=self.rng.randint(3, 20)), "资料整理归档"
            )

    # -- stage 5: meetings -------------------------------------------------------------------------------------
    def build_meetings(self) -> None:
        rng = self.rng
        meetings: list[Row] = []
        links: list[Row] = []
        for unit in self.units:
            for month in range(1, 12):
                held = self.workday_after(
                    date(2026, month, 1) + timedelta(days=rng.randint(18, 25)) - timedelta(days=1)
                )
                if held > DEMO_TODAY:
                    held = DEMO_TODAY
                heads = [self.staff_names[g.manager] for g in unit.grids]
                mid = self.new_id()
                month_events = [
                    eid for day, eid in self._events_by_unit_month.get((unit.id, month), []) if day <= held
                ]
                meetings.append(
                    {"id": mid, "grid_id": unit.id, "kind": "analysis", "held_on": held,
                     "title": f"{unit.name}{month}月民情分析研判会",
                     "attendees": "、".join(dict.fromkeys(heads + [self.staff_names[g.collector] for g in unit.grids])),
                     "minutes": f"梳理本月民情日志和事件{len(month_events)}件，分析矛盾纠纷和安全隐患动向。",
                     "decisions": "对未办结事件逐件明确责任人和办理时限；重点关注独居老人和留守人员。"}
                )  # fmt: skip
                for eid in rng.sample(month_events, min(len(month_events), rng.randint(1, 3))):
                    links.append(
                        {"id": self.new_id(), "grid_id": unit.id, "meeting_id": mid, "event_id": eid}
                    )
                if unit.urban:
                    meetings.append(
                        {"id": self.new_id(), "grid_id": unit.id, "kind": "liaison",
                         "held_on": self.workday_after(date(2026, month, 1) + timedelta(days=rng.randint(3, 8))),
                         "title": f"{unit.name}{month}月联系会议",
                         "attendees": "辖区单位联系人、物业公司、综治专干、社区民警、网格负责人；街道联系领导",
                         "minutes": "听取各网格工作开展情况，交流经验，分析存在问题。",
                         "decisions": "落实小区消防通道清理；协调物业公司整改群众反映问题。"}
                    )  # fmt: skip
        for month in range(1, 12):
            meetings.append(
                {"id": self.new_id(), "grid_id": self.township, "kind": "liaison",
                 "held_on": self.workday_after(date(2026, month, 1) + timedelta(days=rng.randint(3, 8))),
                 "title": f"玉泉镇{month}月网格化管理联系会议",
                 "attendees": "镇综治办、派出所、司法所、各村网格负责人、代办员",
                 "minutes": "通报各村网格事件办理和代办服务情况。",
                 "decisions": "超期事件由包片领导督办；代办件按时返还。"}
            )  # fmt: skip
        self.write("会议", [(Meeting, meetings), (MeetingEvent, links)])

    # -- stage 6: errands (代办式服务) ---------------------------------------------------------------------------
    def build_errands(self) -> None:
        rng = self.rng
        items: list[Row] = []
        for order, (category, name, materials, in_person, office) in enumerate(_ERRAND_ITEMS, start=1):
            items.append(
                {"id": self.new_id(), "category": category, "name": name,
                 "materials": list(materials), "in_person": in_person, "office": office, "sort_order": order}
            )  # fmt: skip
        errands: list[Row] = []
        steps: list[Row] = []
        for grid in self.grids:
            if grid.urban or not grid.households:
                continue
            locals_ = [h for h in grid.households if not h.floating] or grid.households
            for month in range(1, 12):
                start = date(2026, month, 1)
                end = date(2026, month + 1, 1) - timedelta(days=1)
                for _ in range(rng.choices((0, 1, 2, 3), weights=(0.15, 0.35, 0.35, 0.15))[0]):
                    item = rng.choice(items)
                    errands.append(
                        self._errand(grid, rng.choice(locals_), item, self.day_in(start, end), steps)
                    )
        self.write("代办服务", [(ErrandItem, items), (Errand, errands), (ErrandStep, steps)])

    def _errand(
        self, grid: _Grid, household: _HouseholdInfo, item: Row, registered: date, steps: list[Row]
    ) -> Row:
        """One errand walked through the errand workflow up to DEMO_TODAY."""
        eid = self.new_id()
        errand: Row = {
            "id": eid, "grid_id": grid.id, "person_id": household.head_id, "applicant_name": household.head_name,
            "applicant_phone": household.phone, "item_id": item["id"], "agent_id": self.rng.choice(self.agents),
            "registered_on": registered, "materials_received": [], "completed_on": None, "return_due": None,
            "return_due_estimated": False, "returned_on": None, "evaluation": "", "guidance": "", "reason": "",
            "note": "",
        }  # fmt: skip
        walk = _Walk(
            self.new_id,
            errand_rules.next_state,
            "errand_id",
            eid,
            grid.id,
            ErrandState.REGISTERED,
            registered,
            steps,
        )
        if (DEMO_TODAY - registered).days <= 30 and self.chance(0.5):
            walk.halt = self.rng.choice([s for s in ErrandState if s is not ErrandState.EVALUATED])
        self._handle_errand(walk, errand, item)
        errand["state"] = walk.state.value
        return errand

    def _handle_errand(self, walk: _Walk, errand: Row, item: Row) -> None:
        """登记 → 已收件 → 已送乡镇 → 办理中 → 已办结 → 已返还 → 评价, with 补件, 不予办理 and 需本人办理."""
        rng = self.rng
        materials: list[str] = item["materials"]
        registered: date = errand["registered_on"]
        if item["in_person"] or self.chance(0.01):
            at = registered if self.chance(0.7) else self.workday_after(registered)
            if walk.move(ErrandAction.NEED_IN_PERSON, at, "该事项需本人到场办理") and self.chance(0.9):
                guidance = f"请本人携带{'、'.join(materials)}到{item['office']}办理，工作日上午9时至下午5时。"
                if walk.move(ErrandAction.GUIDE, walk.last, guidance):
                    errand["guidance"] = guidance
            return
        if self.chance(0.03):
            return  # registered, not yet collected
        received = registered + timedelta(days=0 if self.chance(0.8) else 1)
        if self.chance(0.08) and len(materials) > 1:  # 补件 at the doorstep
            missing = materials[-1]
            errand["materials_received"] = materials[:-1]
            if not walk.move(ErrandAction.REQUEST_MORE, received, f"缺少{missing}，已告知群众补齐"):
                return
            errand["reason"] = f"缺少{missing}"
            r = rng.random()
            if r >= 0.85:
                reason = f"群众逾期未补齐{missing}，不予办理"
                if walk.move(ErrandAction.REFUSE, self.workday_after(received, 10), reason):
                    errand["reason"] = reason
                return
            if r >= 0.7 or not walk.move(
                ErrandAction.SUPPLY, received + timedelta(days=rng.randint(1, 6)), "材料已补齐"
            ):
                return
        elif not walk.move(ErrandAction.RECEIVE, received, "代办员收取材料"):
            return
        errand["materials_received"] = list(materials)
        if not walk.move(ErrandAction.SEND, self.workday_after(walk.last), "代办员统一送乡镇"):
            return
        delay = self.rng.choice((0, 0, 0, 1, 2))
        processing = self.workday_after(walk.last, delay) if delay else walk.last
        if not walk.move(ErrandAction.PROCESS, processing, f"{item['office']}受理办理"):
            return
        r = rng.random()
        if r < 0.03:
            reason = "经审核不符合办理条件"
            if walk.move(ErrandAction.REFUSE, self.workday_after(walk.last, 2), reason):
                errand["reason"] = reason
            return
        if r < 0.06 and len(materials) > 1:
            if walk.move(
                ErrandAction.REQUEST_MORE, self.workday_after(walk.last), f"{materials[-1]}不清晰，需重新提供"
            ):
                errand["reason"] = f"{materials[-1]}不清晰，需重新提供"
            return
        if not walk.move(ErrandAction.COMPLETE, self.workday_after(walk.last, rng.randint(1, 5)), "办结"):
            return
        completed = walk.last
        due = errand_rules.return_due(completed, self.calendar)
        errand.update(completed_on=completed, return_due=due.day, return_due_estimated=due.estimated)
        r = rng.random()
        if r < 0.12:
            returned = self.workday_after(completed)  # early
        elif r < 0.9:
            returned = due.day
        else:
            returned = self.workday_after(due.day, rng.randint(1, 3))  # late
        if not walk.move(ErrandAction.RETURN, returned, "返还群众签收"):
            return
        errand["returned_on"] = walk.last
        evaluation = _SATISFACTION.draw(self.rng)
        if walk.move(
            ErrandAction.EVALUATE,
            walk.last + timedelta(days=rng.choice((0, 0, 0, 1, 3))),
            f"群众评价：{evaluation}",
        ):
            errand["evaluation"] = evaluation


def generate_demo(
    ledger: Ledger, *, households: int = 600, seed: int = 2026, progress: Progress | None = None
) -> DemoSummary:
    """Fill ``ledger`` with a demo township and street office of about ``households`` households.

    The same ``seed`` and ``households`` give the same field values and record ids. ``progress(stage, done,
    total)`` is called as each stage's records are written. Returns the number of records of each kind.
    """
    if households < 1:
        raise ValueError(f"households must be at least 1, got {households}")
    started = time.perf_counter()
    demo = _Demo(ledger, households, seed, progress)
    demo.build_grid()
    demo.build_people()
    demo.build_organisations()
    demo.build_work()
    demo.build_meetings()
    demo.build_errands()
    return DemoSummary(**demo.counts, elapsed_seconds=time.perf_counter() - started)
