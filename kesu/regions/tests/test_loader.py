"""The loader on the real data file shipped in jionlp, and on a small sample with the same quirks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from kesu.core.models import AuditEvent
from kesu.regions.loader import load_regions, parse
from kesu.regions.models import Level, Region

from .helpers import SAMPLE, load_sample, region

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def national(db):
    return load_regions()


@pytest.mark.django_db
def test_national_counts_and_quirks(national):
    counts = {level: Region.objects.filter(level=level).count() for level in Level.values}
    assert counts[Level.PROVINCE] == 34
    assert counts[Level.PREFECTURE] >= 300
    assert counts[Level.COUNTY] >= 2800
    assert counts[Level.TOWNSHIP] == 0  # only on request

    haidian = region("110108")
    assert haidian.name == "海淀区"
    assert haidian.parent.code == "110000" and haidian.level == Level.COUNTY
    assert haidian.path == "110000/110108/"
    # the municipality is not repeated as its own city
    assert Region.objects.filter(code="110000").count() == 1
    assert not Region.objects.filter(parent__code="110000", level=Level.PREFECTURE).exists()

    jiyuan = region("419001")
    assert jiyuan.parent.code == "419000"
    assert jiyuan.parent.level == Level.PREFECTURE
    assert jiyuan.parent.name == "省直辖行政区划"
    assert jiyuan.path == "410000/419000/419001/"

    dongguan = region("441900")
    assert dongguan.level == Level.PREFECTURE and not dongguan.children.exists()
    assert region("511725").name == "渠县" and region("511725").parent.code == "511700"
    assert AuditEvent.objects.filter(action="regions.load").count() == 1


@pytest.mark.django_db
def test_second_run_creates_nothing_and_townships_on_request(national):
    before = Region.objects.count()
    again = load_regions()
    assert again.created == 0 and again.updated == 0
    assert Region.objects.count() == before

    result = load_regions(townships=["441900", "511725"])
    assert result.created == 0
    dongguan = region("441900")
    townships = list(dongguan.children.order_by("code"))
    assert len(townships) >= 20
    assert all(t.level == Level.TOWNSHIP and not t.is_builtin for t in townships)
    assert townships[0].code == "441900L001"
    assert townships[0].path == f"440000/441900/{townships[0].code}/"
    assert region("511725").children.filter(code="511725L001").exists()
    # no grouping pseudo-township ("县直辖行政区划") is loaded
    assert not Region.objects.filter(name__endswith="直辖行政区划", level=Level.TOWNSHIP).exists()

    count = Region.objects.count()
    third = load_regions(townships=["441900", "511725"])
    assert third.townships_created == 0
    assert Region.objects.count() == count


@pytest.mark.django_db
def test_renamed_region_is_updated_on_reload():
    load_sample()
    Region.objects.filter(code="511725").update(name="旧名称")
    result = load_sample()
    assert result.updated == 1
    assert region("511725").name == "渠县"


@pytest.mark.django_db
def test_management_command_prints_counts(capsys):
    call_command("load_regions", townships=["511725"])
    out = capsys.readouterr().out
    assert "省级 34" in out
    assert "乡镇（街道）新建" in out
    assert region("511725").children.count() > 10


def test_parse_sample_levels_and_parents():
    nodes = {n.code: n for n in parse(SAMPLE)}
    assert set(nodes) == {"510000", "511700", "511702", "511725", "511722", "110000", "110108", "440000", "441900"}
    assert nodes["110108"].parent.code == "110000"
    assert nodes["110108"].level == Level.COUNTY
    assert [t.name for t in nodes["441900"].townships] == ["东城街道", "南城街道"]
    assert [t.name for t in nodes["511725"].townships] == ["渠江街道", "天星街道"]


@pytest.mark.django_db
def test_unknown_township_county_is_reported():
    result = load_sample(townships=["999999", "511725"])
    assert result.missing_townships == ["999999"]
    assert "999999" in result.summary()
    assert region("511725").children.count() == 2


def test_reading_the_national_list_imports_no_nlp_stack():
    """JioNLP is installed only for its data file (without its NLP dependencies): reading it imports none of it."""
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "from kesu.regions.loader import parse, read_text\n"
        "assert len(parse(read_text())) > 3000\n"
        "print(','.join(n for n in sys.modules if n.split('.')[0] in ('jionlp', 'jiojio')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "kesu.settings"})
    assert out.stdout.strip() == ""
