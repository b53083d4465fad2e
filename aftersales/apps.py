from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
    label = "aftersales"
    verbose_name = "Послепродажное обслуживание"
