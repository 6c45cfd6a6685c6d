"""Every upload is judged by its content (magic bytes, zip structure), never by its name, within size and
decompressed-size limits — the one check kesu.core.uploads.check_upload used by every upload path."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from kesu.core.exceptions import ApplicationError
from kesu.core.uploads import check_upload

MB = 1024 * 1024


def _xlsx() -> bytes:
    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


def _docx() -> bytes:
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    return buf.getvalue()


def _bomb() -> bytes:
    """A valid-looking workbook whose one part inflates from a few KB to 300 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * MB))
    return buf.getvalue()


def test_the_kind_comes_from_the_content():
    assert check_upload(_xlsx(), name="报表.xlsx", allowed={"xlsx"}, max_bytes=MB).code == "xlsx"
    assert check_upload(_docx(), name="模板.docx", allowed={"docx"}, max_bytes=MB).code == "docx"
    assert check_upload(b"%PDF-1.7\n...", name="照片.jpg", allowed={"pdf", "jpeg"}, max_bytes=MB).extension == "pdf"


@pytest.mark.parametrize("data, name, allowed, reason", [
    (b"<script>alert(1)</script>", "模板.docx", {"docx"}, "内容不是可接受的类型"),
    (_docx.__call__, "报表.xlsx", {"xlsx"}, "内容不是可接受的类型"),  # a Word file renamed to .xlsx
    (b"MZ\x90\x00 executable", "照片.png", {"png", "jpeg"}, "内容不是可接受的类型"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 32, "旧表.xls", {"xlsx"}, "旧版 Office 格式"),
    (b"", "空.xlsx", {"xlsx"}, "空文件"),
    (b"PK\x03\x04 truncated", "坏.xlsx", {"xlsx"}, "已损坏"),
])
def test_refused_with_a_chinese_reason(data, name, allowed, reason):
    data = data() if callable(data) else data
    with pytest.raises(ApplicationError, match=reason) as refused:
        check_upload(data, name=name, allowed=allowed, max_bytes=MB)
    assert name in refused.value.message


def test_size_and_decompressed_size_are_capped():
    with pytest.raises(ApplicationError, match="过大"):
        check_upload(b"%PDF-" + b"0" * MB, name="大.pdf", allowed={"pdf"}, max_bytes=MB)
    bomb = _bomb()
    assert len(bomb) < MB
    with pytest.raises(ApplicationError, match="解压后达 300.0 MB"):
        check_upload(bomb, name="炸弹.xlsx", allowed={"xlsx"}, max_bytes=MB, max_uncompressed=50 * MB)


@pytest.mark.django_db
def test_a_report_template_is_judged_by_content(tmp_path, settings):
    from kesu.accounts.models import Role, User
    from kesu.regions.models import Level, Region
    from kesu.reports import services
    from kesu.reports.builders import kinds

    settings.MEDIA_ROOT = tmp_path
    county = Region.objects.create(code="511725", name="渠县", level=Level.COUNTY, path="511725/", depth=0)
    office = User.objects.create_user(username="o", password="x" * 12, role=Role.OFFICE, region=county)
    with pytest.raises(ApplicationError, match="内容不是可接受的类型"):
        services.template_upload(actor=office, region=county, kind=kinds.SELF_CHECK, filename="模板.docx",
                                 data=b"<html><script>alert(1)</script></html>")
