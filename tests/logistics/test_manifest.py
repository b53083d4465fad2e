import csv
import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from logistics.exceptions import DispatchMixedOrigins
from logistics.services import dispatch_create, parcels_create_for_order
from orders.services import order_confirm
from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcels():
    FxRateFactory(currency="EUR", date=timezone.localdate() - datetime.timedelta(days=1), rate=Decimal("100"))
    made = []
    for title in ("Кроссовки", "Футболка"):
        product = ProductFactory(title=title, origin="CN", hs_code="640411", country_of_origin="CN", weight_grams=700)
        order = place_order(skus=[SkuFactory(product=product, price=Decimal("2500.00"))], quantity=2)
        order_confirm(order=order, actor="system")
        made += parcels_create_for_order(order=order, actor="system")
    return made


def test_dispatch_groups_parcels_of_one_origin(parcels):
    dispatch = dispatch_create(parcel_ids=[p.pk for p in parcels], actor="ops")
    assert dispatch.origin == "CN"
    assert dispatch.parcels.count() == 2


def test_dispatch_refuses_parcels_from_several_origins(parcels):
    order = place_order(skus=[SkuFactory(product=ProductFactory(origin="RU"))])
    order_confirm(order=order, actor="system")
    (ru,) = parcels_create_for_order(order=order, actor="system")
    with pytest.raises(DispatchMixedOrigins):
        dispatch_create(parcel_ids=[parcels[0].pk, ru.pk], actor="ops")


def test_export_manifest_writes_csv_and_xml_with_every_cn23_line(parcels, tmp_path):
    dispatch = dispatch_create(parcel_ids=[p.pk for p in parcels], actor="ops")
    call_command("export_manifest", dispatch=dispatch.pk, out=str(tmp_path))

    with (tmp_path / f"manifest-{dispatch.pk}.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["description_ru"] for r in rows] == ["Кроссовки", "Футболка"]
    first = rows[0]
    assert (first["hs_code"], first["quantity"], first["net_weight_g"], first["value"], first["currency"]) == (
        "640411",
        "2",
        "1400",
        "5000.00",
        "RUB",
    )
    assert first["description_en"].endswith("Textile footwear, sneakers")
    assert (first["total_value"], first["total_currency"], first["country_of_origin"]) == ("50.00", "EUR", "CN")

    root = ET.parse(tmp_path / f"manifest-{dispatch.pk}.xml").getroot()
    assert root.get("dispatch") == str(dispatch.pk) and root.get("parcels") == "2"
    items = root.findall("parcel/customs-declaration/item")
    assert [i.findtext("description-ru") for i in items] == ["Кроссовки", "Футболка"]
    assert root.find("parcel/recipient/postcode").text == parcels[0].postcode


def test_export_manifest_for_an_unknown_dispatch_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="no dispatch with id 999"):
        call_command("export_manifest", dispatch=999, out=str(tmp_path))


def test_admin_downloads_the_manifest_and_opens_the_declaration(parcels, client):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    dispatch = dispatch_create(parcel_ids=[p.pk for p in parcels], actor="ops")
    response = client.get(f"/admin/logistics/dispatch/{dispatch.pk}/manifest.csv")
    assert response.status_code == 200 and "Кроссовки" in response.content.decode()
    response = client.get(f"/admin/logistics/dispatch/{dispatch.pk}/manifest.xml")
    assert response["Content-Type"].startswith("application/xml")
    assert client.get(f"/admin/logistics/dispatch/{dispatch.pk}/change/").status_code == 200
    declaration = parcels[0].customs
    assert client.get(f"/admin/logistics/customsdeclaration/{declaration.pk}/change/").status_code == 200
    assert client.get(f"/admin/logistics/parcel/{parcels[0].pk}/change/").status_code == 200
