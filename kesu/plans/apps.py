from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kesu.plans"
    label = "plans"
    verbose_name = "规划与任务"
