import pytest

from logistics.models import PickupPoint
from logistics.selectors import pickup_point_get, pickup_point_search

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


def test_a_query_of_many_words_costs_a_few_queries(django_assert_max_num_queries):
    """Each way of splitting the words into city and street is a query: only the first words can be a city."""
    words = " ".join(["а"] * 40)  # 79 characters, under the length cap

    with django_assert_max_num_queries(6):
        assert pickup_point_search(query=words) == []


def test_a_city_of_two_words_with_a_street_of_two_words_is_still_found():
    results = pickup_point_search(query="Нижний Новгород Большая Покровская")

    assert results and all(p.city == "Нижний Новгород" and "Большая Покровская" in p.address for p in results)


@pytest.mark.parametrize("params", [{"q": "²²²²²²"}, {"q": "", "near": "²²²²²²"}, {"q": "١٢٣٤٥٦"}])
def test_digits_that_are_not_ascii_find_nothing_instead_of_failing(client, params):
    response = client.get("/delivery/pickup-points/", params)

    assert response.status_code == 200
    assert pickup_point_search(query=params["q"], near=params.get("near", "")) == []


def test_a_working_point_is_found_by_id_with_all_its_fields():
    point = PickupPoint.objects.filter(is_active=True).order_by("id").first()

    found = pickup_point_get(pk=str(point.pk))

    assert found == point
    assert (found.postcode, found.city, found.address, found.name) == (
        point.postcode,
        point.city,
        point.address,
        point.name,
    )


@pytest.mark.parametrize("pk", [None, "", "abc", "12.5", -1, 10**30, 987654321])
def test_no_point_for_an_id_that_is_not_one(pk):
    assert pickup_point_get(pk=pk) is None


def test_a_closed_point_is_not_offered_by_id():
    point = PickupPoint.objects.filter(is_active=True).order_by("id").first()
    PickupPoint.objects.filter(pk=point.pk).update(is_active=False)

    assert pickup_point_get(pk=point.pk) is None
