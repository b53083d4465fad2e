"""The run and test commands hand Django a DATABASE_URL for the embedded server's unix socket: it must read back."""

from __future__ import annotations

import environ
import pytest

from devtools.stack import postgres_url


@pytest.mark.parametrize(
    ("host", "port", "name", "password"),
    [
        ("/work/store/var/run", 5433, "storefront", ""),
        ("/tmp/store-pg-1234", 5433, "test_storefront", ""),
        ("127.0.0.1", 5432, "storefront_ci", "p@ss:word/x"),
    ],
)
def test_django_environ_reads_back_host_port_name_and_password(host, port, name, password):
    config = environ.Env.db_url_config(postgres_url(host=host, port=port, name=name, password=password))
    assert (config["HOST"], config["PORT"], config["NAME"], config["PASSWORD"]) == (host, port, name, password)
    assert config["ENGINE"] == "django.db.backends.postgresql"
