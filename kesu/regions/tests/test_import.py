import io

import pytest
from openpyxl import Workbook, load_workbook

from kesu.core.models import AuditEvent
from kesu.regions import services
from kesu.regions.excel import read_region_rows, template_bytes
from kesu.regions.models import Level, Region

from .helpers import load_sample, make_user, region


@pytest.fixture
def office(db):
    load_sample()
    return make_user("qu_office", "office", region=region("511725"))


def xlsx(rows, headers=("名称", "统计用区划代码(可选)", "上级名称(可选)")) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_townships_and_villages_in_one_file(office):
    county = region("511725")
    file = xlsx([("三汇镇", "511725101000", None), ("汇东村", 511725101201, "三汇镇"), ("土溪镇", None, None),
                 (None, None, None), ("土溪村", "", "土溪镇")])
    created = services.regions_import_excel(actor=office, parent=county, file=file, filename="乡镇.xlsx")
    assert [r.name for r in created] == ["三汇镇", "汇东村", "土溪镇", "土溪村"]
    village = Region.objects.get(name="汇东村")
    assert village.code == "511725101201"  # a number cell is read back as the code text
    assert village.level == Level.VILLAGE and village.parent.name == "三汇镇"
    assert Region.objects.get(name="土溪村").parent.name == "土溪镇"
    assert AuditEvent.objects.filter(action="region.import").count() == 1


def test_import_is_all_or_nothing_with_row_numbered_errors(office):
    county = region("511725")
    before = Region.objects.count()
    file = xlsx([
        ("三汇镇", "511725101000", None),        # row 2: fine
        ("", "511725102000", None),              # row 3: no name
        ("土溪镇", "12345", None),               # row 4: bad code
        ("汇东村", None, "不存在镇"),            # row 5: unknown upper region
        ("涌兴镇", "511725101000", None),        # row 6: duplicate code of row 2
    ])
    with pytest.raises(services.ImportErrors) as err:
        services.regions_import_excel(actor=office, parent=county, file=file)
    errors = {e["row"]: e for e in err.value.errors}
    assert set(errors) == {3, 4, 5, 6}
    assert errors[3]["column"] == "名称" and "名称不能为空" in errors[3]["message"]
    assert errors[4]["column"] == "统计用区划代码" and "12 位数字" in errors[4]["message"]
    assert errors[5]["column"] == "上级名称" and "不存在镇" in errors[5]["message"]
    assert "区划代码 511725101000 已被「三汇镇」使用" in errors[6]["message"]
    assert Region.objects.count() == before  # row 2 was not kept either
    assert not AuditEvent.objects.filter(action="region.create").exists()


def test_empty_file_and_wrong_headers_refused(office):
    county = region("511725")
    with pytest.raises(services.ImportErrors) as err:
        services.regions_import_excel(actor=office, parent=county, file=xlsx([]))
    assert "没有可导入的数据行" in err.value.errors[0]["message"]
    with pytest.raises(services.ImportErrors) as err:
        services.regions_import_excel(actor=office, parent=county, file=xlsx([("a",)], headers=("地名",)))
    assert "缺少“名称”列" in err.value.errors[0]["message"]
    with pytest.raises(services.ImportErrors) as err:
        services.regions_import_excel(actor=office, parent=county, file=io.BytesIO(b"not a workbook"))
    assert "内容不是可接受的类型" in err.value.errors[0]["message"]  # judged by content, not by name


def test_template_has_the_import_columns_and_reads_back_empty():
    data = template_bytes()
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["名称", "统计用区划代码(可选)", "上级名称(可选)"]
    assert read_region_rows(io.BytesIO(data)) == []
