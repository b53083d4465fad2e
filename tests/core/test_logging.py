import io
import json
import logging

import pytest
from django.test import Client

from storefront.core.logging import JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines(settings):
    """What the configured console handler (LOGGING) writes, as a list of lines."""
    settings.ROOT_URLCONF = "tests.core.urls_logging"
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: stream.getvalue().splitlines()
    handler.setStream(previous)


def test_a_request_logs_one_json_line_carrying_the_request_id_it_returns(client, log_lines):
    response = client.get("/ok/")

    records = [json.loads(line) for line in log_lines()]
    assert len(records) == 1
    assert records[0] | {"ts": "", "ms": 0} == {
        "ts": "",
        "level": "INFO",
        "logger": "storefront.request",
        "msg": "request",
        "request_id": response["X-Request-ID"],
        "method": "GET",
        "path": "/ok/",
        "status": 200,
        "ms": 0,
    }


def test_a_view_exception_logs_an_error_json_line_with_the_traceback(log_lines):
    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    errors = [json.loads(line) for line in log_lines() if '"exc"' in line]
    assert len(errors) == 1
    assert (errors[0]["level"], errors[0]["logger"]) == ("ERROR", "django.request")
    assert errors[0]["request_id"] == response["X-Request-ID"]
    assert errors[0]["exc"].startswith("Traceback")
    assert "RuntimeError: boom: a bug in a view" in errors[0]["exc"]
