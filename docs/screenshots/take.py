"""Screenshots of the main pages at phone (390x844) and laptop (1366x900) sizes, for a person to review.

Against a dev server on a demo database (`manage.py seed_demo`), never a shared one: the run places a
pay-on-delivery order, keeps the two demo goods it buys in stock and gives demo order MS-2612-001006 a parcel with a
week of postal events (for the tracking page). The 404 page needs a second server with DEBUG=false.

    DATABASE_URL=… REDIS_URL=… manage.py runserver 127.0.0.1:8613 --noreload
    DEBUG=false STATIC_ROOT=… manage.py runserver 127.0.0.1:8614 --noreload   (after collectstatic)
    DATABASE_URL=… REDIS_URL=… PYTHONPATH=. python docs/screenshots/take.py [name-prefix …]

Full-page PNGs go to $OUT (default var/screenshots); docs/screenshots/ holds a reviewed, compressed selection.
"""

# ruff: noqa: E402 - Django is set up before the models are imported (a script, not a module of the app)
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings.local")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
import django

django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from logistics.models import Parcel
from logistics.postal.parsing import PartnerEvent
from logistics.postal.sandbox.journeys import ParcelSpec, journey
from logistics.postal.services import tracking_history_ingest
from logistics.services import parcel_tracking_number_set
from logistics.tracking_numbers import s10_make
from orders.models import Order
from storefront.catalog.models import Sku

BASE = os.environ.get("BASE", "http://127.0.0.1:8613")
BASE404 = os.environ.get("BASE404", "http://127.0.0.1:8614")
OUT = Path(os.environ.get("OUT", "var/screenshots"))
ONLY = sys.argv[1:]
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 900}},
}
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]
DRESS = "/p/plate-lumi-urban-16-246/"  # CNY, sizes and colours
SHOES = "/p/kedy-anta-walk-17-296/"
PHONE = "/p/smartfon-samsung-lite-18-1/"  # RUB, memory variants
OUT_OF_STOCK = "/p/khudi-zhenskoe-linen-story-soft-9-6/"
TRACKED_ORDER = "MS-2612-001006"  # a shipped demo order of demo customer 1


def tracking_number() -> str:
    """A parcel of the shipped demo order with the postal sandbox's journey so far (8 days of a China parcel)."""
    order = Order.objects.get(number=TRACKED_ORDER)
    parcel = Parcel.objects.filter(order=order).first()
    if parcel is None:
        parcel = Parcel.objects.create(
            order=order,
            reference=f"{order.number}-1",
            origin="CN",
            weight_grams=800,
            declared_value=order.total,
            declared_currency="RUB",
            recipient_name=order.recipient_name,
            recipient_phone=order.contact_phone,
            postcode=order.postcode,
            city=order.city,
            street=order.street,
            house=order.house,
        )
    if not parcel.tracking_number:
        number = s10_make(serial=20_000_001, country="CN")
        parcel_tracking_number_set(parcel=parcel, tracking_number=number, actor="system")
        parcel.refresh_from_db()
        now = time.time()
        spec = ParcelSpec(
            barcode=number, kind="china", scenario="normal", start=now - 8 * 86400, index_to=parcel.postcode
        )
        events = [
            PartnerEvent(
                barcode=number,
                oper_type=op.type,
                oper_attr=op.attr,
                name=op.attr_name() or op.type_name(),
                occurred_at=datetime.fromtimestamp(op.at, UTC),
                index=op.place.index,
                raw={},
            )
            for op in journey(spec)
            if op.at <= now
        ]
        tracking_history_ingest(parcel=parcel, events=events)
    return parcel.tracking_number


def session_cookie() -> str:
    client = Client()
    client.force_login(get_user_model().objects.order_by("pk").first())
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def shot(page, size: str, name: str) -> None:
    if ONLY and not any(name.startswith(prefix) for prefix in ONLY):
        return
    page.wait_for_timeout(400)  # htmx swaps and lazy images settle
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header belongs at the top of a full-page shot
    page.wait_for_timeout(100)
    page.screenshot(path=str(OUT / f"{size}-{name}.png"), full_page=True)
    print("shot", size, name)


def checkout(p, size: str) -> None:
    p.locator("#checkout-button").click()
    shot(p, size, "10-checkout-contact")
    p.fill("input[name=contact_phone]", "+7 916 123-45-67")
    p.fill("input[name=recipient_name]", "Анна Смирнова")
    p.locator("#checkout-next").click()
    p.fill("input[name=postcode]", "01000")
    p.fill("input[name=city]", "Москва")
    p.fill("input[name=street]", "Мясницкая")
    p.fill("input[name=house]", "12")
    p.locator("#checkout-next").click()
    expect(p.locator(".field-postcode .errorlist")).to_be_visible()
    shot(p, size, "11-checkout-address-error")
    p.fill("input[name=postcode]", "420012")
    p.fill("input[name=city]", "Казань")
    p.locator("#checkout-next").click()
    p.locator("input[name=delivery_method][value=post_pickup]").check()
    shot(p, size, "12-checkout-delivery")
    p.locator("#checkout-next").click()
    expect(p.locator("#step-payment.is-current")).to_be_visible()
    shot(p, size, "13-checkout-payment")
    p.get_by_label("При получении — наличными или картой").check()
    p.locator("#checkout-next").click()
    expect(p.locator("#place-order")).to_be_visible()
    shot(p, size, "14-checkout-review")
    p.locator("#place-order").click()
    p.wait_for_url("**/orders/**")
    shot(p, size, "15-order-placed")


def run(pw, size: str, track: str) -> None:
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
    ctx = browser.new_context(locale="ru-RU", **SIZES[size])
    p = ctx.new_page()
    p.set_default_timeout(15_000)
    p.goto(f"{BASE}/")
    shot(p, size, "01-home")
    p.goto(f"{BASE}/c/phones/")
    shot(p, size, "02-category")
    p.goto(f"{BASE}/c/clothing/?sort=price")
    if size == "phone":
        p.locator("#filters summary").click()
    p.locator("#filter-form .pill", has_text="M").first.click()
    p.wait_for_timeout(600)
    p.locator("#filter-form label.check", has_text="Только в наличии").click()
    p.wait_for_timeout(600)
    p.locator("#filter-form label.check", has_text="из Китая").click()
    p.wait_for_timeout(800)
    shot(p, size, "03-category-filtered")
    p.goto(f"{BASE}/search/?q=смартфоны")
    shot(p, size, "04-search")
    p.goto(f"{BASE}/search/?q=zzqxwv")
    shot(p, size, "05-search-nothing")
    p.goto(f"{BASE}/search/?q=")
    shot(p, size, "06-search-empty")
    p.goto(f"{BASE}{DRESS}")
    shot(p, size, "07-product")
    p.locator(".btn-buy").click()
    expect(p.locator("#cart-count")).not_to_have_text("0")
    p.goto(f"{BASE}{PHONE}")
    p.locator(".pill", has_text="256 ГБ").click()
    expect(p.locator(".pill", has_text="256 ГБ").locator("input")).to_be_checked()
    shot(p, size, "08-product-variant")
    p.goto(f"{BASE}{OUT_OF_STOCK}")
    shot(p, size, "08b-product-out-of-stock")
    p.goto(f"{BASE}{SHOES}")
    p.locator(".pill", has_text="38").click()
    p.wait_for_timeout(300)
    p.locator(".btn-buy").click()
    expect(p.locator("#cart-count")).to_have_text("2")
    p.goto(f"{BASE}/cart/")
    shot(p, size, "09-cart")
    checkout(p, size)
    p.goto(f"{BASE}/account/login/")
    shot(p, size, "16-login")
    p.goto(f"{BASE}/track/{track}/")
    shot(p, size, "17-tracking")
    p.goto(f"{BASE}/track/")
    shot(p, size, "18-track-form")
    p.goto(f"{BASE404}/no-such-page/")
    shot(p, size, "19-404")
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(), "url": BASE}])
    p.goto(f"{BASE}/orders/")
    shot(p, size, "20-orders")
    p.goto(f"{BASE}/orders/{TRACKED_ORDER}/")
    shot(p, size, "21-order-detail")
    browser.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    track = tracking_number()
    # every run places an order: keep what it buys in stock (demo database only)
    Sku.objects.filter(product__slug__in=[DRESS.split("/")[2], SHOES.split("/")[2]]).update(stock=50)
    cache.clear()
    with sync_playwright() as pw:
        for size in SIZES:
            run(pw, size, track)


if __name__ == "__main__":
    main()
