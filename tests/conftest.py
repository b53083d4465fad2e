"""Shared fixtures: real PostgreSQL and Redis (from DATABASE_URL / REDIS_URL), Playwright on Debian's chromium."""

import os
import shutil

import pytest
from django.core.cache import cache

CHROMIUM = os.environ.get("STORE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The reference data the migrations seed (logistics 0003: regions, promise rules, cut-offs, tariffs, customs
    regimes, pickup points) for every database test. A transactional test (live server, browser) empties every
    table when it ends, and whatever test runs after it — in any app — would find no regions or pickup points
    (the checkout then has no office to preselect). Put back what is missing; the seed only adds absent rows."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from logistics import seed
    from logistics.models import CustomsRule, DeliveryTariff, DispatchCutoff, PickupPoint, PromiseRule, Region

    if Region.objects.exists() and PickupPoint.objects.exists():
        return
    seed.regions_load(Region)
    seed.rules_seed(
        PromiseRule=PromiseRule, DispatchCutoff=DispatchCutoff, DeliveryTariff=DeliveryTariff, CustomsRule=CustomsRule
    )
    seed.pickup_points_seed(PickupPoint)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (rate limits, cached pages) in the real Redis."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}; .ci/run installs it")
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(10_000)
    yield p
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}, is_mobile=True)
    p = context.new_page()
    p.set_default_timeout(10_000)
    yield p
    context.close()
