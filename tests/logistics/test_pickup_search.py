import pytest

from logistics.models import PickupPoint
from logistics.selectors import pickup_point_search

pytestmark = pytest.mark.django_db


def test_search_by_full_postcode_puts_the_nearest_indexes_first():
    results = pickup_point_search(query="101000")
    assert results[0].postcode == "101000"
    assert all(p.postcode.startswith("101") for p in results)
    assert [p.postcode for p in results] == sorted(p.postcode for p in results)


def test_search_by_postcode_start_lists_matching_offices():
    results = pickup_point_search(query="190")
    assert results and all(p.postcode.startswith("190") for p in results)


def test_search_by_city_is_case_insensitive():
    results = pickup_point_search(query="казань")
    assert results and {p.city for p in results} == {"Казань"}


def test_search_by_city_and_street():
    results = pickup_point_search(query="Казань Баумана")
    assert results and all("Баумана" in p.address for p in results)


def test_empty_query_lists_points_near_the_address_postcode():
    results = pickup_point_search(query="", near="630005")
    assert results and all(p.city == "Новосибирск" for p in results)


def test_inactive_points_are_not_offered():
    PickupPoint.objects.filter(city="Казань").update(is_active=False)
    assert pickup_point_search(query="Казань") == []
