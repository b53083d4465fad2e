"""storefront.core.local_copy: the worker-local copy FX rates, the customs regime and the rule book share."""

import pytest

from storefront.core.local_copy import LocalCopy


class Loader:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.calls


def test_a_value_is_kept_for_the_window_and_clear_drops_it(settings):
    settings.STORE_CATALOG_LOCAL_SECONDS = 60
    copy, load = LocalCopy(), Loader()
    assert copy.get("CNY", load) == 1
    assert copy.get("CNY", load) == 1
    assert copy.get("EUR", load) == 2
    copy.clear()
    assert copy.get("CNY", load) == 3


def test_a_window_of_zero_keeps_nothing(settings):
    settings.STORE_CATALOG_LOCAL_SECONDS = 0
    copy, load = LocalCopy(), Loader()
    assert [copy.get("k", load), copy.get("k", load)] == [1, 2]


def test_a_failed_load_is_not_kept_and_too_many_keys_start_over(settings):
    settings.STORE_CATALOG_LOCAL_SECONDS = 60
    copy, load = LocalCopy(max_keys=2), Loader()

    def fail():
        raise LookupError

    with pytest.raises(LookupError):
        copy.get("a", fail)
    assert copy.get("a", load) == 1
    assert copy.get("b", load) == 2
    assert copy.get("c", load) == 3  # a third key: the others are dropped
    assert copy.get("a", load) == 4
