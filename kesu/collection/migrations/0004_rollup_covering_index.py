"""A covering index for reads of roll-up rows on PostgreSQL.

Reading all indicators of a set of regions for one period then is an index-only range scan per region × period
(no heap page per row), which is what keeps a province-by-county table fast (docs/analytics.md §7). SQLite has no
INCLUDE columns; there the unique key's index serves.
"""

from django.db import migrations

CREATE = ("CREATE INDEX IF NOT EXISTS collection_rollup_cover ON collection_rolluprow "
          "(region_id, period_id, indicator_id) INCLUDE (value, own, parts)")
DROP = "DROP INDEX IF EXISTS collection_rollup_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("collection", "0003_rollup")]

    operations = [migrations.RunPython(create, drop)]
