import io
import json
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from storefront.catalog import images
from storefront.catalog.models import Category, PriceHistory, Product, ProductImage, Sku
from storefront.catalog.services import sku_price_set
from tests.catalog.factories import CategoryFactory, FxRateFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("+79990000999", password="пароль-для-теста")


@pytest.fixture
def admin(client, staff):
    client.force_login(staff)
    return client


def _products(n: int, root: Category) -> None:
    """n products, each in its own subcategory of root, with a SKU, a price history row and a picture."""
    for _ in range(n):
        sku = SkuFactory(product=ProductFactory(category=CategoryFactory(parent=root)))
        sku_price_set(sku=sku, price=Decimal("777"), currency="RUB", actor="system")
        ProductImage.objects.create(product=sku.product, source_url="https://cdn.example.ru/a.jpg")


def _queries(admin, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert admin.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("model", ["product", "sku", "pricehistory", "category"])
def test_changelist_query_count_does_not_grow_with_the_page(admin, model, django_assert_max_num_queries):
    url = reverse(f"admin:catalog_{model}_changelist")
    root = CategoryFactory()
    _products(5, root)
    admin.get(url)  # the process's content-type cache, filled once: not part of the page's count
    few = _queries(admin, url)
    _products(45, root)
    with django_assert_max_num_queries(few):
        response = admin.get(url)
    assert len(response.context["cl"].result_list) == (50 if model != "category" else 51)


def test_product_search_finds_the_exact_sku_code(admin):
    sku = SkuFactory(code="ABC-123")
    SkuFactory(code="ABC-1234")
    response = admin.get(reverse("admin:catalog_product_changelist"), {"q": "ABC-123"})
    assert list(response.context["cl"].result_list) == [sku.product]


def test_product_list_filters_by_origin(admin):
    from_eu = ProductFactory(origin="EU")
    ProductFactory(origin="CN")
    response = admin.get(reverse("admin:catalog_product_changelist"), {"origin__exact": "EU"})
    assert list(response.context["cl"].result_list) == [from_eu]


def _product_data(product: Product, skus=(), **overrides) -> dict:
    data = {
        "title": product.title,
        "slug": product.slug,
        "category": product.category_id,
        "brand": product.brand_id or "",
        "description": product.description,
        "attributes": json.dumps(product.attributes),
        "is_active": "on",
        "origin": product.origin,
        "weight_grams": product.weight_grams,
        "country_of_origin": product.country_of_origin,
        "hs_code": product.hs_code,
        "declared_value": "",
        "declared_currency": product.declared_currency,
        "popularity": product.popularity,
        "external_id": product.external_id or "",
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
        "images-MIN_NUM_FORMS": 0,
        "images-MAX_NUM_FORMS": 1000,
        "skus-TOTAL_FORMS": len(skus),
        "skus-INITIAL_FORMS": sum(1 for s in skus if s.pk),
        "skus-MIN_NUM_FORMS": 0,
        "skus-MAX_NUM_FORMS": 1000,
        "_save": "Сохранить",
    }
    for n, sku in enumerate(skus):
        data.update(
            {
                f"skus-{n}-id": sku.pk or "",
                f"skus-{n}-product": product.pk or "",
                f"skus-{n}-code": sku.code,
                f"skus-{n}-options": json.dumps(sku.options),
                f"skus-{n}-price": str(sku.price),
                f"skus-{n}-currency": sku.currency,
                f"skus-{n}-stock": sku.stock,
                f"initial-skus-{n}-stock": sku.stock,  # the hidden initial the page renders
                f"skus-{n}-is_active": "on",
                f"skus-{n}-position": sku.position,
            }
        )
    data.update(overrides)
    return data


def _post_product(admin, product, data):
    response = admin.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, errors
    return response


def test_price_edited_in_the_product_form_is_recorded_with_the_staff_member(admin, staff):
    sku = SkuFactory(price=Decimal("1000"))
    _post_product(admin, sku.product, _product_data(sku.product, [sku], **{"skus-0-price": "899.00"}))
    sku.refresh_from_db()
    sku.product.refresh_from_db()
    assert (sku.price, sku.price_rub, sku.product.min_price_rub) == (Decimal("899"), Decimal("899"), Decimal("899"))
    assert PriceHistory.objects.get(sku=sku).changed_by == staff


def test_a_variant_added_inline_gets_its_rouble_price_and_first_history_row(admin):
    FxRateFactory(currency="CNY", rate=Decimal("11"))
    sku = SkuFactory(price=Decimal("1000"))
    new = Sku(code="NEW-XL", options={"Размер": "XL"}, price=Decimal("50"), currency="CNY", stock=3)
    _post_product(admin, sku.product, _product_data(sku.product, [sku, new]))
    added = Sku.objects.get(code="NEW-XL")
    assert added.price_rub == Decimal("550.00")
    assert PriceHistory.objects.filter(sku=added).count() == 1
    sku.product.refresh_from_db()
    assert sku.product.min_price_rub == Decimal("550.00")


def test_saving_only_a_price_does_not_overwrite_stock_sold_meanwhile(admin):
    sku = SkuFactory(price=Decimal("1000"), stock=10)
    data = _product_data(sku.product, [sku], **{"skus-0-price": "950"})
    Sku.objects.filter(pk=sku.pk).update(stock=8)  # two sold while the form was open
    _post_product(admin, sku.product, data)
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("950"), 8)


def test_stock_staff_did_change_is_written_and_the_page_carries_the_stock_it_showed(admin):
    sku = SkuFactory(stock=10)
    page = admin.get(reverse("admin:catalog_product_change", args=[sku.product_id])).content.decode()
    assert 'name="initial-skus-0-stock" value="10"' in page
    _post_product(admin, sku.product, _product_data(sku.product, [sku], **{"skus-0-stock": 0}))
    sku.product.refresh_from_db()
    assert sku.product.in_stock is False


def test_a_new_product_with_a_variant_can_be_added(admin):
    category = CategoryFactory()
    blank = Product(title="Кружка «Мост»", slug="kruzhka-most", category=category, origin="RU", hs_code="6912002300")
    data = _product_data(blank, [Sku(code="MUG-1", price=Decimal("490"), currency="RUB", stock=5)], brand="")
    response = admin.post(reverse("admin:catalog_product_add"), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    product = Product.objects.get(slug="kruzhka-most")
    assert (product.min_price_rub, product.in_stock) == (Decimal("490.00"), True)


def test_an_imported_picture_without_a_file_does_not_block_saving(admin):
    sku = SkuFactory()
    image = ProductImage.objects.create(product=sku.product, source_url="https://cdn.example.ru/x.jpg")
    data = _product_data(sku.product, [sku], title="Новое название")
    data.update(
        {
            "images-TOTAL_FORMS": 1,
            "images-INITIAL_FORMS": 1,
            "images-0-id": image.pk,
            "images-0-product": sku.product_id,
            "images-0-alt": "",
            "images-0-position": 0,
            "images-0-source_url": image.source_url,
        }
    )
    _post_product(admin, sku.product, data)
    sku.product.refresh_from_db()
    assert sku.product.title == "Новое название"


def test_an_image_uploaded_inline_gets_a_thumbnail(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sku = SkuFactory()
    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 120, 200)).save(buf, "JPEG")
    data = _product_data(sku.product, [sku])
    data.update(
        {
            "images-TOTAL_FORMS": 1,
            "images-0-image": SimpleUploadedFile("photo.jpg", buf.getvalue(), content_type="image/jpeg"),
            "images-0-alt": "фото",
            "images-0-position": 0,
            "images-0-source_url": "",
        }
    )
    _post_product(admin, sku.product, data)
    image = ProductImage.objects.get(product=sku.product)
    with Image.open(image.thumbnail.path) as thumb:
        assert thumb.size == (300, 200)


def _upload(admin, product, name: str, content: bytes, content_type: str):
    """Post the product form with one new picture; the refused upload's message, or None when it was saved."""
    data = _product_data(product)
    data.update(
        {
            "images-TOTAL_FORMS": 1,
            "images-0-image": SimpleUploadedFile(name, content, content_type=content_type),
            "images-0-alt": "фото",
            "images-0-position": 0,
            "images-0-source_url": "",
        }
    )
    response = admin.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    if response.status_code == 302:
        return None
    return " ".join(
        str(e) for form in response.context["inline_admin_formsets"][1].formset for e in form.errors.get("image", [])
    )


def _picture(size, fmt: str, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, fmt)
    return buf.getvalue()


def test_an_uploaded_picture_must_be_jpeg_png_or_webp(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory()

    error = _upload(admin, product, "anim.gif", _picture((40, 40), "GIF", "P"), "image/gif")

    assert error == "Загрузите изображение в формате JPEG, PNG или WebP."
    assert not ProductImage.objects.filter(product=product).exists()


def test_an_uploaded_picture_of_too_many_pixels_is_refused(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory()
    bomb = _picture((10_000, 5_000), "PNG", "1")  # a few kilobytes that decode to 50 megapixels

    error = _upload(admin, product, "huge.png", bomb, "image/png")

    assert error == "Изображение 10000 × 5000: больше 40 мегапикселей."
    assert not ProductImage.objects.filter(product=product).exists()


def test_an_uploaded_picture_over_the_size_limit_is_refused(admin, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(images, "UPLOAD_MAX_BYTES", 1024 * 1024)  # the real 10 MB would make the test slow
    product = ProductFactory()
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    buf = io.BytesIO()
    noise.save(buf, "PNG")

    error = _upload(admin, product, "noise.png", buf.getvalue(), "image/png")

    assert error == "Файл больше 1 МБ."
    assert not ProductImage.objects.filter(product=product).exists()


def test_a_webp_picture_is_accepted(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory()

    assert _upload(admin, product, "photo.webp", _picture((800, 600), "WEBP"), "image/webp") is None
    assert ProductImage.objects.get(product=product).thumbnail


def test_sku_page_changes_the_price_and_shows_its_history(admin, staff):
    sku = SkuFactory(price=Decimal("1000"))
    url = reverse("admin:catalog_sku_change", args=[sku.pk])
    data = {
        "product": sku.product_id,
        "code": sku.code,
        "options": "{}",
        "price": "1100",
        "currency": "RUB",
        "stock": sku.stock,
        "initial-stock": sku.stock,
        "is_active": "on",
        "position": 0,
        "price_history-TOTAL_FORMS": 0,
        "price_history-INITIAL_FORMS": 0,
        "price_history-MIN_NUM_FORMS": 0,
        "price_history-MAX_NUM_FORMS": 0,
    }
    assert admin.post(url, data).status_code == 302
    assert PriceHistory.objects.get(sku=sku).changed_by == staff
    assert "1100" in admin.get(url).content.decode()


def test_a_category_cannot_be_moved_under_its_own_child(admin):
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    data = {"name": root.name, "slug": root.slug, "parent": child.pk, "position": 0, "is_active": "on"}
    response = admin.post(reverse("admin:catalog_category_change", args=[root.pk]), data)
    assert response.status_code == 200
    assert "нельзя вложить в саму себя" in response.content.decode()
    root.refresh_from_db()
    assert root.parent_id is None


def test_moving_a_category_in_the_admin_recomputes_the_paths(admin):
    root, other = CategoryFactory(), CategoryFactory()
    child = CategoryFactory(parent=root)
    data = {"name": child.name, "slug": child.slug, "parent": other.pk, "position": 0, "is_active": "on"}
    assert admin.post(reverse("admin:catalog_category_change", args=[child.pk]), data).status_code == 302
    child.refresh_from_db()
    assert child.path == f"{other.pk}/{child.pk}/"


def test_category_list_shows_the_tree_indented(admin):
    root = CategoryFactory(name="Одежда")
    CategoryFactory(name="Футболки", parent=root)
    page = admin.get(reverse("admin:catalog_category_changelist")).content.decode()
    assert "— Футболки" in page
    assert page.index("Одежда") < page.index("— Футболки")


def test_take_off_sale_action_deactivates_the_chosen_products(admin):
    keep, stop = ProductFactory(), ProductFactory()
    url = reverse("admin:catalog_product_changelist")
    admin.post(url, {"action": "take_off_sale", "_selected_action": [stop.pk]})
    assert list(Product.objects.filter(is_active=False)) == [stop]
    assert Product.objects.get(pk=keep.pk).is_active


def test_price_history_cannot_be_added_or_edited_by_hand(admin):
    assert admin.get(reverse("admin:catalog_pricehistory_add")).status_code == 403
    assert admin.get(reverse("admin:catalog_fxrate_add")).status_code == 403


def test_rates_list_shows_roubles_per_unit(admin):
    FxRateFactory(currency="JPY", rate=Decimal("52.7749"), nominal=100)
    page = admin.get(reverse("admin:catalog_fxrate_changelist")).content.decode()
    assert "0.5277" in page


def test_category_autocomplete_used_by_the_product_form_answers(admin):
    Category.objects.create(name="Смартфоны", slug="phones-x")
    response = admin.get(
        reverse("admin:autocomplete"),
        {"term": "Смарт", "app_label": "catalog", "model_name": "product", "field_name": "category"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Смартфоны"]


def test_product_page_tells_staff_why_a_feed_picture_is_missing(admin):
    product = ProductFactory()
    ProductImage.objects.create(product=product, source_url="https://cdn.example.com/a.png", fetch_error="HTTP 404")
    ProductImage.objects.create(product=product, source_url="https://cdn.example.com/b.png", position=1)

    html = admin.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()

    assert "HTTP 404" in html
    assert "загружается из фида" in html


def test_staff_read_why_a_feed_picture_is_missing_in_their_language(admin, settings):
    product = ProductFactory()
    reason = json.dumps(
        {"ru": "адрес во внутренней сети: cdn.local", "en": "address on an internal network: cdn.local"}
    )
    ProductImage.objects.create(product=product, source_url="https://cdn.local/a.png", fetch_error=reason)
    url = f"/admin/catalog/product/{product.pk}/change/"

    assert "адрес во внутренней сети: cdn.local" in admin.get(url).content.decode()
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin.get(url).content.decode()
    assert "address on an internal network: cdn.local" in html
    assert "адрес во внутренней сети" not in html
