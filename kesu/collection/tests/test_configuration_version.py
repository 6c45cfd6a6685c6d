"""The configuration kept per process is read afresh after any change of it, whatever door the change came through.

A figure write keeps the covering data sets, their indicators and the rules while the configuration version is
unchanged (kesu/core/configuration.py). Each test saves once (so the process keeps the configuration), changes it
through one door, and saves again in the same process: the second save must follow the change. The version is
replaced by database triggers on the watched tables; the last tests check that every table a kept read queries is
watched, and that every watched table has its triggers.
"""

import re
import threading

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from kesu.collection import services
from kesu.collection.models import DataSet, ValidationRule
from kesu.core import backup, configuration
from kesu.core.configuration import configuration_held, version
from kesu.orgs import services as org_services
from kesu.orgs.models import Unit
from kesu.plans.models import Category, Indicator, ValueType
from kesu.regions import services as region_services
from kesu.regions.models import Level
from kesu.testing import make_region

from .conftest import YEAR

pytestmark = pytest.mark.django_db


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
                                  "outlier_rule", "indicator_update", "data_set_delete", "restore_insert", "raw_sql"])
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
        config = apps.get_app_config("core")
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
    elif door == "restore_insert":  # rows written as ``kesu restore`` writes them: raw inserts, no model code
        at = world.edu.created_at.isoformat()
        row = {"id": 9001, "region_id": world.county.pk, "name": "恢复的单位", "short_name": "", "kind": world.edu.kind,
               "sort": 9, "created_at": at, "updated_at": at}
        backup._insert(Unit, [row], backup._Matcher())
    elif door == "raw_sql":
        with connection.cursor() as cur:
            cur.execute("UPDATE collection_dataset_indicators SET indicator_id = indicator_id")
    assert version() != before


def test_writing_figures_leaves_the_version_alone(world):
    assert _save(world, 1).ok
    before = version()
    assert _save(world, 2).ok and _save(world, 3, unit=world.agri).ok
    assert version() == before


def test_a_rule_changed_by_raw_sql_applies_to_the_next_save(world):
    rule = services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                                expression="HR_FULL <= 10", severity="blocking")
    assert _refused(_save(world, 12), "专职人员不超过十人")
    with connection.cursor() as cur:
        cur.execute("UPDATE collection_validationrule SET is_active = %s WHERE id = %s", [False, rule.pk])
    assert _save(world, 12).ok


def test_a_write_inside_an_open_block_detaches_it(world):
    with configuration_held(per_version=True):
        assert _save(world, 12).ok  # kept under the token the block read
        with connection.cursor() as cur:  # not even a model's save: the block sees its own statement
            cur.execute("INSERT INTO collection_validationrule (code, name, kind, expression, severity, message, "
                        "region_id, is_active, codes, created_at, updated_at) VALUES ('L1', '专职人员不超过十人', "
                        "'expression', 'HR_FULL <= 10', 'blocking', '', %s, %s, '[\"HR_FULL\"]', %s, %s)",
                        [world.county.pk, True, world.county.created_at, world.county.created_at])
        assert _refused(_save(world, 13), "专职人员不超过十人")
    assert _refused(_save(world, 14), "专职人员不超过十人")


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_applies_to_the_next_save(world):
    assert _save(world, 12).ok

    def elsewhere():  # another thread: a connection of its own, as another process would have
        try:
            services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                                 expression="HR_FULL <= 10", severity="blocking")
        finally:
            connection.close()

    other = threading.Thread(target=elsewhere)
    other.start()
    other.join()
    assert _refused(_save(world, 13), "专职人员不超过十人")


# -- what is watched ----------------------------------------------------------------------------------------------

TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def test_every_table_a_kept_read_queries_is_watched(world, client, activity_rules, monkeypatch):
    """Each computation kept under the token, as a figure write, a submit, an approval, the API and the analytics
    pages run it: the tables its statements read must all be watched, or a change of them would go unseen."""
    read: dict[str, set] = {}
    compute_once = configuration._private  # a bulk block computes each key through it

    def recording(block, key, compute):
        with CaptureQueriesContext(connection) as seen:
            value = compute_once(block, key, compute)
        read.setdefault(key[0], set()).update(t for q in seen.captured_queries for t in TABLES.findall(q["sql"]))
        return value

    monkeypatch.setattr(configuration, "_private", recording)
    client.force_login(world.city_office)
    with configuration_held():
        assert _save(world, 12).ok
        sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.edu)
        services.submission_submit(actor=world.filler, submission=sub)
        services.submission_approve(actor=world.office, submission=sub)
        for url in ("/", "/analytics/", "/analytics/explorer/?indicators=HR_FULL&periods=2024",
                    "/analytics/compare/?indicators=HR_FULL&periods=2024"):
            assert client.get(url).status_code == 200, url
    assert {"data_sets_for", "applicable_rules", "activity_rules", "data_set_members", "children"} <= set(read)
    unwatched = {key: tables - set(configuration.WATCHED) for key, tables in read.items()}
    assert not any(unwatched.values()), unwatched


def _triggered_tables() -> set[str]:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'kesu_configuration%'")
        else:
            cur.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'kesu_configuration_changed'")
        return {row[0] for row in cur.fetchall()}


def test_every_watched_table_has_its_triggers_and_migrate_restores_lost_ones(world):
    assert _triggered_tables() == set(configuration.WATCHED)
    with connection.cursor() as cur:  # what SQLite does to a table a migration rebuilds
        if connection.vendor == "sqlite":
            for op in ("insert", "update", "delete"):
                cur.execute(f"DROP TRIGGER kesu_configuration_collection_validationrule_{op}")
        else:
            cur.execute("DROP TRIGGER kesu_configuration_changed ON collection_validationrule")
    assert "collection_validationrule" not in _triggered_tables()
    config = apps.get_app_config("core")
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default",
                      apps=apps, plan=[])
    assert _triggered_tables() == set(configuration.WATCHED)
    before = version()
    services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                         expression="HR_FULL <= 10", severity="blocking")
    assert version() != before
