"""The configuration kept per process is read afresh after any change of it, whatever door the change came through.

A figure write keeps the covering data sets, their indicators and the rules while the configuration version is
unchanged (kesu/core/configuration.py). Each test saves once (so the process keeps the configuration), changes it
through one door, and saves again in the same process: the second save must follow the change.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models.signals import post_migrate
from django.forms.models import model_to_dict

from kesu.collection import services
from kesu.collection.models import DataSet, ValidationRule
from kesu.core.configuration import version
from kesu.orgs import services as org_services
from kesu.plans.models import Category, Indicator, ValueType
from kesu.regions import services as region_services
from kesu.regions.models import Level
from kesu.testing import make_region

from .conftest import YEAR

pytestmark = pytest.mark.django_db
PACKAGE = Path(__file__).resolve().parents[2]


def _save(w, value, code="HR_FULL", unit=None):
    return services.figures_write(actor=w.filler2 if unit else w.filler, door="grid", figures=[services.Figure(
        indicator=w.ind[code] if code in w.ind else code, region=w.county, unit=unit or w.edu, period=YEAR,
        value=value)])


def _refused(result, words: str) -> bool:
    return not result.ok and words in result.errors[0].message


def _admin(client, w):
    w.office.is_superuser = w.office.is_staff = True
    w.office.save()
    client.force_login(w.office)
    return client


def test_a_rule_added_by_the_service_refuses_the_very_next_save(world):
    assert _save(world, 12).ok  # the process now keeps this reporter's configuration
    services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                         expression="HR_FULL <= 10", severity="blocking")
    assert _refused(_save(world, 13), "专职人员不超过十人")


def test_a_rule_switched_off_in_the_admin_applies_to_the_next_save(client, world):
    rule = services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                                expression="HR_FULL <= 10", severity="blocking")
    assert _refused(_save(world, 12), "专职人员不超过十人")
    page = _admin(client, world).post(f"/admin/collection/validationrule/{rule.pk}/change/",
                                      {"name": rule.name, "severity": rule.severity, "message": "", "is_active": ""})
    assert page.status_code == 302 and not ValidationRule.objects.get(pk=rule.pk).is_active
    assert _save(world, 12).ok


def test_a_rule_deleted_in_the_admin_or_in_code_no_longer_refuses(client, world):
    kept = services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                                expression="HR_FULL <= 10", severity="blocking")
    other = services.rule_create(actor=world.office, region=world.county, code="L2", name="专职人员不超过二十人",
                                 expression="HR_FULL <= 20", severity="blocking")
    assert _refused(_save(world, 30), "不超过")
    _admin(client, world).post(f"/admin/collection/validationrule/{kept.pk}/delete/", {"post": "yes"})
    assert _refused(_save(world, 30), "专职人员不超过二十人")
    other.delete()
    assert _save(world, 30).ok


def test_a_rule_changed_by_save_and_rules_loaded_from_a_file_apply(world, tmp_path):
    rule = services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                                expression="HR_FULL <= 10", severity="blocking")
    assert _refused(_save(world, 12), "专职人员不超过十人")
    rule.is_active = False
    rule.save()
    assert _save(world, 12).ok
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - code: N1\n    name: 专职人员不超过五人\n    expression: HR_FULL <= 5\n", encoding="utf-8")
    services.load_rules(path=rules)
    assert _refused(_save(world, 6), "专职人员不超过五人")


def test_an_indicator_added_to_the_data_set_is_accepted_at_once_and_a_removed_one_refused(world):
    extra = Indicator.objects.create(code="EXTRA", name="新增指标", unit="个", value_type=ValueType.INTEGER,
                                     category=Category.BASE)
    world.ind["EXTRA"] = extra
    assert _refused(_save(world, 1, code="EXTRA"), "没有收集")
    world.ds.indicators.add(extra)
    assert _save(world, 1, code="EXTRA").ok
    world.ds.indicators.remove(world.ind["HR_FULL"])
    assert _refused(_save(world, 2), "没有收集")
    world.ds.indicators.set([*world.ind.values()])
    assert _save(world, 2).ok


def test_a_data_set_switched_off_in_the_admin_or_created_applies_to_the_next_save(client, world):
    assert _save(world, 1).ok
    form = {k: v for k, v in model_to_dict(world.ds).items() if v is not None and k != "is_active"}
    form.update(indicators=[i.pk for i in form["indicators"]], units=[u.pk for u in form["units"]])
    page = _admin(client, world).post(f"/admin/collection/dataset/{world.ds.pk}/change/", form)
    assert page.status_code == 302 and not DataSet.objects.get(pk=world.ds.pk).is_active
    assert _refused(_save(world, 2), "没有收集")
    services.data_set_create(actor=world.office, region=world.county, code="NEW", name="新数据集", period_type="Y",
                             indicators=[world.ind["HR_FULL"]])
    assert _save(world, 2).ok


@pytest.mark.parametrize("door", ["region_move", "region_save", "unit_update", "units_bulk", "migrate",
                                  "outlier_rule", "indicator_update", "data_set_delete"])
def test_every_other_door_advances_the_version(world, door):
    before = version()
    if door == "region_move":
        other = make_region("511703", "达川区", Level.COUNTY, world.city)
        town = make_region("511725900", "新区街道", Level.TOWNSHIP, world.county)
        before = version()
        region_services.region_move(actor=world.city_office, region=town, new_parent=other)
    elif door == "region_save":
        world.town1.name = "渠江街道（新）"
        world.town1.save()
    elif door == "unit_update":
        org_services.unit_update(actor=world.office, unit=world.edu, name="渠县教育和体育局", kind=world.edu.kind)
    elif door == "units_bulk":
        org_services.units_create_defaults(actor=world.office, region=world.county)
    elif door == "migrate":
        config = apps.get_app_config("collection")
        post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default",
                          apps=apps, plan=[])
    elif door == "outlier_rule":
        admin = world.office
        admin.role = "admin"
        admin.save()
        services.outlier_rule_save(actor=admin, indicator=world.ind["HR_FULL"], jump_ratio="3")
    elif door == "data_set_delete":  # with its links, by cascade
        DataSet.objects.filter(pk=world.ds.pk).delete()
    elif door == "indicator_update":
        world.ind["HR_FULL"].name = "科普专职人员（改）"
        world.ind["HR_FULL"].save()
    assert version() != before


def test_writing_figures_leaves_the_version_alone(world):
    assert _save(world, 1).ok
    before = version()
    assert _save(world, 2).ok and _save(world, 3, unit=world.agri).ok
    assert version() == before


# -- no write path around the version ------------------------------------------------------------------------------

MODELS = r"\b(DataSet|ValidationRule|ActivityIndicatorRule|OutlierRule|Indicator|Region|Unit)\b"
BYPASSING = {"update", "bulk_create", "bulk_update", "_raw_delete", "_insert"}


def _bypassing_writes(tree: ast.AST, source: str) -> list[tuple[str, int]]:
    """(function, line) of each call that writes a configuration model without signals and without
    ``configuration_changed()`` in the same function. Names assigned from such a model's queryset are followed."""
    found = []
    for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
        tracked, calls, advances = set(), [], False
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                if re.search(MODELS + r"\.objects", ast.get_source_segment(source, node.value) or ""):
                    tracked.update(t.id for t in node.targets if isinstance(t, ast.Name))
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "configuration_changed":
                advances = True
            elif name in BYPASSING and isinstance(node.func, ast.Attribute):
                calls.append(node)
        for call in calls:
            receiver = ast.get_source_segment(source, call.func.value) or ""
            if re.search(MODELS + r"\.(objects|_base_manager)", receiver) or receiver in tracked:
                if not advances:
                    found.append((func.name, call.lineno))
    return found


def test_no_module_writes_the_configuration_in_bulk_without_advancing_the_version():
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        missing += [f"{path.relative_to(PACKAGE)}:{line} {name}"
                    for name, line in _bypassing_writes(ast.parse(source), source)]
    assert not missing, "bulk writes of configuration models must call configuration_changed(): " + ", ".join(missing)


def test_the_scan_finds_a_bulk_write_that_forgets_the_version():
    source = ("def load(rows):\n    qs = Region.objects.filter(code__in=rows)\n    qs.update(name='x')\n\n"
              "def fine(rows):\n    Unit.objects.bulk_create(rows)\n    configuration_changed()\n")
    assert _bypassing_writes(ast.parse(source), source) == [("load", 3)]
