import pytest
from django.contrib.auth.models import Group

from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory

from .factories import cart_with

pytestmark = pytest.mark.django_db


def test_support_sees_a_shoppers_cart_by_phone_but_cannot_change_it(client):
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="support"))
    client.force_login(staff)
    shopper = UserFactory(phone="+79035550077")
    cart = cart_with(user=shopper, skus=[SkuFactory(code="MUG-42")])

    listing = client.get("/admin/cart/cart/", {"q": "+79035550077"})
    page = client.get(f"/admin/cart/cart/{cart.pk}/change/")

    assert [c.pk for c in listing.context["cl"].result_list] == [cart.pk]
    assert "MUG-42" in page.content.decode()
    assert client.post(f"/admin/cart/cart/{cart.pk}/delete/").status_code == 403
