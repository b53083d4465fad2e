"""Versions for the pages shoppers share, and the fragment cache keyed by them.

Whatever changes what a shopper sees of a product (price, stock, title, images, activity, FX rates) must call
`catalog_cache_bump()` once the change is saved; it runs after the surrounding transaction commits, so a page
rendered in between cannot be stored under the new version with the old data.

- `catalog_cache_bump(product_ids=[...])`: those products' pages and every listing/home fragment.
- `catalog_cache_bump(product_ids=[...], listings=False)`: only those products' own pages (the product page and
  its variant blocks), for what only they show: the "осталось N шт." count of a SKU that stays in stock.
- `catalog_cache_bump()` (no ids): everything, e.g. after new FX rates or a bulk import.

Version keys never expire and start from the clock, so an evicted key cannot bring back an old fragment.
Fragments hold only what every shopper sees: never a CSRF token, cart count or user name.

Entries written by `versioned_set` carry the version they were rendered at, and `versioned_get` checks it in
the same Redis round trip that fetches them. Each web worker also keeps the entries it served last and trusts the
versions it read for STORE_CATALOG_LOCAL_SECONDS (1 s): another process's change shows that much later.

A visitor with no cookies but the CSRF and language ones (no session: no cart, no login, no messages) sees
exactly what every other such visitor sees, apart from the CSRF token. For them the whole page is shared
(`page_is_shared`, `page_render_shared`): it is stored with a hole where the token goes and filled per request
(`csrf_fill`). Anyone with a session gets the page rendered around the shared fragment, with their own header.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import render_to_string

VERSION_ALL = "catalog:v:all"
VERSION_LISTING = "catalog:v:listing"
VERSION_PRODUCT = "catalog:v:p:{id}"

# Rendered into cached HTML instead of the shopper's CSRF token (`{% csrf_token %}` with this as `csrf_token`),
# replaced per request by `csrf_fill`.
CSRF_HOLE = "csrf-hole-3c9e7d1a"


def _fresh() -> int:
    return time.time_ns() // 1000


def catalog_cache_version(product_id: int | None = None) -> str:
    """A token for cache keys: listings/home when `product_id` is None, else that product's page.

    The token reads "<everything>.<listings or product>"; its first part moves only on `catalog_cache_bump()`
    without ids, for what follows the catalog's shape rather than single prices (listing facets).
    """
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
        _local_versions.pop(key, None)
        try:
            cache.incr(key)
        except ValueError:  # never set (or evicted): any fresh value differs from what fragments were keyed by
            cache.set(key, _fresh(), timeout=None)


def catalog_cache_bump(*, product_ids: Iterable[int] | None = None, listings: bool = True) -> None:
    """Invalidate shared pages after a change to these products (or to everything when None); with
    `listings=False`, only these products' own pages: listings, search and home keep their entries."""
    if product_ids is None and not listings:
        raise ValueError("listings=False needs product_ids")
    keys = [VERSION_LISTING] if listings else []
    if product_ids is None:
        keys.append(VERSION_ALL)
    else:
        keys += [VERSION_PRODUCT.format(id=pk) for pk in dict.fromkeys(product_ids)]
    transaction.on_commit(lambda: _bump(keys))


# --- this process's copy of hot entries and versions -----------------------------------------------------------
# A cached page costs one Redis round trip, about as much CPU as the whole request around it. Each worker keeps the
# entries it served last and the versions it read, and trusts those versions for STORE_CATALOG_LOCAL_SECONDS: a
# change made by another process shows here that much later (a bump in this process shows at once). 0 turns it off.
_local_entries: OrderedDict[str, dict] = OrderedDict()
_local_versions: dict[str, tuple[float, Any]] = {}
LOCAL_ENTRIES_MAX = 1000  # a few tens of MB per worker at most


def _local_window() -> float:
    return settings.STORE_CATALOG_LOCAL_SECONDS


def _version_keys(pid: int | None) -> tuple[str, str]:
    return VERSION_ALL, VERSION_LISTING if pid is None else VERSION_PRODUCT.format(id=pid)


def _local_token(pid: int | None, window: float) -> str | None:
    now = time.monotonic()
    parts = []
    for key in _version_keys(pid):
        seen = _local_versions.get(key)
        if seen is None or now - seen[0] >= window:
            return None
        parts.append(seen[1])
    return f"{parts[0]}.{parts[1]}"


def _local_remember(found: dict, keys: Iterable[str]) -> None:
    now = time.monotonic()
    for key in keys:
        if key in found:
            _local_versions[key] = (now, found[key])


def _local_keep(key: str, entry: dict) -> None:
    # Threaded servers (runserver) may evict the same key at once: a lost race only costs a Redis read.
    with contextlib.suppress(KeyError):
        _local_entries[key] = entry
        _local_entries.move_to_end(key)
        while len(_local_entries) > LOCAL_ENTRIES_MAX:
            _local_entries.popitem(last=False)


def versioned_get(key: str, *, product_hint: int | None = None) -> dict | None:
    """The entry `versioned_set` stored under `key`, unless the catalog changed since.

    From this process's copy while its versions are fresh; else one Redis round trip (for a product's entry a
    second one unless `product_hint` guessed its product id).
    """
    window = _local_window()
    if window:
        entry = _local_entries.get(key)
        if entry is not None and _local_token(entry["pid"], window) == entry["v"]:
            _local_keep(key, entry)
            return entry
    keys = [VERSION_ALL, VERSION_LISTING, key]
    if product_hint is not None:
        keys.append(VERSION_PRODUCT.format(id=product_hint))
    found = cache.get_many(keys)
    entry = found.get(key)
    if entry is None:
        return None
    pid = entry.get("pid")
    if pid is not None and pid != product_hint:
        product_key = VERSION_PRODUCT.format(id=pid)
        found[product_key] = cache.get(product_key)
    all_key, own_key = _version_keys(pid)
    if window:
        _local_remember(found, (all_key, own_key))
    if f"{found.get(all_key)}.{found.get(own_key)}" != entry["v"]:
        return None
    if window:
        _local_keep(key, entry)
    return entry


def versioned_set(key: str, entry: dict, *, version: str, timeout: int, product_id: int | None = None) -> dict:
    """Store `entry` as rendered at `version` (read before the data); `product_id` for a product's own pages."""
    entry = {**entry, "v": version, "pid": product_id}
    cache.set(key, entry, timeout)
    if _local_window():
        keys = _version_keys(product_id)
        _local_remember(dict(zip(keys, version.split("."), strict=True)), keys)
        _local_keep(key, entry)
    return entry


def fragment_get_or_build(key: str, build: Callable[[], Any], *, timeout: int) -> Any:
    """The cached value under `key`, or build it and store it. A build returning None is not stored."""
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, timeout)
    return value


def _csrf_chars(count: int) -> str:
    """`count` characters drawn uniformly from CSRF_ALLOWED_CHARS, from one read of the OS random source."""
    alphabet = CSRF_ALLOWED_CHARS
    limit = 256 - 256 % len(alphabet)  # bytes at or above it would favour the first characters
    drawn: list[str] = []
    while len(drawn) < count:
        drawn += [alphabet[b % len(alphabet)] for b in secrets.token_bytes(count + 16) if b < limit]
    return "".join(drawn[:count])


def csrf_token(request) -> str:
    """What `django.middleware.csrf.get_token` returns, made the same way: a masked copy of the secret the
    CSRF middleware sends back as the cookie (creating the secret for a first visit).

    Django's version reads the OS random source once per character, 64 times for a first visit: on a page
    served from the cache that was a third of the request.
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _csrf_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _csrf_chars(CSRF_SECRET_LENGTH)
    index = CSRF_ALLOWED_CHARS.index
    size = len(CSRF_ALLOWED_CHARS)
    return mask + "".join(CSRF_ALLOWED_CHARS[(index(s) + index(m)) % size] for s, m in zip(secret, mask, strict=True))


def csrf_fill(html: str, request) -> str:
    """Put this shopper's CSRF token into a shared fragment."""
    if CSRF_HOLE not in html:
        return html
    if getattr(settings, "CSRF_USE_SESSIONS", False):  # the secret lives in the session: Django's own way
        return html.replace(CSRF_HOLE, get_token(request))
    return html.replace(CSRF_HOLE, csrf_token(request))


def page_is_shared(request) -> bool:
    """Nothing on this visitor's page is theirs but the CSRF token: no session (cart, login, messages) cookie."""
    return request.method == "GET" and set(request.COOKIES) <= {
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    }


def page_render_shared(request, template: str, context: dict) -> str:
    """A whole page as every visitor without a session sees it, a hole in place of the CSRF token."""
    return render_to_string(template, {**context, "csrf_token": CSRF_HOLE}, request=request)
