from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "kesu.regions"
    label = "regions"
    verbose_name = "行政区域"
