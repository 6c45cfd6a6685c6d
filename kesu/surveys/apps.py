from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "kesu.surveys"
    label = "surveys"
    verbose_name = "科学素质抽样调查"
