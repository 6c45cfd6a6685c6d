import pytest

from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.regions import services
from kesu.regions.models import Level, Region

from .helpers import load_sample, make_user, region


@pytest.fixture
def tree(db):
    load_sample(townships=["511725"])


@pytest.fixture
def office(tree):
    return make_user("qu_office", "office", region=region("511725"))


def test_township_gets_local_code_and_path(tree, office):
    county = region("511725")
    created = services.region_create(actor=office, parent=county, name="三汇镇")
    assert created.level == Level.TOWNSHIP
    assert created.code == "511725L003"  # two townships came from the loader
    assert created.path == "510000/511700/511725/511725L003/"
    assert created.depth == county.depth + 1
    assert not created.is_builtin
    event = AuditEvent.objects.get(action="region.create", object_id=str(created.pk))
    assert event.actor == office


def test_village_under_township_with_statistical_code(tree, office):
    township = services.region_create(actor=office, parent=region("511725"), name="三汇镇", code="511725101000")
    village = services.region_create(actor=office, parent=township, name="汇东村", code="511725101201")
    assert village.level == Level.VILLAGE
    assert village.path.endswith("511725101000/511725101201/")
    local = services.region_create(actor=office, parent=township, name="汇西村")
    assert local.code == "511725101000L001"


@pytest.mark.parametrize("code, fragment", [
    ("51172510100", "应为 12 位数字"),
    ("5117251010001", "应为 12 位数字"),
    ("51172510100A", "应为 12 位数字"),
    ("511722101000", "应以所属县级区划「渠县」的代码 511725 开头"),
])
def test_bad_statistical_code_refused(tree, office, code, fragment):
    with pytest.raises(ApplicationError) as err:
        services.region_create(actor=office, parent=region("511725"), name="三汇镇", code=code)
    assert fragment in err.value.message
    assert err.value.field == "code"
    assert not Region.objects.filter(name="三汇镇").exists()


def test_duplicate_code_names_the_code(tree, office):
    services.region_create(actor=office, parent=region("511725"), name="三汇镇", code="511725101000")
    with pytest.raises(ApplicationError) as err:
        services.region_create(actor=office, parent=region("511725"), name="土溪镇", code="511725101000")
    assert "区划代码 511725101000 已被「三汇镇」使用" in err.value.message


def test_duplicate_name_under_parent_refused(tree, office):
    with pytest.raises(ApplicationError) as err:
        services.region_create(actor=office, parent=region("511725"), name="渠江街道")
    assert "已有名为「渠江街道」的区域" in err.value.message


def test_cannot_add_under_province_or_prefecture_with_counties(tree):
    admin = make_user("admin", "admin")
    for code in ("510000", "511700"):
        with pytest.raises(ApplicationError) as err:
            services.region_create(actor=admin, parent=region(code), name="某镇")
        assert "只能在县级区域下添加乡镇" in err.value.message


def test_township_under_prefecture_without_counties(tree):
    admin = make_user("admin", "admin")
    created = services.region_create(actor=admin, parent=region("441900"), name="虎门镇", code="441900103000")
    assert created.level == Level.TOWNSHIP


def test_office_cannot_write_outside_its_subtree(tree, office):
    with pytest.raises(ApplicationError) as err:
        services.region_create(actor=office, parent=region("511722"), name="某镇")
    assert "无权" in err.value.message


def test_move_refuses_cycle(tree, office):
    township = services.region_create(actor=office, parent=region("511725"), name="三汇镇")
    village = services.region_create(actor=office, parent=township, name="汇东村")
    with pytest.raises(ApplicationError) as err:
        services.region_move(actor=office, region=township, new_parent=village)
    assert "会形成循环" in err.value.message
    with pytest.raises(ApplicationError):
        services.region_move(actor=office, region=township, new_parent=township)
    township.refresh_from_db()
    assert township.parent == region("511725")


def test_move_rewrites_subtree_paths(tree, office):
    county = region("511725")
    a = services.region_create(actor=office, parent=county, name="三汇镇")
    b = services.region_create(actor=office, parent=county, name="土溪镇")
    village = services.region_create(actor=office, parent=a, name="汇东村")
    services.region_create(actor=office, parent=village.parent, name="汇西村")
    moved = services.region_move(actor=office, region=village, new_parent=b)
    assert moved.parent == b
    assert moved.path == f"{b.path}{village.code}/"
    assert moved.depth == b.depth + 1
    assert list(Region.objects.filter(path__startswith=a.path).values_list("name", flat=True).order_by("name")) == \
        ["三汇镇", "汇西村"]
    assert AuditEvent.objects.filter(action="region.move").count() == 1


def test_move_of_builtin_region_refused(tree):
    admin = make_user("admin", "admin")
    with pytest.raises(ApplicationError) as err:
        services.region_move(actor=admin, region=region("511725"), new_parent=region("441900"))
    assert "国家行政区划，不能移动" in err.value.message


def test_update_records_old_and_new(tree, office):
    county = region("511725")
    services.region_update(actor=office, region=county, name="渠县", short_name="渠", population_10k="112.5")
    county.refresh_from_db()
    assert str(county.population_10k) == "112.50"
    event = AuditEvent.objects.get(action="region.update")
    assert event.changes["short_name"] == ["", "渠"]  # the alias equal to the name is not kept


def test_update_rejects_bad_population(tree, office):
    with pytest.raises(ApplicationError) as err:
        services.region_update(actor=office, region=region("511725"), name="渠县", population_10k="很多")
    assert "不是数字" in err.value.message
