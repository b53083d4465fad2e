"""The compose health check of the web container (storefront/core/healthcheck.py) against a live server."""

from pathlib import Path

import pytest

from storefront.core.healthcheck import healthcheck_host, healthcheck_status

pytestmark = pytest.mark.django_db
COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("shop.example.ru,www.shop.example.ru", "shop.example.ru"),
        (" .example.ru ", "example.ru"),
        ("*", "localhost"),
        ("*,shop.example.ru", "shop.example.ru"),
        ("", "localhost"),
    ],
)
def test_the_host_asked_with_is_the_first_usable_allowed_host(allowed, host):
    assert healthcheck_host(allowed) == host


def test_the_check_reaches_healthz_on_a_site_that_serves_only_its_own_domain(live_server, settings):
    settings.ALLOWED_HOSTS = ["shop.example.ru"]
    settings.STORE_HEALTH_CELERY_TIMEOUT = 0.3
    url = f"{live_server.url}/healthz"

    bare = healthcheck_status(url)  # what a plain request to 127.0.0.1 gets: the site refuses the host
    ours = healthcheck_status(url, allowed_hosts="shop.example.ru")

    assert bare == 400
    assert ours in (200, 503)  # /healthz itself answered (503 here: no Celery worker runs in this test)


def test_the_check_fails_when_nothing_answers():
    assert healthcheck_status("http://127.0.0.1:9/healthz", allowed_hosts="shop.example.ru", timeout=1) == 0


def test_compose_checks_the_web_container_with_it():
    assert '["CMD", "python", "-m", "storefront.core.healthcheck"]' in COMPOSE.read_text()
