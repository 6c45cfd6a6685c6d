from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "kesu.collection"
    label = "collection"
    verbose_name = "数据填报"
