from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.demo import order_walk_to
from orders.models import Order, OrderStatus
from storefront.catalog.models import Origin
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory, SkuFactory

from .factories import place_order

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def support_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    return client


def _found(client, query: str) -> set[str]:
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    return {order.number for order in response.context["cl"].result_list}


def test_support_finds_an_order_by_number(support_client):
    order, _other = place_order(), place_order()

    assert _found(support_client, order.number.lower()) == {order.number}


def test_support_finds_orders_by_phone_written_any_way(support_client):
    order = place_order(contact_phone="+79035551234")
    place_order(contact_phone="+79161234567")

    for query in ("+79035551234", "8 (903) 555-12-34", "+7 903 555 12 34"):
        assert _found(support_client, query) == {order.number}


def test_support_finds_orders_by_email(support_client):
    order = place_order(contact_email="Anna@Example.ru")
    place_order(contact_email="other@example.ru")

    assert _found(support_client, "ANNA@example.RU") == {order.number}


def test_support_finds_orders_by_sku_code_once_each(support_client):
    sku = SkuFactory(code="TSHIRT-RED-M", stock=50)
    first = place_order(skus=[sku, SkuFactory()])
    second = place_order(skus=[sku])
    place_order()

    assert _found(support_client, "tshirt-red-m") == {first.number, second.number}


def test_filter_by_origin_keeps_each_order_once(support_client):
    from_china = place_order(skus=[SkuFactory(product=ProductFactory(origin=Origin.CHINA)) for _ in range(2)])
    place_order(skus=[SkuFactory(product=ProductFactory(origin=Origin.RUSSIA))])

    response = support_client.get(CHANGELIST, {"origin": Origin.CHINA})

    assert [o.number for o in response.context["cl"].result_list] == [from_china.number]


def test_filter_by_status(support_client):
    cancelled = order_walk_to(order=place_order(), status=OrderStatus.CANCELLED)
    place_order()

    response = support_client.get(CHANGELIST, {"status__exact": "cancelled"})

    assert [o.number for o in response.context["cl"].result_list] == [cancelled.number]


def test_filter_by_placing_date_uses_the_admins_own_links(support_client):
    earlier, today = place_order(), place_order()
    Order.objects.filter(pk=earlier.pk).update(placed_at=timezone.now() - timedelta(days=40))

    changelist = support_client.get(CHANGELIST).context["cl"]
    date_filter = next(f for f in changelist.filter_specs if f.title == "оформлен")
    links = {c["display"]: c["query_string"] for c in date_filter.choices(changelist)}
    assert "Сегодня" in links, links

    def numbers(query_string: str) -> set[str]:
        return {o.number for o in support_client.get(CHANGELIST + query_string).context["cl"].result_list}

    assert numbers(links["Сегодня"]) == numbers(links["Последние 7 дней"]) == {today.number}
    assert numbers(links["Любая дата"]) == {earlier.number, today.number}


def test_changelist_query_count_does_not_grow_with_the_page(support_client, django_assert_max_num_queries):
    customer = UserFactory()
    place_order(user=customer)
    support_client.get(CHANGELIST)  # the process's content-type cache, filled once
    with CaptureQueriesContext(connection) as one_row:
        support_client.get(CHANGELIST)
    for _ in range(12):
        place_order(user=UserFactory())
    with django_assert_max_num_queries(len(one_row)):
        response = support_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 13


def test_order_page_shows_lines_and_status_history_read_only(support_client):
    order = order_walk_to(order=place_order(), status=OrderStatus.PACKED)

    html = support_client.get(f"{CHANGELIST}{order.pk}/change/").content.decode()

    assert order.lines.get().sku_code in html
    assert "история статусов" in html.lower()
    assert "Собран" in html
    assert 'name="status"' not in html  # the status moves only through actions


def test_order_page_query_count_does_not_grow_with_lines(support_client, django_assert_max_num_queries):
    few = place_order()
    many = place_order(skus=[SkuFactory() for _ in range(8)])
    support_client.get(f"{CHANGELIST}{few.pk}/change/")  # the process's content-type cache, filled once
    with CaptureQueriesContext(connection) as one_line:
        support_client.get(f"{CHANGELIST}{few.pk}/change/")
    with django_assert_max_num_queries(len(one_line)):
        response = support_client.get(f"{CHANGELIST}{many.pk}/change/")

    html = response.content.decode()
    assert all(code in html for code in many.lines.values_list("sku_code", flat=True))


def test_pack_action_packs_confirmed_orders_and_reports_the_others(support_client):
    confirmed = order_walk_to(order=place_order(), status=OrderStatus.CONFIRMED)
    placed = place_order()

    response = support_client.post(
        CHANGELIST, {"action": "pack_orders", "_selected_action": [confirmed.pk, placed.pk]}, follow=True
    )

    confirmed.refresh_from_db()
    placed.refresh_from_db()
    assert (confirmed.status, placed.status) == (OrderStatus.PACKED, OrderStatus.PLACED)
    html = response.content.decode()
    assert "Собрано заказов: 1." in html
    assert f"Заказ {placed.number} нельзя перевести" in html
    assert confirmed.status_changes.last().actor == response.wsgi_request.user


def test_cancel_action_asks_for_a_reason_first(support_client):
    order = place_order()

    response = support_client.post(CHANGELIST, {"action": "cancel_orders", "_selected_action": [order.pk]})

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_cancel_action_with_a_reason_cancels_restocks_and_records_why(support_client):
    sku = SkuFactory(stock=4)
    order = place_order(skus=[sku], quantity=3)

    support_client.post(
        CHANGELIST,
        {"action": "cancel_orders", "_selected_action": [order.pk], "apply": "1", "reason": "Покупатель передумал"},
    )

    order.refresh_from_db()
    sku.refresh_from_db()
    assert (order.status, sku.stock) == (OrderStatus.CANCELLED, 4)
    change = order.status_changes.last()
    assert (change.reason, change.actor_label) == ("Покупатель передумал", "staff")


def test_cancel_from_the_order_page(support_client):
    order = place_order()

    form = support_client.get(f"{CHANGELIST}{order.pk}/cancel/")
    support_client.post(f"{CHANGELIST}{order.pk}/cancel/", {"apply": "1", "reason": "Дубль заказа"})

    assert 'name="reason"' in form.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_support_can_correct_the_address_but_not_add_or_delete_orders(support_client):
    order = place_order()
    url = f"{CHANGELIST}{order.pk}/change/"
    data = {
        "contact_phone": "8 916 000-00-01",
        "contact_email": order.contact_email,
        "recipient_name": order.recipient_name,
        "postcode": "190000",
        "city": "Санкт-Петербург",
        "street": "Невский пр.",
        "house": "1",
        "flat": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "1",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "1",
    }

    response = support_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    order.refresh_from_db()
    assert (order.postcode, order.contact_phone) == ("190000", "+79160000001")
    assert support_client.get(f"{CHANGELIST}add/").status_code == 403
    assert support_client.post(f"{CHANGELIST}{order.pk}/delete/").status_code == 403


def test_bad_postcode_in_the_admin_gets_the_same_message(support_client):
    order = place_order()

    response = support_client.post(
        f"{CHANGELIST}{order.pk}/change/",
        {"contact_phone": order.contact_phone, "recipient_name": "x", "postcode": "012345", "city": "x", "street": "x",
         "house": "1", "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "1", "status_changes-TOTAL_FORMS": "0",
         "status_changes-INITIAL_FORMS": "1"},
    )  # fmt: skip

    assert "Индекс — 6 цифр и не начинается с 0" in response.content.decode()
    assert Order.objects.get(pk=order.pk).postcode == "101000"
