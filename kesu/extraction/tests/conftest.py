"""Test data for the review side: a city with two counties, an office per county and one at the city, indicators the
sample reports mention, an annual data set of county X with 补报 opened for 2023, and sample documents in every format."""

import io
import zipfile
from datetime import date, timedelta

import pytest

from kesu.accounts.models import Role, User
from kesu.collection.models import DataSet, LockException
from kesu.orgs.models import Unit, UnitKind
from kesu.plans.models import Category, Indicator, ValueType
from kesu.regions.models import Level
from kesu.testing import make_region

REPORT = """渠县2023年全民科学素质工作总结

一、农民科学素质提升
全年开展农村实用技术培训120期，培训农民3500人次，发放科普资料8000余份。

二、科普经费
全县筹集科普经费86.5万元，其中政府拨款60万元。
"""

# The same report as sent again a year later with one sentence changed: a near-duplicate, not an identical file.
REPORT_AGAIN = REPORT.replace("发放科普资料8000余份", "发放科普资料9000余份，举办科普讲座15场")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db):
    class W:
        pass

    w = W()
    w.city = make_region("511700", "达州市", Level.PREFECTURE)
    w.county = make_region("511725", "渠县", Level.COUNTY, w.city)
    w.other = make_region("511722", "宣汉县", Level.COUNTY, w.city)
    w.agri = Unit.objects.create(region=w.county, name="渠县农业农村局", kind=UnitKind.AGRICULTURE)
    w.office = User.objects.create_user("office_x", password="pw-kesu-1", role=Role.OFFICE, region=w.county,
                                        full_name="渠县科协办公室")
    w.office_y = User.objects.create_user("office_y", password="pw-kesu-1", role=Role.OFFICE, region=w.other)
    w.filler = User.objects.create_user("filler_a", password="pw-kesu-1", role=Role.FILLER, unit=w.agri)
    w.ind = {code: Indicator.objects.create(code=code, name=name, unit=unit, value_type=vt, category=Category.BASE,
                                            aliases=aliases)
             for code, name, unit, vt, aliases in [
                 ("TRN_FARMER_P", "农村实用技术培训人次", "人次", ValueType.INTEGER, ["农民培训"]),
                 ("TRN_FARMER_SESSIONS", "农村实用技术培训期数", "期", ValueType.INTEGER, []),
                 ("FUND_RAISED", "年度科普经费筹集额", "万元", ValueType.DECIMAL, ["科普经费"]),
             ]}
    w.ds = DataSet.objects.create(region=w.county, code="ANNUAL", name="年度科普工作统计", period_type="Y")
    w.ds.indicators.set(w.ind.values())
    # 2023 closed long ago: the office opened 补报 so that figures from old reports may be entered.
    LockException.objects.create(data_set=w.ds, period_id="2023", region=w.county, until=date.today() + timedelta(30),
                                 reason="录入历史报告")
    return w


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def pdf_bytes(text: str) -> bytes:
    """A PDF with a real text layer (matplotlib embeds a CJK TrueType font with its ToUnicode map)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.backends.backend_pdf import PdfPages

    fonts = [f for f in font_manager.findSystemFonts() if "CJK" in f]
    if not fonts:
        pytest.skip("没有可用的中文字体，无法生成测试用 PDF")
    plt.rcParams["pdf.fonttype"] = 42
    buf = io.BytesIO()
    with PdfPages(buf) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(text.split("\n")):
            fig.text(0.05, 0.95 - i * 0.03, line, fontproperties=font_manager.FontProperties(fname=fonts[0]), size=9)
        pdf.savefig(fig)
        plt.close(fig)
    return buf.getvalue()


def html_bytes(text: str) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>工作总结</title><style>p{{margin:0}}</style>"
            f"</head><body><div class='nav'>首页</div>{body}</body></html>").encode()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()
