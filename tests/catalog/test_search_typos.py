"""Query repair: keyboard layout, typo correction with pg_trgm and without it, the word dictionary."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from storefront.catalog.models import Product, SearchWord
from storefront.catalog.search import product_search
from storefront.catalog.search_typos import edit_distance, layout_swap, query_correct, trigram_enabled

from . import search_fixtures
from .factories import BrandFactory, ProductFactory

pytestmark = pytest.mark.django_db
catalog = search_fixtures.catalog
trgm_installed = search_fixtures.trgm_installed


# --- keyboard layout --------------------------------------------------------------------------------------------


def test_latin_typed_on_russian_layout_is_swapped():
    assert layout_swap("cvfhnajy") == "смартфон"


def test_cyrillic_typed_on_english_layout_is_swapped():
    assert layout_swap("шзрщту") == "iphone"


def test_punctuation_keys_follow_the_layout():
    assert layout_swap("yfeiybrb") == "наушники"
    assert layout_swap("ghbdtn,") == "приветб"
    assert layout_swap("Cvfhnajy") == "Смартфон"


def test_mixed_scripts_are_not_swapped():
    assert layout_swap("iphone чехол") is None


def test_wrong_layout_query_finds_products(catalog):
    result = product_search(query="cvfhnajy")
    assert result.shown_query == "смартфон"
    assert catalog["iphone"].pk in result.product_ids


def test_wrong_layout_latin_brand_typed_in_cyrillic_finds_products(catalog):
    result = product_search(query="чшфщьш")
    assert result.shown_query == "xiaomi"
    assert catalog["redmi"].pk in result.product_ids


# --- edit distance ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("смартфом", "смартфон", 1), ("смартофн", "смартфон", 1), ("наушнки", "наушники", 1), ("чайник", "чайник", 0)],
)
def test_edit_distance_counts_typos(a, b, distance):
    assert edit_distance(a, b, 2) == distance


def test_edit_distance_stops_past_the_limit():
    assert edit_distance("телевизор", "холодильник", 2) == 3


# --- typo correction, both paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("trigram", [True, False], ids=["pg_trgm", "python"])
@pytest.mark.parametrize(
    ("typed", "fixed"),
    [("смартфом", "смартфон"), ("смартофн", "смартфон"), ("наушнки", "наушники"), ("xaiomi", "xiaomi")],
)
def test_typo_is_corrected_to_dictionary_word(catalog, request, trigram, typed, fixed):
    if trigram:
        request.getfixturevalue("trgm_installed")
    assert query_correct(typed, trigram=trigram) == fixed


@pytest.mark.parametrize("trigram", [True, False], ids=["pg_trgm", "python"])
def test_first_letter_typo_is_corrected(catalog, request, trigram):
    if trigram:
        request.getfixturevalue("trgm_installed")
    assert query_correct("ымартфон", trigram=trigram) == "смартфон"


@pytest.mark.parametrize("trigram", [True, False], ids=["pg_trgm", "python"])
def test_nonsense_is_not_corrected(catalog, request, trigram):
    if trigram:
        request.getfixturevalue("trgm_installed")
    assert query_correct("щщщжжжщщщ", trigram=trigram) is None


@pytest.mark.parametrize("trigram", [True, False], ids=["pg_trgm", "python"])
def test_known_words_stay_and_unknown_ones_are_fixed(catalog, request, trigram):
    if trigram:
        request.getfixturevalue("trgm_installed")
    assert query_correct("чайник тефаль tefla", trigram=trigram) == "чайник тефаль tefal"


def test_trigram_path_is_used_where_pg_trgm_is_installed(trgm_installed):
    assert trigram_enabled()


@override_settings(STORE_SEARCH_TRGM=False)
def test_setting_forces_the_python_path(trgm_installed):
    assert not trigram_enabled()


# --- the dictionary ---------------------------------------------------------------------------------------------


def test_new_product_adds_its_title_words_to_dictionary():
    ProductFactory(title="Мультиварка Redmond RMC-M90")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"мультиварка", "redmond", "rmc", "m90"} <= words


def test_new_brand_adds_its_name_to_dictionary():
    BrandFactory(name="Polaris")
    assert SearchWord.objects.filter(word="polaris").exists()


def test_renamed_product_adds_new_words():
    product = ProductFactory(title="Утюг")
    Product.objects.filter(pk=product.pk).update(title="Отпариватель")
    assert SearchWord.objects.filter(word="отпариватель").exists()


def test_dictionary_folds_yo():
    ProductFactory(title="Ёлочная гирлянда")
    assert SearchWord.objects.filter(word="елочная").exists()


def test_rebuild_command_counts_products_and_drops_unused_words(catalog):
    Product.objects.filter(pk=catalog["kettle"].pk).update(is_active=False)
    call_command("search_dictionary_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert SearchWord.objects.get(word="смартфон").ndoc == 2
    assert not SearchWord.objects.filter(word="электрический").exists()


@pytest.mark.parametrize("trigram", [True, False])
def test_a_long_query_of_unknown_words_costs_a_bounded_number_of_queries(
    catalog, settings, django_assert_max_num_queries, trigram, request
):
    """Each unknown word may cost a dictionary query per reading of the query: only the first few are corrected."""
    if trigram:
        request.getfixturevalue("trgm_installed")  # skipped on a server without contrib (the embedded one)
    settings.STORE_SEARCH_TRGM = trigram
    query = " ".join(f"бз{letter}" for letter in "бвгджзклмнпрстфхцчшщбвгджзклмнпрстфхцчшщбвгджзклмнп")[:200]

    with django_assert_max_num_queries(30):
        result = product_search(query=query)

    assert result.found_nothing


def test_a_typo_among_the_first_words_of_a_long_query_is_still_corrected(catalog):
    query = "смартфно " + " ".join(f"бз{letter}" for letter in "бвгджзклмнпрст")

    assert query_correct(query, trigram=False).startswith("смартфон бзб ")
