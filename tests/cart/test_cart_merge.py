import pytest

from storefront.cart.models import Cart, CartLine
from storefront.cart.services import cart_merge
from storefront.cart.session import SESSION_CART_COUNT, SESSION_CART_ID
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory

from .factories import cart_with

pytestmark = pytest.mark.django_db


def test_guest_lines_move_into_the_account_cart():
    user = UserFactory()
    a, b = SkuFactory(), SkuFactory()
    account = cart_with(user=user, skus=[a])
    guest = cart_with(skus=[b], quantity=2)

    merged = cart_merge(user=user, guest_cart_id=guest.pk)

    assert merged == account
    assert dict(CartLine.objects.filter(cart=account).values_list("sku_id", "quantity")) == {a.pk: 1, b.pk: 2}
    assert not Cart.objects.filter(pk=guest.pk).exists()


def test_same_sku_in_both_carts_adds_up_to_99():
    user = UserFactory()
    sku, other = SkuFactory(stock=500), SkuFactory(stock=500)
    account = cart_with(user=user, skus=[sku, other], quantity=60)
    guest = cart_with(skus=[sku], quantity=50)
    cart_with_more = cart_with(skus=[other], quantity=3)

    cart_merge(user=user, guest_cart_id=guest.pk)
    cart_merge(user=user, guest_cart_id=cart_with_more.pk)

    assert dict(CartLine.objects.filter(cart=account).values_list("sku_id", "quantity")) == {sku.pk: 99, other.pk: 63}


def test_guest_cart_becomes_the_account_cart_when_the_shopper_had_none():
    user = UserFactory()
    guest = cart_with()

    merged = cart_merge(user=user, guest_cart_id=guest.pk)

    assert merged.pk == guest.pk
    assert Cart.objects.get(pk=guest.pk).user == user


def test_another_shoppers_cart_is_never_merged():
    owner, intruder = UserFactory(), UserFactory()
    owners_cart = cart_with(user=owner)

    assert cart_merge(user=intruder, guest_cart_id=owners_cart.pk) is None
    assert CartLine.objects.filter(cart=owners_cart).count() == 1


def test_login_merges_the_session_cart_and_sets_the_header_count(client):
    user = UserFactory()
    cart_with(user=user, quantity=2)
    sku = SkuFactory()
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 3})
    guest_cart_id = client.session[SESSION_CART_ID]

    client.force_login(user)  # django.contrib.auth.login(): the user_logged_in signal fires

    assert not Cart.objects.filter(pk=guest_cart_id).exists()
    assert CartLine.objects.get(cart__user=user, sku=sku).quantity == 3
    assert client.session[SESSION_CART_COUNT] == 5
    assert '<span class="badge" id="cart-count">5</span>' in client.get("/cart/").content.decode()
