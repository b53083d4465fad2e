import csv
from collections import Counter

import pytest

from logistics.models import FederalDistrict, Region, RussiaPart
from logistics.seed import REGIONS_CSV
from logistics.selectors import region_get

pytestmark = pytest.mark.django_db


def _csv_prefixes() -> list[str]:
    with REGIONS_CSV.open(encoding="utf-8") as f:
        return [row["prefix"] for row in csv.DictReader(f)]


def test_every_prefix_of_the_shipped_table_is_loaded_and_maps():
    prefixes = _csv_prefixes()
    assert Region.objects.count() == len(prefixes) == len(set(prefixes))
    for prefix in prefixes:
        region = region_get(postcode=f"{prefix}000")
        assert region is not None and region.prefix == prefix


def test_every_prefix_from_101_to_999_either_maps_to_a_complete_region_or_is_unassigned():
    known = set(_csv_prefixes())
    for n in range(101, 1000):
        region = region_get(postcode=f"{n:03d}123")
        if f"{n:03d}" in known:
            assert region.subject and region.federal_district in FederalDistrict.values
            assert region.part in RussiaPart.values
        else:
            assert region is None


def test_the_table_covers_all_85_subjects_by_federal_district():
    subjects = dict(Region.objects.values_list("subject", "federal_district").distinct())
    assert len(subjects) == 85
    assert Counter(subjects.values()) == {
        "central": 18, "northwest": 11, "south": 8, "north_caucasus": 7,
        "volga": 14, "ural": 6, "siberia": 10, "far_east": 11,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("postcode", "subject"),
    [("101000", "Москва"), ("129090", "Москва"), ("190000", "Санкт-Петербург"), ("199034", "Санкт-Петербург"),
     ("295000", "Республика Крым"), ("299011", "Севастополь"), ("630004", "Новосибирская область"),
     ("690091", "Приморский край"), ("236000", "Калининградская область")],
)  # fmt: skip
def test_known_postcodes_map_to_their_subject(postcode, subject):
    assert region_get(postcode=postcode).subject == subject


@pytest.mark.parametrize("prefix", ["620", "628", "640", "654", "677", "690", "694", "454", "457"])
def test_asian_part_samples(prefix):
    assert Region.objects.get(prefix=prefix).part == RussiaPart.ASIA


def test_nothing_outside_620_699_and_454_457_is_asian():
    for region in Region.objects.filter(part=RussiaPart.ASIA):
        assert 620 <= int(region.prefix) <= 699 or 454 <= int(region.prefix) <= 457


@pytest.mark.parametrize("prefix", ["101", "190", "600", "603", "614", "450", "460", "295", "236"])
def test_european_part_samples(prefix):
    assert Region.objects.get(prefix=prefix).part == RussiaPart.EUROPE


def test_central_flag_is_exactly_the_central_federal_district():
    assert set(Region.objects.filter(is_central=True).values_list("federal_district", flat=True)) == {"central"}
    assert not Region.objects.filter(federal_district="central", is_central=False).exists()


def test_a_postcode_outside_the_table_has_no_region():
    assert region_get(postcode="999999") is None
    assert region_get(postcode="") is None
