import datetime

import pytest
from django.core import signing

from orders.selectors import GUEST_LINK_SALT, order_guest_token_make
from tests.accounts.factories import UserFactory

from .factories import place_order

pytestmark = pytest.mark.django_db


def test_order_history_needs_login(client):
    response = client.get("/orders/")

    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_history_lists_only_the_shoppers_own_orders(client):
    me, other = UserFactory(), UserFactory()
    mine = place_order(user=me)
    theirs = place_order(user=other)
    guest = place_order()
    client.force_login(me)

    html = client.get("/orders/").content.decode()

    assert mine.number in html
    assert theirs.number not in html and guest.number not in html


def test_shopper_sees_their_order_with_lines_and_history(client):
    me = UserFactory()
    order = place_order(user=me)
    client.force_login(me)

    html = client.get(f"/orders/{order.number}/").content.decode()

    assert order.number in html
    assert order.lines.get().product_title in html
    assert "Оформлен" in html


def test_someone_elses_order_is_404(client):
    me, other = UserFactory(), UserFactory()
    theirs = place_order(user=other)
    client.force_login(me)

    assert client.get(f"/orders/{theirs.number}/").status_code == 404


def test_a_guest_order_is_404_at_the_account_address(client):
    guest_order = place_order()
    client.force_login(UserFactory())

    assert client.get(f"/orders/{guest_order.number}/").status_code == 404


def test_guest_link_shows_that_order(client):
    order = place_order()

    response = client.get(f"/orders/guest/{order_guest_token_make(order=order)}/")

    assert response.status_code == 200
    assert order.number in response.content.decode()


def test_forged_guest_token_is_404(client):
    order = place_order()

    assert client.get(f"/orders/guest/{order.number}:1abcde:forgedsignature/").status_code == 404
    assert client.get(f"/orders/guest/{order.number}/").status_code == 404


def test_guest_token_changed_to_another_order_number_is_404(client):
    mine, theirs = place_order(), place_order()
    token = order_guest_token_make(order=mine)

    tampered = token.replace(mine.number, theirs.number, 1)

    assert client.get(f"/orders/guest/{tampered}/").status_code == 404


def test_expired_guest_link_is_404(client, settings):
    settings.STORE_ORDER_GUEST_LINK_DAYS = 30
    order = place_order()

    class LongAgo(signing.TimestampSigner):
        def timestamp(self):
            old = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=31)
            return signing.b62_encode(int(old.timestamp()))

    token = LongAgo(salt=GUEST_LINK_SALT).sign(order.number)

    assert client.get(f"/orders/guest/{token}/").status_code == 404
