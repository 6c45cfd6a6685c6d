"""The shape of the template: sheet names, headers (in Chinese, as offices know them) and column widths."""

from dataclasses import dataclass

VALUES_SHEET = "指标数据"
ACTIVITIES_SHEET = "活动"
GUIDE_SHEET = "填报说明"
LISTS_SHEET = "选项"
TEMPLATE_MARK = "模板标识"  # label of the cell on the guide sheet that names the reporter and period


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool = True  # must be present as a column (not: must be filled)
    read_only: bool = False


VALUE_COLUMNS = [
    Column("code", "指标编码", 16, read_only=True),
    Column("name", "指标名称", 36, required=False, read_only=True),
    Column("measure_unit", "计量单位", 10, required=False, read_only=True),
    Column("previous", "上年数值", 14, required=False, read_only=True),
    Column("value", "本期数值", 14),
    Column("explanation", "情况说明", 40, required=False),
]

ACTIVITY_COLUMNS = [
    Column("title", "活动名称", 36),
    Column("kind", "活动类型", 14),
    Column("population", "面向人群", 18),
    Column("start_date", "开始日期", 13),
    Column("end_date", "结束日期", 13),
    Column("region", "举办地", 16),
    Column("sessions", "期（场）次", 11),
    Column("participants", "参加人次", 11),
    Column("people", "参加人数", 11),
    Column("materials", "发放资料（份）", 14),
    Column("funds", "经费（元）", 13),
    Column("place", "地点", 24),
    Column("task", "关联任务", 36),
    Column("notes", "备注", 30),
]

SHEETS = {VALUES_SHEET: VALUE_COLUMNS, ACTIVITIES_SHEET: ACTIVITY_COLUMNS}

# Headers people type differently; both spellings mean the same column.
HEADER_ALIASES = {
    "期(场)次": "期（场）次", "期次": "期（场）次", "场次": "期（场）次",
    "发放资料(份)": "发放资料（份）", "发放资料": "发放资料（份）",
    "经费(元)": "经费（元）", "经费": "经费（元）",
    "数值": "本期数值", "本年数值": "本期数值", "说明": "情况说明",
}


def canonical_header(text: str) -> str:
    text = "".join(str(text).split())
    return HEADER_ALIASES.get(text, text)
