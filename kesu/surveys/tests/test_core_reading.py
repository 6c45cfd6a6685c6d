"""Reading response files as survey platforms export them."""

import io

import numpy as np
import openpyxl
import pytest

from kesu.surveys.core.instrument import builtin_instruments
from kesu.surveys.core.reading import ResponseFileError, guess_mapping, parse, read_table


@pytest.fixture(scope="module")
def instrument():
    return builtin_instruments()["literacy-2024"]


def wjx_rows(instrument, answers_as_text=True):
    """Two respondents in 问卷星's layout: numbered question headers, option texts, 所用时间 in 秒."""
    headers = ["序号", "所用时间", "来源IP", "1.您的性别", "2.您的年龄", "3.您的文化程度", "4.您的居住地"]
    headers += [f"{k + 5}.{item.text}" for k, item in enumerate(instrument.items)]
    first = ["1", "300秒", "1.2.3.4", "男", "35", "高中", "城镇"]
    second = ["2", "5分10秒", "1.2.3.5", "女性", "52岁", "初中", "乡村"]
    for item in instrument.items:
        right = "ABCD".index(item.answer)
        first.append(item.options[right] if answers_as_text else item.answer)
        second.append(item.options[(right + 1) % 4] if answers_as_text else "ABCD"[(right + 1) % 4])
    return [headers, first, second]


def csv_bytes(rows, encoding="utf-8-sig"):
    text = "\n".join(",".join(r) for r in rows)
    return text.encode(encoding)


def test_a_wjx_csv_with_option_texts_is_read_and_mapped(instrument):
    table = read_table("答卷.csv", csv_bytes(wjx_rows(instrument), "gb18030"))
    mapping = guess_mapping(table.headers, instrument)
    assert mapping["1.您的性别"] == "sex" and mapping["2.您的年龄"] == "age" and mapping["所用时间"] == "seconds"
    assert mapping["3.您的文化程度"] == "education" and mapping["来源IP"] == "duplicate"
    data = parse(table, mapping, instrument)
    assert data.answers["K01"].tolist() == ["B", "C"]
    assert data.demographics["sex"].tolist() == ["男", "女"]
    assert data.demographics["urban"].tolist() == ["城镇", "农村"]
    assert data.demographics["age"].tolist() == [35.0, 52.0]
    assert data.seconds.tolist() == [300.0, 310.0]


def test_an_xlsx_with_option_letters_is_read(instrument):
    book = openpyxl.Workbook()
    for row in wjx_rows(instrument, answers_as_text=False):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table("答卷.xlsx", buffer.getvalue())
    data = parse(table, guess_mapping(table.headers, instrument), instrument)
    assert data.answers["Q01"].tolist() == ["C", "D"]


def test_bad_cells_are_named_by_row_and_column_and_nothing_is_returned(instrument):
    rows = wjx_rows(instrument)
    rows[2][3] = "未知"
    rows[1][7] = "是的"
    table = read_table("答卷.csv", csv_bytes(rows))
    with pytest.raises(ResponseFileError) as caught:
        parse(table, guess_mapping(table.headers, instrument), instrument)
    text = str(caught.value)
    assert "第3行“1.您的性别”列：性别“未知”无法识别" in text
    assert "第2行“5.地球绕太阳一周大约需要多长时间？”列：答案“是的”既不是选项字母，也不是该题的选项" in text


def test_a_missing_item_column_is_named(instrument):
    rows = [r[:-1] for r in wjx_rows(instrument)]
    table = read_table("答卷.csv", csv_bytes(rows))
    with pytest.raises(ResponseFileError, match="问卷题目 Q01 没有对应的列"):
        parse(table, guess_mapping(table.headers, instrument), instrument)


def test_an_unknown_format_is_refused(instrument):
    with pytest.raises(ResponseFileError, match="不支持“.pdf”格式"):
        read_table("答卷.pdf", b"%PDF")


def test_spss_sav_is_read_with_its_labels(instrument, tmp_path):
    import polars as pl
    import pyreadstat

    frame = pl.DataFrame({"Q1": [1.0, 2.0], "age": [30.0, 41.0]})
    path = tmp_path / "r.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=["您的性别", "您的年龄"],
                         variable_value_labels={"Q1": {1.0: "男", 2.0: "女"}})
    table = read_table("r.sav", path.read_bytes())
    assert table.headers == ["您的性别", "您的年龄"]
    assert table.columns[0].tolist() == ["男", "女"]
    assert np.array_equal(table.columns[1], np.array(["30", "41"]))


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_item_bank_round_trips_through_excel():
    from kesu.surveys.core.instrument import builtin_definitions, instrument_from_dict
    from kesu.surveys.core.itembank import definition_from_excel, template_rows

    shipped = builtin_definitions()["literacy-2024"]
    definition = definition_from_excel(_xlsx(template_rows(shipped)), name="本市题库")
    loaded = instrument_from_dict(definition)
    assert loaded.dimension_points() == {"科学知识": 40, "科学方法": 20, "科学精神与思想": 20, "应用科学的能力": 20}
    assert [i.key for i in loaded.items] == [i["key"] for i in shipped["items"]]
    assert loaded.items[0].options == tuple(shipped["items"][0]["options"])


def test_a_bad_item_bank_row_is_named():
    from kesu.surveys.core.instrument import InstrumentError, builtin_definitions
    from kesu.surveys.core.itembank import definition_from_excel, template_rows

    rows = template_rows(builtin_definitions()["literacy-2024"])
    rows[3][8] = "四分"
    with pytest.raises(InstrumentError, match="题库第4行：分值“四分”不是数字"):
        definition_from_excel(_xlsx(rows), name="坏题库")
    with pytest.raises(InstrumentError, match="题库第1行缺少列：正确答案"):
        definition_from_excel(_xlsx([["编号", "维度", "分值"]]), name="坏题库")
