"""Payments factories: a NEW payment attempt (what payment_start will make for an order), and paid ones
brought to that state through the services and the sandbox."""

from decimal import Decimal

import factory

from payments.models import EventSource, Payment, PaymentMethod
from payments.services import payment_provider_create, payment_sync
from tests.orders.factories import place_order

from .sandbox_client import resolve

RETURN_URL = "http://127.0.0.1:8000/orders/MS-1/"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment
        skip_postgeneration_save = True

    order = factory.LazyFunction(place_order)
    method = PaymentMethod.CARD
    amount = Decimal("1500.00")
    currency = "RUB"


def started_payment(**kwargs) -> Payment:
    """A payment the provider has a page for (pending)."""
    payment = PaymentFactory(**kwargs)
    return payment_provider_create(payment_id=payment.pk, return_url=RETURN_URL, description="Заказ MS-1")


def paid_payment(sandbox, **kwargs) -> Payment:
    """A payment the shopper paid in the sandbox, settled here through the provider's API."""
    payment = started_payment(**kwargs)
    resolve(sandbox, payment.provider_payment_id, notify=False)
    return payment_sync(payment_id=payment.pk, source=EventSource.POLLER)


# --- pay on delivery


def cod_payment(**order_kwargs) -> Payment:
    """A pay-on-delivery order placed and confirmed through the services: its payment awaits collection."""
    from payments.cod import cod_payment_start

    order = place_order(payment_method=PaymentMethod.CASH_ON_DELIVERY, **order_kwargs)
    return cod_payment_start(order=order)


def cod_shipped(*, tracking_number: str, **order_kwargs) -> Payment:
    """A COD order packed, handed to the post and registered under `tracking_number` (as logistics will do)."""
    from orders.services import order_pack, order_ship
    from payments.cod import cod_parcel_registered

    payment = cod_payment(**order_kwargs)
    order_pack(order=payment.order, actor="system")
    order_ship(order=payment.order)
    cod_parcel_registered(order=payment.order, tracking_number=tracking_number)
    payment.order.refresh_from_db()
    return payment
