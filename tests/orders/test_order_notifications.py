import re
from urllib.parse import urlparse

import pytest

import storefront.notifications.tasks  # noqa: F401 - the worker knows this task; here the test process must
from orders.exceptions import OutOfStock
from orders.notify import order_placed_notify
from storefront.notifications.models import Notification
from storefront.outbox.models import OutboxJob
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory

from .factories import place_order

pytestmark = pytest.mark.django_db


def _link(text: str) -> str:
    return urlparse(re.search(r"https?://\S+", text).group()).path


def test_placing_queues_the_confirmation_job_in_the_outbox():
    order = place_order()

    job = OutboxJob.objects.get(key=f"order_placed:{order.number}")
    assert (job.task, job.kwargs) == ("orders.tasks.order_placed_notify", {"order_id": order.pk})


def test_refused_order_queues_nothing():
    with pytest.raises(OutOfStock):
        place_order(skus=[SkuFactory(stock=0)])

    assert not OutboxJob.objects.exists()


def test_guest_gets_an_sms_with_a_signed_link_that_opens_the_order(client):
    order = place_order(contact_phone="+79035550011", contact_email="")

    order_placed_notify(order_id=order.pk)

    sms = Notification.objects.get()
    assert (sms.channel, sms.phone) == ("sms", "+79035550011")
    assert order.number in sms.text
    path = _link(sms.text)
    assert path.startswith("/orders/guest/")
    response = client.get(path)
    assert response.status_code == 200
    assert order.number in response.content.decode()


def test_shopper_sms_links_to_the_order_in_their_account():
    user = UserFactory()
    order = place_order(user=user, contact_email="")

    order_placed_notify(order_id=order.pk)

    assert _link(Notification.objects.get().text) == f"/orders/{order.number}/"


def test_confirmation_goes_by_email_too_when_the_shopper_gave_one():
    order = place_order(contact_email="anna@example.ru")

    order_placed_notify(order_id=order.pk)
    order_placed_notify(order_id=order.pk)  # the task ran twice: still one message per channel

    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["email", "sms"]
    assert Notification.objects.get(channel="email").email == "anna@example.ru"
