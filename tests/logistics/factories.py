"""Logistics factories: parcels made for orders placed through the orders service."""

from decimal import Decimal

import factory

from logistics.models import Parcel, ParcelStatus
from storefront.catalog.models import Origin
from tests.orders.factories import place_order


class ParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcel

    order = factory.LazyFunction(place_order)
    reference = factory.Sequence(lambda n: f"T-{n:06d}-1")
    origin = Origin.CHINA
    status = ParcelStatus.CREATED
    weight_grams = 800
    declared_value = Decimal("1500.00")
    declared_currency = "RUB"
    recipient_name = "Иван Петров"
    recipient_phone = "+79161234567"
    postcode = "101000"
    city = "Москва"
    street = "ул. Тверская"
    house = "7"
