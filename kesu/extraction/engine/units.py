"""Counting units (measure words) and the words that make a number *not* a fact.

Everything here is written in simplified characters: matching runs on the normalised
text, where traditional characters have already been folded.
"""

from __future__ import annotations

import re

# Measure words and units that make a number a counted quantity.  Longer entries win
# (人次 before 人, 平方米 before 米); see ``UNIT_RX``.
COUNT_UNITS = """
人次 人日 人天 人 名 位 员 个次
个 场次 场 次 期次 期 项 件 份 册 本 套 台次 台 户次 辆次 户 亩 所 家 座 处 条 篇 部 张 幅 块 辆
门 种 类 支 队 间 栋 幢 株 头 只 棵 口 匹 尾 羽 枚 颗 根 艘 架次 架 组 对 把 面 片 盘 碟 盒 箱 袋 瓶 卷
首 幕 轮 例 宗 笔 起 站次 校次 村次 站 网点 学时 课时 课 讲 节 堂 集 班次 班 批次 批 车次 册次 期班 校 园 村 户数
吨 公斤 千克 克 斤 公里 千米 平方公里 平方千米 平方米 ㎡ 立方米 米 公顷 千瓦 兆瓦 度 升
元 角 分钱 美元 港元 欧元 分
% ‰ 百分点 倍 成
""".split()

# Units that mark dates, durations, ages, ordinals and identifiers: a number carrying one
# of these is not a fact.  Matched with the same longest-first rule as COUNT_UNITS.
NON_FACT_UNITS = """
年度 年级 年代 年 月份 月 日 天 号 时 小时 分钟 秒 岁 周岁 周年 届 载 世纪 季度 星期 周 旬 晚 夜 宿
字 页 楼 层 点 版 代 级 等 码 寸 吋 英寸 毫米 厘米 度数 线 路 条款
""".split()

# Words after ``个`` that make it a duration, not a count ("3个月", "4个多小时").
DURATION_AFTER_GE = ("月", "小时", "星期", "周末", "工作日", "学期", "季度", "年头", "世纪", "钟头", "礼拜", "周", "週")

_ALL = sorted(set(COUNT_UNITS) | set(NON_FACT_UNITS), key=len, reverse=True)
UNIT_RX = re.compile("|".join(re.escape(u) for u in _ALL))
COUNT_SET = frozenset(COUNT_UNITS)
NON_FACT_SET = frozenset(NON_FACT_UNITS) - COUNT_SET

# Units that make money; value is converted to 元.
MONEY_SCALE = {"元": 1.0, "角": 0.1, "分钱": 0.01}

# How a unit is written in the output (rule: simplified, no multiplier, ㎡ → 平方米).
UNIT_OUTPUT = {"㎡": "平方米", "分钱": "元", "角": "元"}

# Head nouns that can end an "N大 + noun" phrase (九大任务, 四大重点人群).  The phrase is cut
# at the first of these so that "四大重点人群科学素质行动" keeps only "四大重点人群".
BIG_HEADS = (
    "人群", "任务", "战略", "领域", "功能", "单元", "展厅", "类型", "制造业", "产业", "工程", "行动",
    "板块", "体系", "平台", "目标", "中心", "基地", "项目", "主题", "方面", "系统", "模块", "区域",
    "片区", "行业", "专项", "品牌", "名片", "机制", "措施", "举措", "服务", "活动", "场馆",
    "博物馆", "科技馆", "展区", "展馆", "工作", "问题", "难题", "群体", "要素", "原则", "理念",
)


# Classifiers that sit between a number and the noun they count ("12所学校", "8名信息员"):
# when a noun phrase follows them, that noun is the subject.
CLASSIFIERS = frozenset(
    "个 名 位 所 家 项 件 座 支 种 类 间 栋 株 头 只 棵 枚 颗 根 艘 架 组 对 把 面 片 部 张 幅 块 辆 门 条 篇 本 册 套 台 户 处 批".split()
)


def output_unit(unit: str) -> str:
    return UNIT_OUTPUT.get(unit, unit)
