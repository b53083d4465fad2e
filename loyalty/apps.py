from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    label = "loyalty"
    verbose_name = "Баллы"
