from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from storefront.catalog.feeds.generate import feed_generate
from storefront.catalog.models import Category, PriceHistory, Product, ProductImage, Sku
from tests.catalog.factories import FxRateFactory, SkuFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "storefront" / "catalog" / "fixtures" / "sample_feed.yml"
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<yml_catalog date="2026-11-23T10:00+03:00">
  <shop>
    <currencies>
      <currency id="RUR" rate="1"/>
      <currency id="CNY" rate="CBRF"/>
    </currencies>
    <categories>
      <category id="1">Смартфоны</category>
    </categories>
    <offers>
"""
FOOTER = """    </offers>
  </shop>
</yml_catalog>
"""


def offer(oid="A1", *, price="1000", currency="RUR", category="1", name="Смартфон Тест", extra="", attrs=""):
    name_tag = f"<name>{name}</name>" if name is not None else ""
    return (
        f'      <offer id="{oid}" available="true"{attrs}>\n'
        f"        <price>{price}</price>\n"
        f"        <currencyId>{currency}</currencyId>\n"
        f"        <categoryId>{category}</categoryId>\n"
        f"        {name_tag}{extra}\n"
        "      </offer>\n"
    )


def write_feed(tmp_path, *offers, encoding="utf-8", name="feed.yml") -> Path:
    text = HEADER + "".join(offers) + FOOTER
    if encoding != "utf-8":
        text = text.replace('encoding="UTF-8"', f'encoding="{encoding}"')
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(needle)


def run(path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalog", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def rates():
    FxRateFactory(currency="CNY", rate=Decimal("11.2345"))
    FxRateFactory(currency="EUR", rate=Decimal("94.1587"))


# --- a good feed --------------------------------------------------------------------------------------------


def test_sample_feed_creates_products_skus_and_the_category_tree(rates):
    out, _ = run(SAMPLE)
    assert "создано 8, обновлено 0, без изменений 0, отклонено 0" in out
    assert (Product.objects.count(), Sku.objects.count()) == (5, 8)
    phones = Category.objects.get(external_id="2")
    assert phones.parent.external_id == "1"
    assert phones.path == f"{phones.parent_id}/{phones.pk}/"


def test_an_imported_store_can_be_browsed_searched_and_put_in_the_cart(rates, client):
    run(SAMPLE)

    for product in Product.objects.select_related("category"):
        page = client.get(f"/p/{product.slug}/")
        assert page.status_code == 200, product.slug
        assert product.title in page.content.decode()
        assert client.get(f"/c/{product.category.slug}/").status_code == 200
        found = client.get("/search/", {"q": product.title})
        assert found.status_code == 200 and product.title in found.content.decode()
    for sku in Sku.objects.filter(stock__gt=0):
        client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    cart = client.get("/cart/")
    assert cart.status_code == 200
    in_stock = Product.objects.filter(in_stock=True).values_list("title", flat=True)
    assert in_stock and all(title in cart.content.decode() for title in in_stock)


def test_offers_sharing_a_group_id_are_variants_of_one_product(rates):
    run(SAMPLE)
    tee = Product.objects.get(external_id="group:T100")
    options = [s.options for s in tee.skus.order_by("code")]
    assert [o["Размер"] for o in options] == ["S", "M", "L", "XL"]
    assert tee.attributes == {"Материал": "хлопок 100%"}


def test_single_offer_keeps_its_params_as_attributes_with_units(rates):
    run(SAMPLE)
    phone = Product.objects.get(external_id="1001")
    assert phone.attributes["Оперативная память"] == "8 ГБ"
    assert phone.description.startswith("Экран 6,67″ AMOLED")  # HTML stripped


def test_yuan_price_gets_a_rouble_price_and_a_first_history_row(rates):
    run(SAMPLE)
    sku = Sku.objects.get(code="1001")
    assert (sku.price, sku.currency, sku.price_rub) == (Decimal("1899.00"), "CNY", Decimal("21334"))
    assert PriceHistory.objects.get(sku=sku).source == "import"
    assert Product.objects.get(external_id="1001").min_price_rub == Decimal("21334")


def test_origin_follows_the_currency_unless_given(rates):
    run(SAMPLE)
    origins = dict(Product.objects.values_list("external_id", "origin"))
    assert (origins["1001"], origins["1002"], origins["1003"]) == ("CN", "EU", "RU")


def test_weight_in_kilograms_and_country_names_are_converted(rates):
    run(SAMPLE)
    phone = Product.objects.get(external_id="1001")
    assert (phone.weight_grams, phone.country_of_origin) == (210, "CN")
    assert Product.objects.get(external_id="1003").country_of_origin == "VN"


def test_stock_comes_from_count_or_available(rates):
    run(SAMPLE, "--available-stock", "40")
    stock = dict(Sku.objects.values_list("code", "stock"))
    assert (stock["1001"], stock["1002"], stock["1004"], stock["2003"]) == (25, 40, 0, 0)


def test_pictures_are_remembered_by_url_not_downloaded(rates):
    run(SAMPLE)
    pictures = ProductImage.objects.filter(product__external_id="1001").order_by("position")
    assert [p.source_url for p in pictures] == [
        "https://cdn.example.ru/img/1001-1.jpg",
        "https://cdn.example.ru/img/1001-2.jpg",
    ]
    assert not pictures[0].image


def test_a_windows_1251_feed_is_read(tmp_path):
    path = write_feed(tmp_path, offer(name="Смартфон «Ёлка»"), encoding="windows-1251")
    out, _ = run(path)
    assert "создано 1" in out
    assert Product.objects.get().title == "Смартфон «Ёлка»"


# --- running again --------------------------------------------------------------------------------------------


def test_importing_the_same_feed_again_reports_everything_unchanged(rates):
    run(SAMPLE)
    out, _ = run(SAMPLE)
    assert "создано 0, обновлено 0, без изменений 8, отклонено 0" in out
    assert PriceHistory.objects.count() == 8


def test_a_new_price_updates_the_offer_by_id_and_records_history(tmp_path):
    run(write_feed(tmp_path, offer(price="1000"), offer(oid="A2")))
    out, _ = run(write_feed(tmp_path, offer(price="899.50"), offer(oid="A2"), name="feed2.yml"))
    assert "создано 0, обновлено 1, без изменений 1" in out
    sku = Sku.objects.get(code="A1")
    assert sku.price_rub == Decimal("899.50")
    assert list(sku.price_history.order_by("changed_at", "pk").values_list("price", flat=True)) == [
        Decimal("1000.00"),
        Decimal("899.50"),
    ]


def test_a_renamed_offer_updates_its_product(tmp_path):
    run(write_feed(tmp_path, offer()))
    out, _ = run(write_feed(tmp_path, offer(name="Смартфон Новый"), name="feed2.yml"))
    assert "обновлено 1" in out
    assert Product.objects.get(external_id="A1").title == "Смартфон Новый"


def test_smaller_batches_give_the_same_result(rates):
    out, _ = run(SAMPLE, "--batch-size", "3")
    assert "создано 8" in out
    out, _ = run(SAMPLE, "--batch-size", "3")
    assert "без изменений 8" in out


def test_a_generated_feed_imports_cleanly_and_reimports_unchanged(tmp_path, rates):
    path = feed_generate(tmp_path / "gen.yml", 60)
    out, err = run(path, "--batch-size", "25")
    assert "создано 60, обновлено 0, без изменений 0, отклонено 0, предупреждений 0" in out, err
    out, _ = run(path, "--batch-size", "25")
    assert "создано 0, обновлено 0, без изменений 60" in out


# --- bad offers -----------------------------------------------------------------------------------------------


def test_each_bad_offer_is_reported_with_its_line_and_why(tmp_path, rates):
    path = write_feed(
        tmp_path,
        offer(oid="GOOD"),
        offer(oid="P1", price="abc"),
        offer(oid="P2", price="-5"),
        offer(oid="C1", currency="USD"),
        offer(oid="K1", category="99"),
        offer(oid="N1", name=None),
        offer(oid="GOOD"),
    )
    out, err = run(path)
    assert "создано 1, обновлено 0, без изменений 0, отклонено 6" in out
    lines = err.splitlines()
    p1 = line_of(path, 'id="P1"')
    assert f"строка {p1}, offer id=«P1»: отклонено — <price> (строка {p1 + 1})" in lines[0]
    assert "«abc» — нужна цена больше нуля" in lines[0]
    assert "«-5»" in lines[1]
    assert "<currencyId> (строка" in lines[2] and "«USD» — не объявлена в <currencies> (CNY, RUB)" in lines[2]
    assert "<categoryId> (строка" in lines[3] and "«99» — нет такой категории" in lines[3]
    assert "нет названия" in lines[4]
    dup = [n for n, line in enumerate(path.read_text().splitlines(), 1) if 'id="GOOD"' in line]
    assert f"строка {dup[1]}, offer id=«GOOD»: отклонено — id «GOOD» уже был в строке {dup[0]}" in lines[5]


def test_every_reason_of_one_offer_is_reported_together(tmp_path):
    path = write_feed(tmp_path, offer(price="0", currency="USD", extra="<weight>тяжёлый</weight>"))
    _, err = run(path)
    assert "<price>" in err and "<currencyId>" in err and "<weight>" in err


def test_a_rejected_offer_leaves_nothing_behind(tmp_path):
    run(write_feed(tmp_path, offer(oid="BAD", price="1,5")))
    assert not Product.objects.filter(external_id="BAD").exists()
    assert not Sku.objects.filter(code="BAD").exists()


def test_a_bad_new_price_keeps_the_old_one(tmp_path):
    run(write_feed(tmp_path, offer(price="1000")))
    _, err = run(write_feed(tmp_path, offer(price="бесплатно"), name="feed2.yml"))
    assert "отклонено" in err
    assert Sku.objects.get(code="A1").price == Decimal("1000.00")


def test_an_unknown_country_is_a_warning_not_a_rejection(tmp_path, rates):
    path = write_feed(tmp_path, offer(extra="<country_of_origin>Атлантида</country_of_origin>"))
    out, err = run(path)
    assert "создано 1" in out and "предупреждений 1" in out
    assert "страна «Атлантида»" in err and "не распознана" in err
    assert Product.objects.get().country_of_origin == ""


def test_a_currency_without_a_loaded_rate_is_warned_about_once(tmp_path):
    path = write_feed(tmp_path, offer(oid="Y1", currency="CNY"), offer(oid="Y2", currency="CNY"))
    out, err = run(path)
    assert "создано 2" in out
    assert err.count("нет курса ЦБ для CNY") == 1
    assert Sku.objects.filter(price_rub=None).count() == 2


def test_a_sku_code_owned_by_a_product_not_from_the_feed_is_not_taken_over(tmp_path):
    SkuFactory(code="A1")
    out, err = run(write_feed(tmp_path, offer(oid="A1")))
    assert "отклонено 1" in out
    assert "артикул «A1» уже занят товаром" in err


# --- bad files ------------------------------------------------------------------------------------------------


def test_broken_xml_stops_at_its_line_keeping_the_complete_offers_before_it(tmp_path):
    path = write_feed(tmp_path, offer(oid="A1"), offer(oid="A2").replace("</price>", "</prise>"), offer(oid="A3"))
    with pytest.raises(CommandError, match=f"строка {line_of(path, '</prise>')}: файл не является корректным XML"):
        run(path)
    assert list(Sku.objects.values_list("code", flat=True)) == ["A1"]


def test_a_doctype_is_refused(tmp_path):
    path = tmp_path / "feed.yml"
    path.write_text(HEADER.replace("<yml_catalog", '<!DOCTYPE yml_catalog [<!ENTITY x "y">]>\n<yml_catalog') + FOOTER)
    with pytest.raises(CommandError, match="строка 2: объявление <!DOCTYPE>"):
        run(path)
    assert not Category.objects.exists()


def test_a_file_that_is_not_a_feed_is_refused(tmp_path):
    path = tmp_path / "feed.yml"
    path.write_text('<?xml version="1.0"?>\n<ValCurs Date="23.11.2026"/>\n')
    with pytest.raises(CommandError, match="корневой элемент <ValCurs>"):
        run(path)
