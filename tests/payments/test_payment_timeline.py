"""The payment's timeline (quality bar): every status change of a card payment paid through the sandbox is a row
with when, from, to and its source — the shopper's create, then the provider's webhook."""

import pytest

from payments.models import EventSource, PaymentStatus

from .journeys import checkout, webhook
from .sandbox_client import resolve

pytestmark = pytest.mark.django_db


def test_each_transition_is_recorded_with_its_time_and_source(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "sbp")
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)
    webhook(client, "payment.succeeded", payment.provider_payment_id)

    changes = [
        (e.from_status, e.to_status, e.source)
        for e in payment.events.order_by("at", "id")
        if e.from_status != e.to_status
    ]
    assert changes == [
        (PaymentStatus.NEW, PaymentStatus.PENDING, EventSource.SHOPPER),
        (PaymentStatus.PENDING, PaymentStatus.SUCCEEDED, EventSource.WEBHOOK),
    ]
    times = list(payment.events.order_by("at", "id").values_list("at", flat=True))
    assert all(t is not None for t in times) and times == sorted(times)
