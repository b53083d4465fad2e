"""Versions for the pages shoppers share, and the fragment cache keyed by them.

Whatever changes what a shopper sees of a product (price, stock, title, images, activity, FX rates) must call
`catalog_cache_bump()` once the change is saved; it runs after the surrounding transaction commits, so a page
rendered in between cannot be stored under the new version with the old data.

- `catalog_cache_bump(product_ids=[...])`: those products' pages and every listing/home fragment.
- `catalog_cache_bump()` (no ids): everything, e.g. after new FX rates or a bulk import.

Version keys never expire and start from the clock, so an evicted key cannot bring back an old fragment.
Fragments hold only what every shopper sees: never a CSRF token, cart count or user name.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token

VERSION_ALL = "catalog:v:all"
VERSION_LISTING = "catalog:v:listing"
VERSION_PRODUCT = "catalog:v:p:{id}"

# Rendered into cached HTML instead of the shopper's CSRF token (`{% csrf_token %}` with this as `csrf_token`),
# replaced per request by `csrf_fill`.
CSRF_HOLE = "csrf-hole-3c9e7d1a"


def _fresh() -> int:
    return time.time_ns() // 1000


def catalog_cache_version(product_id: int | None = None) -> str:
    """A token for cache keys: listings/home when `product_id` is None, else that product's page."""
    keys = [VERSION_ALL, VERSION_LISTING if product_id is None else VERSION_PRODUCT.format(id=product_id)]
    found = cache.get_many(keys)
    missing = {key: _fresh() for key in keys if key not in found}
    for key, value in missing.items():
        # add() keeps a value another process set first; read back whichever won.
        if not cache.add(key, value, timeout=None):
            missing[key] = cache.get(key, value)
    found.update(missing)
    return ".".join(str(found[key]) for key in keys)


def _bump(keys: list[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # never set (or evicted): any fresh value differs from what fragments were keyed by
            cache.set(key, _fresh(), timeout=None)


def catalog_cache_bump(*, product_ids: Iterable[int] | None = None) -> None:
    """Invalidate shared pages after a change to these products (or to everything when None)."""
    keys = [VERSION_LISTING]
    if product_ids is None:
        keys.append(VERSION_ALL)
    else:
        keys += [VERSION_PRODUCT.format(id=pk) for pk in dict.fromkeys(product_ids)]
    transaction.on_commit(lambda: _bump(keys))


def fragment_get_or_build(key: str, build: Callable[[], Any], *, timeout: int) -> Any:
    """The cached value under `key`, or build it and store it. A build returning None is not stored."""
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, timeout)
    return value


def csrf_fill(html: str, request) -> str:
    """Put this shopper's CSRF token into a shared fragment."""
    if CSRF_HOLE not in html:
        return html
    return html.replace(CSRF_HOLE, get_token(request))
