"""The 调查分析报告 as a DOCX in 公文 layout (GB/T 9704 page, fonts and styles), from plain data only."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from kesu.reports.builders import charts, gbt9704

NUMBERS = "一二三四五六七八九十"


def _pct(share) -> str:
    return "—" if share is None else f"{share * 100:.2f}%"


def headline_sentence(region: str, estimate: dict) -> str:
    """经抽样调查，渠县公民具备科学素质的比例为11.80%（±0.90个百分点）: the sentence a 工作总结 quotes."""
    if estimate["suppressed"]:
        return f"经抽样调查，{region}有效样本量不足，公民具备科学素质的比例不宜发布。"
    return (f"经抽样调查，{region}公民具备科学素质的比例为{_pct(estimate['share'])}"
            f"（±{estimate['margin'] * 100:.2f}个百分点，95%置信区间{_pct(estimate['lower'])}—{_pct(estimate['upper'])}）。")


def published_sentence(region: str, publisher: str, published_on, share: float) -> str:
    """据四川省科协2025年5月29日发布，达州市公民具备科学素质的比例为11.20%: a published figure, cited as such."""
    return (f"据{publisher}{published_on.year}年{published_on.month}月{published_on.day}日发布，{region}公民具备"
            f"科学素质的比例为{_pct(share)}。")


def build_report(data: dict) -> bytes:
    """data: title, region, questionnaire, rows, kept, exclusions [(label, n)], weighted, headline, tiers, groups."""
    document = Document()
    gbt9704.set_styles(document)
    for section in document.sections:
        gbt9704.set_page(section)
    gbt9704.set_page_numbers(document)
    gbt9704.set_font_fallbacks(document)

    def para(text: str, style: str = "KesuBody"):
        paragraph = document.add_paragraph(text)
        gbt9704.set_paragraph_style(paragraph, style)
        return paragraph

    def heading(number: int, text: str):
        para(f"{NUMBERS[number - 1]}、{text}", "KesuHeading1")

    para(data["title"], "KesuTitle")
    heading(1, "调查概况")
    excluded = data["rows"] - data["kept"]
    reasons = "；".join(f"{label}{n}份" for label, n in data["exclusions"] if n)
    para(f"本次调查使用《{data['questionnaire']}》，共回收答卷{data['rows']:,}份。经质量筛查剔除{excluded:,}份"
         f"{f'（{reasons}，一份答卷可有多个原因）' if reasons else ''}，有效样本{data['kept']:,}份。")
    heading(2, "主要结果")
    para(headline_sentence(data["region"], data["headline"]))
    _table(document, "表1 公民科学素质水平分布", ["水平", "比例", "95%置信区间"],
           [[t["outcome"], *_cells(t)[:2]] for t in data["tiers"]])
    shown = [(t["outcome"], t["share"], t["lower"], t["upper"]) for t in data["tiers"] if not t["suppressed"]]
    _chart(document, "图1 公民科学素质水平分布（横线为95%置信区间）", shown, "比例（%）")
    heading(3, "分组结果")
    rows = []
    for label, items in data["groups"]:
        for k, e in enumerate(items):
            rows.append([label if k == 0 else "", e["level"], *_cells(e)[:2], f"{e['n']:,}"])
    _table(document, "表2 分组具备科学素质的比例", ["分组", "类别", "比例", "95%置信区间", "样本量"], rows)
    para("注：样本量不足100份或有效样本量不足50的分组，估计值波动过大，标注“样本量不足”，不发布比例。", "KesuNote")
    shown = [(f"{label}·{e['level']}", e["share"], e["lower"], e["upper"])
             for label, items in data["groups"] for e in items if not e["suppressed"]]
    _chart(document, "图2 分组具备科学素质的比例（横线为95%置信区间，不含样本量不足的分组）", shown, "具备科学素质的比例（%）")
    heading(4, "方法说明")
    weighting = ("按本地区人口的性别、年龄组、文化程度、城乡结构进行迭代加权（raking），并对极端权重截尾"
                 if data["weighted"] else "未进行人口结构加权，结果反映样本本身的构成")
    para(f"评分按问卷题目的标准答案和分值计算；{weighting}。置信区间按泰勒线性化方法计算，"
         f"全样本设计效应为{data['headline']['deff']:.2f}，有效样本量约{data['headline']['effective_n']:,.0f}。"
         if data["headline"]["deff"] is not None else f"评分按问卷题目的标准答案和分值计算；{weighting}。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _chart(document, caption: str, rows: list, xlabel: str) -> None:
    """A chart under its caption; where no CJK font is installed the report says the chart is left out."""
    if not rows:
        return
    if not charts.charts_available():
        note = document.add_paragraph(f"（{caption.split(' ', 1)[-1]}：本机未安装中文字体，图表未生成。）")
        gbt9704.set_paragraph_style(note, "KesuNote")
        return
    picture = document.add_paragraph()
    picture.alignment = 1  # centred
    picture.add_run().add_picture(io.BytesIO(charts.share_chart(rows, xlabel=xlabel)), width=Mm(150))
    paragraph = document.add_paragraph(caption)
    gbt9704.set_paragraph_style(paragraph, "KesuCaption")


def _cells(e: dict) -> list[str]:
    if e["suppressed"]:
        return ["样本量不足", "—"]
    return [_pct(e["share"]), f"{_pct(e['lower'])}—{_pct(e['upper'])}"]


def _table(document, caption: str, header: list[str], rows: list[list[str]]) -> None:
    paragraph = document.add_paragraph(caption)
    gbt9704.set_paragraph_style(paragraph, "KesuCaption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                gbt9704.set_paragraph_style(p, "KesuTableText")
