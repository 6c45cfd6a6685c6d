from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "kesu.collection"
    label = "collection"
    verbose_name = "数据填报"

    def ready(self):
        from .configuration import connect

        connect()  # every change of the configuration advances its version (kesu/collection/configuration.py)
