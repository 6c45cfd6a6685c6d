"""What the collection's configuration is, and how every change of it advances the configuration version.

Every write of figures and every submit reads the same configuration: the data sets that cover the reporter (their
region, units and indicators), the validation rules of the region, the activity and outlier rules, and the
indicators and regions those rows name. Those reads go through ``held`` (kesu/core/configuration.py), kept for a
bulk run (``configuration_held()``) or, in ``figures_write``, for as long as the configuration version is unchanged
(``configuration_held(per_version=True)``).

The version changes in the same transaction as any change of these models, whatever door it comes through:

- ``post_save``, ``post_delete`` and ``m2m_changed`` of the models below (services, Django admin, ``loaddata``,
  cascades) — connected once in ``CollectionConfig.ready``, so a new service cannot forget them;
- ``configuration_changed()`` called where a write bypasses the signals (``QuerySet.update``, ``bulk_create``,
  ``bulk_update``: the region list load, a region move, default units, the benchmark generator);
- every ``migrate`` (``post_migrate``), so a migration's data changes count too.

kesu/collection/tests/test_configuration_version.py checks each door, and that no module writes these models in
bulk without advancing the version.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from kesu.core.configuration import configuration_changed
from kesu.core.models import ConfigurationVersion
from kesu.orgs.models import Unit
from kesu.plans.models import Indicator
from kesu.regions.models import Region

from .models import ActivityIndicatorRule, DataSet, OutlierRule, ValidationRule

CONFIGURATION_MODELS = (DataSet, ValidationRule, ActivityIndicatorRule, OutlierRule, Indicator, Region, Unit)
CONFIGURATION_LINKS = (DataSet.indicators.through, DataSet.units.through)


def _changed(**kwargs) -> None:  # noqa: ARG001 (the signals' signature)
    configuration_changed()


def _linked(action: str, **kwargs) -> None:  # noqa: ARG001 (the signal's signature)
    if action.startswith("post_"):  # post_add, post_remove, post_clear: the rows are written
        configuration_changed()


def connect() -> None:
    for model in CONFIGURATION_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"kesu-config-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kesu-config-delete-{model._meta.label}")
    for through in CONFIGURATION_LINKS:
        m2m_changed.connect(_linked, sender=through, dispatch_uid=f"kesu-config-m2m-{through._meta.label}")
    post_migrate.connect(_migrated, dispatch_uid="kesu-config-migrate")


def _migrated(app_config, using, **kwargs) -> None:  # noqa: ARG001 (the signal's signature)
    # post_migrate is sent once per app; one new token per ``migrate`` run is enough. A partial migrate (back to
    # before the version's table) has no token to change.
    if app_config.label == "collection" and using == DEFAULT_DB_ALIAS \
            and ConfigurationVersion._meta.db_table in connections[using].introspection.table_names():
        configuration_changed(create=False)
