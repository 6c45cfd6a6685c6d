"""The catalogue version token and the triggers that replace it on every change of the watched tables
(kesu/analytics/catalogue.py). Plain SQL: the row is not a model, so backups, restores and test flushes leave it
alone, and the triggers fire whatever writes."""

from django.db import migrations

TABLE = "analytics_catalogue_version"
WATCHED = ("regions_region", "plans_indicator", "collection_activityindicatorrule")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
NEW_TOKEN = {"sqlite": "lower(hex(randomblob(16)))", "postgresql": "md5(gen_random_uuid()::text)"}


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    token = NEW_TOKEN.get(vendor)
    if token is None:
        raise RuntimeError(f"kesu supports SQLite and PostgreSQL, not {vendor}")
    run = schema_editor.execute
    run(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, token varchar(32) NOT NULL)")
    run(f"INSERT INTO {TABLE} (id, token) VALUES (1, {token})")
    if vendor == "sqlite":  # row triggers only; one cheap UPDATE of one row per changed row
        for table in WATCHED:
            for op in OPERATIONS:
                run(f"CREATE TRIGGER kesu_catalogue_{table}_{op.lower()} AFTER {op} ON {table} "
                    f"BEGIN UPDATE {TABLE} SET token = {token} WHERE id = 1; END")
        return
    run(f"CREATE FUNCTION kesu_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {TABLE} SET token = {token} WHERE id = 1; RETURN NULL; END $$")
    for table in WATCHED:  # once per statement, TRUNCATE included
        run(f"CREATE TRIGGER kesu_catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION kesu_catalogue_changed()")


def remove(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        for table in WATCHED:
            for op in OPERATIONS:
                run(f"DROP TRIGGER IF EXISTS kesu_catalogue_{table}_{op.lower()}")
    else:
        for table in WATCHED:
            run(f"DROP TRIGGER IF EXISTS kesu_catalogue_changed ON {table}")
        run("DROP FUNCTION IF EXISTS kesu_catalogue_changed()")
    run(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0002_api_token_to_accounts"),
        ("regions", "0001_initial"),
        ("plans", "0002_item_verification"),
        ("collection", "0006_excel_import_history"),
    ]

    operations = [migrations.RunPython(install, remove)]
