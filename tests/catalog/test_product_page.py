"""Product page /p/<slug>/ and its variant block: prices, variants, stock, services, cache invalidation."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from storefront.catalog.cache import CSRF_HOLE
from storefront.catalog.models import ProductImage
from storefront.catalog.selectors_listing import stock_change_is_visible
from storefront.catalog.services import product_save, sku_price_set, sku_stock_set
from tests.catalog.factories import BrandFactory, CategoryFactory, FxRateFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def shirt():
    item = ProductFactory(
        title="Футболка оверсайз",
        slug="oversize-tee",
        brand=BrandFactory(name="Uniqlo", slug="uniqlo"),
        category=CategoryFactory(name="Одежда", slug="clothes"),
        origin="CN",
        attributes={"Материал": "хлопок"},
        description="Плотный хлопок.",
    )
    SkuFactory(
        product=item, code="TEE-M-BLK", options={"Размер": "M", "Цвет": "чёрный"}, price=Decimal("1299"), stock=10
    )
    SkuFactory(
        product=item, code="TEE-L-BLK", options={"Размер": "L", "Цвет": "чёрный"}, price=Decimal("1399"), stock=3
    )
    SkuFactory(product=item, code="TEE-L-WHT", options={"Размер": "L", "Цвет": "белый"}, price=Decimal("1499"), stock=0)
    return item


def sku(product, code):
    return product.skus.get(code=code)


def variant_block(html: str) -> str:
    start = html.index('id="variant-block"')
    return html[start : html.index("</p>", html.index("sku-code", start))]


def test_product_page_shows_title_brand_price_stock_and_attributes(client, shirt):
    html = client.get("/p/oversize-tee/").content.decode()

    assert "Футболка оверсайз" in html
    assert "Uniqlo" in html
    assert f"1{NBSP}299{NBSP}₽" in html
    assert "в наличии" in html
    assert "Материал" in html and "хлопок" in html
    assert "Плотный хлопок." in html


def test_unknown_product_is_404(client):
    assert client.get("/p/nope/").status_code == 404


def test_inactive_product_is_404(client):
    SkuFactory(product=ProductFactory(slug="gone", is_active=False))

    assert client.get("/p/gone/").status_code == 404


def test_product_taken_off_sale_after_being_cached_is_404(client, shirt, django_capture_on_commit_callbacks):
    assert client.get("/p/oversize-tee/").status_code == 200
    shirt.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        product_save(product=shirt, changed_fields=["is_active"], actor="system")

    assert client.get("/p/oversize-tee/").status_code == 404


def test_yuan_price_is_shown_in_roubles_with_the_sellers_price_small(client):
    FxRateFactory(currency="CNY", rate=Decimal("12.5"))
    SkuFactory(product=ProductFactory(slug="earbuds"), price=Decimal("99"), currency="CNY")

    block = variant_block(client.get("/p/earbuds/").content.decode())

    assert f"1{NBSP}238{NBSP}₽" in block  # 99 ¥ × 12,5 = 1 237,50, shown in whole roubles
    assert f"≈ 99{NBSP}¥ по курсу ЦБ" in block


def test_rouble_price_has_no_foreign_currency_note(client, shirt):
    assert "по курсу ЦБ" not in client.get("/p/oversize-tee/").content.decode()


def test_variant_partial_shows_the_chosen_skus_price_and_stock(client, shirt):
    chosen = sku(shirt, "TEE-L-BLK")

    response = client.get(f"/p/oversize-tee/variant/?sku={chosen.id}", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert f"1{NBSP}399{NBSP}₽" in html
    assert "осталось 3 шт." in html
    assert "TEE-L-BLK" in html
    assert f'name="sku" value="{chosen.id}"' in html
    assert response["HX-Replace-Url"] == f"/p/oversize-tee/?sku={chosen.id}"


def test_variant_partial_picks_the_sku_by_options(client, shirt):
    response = client.get(
        "/p/oversize-tee/variant/", {"o_Размер": "L", "o_Цвет": "белый"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert f"1{NBSP}499{NBSP}₽" in html
    assert "нет в наличии" in html
    assert "TEE-L-WHT" in html


def test_a_missing_combination_keeps_the_option_just_changed(client, shirt):
    # white exists in L only: choosing white while M is chosen moves to white L
    response = client.get(
        "/p/oversize-tee/variant/",
        {"o_Размер": "M", "o_Цвет": "белый"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "o_Цвет"},
    )

    assert "TEE-L-WHT" in response.content.decode()


def test_variant_endpoint_without_htmx_leads_to_the_product_page(client, shirt):
    response = client.get("/p/oversize-tee/variant/?o_Размер=L")

    assert response.status_code == 302
    assert response["Location"].startswith("/p/oversize-tee/?")


def test_variant_chosen_without_javascript_shows_on_the_page(client, shirt):
    html = client.get("/p/oversize-tee/", {"o_Размер": "L", "o_Цвет": "чёрный"}).content.decode()

    assert "TEE-L-BLK" in variant_block(html)


def test_variant_picker_is_a_plain_form_improved_by_htmx(client, shirt):
    html = client.get("/p/oversize-tee/").content.decode()

    picker = html[html.index('class="variant-picker"') : html.index("</form>", html.index('class="variant-picker"'))]
    assert 'method="get"' in picker and 'action="/p/oversize-tee/"' in picker
    assert 'hx-get="/p/oversize-tee/variant/"' in picker
    assert 'hx-target="#variant-block"' in picker
    assert 'name="o_Размер" value="M" checked' in picker


def test_sold_out_variant_cannot_be_added_to_cart(client, shirt):
    html = client.get(f"/p/oversize-tee/?sku={sku(shirt, 'TEE-L-WHT').id}").content.decode()

    block = variant_block(html)
    assert "нет в наличии" in block
    assert "disabled" in block.split('class="btn btn-primary btn-buy"', 1)[1].split(">", 1)[0]


def test_add_to_cart_form_posts_sku_and_quantity_with_this_shoppers_csrf_token(client, shirt):
    html = client.get("/p/oversize-tee/").content.decode()

    form = html[html.index('class="buy-form"') : html.index("</form>", html.index('class="buy-form"'))]
    assert 'method="post" action="/cart/add/"' in form
    assert 'hx-post="/cart/add/" hx-target="#cart-count"' in form
    assert 'name="quantity"' in form
    assert f'name="sku" value="{sku(shirt, "TEE-M-BLK").id}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert CSRF_HOLE not in html


def test_cached_page_gives_each_shopper_their_own_csrf_token(shirt):
    first, second = Client(), Client()

    token_one = first.get("/p/oversize-tee/").content.decode().split('name="csrfmiddlewaretoken" value="')[1][:64]
    token_two = second.get("/p/oversize-tee/").content.decode().split('name="csrfmiddlewaretoken" value="')[1][:64]

    assert token_one != token_two
    assert CSRF_HOLE not in token_one + token_two


def test_few_left_shows_how_many(client):
    SkuFactory(product=ProductFactory(slug="last"), stock=3)

    assert "осталось 3 шт." in client.get("/p/last/").content.decode()


def test_services_that_apply_are_listed(client, shirt):
    html = client.get("/p/oversize-tee/").content.decode()

    assert "Возврат в течение 7 дней без объяснения причин" in html
    assert "Оплата при получении" in html


def test_own_collection_gets_the_30_day_return(client):
    SkuFactory(product=ProductFactory(slug="own", is_own_collection=True))

    html = client.get("/p/own/").content.decode()

    assert "Возврат в течение 30 дней" in html
    assert "7 дней без объяснения причин</li>" not in html


def test_delivery_promise_block_tells_the_origin_range(client):
    SkuFactory(product=ProductFactory(slug="eu-item", origin="EU"))

    html = client.get("/p/eu-item/").content.decode()

    block = html[html.index('id="delivery-promise"') :]
    assert "до двух недель" in block
    assert "Срок и пошлина для вашего индекса" in block  # logistics replaces the block for the postcode (htmx)


def test_gallery_shows_main_picture_and_thumbnails_without_inline_code(client, shirt):
    for n in range(3):
        ProductImage.objects.create(
            product=shirt, image=f"products/tee-{n}.jpg", thumbnail=f"products/thumbs/tee-{n}.jpg", position=n
        )

    html = client.get("/p/oversize-tee/").content.decode()

    assert 'id="gallery-main" src="/media/products/tee-0.jpg"' in html
    assert html.count("data-gallery-thumb") == 3
    assert 'src="/media/products/thumbs/tee-2.jpg"' in html
    assert " style=" not in html and "<style" not in html and "<script>" not in html


def test_a_picture_the_feed_gave_only_by_url_does_not_break_the_page(client, shirt):
    # import_catalog remembers <picture> by its URL and downloads nothing: such a picture has no file to show
    ProductImage.objects.create(product=shirt, source_url="https://cdn.example.ru/tee.jpg", position=0)

    response = client.get("/p/oversize-tee/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="no-pic"' in html and "cdn.example.ru" not in html


def test_an_uploaded_picture_is_shown_even_after_a_feed_picture_without_a_file(client, shirt):
    ProductImage.objects.create(product=shirt, source_url="https://cdn.example.ru/tee.jpg", position=0)
    ProductImage.objects.create(
        product=shirt, image="products/tee.jpg", thumbnail="products/thumbs/tee.jpg", position=1
    )

    html = client.get("/p/oversize-tee/").content.decode()

    assert 'id="gallery-main" src="/media/products/tee.jpg"' in html
    assert "data-gallery-thumb" not in html  # one picture to show: no row of thumbnails


def test_product_page_shows_the_new_price_after_a_price_change(client, shirt, django_capture_on_commit_callbacks):
    assert f"1{NBSP}299{NBSP}₽" in client.get("/p/oversize-tee/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sku_price_set(sku=sku(shirt, "TEE-M-BLK"), price=Decimal("999"), currency="RUB", actor="system")

    html = client.get("/p/oversize-tee/").content.decode()
    assert f"999{NBSP}₽" in variant_block(html)
    assert f"1{NBSP}299{NBSP}₽" not in html


def test_product_page_shows_the_stock_after_a_stock_change(client, shirt, django_capture_on_commit_callbacks):
    client.get("/p/oversize-tee/")

    with django_capture_on_commit_callbacks(execute=True):
        sku_stock_set(sku=sku(shirt, "TEE-M-BLK"), stock=2, actor="system")

    assert "осталось 2 шт." in client.get("/p/oversize-tee/").content.decode()


def test_a_cached_product_page_is_served_without_database_queries(client, shirt, django_assert_num_queries):
    client.get("/p/oversize-tee/")

    with django_assert_num_queries(0):
        response = client.get("/p/oversize-tee/")

    assert response.status_code == 200


def _client_with_cart_of(count: int) -> Client:
    shopper = Client()
    session = shopper.session
    session["cart_count"] = count
    session.save()
    shopper.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return shopper


def test_shared_page_never_carries_another_shoppers_cart_count(shirt):
    with_cart, newcomer = _client_with_cart_of(3), Client()

    first = with_cart.get("/p/oversize-tee/").content.decode()
    second = newcomer.get("/p/oversize-tee/").content.decode()
    third = with_cart.get("/p/oversize-tee/").content.decode()

    assert '<span class="badge" id="cart-count">3</span>' in first
    assert '<span class="badge" id="cart-count">0</span>' in second
    assert '<span class="badge" id="cart-count">3</span>' in third


def test_signed_in_shopper_gets_their_own_header_around_the_cached_product(shirt, django_user_model):
    Client().get("/p/oversize-tee/")  # a visitor without a session caches the whole page
    signed_in = Client()
    signed_in.force_login(django_user_model.objects.create_user("+79990000101"))

    html = signed_in.get("/p/oversize-tee/").content.decode()

    assert 'id="login-link"' not in html
    assert "Футболка оверсайз" in html


def test_the_token_in_a_cached_page_passes_djangos_csrf_check(shirt):
    shopper = Client(enforce_csrf_checks=True)
    shopper.get("/p/oversize-tee/")  # cached now
    html = shopper.get("/p/oversize-tee/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    accepted = shopper.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    forged = Client(enforce_csrf_checks=True)
    forged.cookies.load({settings.CSRF_COOKIE_NAME: shopper.cookies[settings.CSRF_COOKIE_NAME].value})
    refused = forged.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": "x" * 64})

    assert len(token) == 64
    assert accepted.status_code == 302
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("before", "after", "visible"),
    [(40, 39, False), (7, 6, False), (6, 5, True), (3, 2, True), (1, 0, True), (0, 10, True)],
)
def test_only_stock_changes_a_shopper_can_see_need_a_cache_bump(before, after, visible):
    assert stock_change_is_visible(before=before, after=after) is visible
