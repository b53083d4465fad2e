"""A small catalog for the search tests: titles, brands and categories chosen to exercise Russian word forms."""

import pytest
from django.db import connection

from .factories import BrandFactory, CategoryFactory, ProductFactory


@pytest.fixture
def catalog(db):
    phones = CategoryFactory(name="Смартфоны и телефоны", slug="phones")
    audio = CategoryFactory(name="Наушники", slug="audio")
    home = CategoryFactory(name="Товары для дома", slug="home")
    xiaomi = BrandFactory(name="Xiaomi", slug="xiaomi")
    apple = BrandFactory(name="Apple", slug="apple")
    tefal = BrandFactory(name="Tefal", slug="tefal")
    return {
        "phones": phones,
        "audio": audio,
        "home": home,
        "xiaomi": xiaomi,
        "apple": apple,
        "tefal": tefal,
        "redmi": ProductFactory(
            title="Смартфон Xiaomi Redmi Note 13",
            category=phones,
            brand=xiaomi,
            popularity=50,
            description="Большой экран и ёмкий аккумулятор.",
        ),
        "iphone": ProductFactory(
            title="Смартфон Apple iPhone 15",
            category=phones,
            brand=apple,
            popularity=90,
            description="Камера 48 Мп.",
        ),
        "buds": ProductFactory(
            title="Беспроводные наушники Xiaomi Buds 4",
            category=audio,
            brand=xiaomi,
            popularity=70,
            description="Подходят к любому смартфону.",
        ),
        "kettle": ProductFactory(
            title="Электрический чайник Tefal",
            category=home,
            brand=tefal,
            popularity=10,
            description="Стальной корпус, 1,7 литра.",
        ),
    }


@pytest.fixture
def trgm_installed(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            pytest.skip("pg_trgm is not installed in this database (embedded server without contrib)")
