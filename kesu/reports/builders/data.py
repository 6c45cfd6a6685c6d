"""The plain context a report is written from.

``kesu.reports.context`` fills these from the database; tests fill them by hand. Every figure keeps the link to its
source (``source_url``) so the HTML view can show where a number came from. A value of ``None`` means 未填报: the
writers leave such a figure out of prose and say 未填报 in tables — they never print "None" or guess.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

INTEGER, DECIMAL, PERCENT = "integer", "decimal", "percent"


@dataclass
class Figure:
    """One indicator's value for the report's region and period, with what it is compared against."""

    code: str
    label: str
    unit: str = ""
    value: Decimal | None = None
    previous: Decimal | None = None  # the same period of the previous year
    target: Decimal | None = None
    value_type: str = INTEGER
    is_flow: bool = True  # summed over time (活动、培训) rather than a period-end stock (科普示范村)
    source_url: str = ""
    source_label: str = ""

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def is_percent(self) -> bool:
        return self.value_type == PERCENT or self.unit == "%"

    @property
    def completion(self) -> Decimal | None:
        """Actual ÷ target × 100, or None when either is missing or the target is zero."""
        if self.value is None or not self.target:
            return None
        return Decimal(self.value) / Decimal(self.target) * 100


@dataclass
class Narrative:
    """What a unit wrote about a task: progress, results, problems, next steps (any may be empty)."""

    unit: str
    task: str = ""
    progress: str = ""
    results: str = ""
    problems: str = ""
    next_steps: str = ""
    source_url: str = ""
    region: str = ""  # the lower region of the unit, in an upper region's report


@dataclass
class TaskCheck:
    """A task of the plan with its units and the figures of its indicators: a 考核 item of the 自查报告."""

    number: str
    title: str
    lead_units: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    narratives: list[Narrative] = field(default_factory=list)


@dataclass
class ActivitySeries:
    """One unit's activities of one theme in the period, as its activity records have them (not its own words).

    The theme is the activity's title without the place (“高素质农民培训班（涌兴镇）” → “高素质农民培训班”); a series
    is what a highlight cites: the largest reach, a named event, a first.
    """

    unit: str
    theme: str
    task: str = ""
    events: int = 0  # activity records
    participants: int = 0
    places: int = 0  # distinct lower places it was held in (townships of a county unit, counties of a city unit)
    place_word: str = "乡镇（街道）"
    month: int = 0  # the month of its first activity in the period
    named: bool = False  # a named event of the national calendar (全国科普日, 科技活动周, “三下乡” …)
    first_time: bool = False  # the region held no activity of this theme before the period
    lower_region: str = ""  # the lower region whose unit organised it (in an upper region's report)
    source_url: str = ""


@dataclass
class ItemSection:
    """One 提升行动 or 重点工程 (a framework item) with the figures and narratives that belong to it."""

    code: str
    title: str
    kind: str = "action"  # action | project | other
    figures: list[Figure] = field(default_factory=list)
    narratives: list[Narrative] = field(default_factory=list)
    tasks: list[TaskCheck] = field(default_factory=list)
    activities: list[ActivitySeries] = field(default_factory=list)  # the region's whole subtree
    lower_narratives: list[Narrative] = field(default_factory=list)  # the lower regions' units (upper regions only)

    @property
    def has_data(self) -> bool:
        return any(f.has_value for f in self.figures) or any(
            n.progress or n.results for n in self.narratives + self.lower_narratives
        )


@dataclass
class MeetingEntry:
    title: str
    held_on: date
    decisions: str = ""
    source_url: str = ""


@dataclass
class DocumentEntry:
    title: str
    doc_no: str = ""
    issuer: str = ""
    issued_on: date | None = None
    source_url: str = ""


@dataclass
class Organisation:
    """（一）组织领导与工作机制: the coordination body, its meetings and documents, its member units."""

    body_name: str = ""
    leader: str = ""  # e.g. 副县长张立新
    office_unit: str = ""
    member_units: list[str] = field(default_factory=list)
    meetings: list[MeetingEntry] = field(default_factory=list)
    documents: list[DocumentEntry] = field(default_factory=list)
    source_url: str = ""

    @property
    def has_data(self) -> bool:
        return bool(self.body_name or self.member_units or self.meetings or self.documents)


@dataclass
class RegionFigure:
    """A lower region's value of the report's lead indicator, for the ranking table and chart."""

    name: str
    value: Decimal | None
    target: Decimal | None = None
    source_url: str = ""

    @property
    def completion(self) -> Decimal | None:
        if self.value is None or not self.target:
            return None
        return Decimal(self.value) / Decimal(self.target) * 100


@dataclass
class TrendPoint:
    year: int
    value: Decimal | None
    target: Decimal | None = None


@dataclass
class LiteracyCitation:
    """Where the region's 公民具备科学素质的比例 comes from: its own accepted sample survey, or a published result."""

    share: Decimal | None  # per cent; None when the survey's sample was too small to publish
    margin: Decimal | None = None  # ± percentage points (a survey only)
    survey: str = ""  # the survey's title; empty for a published result
    source_url: str = ""

    @property
    def from_survey(self) -> bool:
        return bool(self.survey)


@dataclass
class AssessmentItem:
    """One 考核 item of the region's self-assessment: its weight, the self-score and what proves it."""

    number: str
    title: str
    weight: Decimal
    self_points: Decimal | None = None
    self_note: str = ""
    evidence: str = ""
    basis: str = ""  # how the data scored it, where a rule did (按数据计分的依据)


@dataclass
class SelfAssessment:
    """The region's 自评 under the upper level's 考核细则 for the year (from the assessment app)."""

    scheme: str
    status: str
    self_total: Decimal | None
    items: list[AssessmentItem] = field(default_factory=list)
    source_url: str = ""

    @property
    def full_marks(self) -> Decimal:
        return sum((i.weight for i in self.items), Decimal(0))


@dataclass
class ReportContext:
    """Everything a report of one kind, region and period is written from."""

    kind: str
    region_name: str
    period_id: str
    period_label: str  # 2026年, 2026年上半年
    year: int
    office_name: str  # the signature: 渠县全民科学素质工作领导小组办公室
    report_date: date
    plan_title: str = ""  # 渠县全民科学素质行动规划纲要实施方案（2021—2025年）
    framework_name: str = ""  # 全民科学素质行动规划纲要（2021—2035年）
    guidance: str = ""  # the guiding-thought clause of the opening paragraph
    headline: list[Figure] = field(default_factory=list)
    organisation: Organisation = field(default_factory=Organisation)
    sections: list[ItemSection] = field(default_factory=list)
    key_figures: list[Figure] = field(default_factory=list)  # the table of key indicators
    lower_regions: list[RegionFigure] = field(default_factory=list)
    ranking_label: str = ""  # what lower_regions measure, e.g. 农村实用技术培训人次
    ranking_unit: str = ""
    trend: list[TrendPoint] = field(default_factory=list)
    trend_label: str = ""
    trend_unit: str = ""
    ranking_total: Decimal | None = None  # the region's own value of the ranking indicator (≥ the regions' sum)
    problems: list[Narrative] = field(default_factory=list)
    next_steps: list[Narrative] = field(default_factory=list)
    next_targets: list[Figure] = field(default_factory=list)  # the next year's targets of the key indicators
    next_tasks: list[str] = field(default_factory=list)  # the next year's tasks where a plan for it exists
    literacy: LiteracyCitation | None = None  # how the opening cites the literacy ratio
    assessment: SelfAssessment | None = None  # the 自查报告's 考核 items, when the region has a self-assessment
    data_state: str = ""  # fingerprint of the data the report was written from
    is_demo: bool = False

    @property
    def region_scope_word(self) -> str:
        """全县 / 全市 / 全区 / 全省 / 全旗: how the text refers to the whole region."""
        last = self.region_name[-1:] if self.region_name else ""
        return f"全{last}" if last in "县市区省旗州盟" else "全域"

    @property
    def lower_word(self) -> str:
        """各乡镇 for a county, 各县（市、区） for a prefecture."""
        last = self.region_name[-1:]
        if last in "县旗" or self.region_name.endswith("区"):
            return "各乡镇（街道）"
        if last == "省":
            return "各市（州）"
        return "各县（市、区）"
