"""What the demo's reports say, read as an office would before sending them: at county and prefecture level, for
every kind of written report. The documents are built once for the module from the demo (the real context builder
and analytics figures) and checked against the rules of the genre in ``genre_rules``."""

import re
from collections import Counter

import pytest

from kesu.accounts.models import Role
from kesu.accounts.scope import Scope
from kesu.core import cnformat
from kesu.core.periods import Period
from kesu.regions.models import Region
from kesu.reports import context
from kesu.reports.builders import clauses, kinds, planning
from kesu.reports.builders.blocks import Heading, Paragraph, Table
from kesu.reports.builders.document import build_document

from . import genre_rules

pytest.importorskip("kesu.analytics.selectors.figures")

# The marker makes the session set up the test database (the documents are built by a module fixture, and a session
# whose tests ask for no database would leave it to the development one).
pytestmark = pytest.mark.django_db

COUNTY, PREFECTURE = "511725", "511700"
KINDS = ((kinds.ANNUAL_SUMMARY, "2025"), (kinds.WORK_REPORT, "2025"), (kinds.SELF_CHECK, "2025"),
         (kinds.PROGRESS, "2025S1"))
CASES = [(region, kind, period) for region in (COUNTY, PREFECTURE) for kind, period in KINDS]


@pytest.fixture(scope="module")
def reports(demo_db, django_db_blocker):
    """(region code, kind, period) → (context, document), without charts: the text is what is read here."""
    out = {}
    with django_db_blocker.unblock():
        for code, kind, period in CASES:
            region = Region.objects.get(code=code)
            ctx = context.build_context(Scope(role=Role.ADMIN), region=region, period=Period.parse(period), kind=kind)
            out[(code, kind, period)] = (ctx, build_document(ctx, with_charts=False))
    return out


def prose(document) -> str:
    return "\n".join(b.text for b in [document.opening, *document.body] if isinstance(b, Paragraph))


def section_text(document, title: str) -> str:
    """The paragraphs under the level-1 heading ``title`` (up to the next level-1 heading)."""
    out, inside = [], False
    for block in document.body:
        if isinstance(block, Heading) and block.level == 1:
            inside = block.text == title
        elif inside and isinstance(block, Paragraph):
            out.append(block.text)
    return "\n".join(out)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_no_sentence_is_said_twice(reports, case):
    _, document = reports[case]
    sentences = [s for s in re.split(r"[。；]", prose(document)) if len(s) >= genre_rules.MIN_SENTENCE]
    repeated = [s for s, n in Counter(sentences).items() if n > 1]
    assert not repeated, repeated[:3]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_no_stock_clause_repeated_per_unit(reports, case):
    _, document = reports[case]
    text = prose(document)
    for stock in genre_rules.STOCK_CLAUSES:
        assert text.count(stock) <= 1, stock
    # No clause of substance appears twice, whoever wrote it.
    found = Counter(c for s in re.split(r"[。；]", text) for c in clauses.split_clauses(s)
                    if len(c) >= genre_rules.MIN_CLAUSE)
    assert not [c for c, n in found.items() if n > 1]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_no_leftovers_of_the_units_own_texts(reports, case):
    _, document = reports[case]
    text = prose(document)
    assert not clauses.has_self_reference(text), re.findall(r".{8}(?:我局|我会|我校|我部|我委|本单位).{4}", text)[:3]
    for pattern in genre_rules.LEFTOVERS:
        assert not re.search(pattern, text), re.findall(f".{{8}}{pattern}.{{8}}", text)[:3]


# The 自查报告 cites each task's figures under the task as its evidence: an indicator of two tasks is cited twice.
@pytest.mark.parametrize("case", [c for c in CASES if c[1] != kinds.SELF_CHECK], ids=lambda c: "-".join(c))
def test_no_figure_is_said_twice(reports, case):
    _, document = reports[case]
    codes = Counter(r.figure.code for r in document.figure_runs())
    assert not [c for c, n in codes.items() if n > 1]


@pytest.mark.parametrize("case", [c for c in CASES if c[2] == "2025"], ids=lambda c: "-".join(c))
def test_problems_name_the_missed_targets_of_the_table(reports, case):
    ctx, document = reports[case]
    missed = planning.missed_targets(ctx)
    assert missed, "the demo has targets missed at both levels"
    problems = section_text(document, "存在问题")
    assert problems.startswith("一是") and "二是" in problems
    for fig in missed:
        assert planning.running_label(fig.label) in problems


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_prose_is_within_the_length_budget(reports, case):
    _, document = reports[case]
    least, most = planning.PROSE_LIMITS[case[1]]
    length = len(prose(document))
    assert least <= length <= most, length


@pytest.mark.parametrize("code", [COUNTY, PREFECTURE])
def test_work_report_and_summary_share_figures_not_text(reports, code):
    _, summary = reports[(code, kinds.ANNUAL_SUMMARY, "2025")]
    _, report = reports[(code, kinds.WORK_REPORT, "2025")]
    assert genre_rules.reuse(prose(summary), prose(report)) < genre_rules.MAX_GENRE_SIMILARITY
    headings = [b.text for b in report.body if isinstance(b, Heading) and b.level == 1]
    assert headings == ["基本情况", "主要做法和成效", "存在问题", "意见建议"]
    assert any(isinstance(b, Heading) and b.text == "特色亮点" for b in report.body)
    assert "建议上级" in section_text(report, "意见建议")


@pytest.mark.parametrize("code", [COUNTY, PREFECTURE])
def test_half_year_compares_with_the_same_period_and_has_no_empty_heading(reports, code):
    _, document = reports[(code, kinds.PROGRESS, "2025S1")]
    text = prose(document)
    assert "上年同期" in text
    assert not re.search(r"较上年(?!同期)|比上年(?!同期)", text)
    assert "时间过半、任务过半" in text
    plans = section_text(document, "下半年工作安排")
    assert "2026年" not in plans  # the half-year aims at this year's targets, not next year's
    assert "确保完成全年" in plans or "确保完成" not in plans
    blocks = document.body
    for block, after in zip(blocks, blocks[1:] + [None], strict=True):
        if isinstance(block, Heading):
            assert not (isinstance(after, Heading) and after.level <= block.level) and after is not None, block.text


def test_prefecture_ranking_says_not_reported_and_adds_up(reports):
    ctx, document = reports[(PREFECTURE, kinds.ANNUAL_SUMMARY, "2025")]
    table = next(b for b in document.body if isinstance(b, Table) and b.caption.startswith("各县"))
    rows = {row[1].text: row for row in table.rows}
    silent = [r.name for r in ctx.lower_regions if r.value is None]
    assert silent, "the demo has counties that reported nothing"
    for name in silent:
        assert rows[name][2].text == "未填报" and rows[name][0].text == "—"
    assert "市本级" in rows and "合计" in rows
    assert sum(r.value for r in ctx.lower_regions if r.value is not None) < ctx.ranking_total
    assert table.note


def test_summary_says_stocks_as_stocks(reports):
    _, document = reports[(COUNTY, kinds.ANNUAL_SUMMARY, "2025")]
    text = prose(document)
    assert "建成科技馆1个" not in text and "现有科技馆1个" in text
    assert re.search(r"累计建成科普画廊（宣传栏）\d+个，新增\d+个", text)


@pytest.mark.parametrize("case", [c for c in CASES if c[1] != kinds.SELF_CHECK], ids=lambda c: "-".join(c))
def test_highlights_cite_the_activity_records(reports, case):
    ctx, document = reports[case]
    themes = {a.theme for s in ctx.sections for a in s.activities}
    assert themes, "the demo's units registered activities"
    if case[1] == kinds.WORK_REPORT:  # the 汇报 gathers them under 特色亮点
        heading = next(b for b in document.body if isinstance(b, Heading) and b.text == "特色亮点")
        cited = re.split(r"；", document.body[document.body.index(heading) + 1].text)
    else:  # the sections cite them after “其中，”
        cited = re.findall(r"其中，([^。]*)", prose(document))
    assert cited and all(any(t in c for t in themes) for c in cited), cited[:3]


@pytest.mark.parametrize("kind", [kinds.ANNUAL_SUMMARY, kinds.PROGRESS])
def test_a_prefecture_says_what_its_counties_did(reports, kind):
    ctx, document = reports[(PREFECTURE, kind, "2025" if kind == kinds.ANNUAL_SUMMARY else "2025S1")]
    heading = next(b for b in document.body if isinstance(b, Heading) and b.text == "各县（市、区）工作开展情况")
    text = document.body[document.body.index(heading) + 1].text
    counties = {a.lower_region for s in ctx.sections for a in s.activities if a.lower_region}
    assert counties and all(f"{c}{'全年' if kind == kinds.ANNUAL_SUMMARY else '上半年'}登记" in text or c in text
                            for c in counties)
    assert re.search(r"其中(?:渠县|宣汉县|大竹县)", text)


def test_the_summary_cites_where_the_literacy_ratio_comes_from(reports):
    ctx, document = reports[(COUNTY, kinds.ANNUAL_SUMMARY, "2025")]
    # 渠县 ran its own sample survey for 2025 and accepted it: the ratio is cited as the survey's, with its margin
    assert ctx.literacy is not None and ctx.literacy.from_survey
    margin = re.escape(cnformat.format_plain(ctx.literacy.margin, 1))
    assert re.search(rf"经抽样调查，全县公民具备科学素质的比例为\d+(\.\d+)?%（±{margin}个百分点）", document.opening.text)
    assert "据已公布的" not in document.opening.text
