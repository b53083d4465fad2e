"""The order page's payment panel: live while the payment is open (htmx polling), still once it settles."""

import pytest
from django.urls import reverse

from orders.models import OrderStatus
from orders.selectors import order_guest_token_make, order_path
from tests.accounts.factories import UserFactory
from tests.orders.factories import place_order

from .journeys import checkout
from .sandbox_client import resolve

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _state_url(order) -> str:
    return reverse("payments:guest_state", kwargs={"token": order_guest_token_make(order=order)})


def test_order_page_shows_the_open_payment_and_polls_it(client, payment_sandbox):
    _, order = checkout(client, "card")
    payment = order.payments.get()

    html = client.get(order_path(order=order)).content.decode()

    assert 'id="payment-panel"' in html
    assert 'hx-trigger="every 2s"' in html
    assert f'href="{payment.confirmation_url}"' in html


def test_poll_asks_the_provider_and_stops_once_paid(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    resolve(payment_sandbox, order.payments.get().provider_payment_id, notify=False)  # the webhook is late

    html = client.get(_state_url(order), **HTMX).content.decode()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.status_changes.last().actor_label == "shopper"
    assert "Заказ оплачен" in html
    assert "hx-trigger" not in html
    assert 'id="order-status" hx-swap-oob="true">Оплачен</span>' in html


def test_poll_with_nothing_new_answers_no_content(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    payment = order.payments.get()

    response = client.get(f"{_state_url(order)}?seen=pending-{payment.pk}", **HTMX)

    assert response.status_code == 204


def test_declined_payment_panel_offers_to_pay_again_without_polling(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "sbp")
    resolve(payment_sandbox, order.payments.get().provider_payment_id, "canceled", notify=False)

    html = client.get(_state_url(order), **HTMX).content.decode()

    assert "Оплата не прошла" in html
    assert "Оплатить снова" in html
    assert 'value="card"' in html and 'value="sbp"' in html
    assert "hx-trigger" not in html


def test_state_without_htmx_goes_to_the_order_page(client, payment_sandbox):
    _, order = checkout(client, "card")

    response = client.get(_state_url(order))

    assert response.status_code == 302
    assert "/orders/guest/" in response["Location"]


def test_someone_elses_order_has_no_payment_panel(client):
    order = place_order(user=UserFactory(), payment_method="card")
    client.force_login(UserFactory())

    assert client.get(reverse("payments:state", kwargs={"number": order.number}), **HTMX).status_code == 404
    assert client.post(reverse("payments:pay", kwargs={"number": order.number}), {"method": "card"}).status_code == 404


def test_owner_pays_from_the_order_page(client, payment_sandbox):
    user = UserFactory()
    order = place_order(user=user, payment_method="card")
    client.force_login(user)
    assert 'id="pay-button"' in client.get(order.get_absolute_url()).content.decode()

    response = client.post(reverse("payments:pay", kwargs={"number": order.number}), {"method": "card"}, **HTMX)

    order.refresh_from_db()
    assert response["HX-Redirect"] == order.payments.get().confirmation_url
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_paid_order_cannot_be_paid_again(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    resolve(payment_sandbox, order.payments.get().provider_payment_id, notify=False)
    client.get(_state_url(order), **HTMX)

    response = client.post(
        reverse("payments:guest_pay", kwargs={"token": order_guest_token_make(order=order)}), {"method": "sbp"}
    )

    assert order.payments.count() == 1
    assert response.status_code == 302


def test_pay_on_delivery_order_has_no_payment_panel(client):
    user = UserFactory()
    order = place_order(user=user, payment_method="cod")
    client.force_login(user)

    assert 'id="payment-panel"' not in client.get(order.get_absolute_url()).content.decode()


@pytest.mark.parametrize("name", ["payments:guest_state", "payments:guest_pay"])
def test_a_forged_or_altered_guest_token_has_no_payment_panel(client, name):
    mine, theirs = place_order(payment_method="card"), place_order(payment_method="card")
    tampered = order_guest_token_make(order=mine).replace(mine.number, theirs.number, 1)

    for token in (tampered, f"{theirs.number}:1abcde:forged", theirs.number):
        url = reverse(name, kwargs={"token": token})
        response = client.post(url, {"method": "card"}) if name.endswith("pay") else client.get(url, **HTMX)
        assert response.status_code == 404, token
