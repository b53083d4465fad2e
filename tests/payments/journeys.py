"""A shopper's way through checkout to the provider and back, with the Django test client (the sandbox over HTTP)."""

from __future__ import annotations

import json
from decimal import Decimal

from orders.models import Order
from tests.catalog.factories import ProductFactory, SkuFactory

WEBHOOK_URL = "/payments/webhook/"
STEPS = (
    {"step": "contact", "contact_phone": "8 916 123-45-67", "recipient_name": "Анна Смирнова"},
    {"step": "address", "postcode": "101000", "city": "Москва", "street": "Мясницкая", "house": "12", "flat": "5"},
    {"step": "delivery", "delivery_method": "courier"},
)


def sku_for(price: str = "1000.00", stock: int = 5):
    return SkuFactory(price=Decimal(price), stock=stock, product=ProductFactory(title="Чайник"))


def checkout(client, method: str, *, sku=None, quantity: int = 1):
    """Cart -> every step -> place; returns the placing response (a redirect) and the order."""
    sku = sku or sku_for()
    client.post("/cart/add/", {"sku": sku.pk, "quantity": quantity})
    for step in (*STEPS, {"step": "payment", "payment_method": method}):
        response = client.post("/checkout/", step)
        assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get("/checkout/").content.decode()
    marker = 'name="idempotency_key" value="'
    key = html[html.index(marker) + len(marker) :][:32]
    response = client.post("/checkout/", {"step": "place", "idempotency_key": key})
    return response, Order.objects.get(idempotency_key=key)


def webhook(client, event: str, object_id: str, *, status: str = "succeeded", address: str = "127.0.0.1"):
    """POST a notification as the provider would (the view re-reads the payment from the sandbox)."""
    body = {"type": "notification", "event": event, "object": {"id": object_id, "status": status}}
    return client.post(WEBHOOK_URL, json.dumps(body), content_type="application/json", REMOTE_ADDR=address)
