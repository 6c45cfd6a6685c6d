from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "kesu.extraction"
    label = "extraction"
    verbose_name = "历史报告提取"
