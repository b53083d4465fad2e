import pytest
from celery import Celery
from django.db import connection

from devtools.stack import EmbeddedRedis
from storefront.celery import app as store_app

from .jobs import EFFECT_TABLE


class Broker:
    """Our own Redis on a spare loopback port (never the machine's), stoppable and restartable on that port."""

    def __init__(self, var):
        self.var = var
        self.redis = EmbeddedRedis(var=var, name="broker")
        self.url = self.redis.start()
        self.port = self.redis.port

    def stop(self) -> None:
        self.redis.stop()

    def start(self) -> None:
        self.redis = EmbeddedRedis(var=self.var, name="broker", port=self.port)
        self.redis.start()


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path)
    yield b
    b.stop()


@pytest.fixture
def relay_app(broker):
    """The store's Celery configuration, publishing to the test broker."""
    app = Celery("outbox-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker.url
    app.conf.task_routes = store_app.conf.task_routes
    yield app
    app.close()


@pytest.fixture
def effect_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {EFFECT_TABLE} (id bigserial PRIMARY KEY, mark text NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {EFFECT_TABLE}")
