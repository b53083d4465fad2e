import pytest
from django.db import connection

from tests.workers import broker, relay_app  # noqa: F401 - fixtures

from .jobs import EFFECT_TABLE


@pytest.fixture
def effect_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {EFFECT_TABLE} (id bigserial PRIMARY KEY, mark text NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {EFFECT_TABLE}")
