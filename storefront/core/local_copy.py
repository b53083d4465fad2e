"""This process's short-lived copy of small, hot values that rarely change (FX rates, the customs regime, logistics'
rule book): trusted for STORE_CATALOG_LOCAL_SECONDS (1 s; 0: off), so a request that asks for the same value a dozen
times pays one Redis or database round trip per window, not per ask. A change made in another process shows here
that much later; `clear()` (called by the code that changes the value) makes this process see it at once.

The catalog's page cache (storefront/catalog/cache.py) keeps its own copy, synced against a log of bumps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")


class LocalCopy(Generic[T]):
    """Values by key, each kept for the window after it was loaded; at most `max_keys` of them (then all dropped)."""

    def __init__(self, *, max_keys: int = 64) -> None:
        self._entries: dict[Hashable, tuple[float, T]] = {}
        self._max_keys = max_keys

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The value this process kept under `key` while fresh, else `load()` (kept unless it raises)."""
        window = settings.STORE_CATALOG_LOCAL_SECONDS
        if window <= 0:
            return load()
        hit = self._entries.get(key)
        if hit is not None and time.monotonic() < hit[0]:
            return hit[1]
        value = load()
        if len(self._entries) >= self._max_keys and key not in self._entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + window, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
