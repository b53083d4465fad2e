"""An order remembers the language it was placed in: its SMS and emails are written in it, though the worker that
sends them runs in Russian."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from logistics.postal.notify import ARRIVED, parcel_notify
from orders.models import Order, PaymentMethod
from orders.notify import order_placed_notify
from payments.abandoned import payment_reminder_send
from storefront.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.logistics.factories import ParcelFactory

from .factories import place_order

pytestmark = pytest.mark.django_db

CONTACT = {"step": "contact", "contact_phone": "8 916 123-45-67", "recipient_name": "Anna Smith"}
ADDRESS = {"step": "address", "postcode": "101000", "city": "Moscow", "street": "Myasnitskaya", "house": "12"}
DELIVERY = {"step": "delivery", "delivery_method": "courier"}
PAYMENT = {"step": "payment", "payment_method": "cod"}


def checkout(client) -> Notification:
    """A guest buys through the checkout; returns the confirmation SMS as the worker (in Russian) writes it."""
    sku = SkuFactory(price=Decimal("1000.00"), stock=5, product=ProductFactory(title="Kettle"))
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    for step in (CONTACT, ADDRESS, DELIVERY, PAYMENT):
        assert client.post("/checkout/", step).status_code == 302
    html = client.get("/checkout/").content.decode()
    marker = 'name="idempotency_key" value="'
    key = html[html.index(marker) + len(marker) :][:32]
    assert client.post("/checkout/", {"step": "place", "idempotency_key": key}).status_code == 302
    order = Order.objects.get()
    with translation.override("ru"):
        order_placed_notify(order_id=order.pk)
    return Notification.objects.get(channel="sms")


def test_a_guest_who_shops_in_english_gets_the_order_sms_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    sms = checkout(client)

    assert sms.language == "en"
    assert sms.text.startswith("Order MS-")
    assert "is placed" in sms.text


def test_a_guest_who_shops_in_russian_gets_it_in_russian(client):
    sms = checkout(client)

    assert sms.language == "ru"
    assert sms.text.startswith("Заказ MS-")


def test_the_payment_reminder_follows_the_orders_language():
    order = place_order(payment_method=PaymentMethod.CARD, language="en", contact_email="")

    with translation.override("ru"):
        payment_reminder_send(order=order)

    assert "is awaiting payment until" in Notification.objects.get(kind="payment_reminder").text


def test_parcel_messages_follow_the_orders_language():
    parcel = ParcelFactory(
        order=place_order(language="en", contact_email=""),
        tracking_number="RA123456785CN",
        storage_deadline=datetime.date(2026, 12, 14),
    )

    with translation.override("ru"):
        parcel_notify(parcel=parcel, kind=ARRIVED, office="101000")

    assert "collect it by 14 December" in Notification.objects.get(kind=ARRIVED).text


def test_an_order_placed_outside_the_storefront_is_written_in_the_customers_own_language():
    customer = UserFactory(language="en")
    order = place_order(user=customer, contact_email="")

    order_placed_notify(order_id=order.pk)

    assert order.language == ""
    assert Notification.objects.get().language == "en"
