"""Orders factories: details as a checkout form would give them, orders placed through order_place."""

import uuid

import factory

from orders.models import DeliveryMethod, PaymentMethod
from orders.services import LineRequest, OrderDetails, order_place
from tests.catalog.factories import SkuFactory


class OrderDetailsFactory(factory.Factory):
    class Meta:
        model = OrderDetails

    contact_phone = "+79161234567"
    contact_email = "shopper@example.ru"
    recipient_name = "Иван Петров"
    postcode = "101000"
    city = "Москва"
    street = "ул. Тверская"
    house = "7"
    flat = "12"
    delivery_method = DeliveryMethod.POST_PICKUP
    payment_method = PaymentMethod.CASH_ON_DELIVERY


def place_order(*, skus=None, quantity: int = 1, user=None, key: str | None = None, **details):
    """An order placed through the service for `skus` (one new SKU by default), `quantity` of each."""
    skus = skus or [SkuFactory()]
    return order_place(
        details=OrderDetailsFactory(**details),
        actor=user or "guest",
        idempotency_key=key or uuid.uuid4().hex,
        lines=[LineRequest(sku_id=sku.pk, quantity=quantity) for sku in skus],
    )
