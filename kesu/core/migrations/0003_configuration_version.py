"""The configuration's version token and the triggers that replace it on every change of the watched tables
(kesu/core/configuration.py). Plain SQL: the row is not a model, so backups, restores and test flushes leave it
alone, and the triggers fire whatever writes. Every ``migrate`` creates the triggers again where missing."""

from django.db import migrations

from kesu.core import configuration

# The tables as this migration first watched them; ``configuration.WATCHED`` is what post_migrate keeps watched.
WATCHED = (
    "regions_region", "orgs_unit", "plans_indicator",
    "collection_dataset", "collection_dataset_indicators", "collection_dataset_units",
    "collection_validationrule", "collection_activityindicatorrule", "collection_outlierrule",
)


def install(apps, schema_editor):  # noqa: ARG001 (RunPython's signature)
    configuration.install(schema_editor.connection, WATCHED)


def remove(apps, schema_editor):  # noqa: ARG001 (RunPython's signature)
    configuration.remove(schema_editor.connection, WATCHED)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_workerbeat"),
        ("regions", "0001_initial"),
        ("orgs", "0001_initial"),
        ("plans", "0002_item_verification"),
        ("collection", "0006_excel_import_history"),
    ]

    operations = [migrations.RunPython(install, remove)]
