import pytest

from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.orgs import defaults, services
from kesu.orgs.models import Unit, UnitKind
from kesu.regions.models import Level, Region
from kesu.regions.tests.helpers import load_sample, make_user, region


def fake(name, level=Level.COUNTY):
    return Region(name=name, level=level, code="x", path="x/")


@pytest.mark.parametrize("name, level, expected", [
    ("渠县", Level.COUNTY, {"组织部": "中共渠县县委组织部", "教育局": "渠县教育局", "委员会": "共青团渠县委员会",
                           "科学技术协会": "渠县科学技术协会"}),
    ("宣汉县", Level.COUNTY, {"组织部": "中共宣汉县委组织部", "党校": "中共宣汉县委党校"}),
    ("通川区", Level.COUNTY, {"宣传部": "中共通川区委宣传部", "委员会": "共青团通川区委员会"}),
    ("达州市", Level.PREFECTURE, {"组织部": "中共达州市委组织部", "发展和改革局": "达州市发展和改革委员会",
                                 "卫生健康局": "达州市卫生健康委员会", "教育局": "达州市教育局"}),
])
def test_names_follow_official_usage(name, level, expected):
    region = fake(name, level)
    names = {spec.stem: defaults.unit_names(region, spec)[0] for spec in defaults.DEFAULT_UNITS}
    for stem, full in expected.items():
        assert names[stem] == full


def test_short_names_use_the_level_form():
    shorts = {spec.kind: defaults.unit_names(fake("通川区"), spec)[1] for spec in defaults.DEFAULT_UNITS}
    assert shorts[UnitKind.ORGANIZATION] == "区委组织部"
    assert shorts[UnitKind.YOUTH_LEAGUE] == "团区委"
    assert shorts[UnitKind.CAST] == "区科协"
    county = {spec.kind: defaults.unit_names(fake("渠县"), spec)[1] for spec in defaults.DEFAULT_UNITS}
    assert county[UnitKind.YOUTH_LEAGUE] == "团县委" and county[UnitKind.EDUCATION] == "县教育局"


def test_default_list_covers_the_typical_county():
    kinds = [spec.kind for spec in defaults.DEFAULT_UNITS]
    assert len(kinds) == 28 and len(set(kinds)) == 28
    assert {UnitKind.ORGANIZATION, UnitKind.EDUCATION, UnitKind.AGRICULTURE, UnitKind.YOUTH_LEAGUE,
            UnitKind.WOMEN, UnitKind.CAST, UnitKind.MEDIA} <= set(kinds)


@pytest.mark.django_db
def test_defaults_created_once():
    load_sample()
    office = make_user("o", "office", region=region("511725"))
    county = region("511725")
    services.unit_create(actor=office, region=county, name="渠县教育局", kind=UnitKind.EDUCATION)
    first = services.units_create_defaults(actor=office, region=county)
    assert len(first) == 27  # 渠县教育局 already existed
    assert Unit.objects.filter(region=county).count() == 28
    assert Unit.objects.get(name="共青团渠县委员会").kind == UnitKind.YOUTH_LEAGUE
    second = services.units_create_defaults(actor=office, region=county)
    assert second == []
    assert Unit.objects.filter(region=county).count() == 28
    assert AuditEvent.objects.filter(action="unit.create_defaults").count() == 1


@pytest.mark.django_db
def test_defaults_refused_for_a_province():
    load_sample()
    with pytest.raises(ApplicationError) as err:
        services.units_create_defaults(actor=make_user("a", "admin"), region=region("510000"))
    assert "只适用于地级和县级区域" in err.value.message
    assert not Unit.objects.exists()
