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
the same Redis round trip that fetches them. Their HTML is stored zlib-compressed (a product page's ~9–25 KB
is 3–6 KB). Each web worker also keeps the entries it served last (up to STORE_CATALOG_LOCAL_BYTES of them) and
serves them without Redis while its versions are fresh: once per STORE_CATALOG_LOCAL_SECONDS (1 s) it reads the
listing versions and the log of products bumped since its last look, in one round trip (`_local_sync`), and
forgets those products' versions. Another process's change shows that much later; every bump goes through
`_bump` so that it is logged.

A visitor with no cookies but the CSRF and language ones (no session: no cart, no login, no messages) sees
exactly what every other such visitor sees, apart from the CSRF token. For them the whole page is shared
(`page_is_shared`, `page_render_shared`): it is stored with a hole where the token goes and filled per request
(`csrf_fill`). Anyone with a session gets the page rendered around the shared fragment, with their own header.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
import zlib
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
# Every product bump is logged: a sequence number (from the clock, like the versions) and a sorted set of product
# ids scored by the number of their latest bump, trimmed to the newest CHANGES_KEPT; CHANGES_FLOOR is the highest
# number trimmed away (a worker that last looked before it cannot know what it missed, and forgets every product).
CHANGES_SEQ = "catalog:changes:seq"
CHANGES_LOG = "catalog:changes:log"
CHANGES_FLOOR = "catalog:changes:floor"
CHANGES_KEPT = 20_000

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


# KEYS: seq, log, floor, then the version keys to bump; ARGV: a fresh value, CHANGES_KEPT, then the product ids
# among them (to log). A version never set (or evicted) gets the fresh value: it differs from any it ever had.
_BUMP_LUA = """
for i = 4, #KEYS do
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCR', KEYS[i]) else redis.call('SET', KEYS[i], ARGV[1]) end
end
local n = #ARGV - 2
if n > 0 then
    if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
    local last = redis.call('INCRBY', KEYS[1], n)
    for j = 1, n do redis.call('ZADD', KEYS[2], last - n + j, ARGV[j + 2]) end
    local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
    if extra > 0 then
        local gone = redis.call('ZRANGE', KEYS[2], extra - 1, extra - 1, 'WITHSCORES')
        redis.call('SET', KEYS[3], gone[2])
        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
    end
end
"""
# KEYS: the two listing versions, seq, floor, log; ARGV: the seq this process saw last ('' for none), a fresh
# value (the seq starts from it when missing). Returns the four values, then the product ids bumped since that seq.
_SYNC_LUA = """
redis.call('SET', KEYS[3], ARGV[2], 'NX')
local out = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
if ARGV[1] ~= '' and out[3] and out[3] ~= ARGV[1] then
    for _, pid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '(' .. ARGV[1], '+inf')) do out[#out + 1] = pid end
end
return out
"""
_scripts: dict[str, Any] = {}


def _script(source: str):
    """The Lua script, registered once per process on the cache's own Redis client (key prefixes: `_raw_key`)."""
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = cache._cache.get_client(write=True).register_script(source)
    return script


def _raw_key(key: str) -> str:
    return cache.make_and_validate_key(key)


def _bump_redis(keys: list[str]) -> None:
    """Bump these version keys in Redis and log the product ones, atomically (any process)."""
    prefix = VERSION_PRODUCT.format(id="")
    pids = [key.removeprefix(prefix) for key in keys if key.startswith(prefix)]
    _script(_BUMP_LUA)(
        keys=[_raw_key(k) for k in (CHANGES_SEQ, CHANGES_LOG, CHANGES_FLOOR, *keys)],
        args=[_fresh(), CHANGES_KEPT, *pids],
    )


def _bump(keys: list[str]) -> None:
    _bump_redis(keys)
    # this process sees its own change at once: its next read looks at the versions and the log again
    _local_state.synced_at = None


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
# A cached page from Redis costs one round trip, about as much CPU as the whole request around it. Each worker keeps
# the entries it served last (as stored: compressed) and the versions it read. The listing versions are re-read and
# the products bumped since are forgotten once per STORE_CATALOG_LOCAL_SECONDS (`_local_sync`, one round trip for
# all); a product's version is read once, then trusted until the log names it. 0 turns the local copy off.
_local_entries: OrderedDict[str, dict] = OrderedDict()
_local_versions: dict[str, int] = {}
_ENTRY_OVERHEAD = 400  # the dict and its small fields, in bytes: what the byte count adds per entry
_lock = threading.Lock()  # threaded servers (runserver); gunicorn's sync workers never wait on it


class _LocalState:
    synced_at: float | None = None
    seq: int | None = None
    generation = 0  # moves on whenever versions are forgotten: a version read before must not be remembered after
    size = 0  # bytes held by _local_entries


_local_state = _LocalState()


def _local_window() -> float:
    return settings.STORE_CATALOG_LOCAL_SECONDS


def _local_bytes_max() -> int:
    return settings.STORE_CATALOG_LOCAL_BYTES


def _version_keys(pid: int | None) -> tuple[str, str]:
    return VERSION_ALL, VERSION_LISTING if pid is None else VERSION_PRODUCT.format(id=pid)


def _int_or_none(value) -> int | None:
    return None if value is None else int(float(value))  # a score may come back as 1.7e+15


def _local_sync(window: float) -> None:
    """At most once per `window`: the listing versions as they are now, and forget the products bumped since."""
    state = _local_state
    now = time.monotonic()
    if state.synced_at is not None and now - state.synced_at < window:
        return
    keys = [_raw_key(k) for k in (VERSION_ALL, VERSION_LISTING, CHANGES_SEQ, CHANGES_FLOOR, CHANGES_LOG)]
    seen = "" if state.seq is None else state.seq
    all_v, listing_v, seq, floor, *changed = _script(_SYNC_LUA)(keys=keys, args=[seen, _fresh()])
    seq, floor = _int_or_none(seq), _int_or_none(floor)
    with _lock:
        state.generation += 1
        if state.seq is None or seq is None or seq < state.seq or (floor is not None and floor > state.seq):
            _local_versions.clear()  # first look, a flushed cache or a trimmed log: no telling what moved
        else:
            for pid in changed:
                _local_versions.pop(VERSION_PRODUCT.format(id=int(pid)), None)
        for key, value in ((VERSION_ALL, all_v), (VERSION_LISTING, listing_v)):
            if value is None:
                _local_versions.pop(key, None)
            else:
                _local_versions[key] = int(value)
        state.seq, state.synced_at = seq, now


def _local_token(pid: int | None) -> str | None:
    parts = [_local_versions.get(key) for key in _version_keys(pid)]
    return None if None in parts else f"{parts[0]}.{parts[1]}"


def _local_remember(key: str, value, generation: int) -> None:
    """Remember a product's version read while `generation` was current (not if versions were forgotten since)."""
    if value is not None:
        with _lock:
            if _local_state.generation == generation:
                _local_versions[key] = int(value)


def _local_remember_listing(values: dict) -> None:
    """Remember the listing versions as read (a sync overwrites them within the window anyway)."""
    for key in (VERSION_ALL, VERSION_LISTING):
        if values.get(key) is not None:
            _local_versions[key] = int(values[key])


def _local_keep(key: str, entry: dict) -> None:
    size = len(entry.get("z", b"")) + _ENTRY_OVERHEAD
    limit = _local_bytes_max()
    with _lock:
        old = _local_entries.pop(key, None)
        if old is not None:
            _local_state.size -= len(old.get("z", b"")) + _ENTRY_OVERHEAD
        if size > limit:
            return
        _local_entries[key] = entry
        _local_state.size += size
        while _local_state.size > limit:
            _gone, evicted = _local_entries.popitem(last=False)
            _local_state.size -= len(evicted.get("z", b"")) + _ENTRY_OVERHEAD


def local_copy_clear() -> None:
    """Forget this process's entries and versions (tests; the next read syncs again)."""
    with _lock:
        _local_entries.clear()
        _local_versions.clear()
        _local_state.synced_at, _local_state.seq, _local_state.size = None, None, 0
        _local_state.generation += 1


def _packed(entry: dict) -> dict:
    """The entry as stored: its HTML compressed (level 6: written once, read thousands of times)."""
    packed = {k: v for k, v in entry.items() if k != "html"}
    if "html" in entry:
        packed["z"] = zlib.compress(entry["html"].encode(), 6)
    return packed


def _opened(entry: dict) -> dict:
    """The entry as callers use it: its HTML as text (entries stored before compression came in are as they were)."""
    if "z" not in entry:
        return entry
    opened = {k: v for k, v in entry.items() if k != "z"}
    opened["html"] = zlib.decompress(entry["z"]).decode()
    return opened


def versioned_get(key: str, *, product_hint: int | None = None) -> dict | None:
    """The entry `versioned_set` stored under `key`, unless the catalog changed since.

    From this process's copy while its versions are fresh (a product's version read once, one small GET); else one
    Redis round trip (for a product's entry a second one unless `product_hint` guessed its product id).
    """
    window = _local_window()
    if window:
        _local_sync(window)
        entry = _local_entries.get(key)
        if entry is not None:
            token = _local_token(entry["pid"])
            if token is None and entry["pid"] is not None and VERSION_ALL in _local_versions:
                # a product this process has not read the version of since it was last bumped: one small GET
                generation = _local_state.generation
                product_key = VERSION_PRODUCT.format(id=entry["pid"])
                _local_remember(product_key, cache.get(product_key), generation)
                token = _local_token(entry["pid"])
            if token == entry["v"]:
                with contextlib.suppress(KeyError):  # another thread evicted it meanwhile
                    _local_entries.move_to_end(key)
                return _opened(entry)
    generation = _local_state.generation
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
    if f"{found.get(all_key)}.{found.get(own_key)}" != entry["v"]:
        return None
    if window:
        _local_remember_listing(found)
        if pid is not None:
            _local_remember(own_key, found.get(own_key), generation)
        _local_keep(key, entry)
    return _opened(entry)


def versioned_set(key: str, entry: dict, *, version: str, timeout: int, product_id: int | None = None) -> dict:
    """Store `entry` as rendered at `version` (read before the data); `product_id` for a product's own pages."""
    entry = {**entry, "v": version, "pid": product_id}
    packed = _packed(entry)
    cache.set(key, packed, timeout)
    if _local_window():
        # The listing versions it was rendered at, not a product's: a product bump logged between that read and
        # now would go unnoticed; the next read gets the product's version (listings are re-read every window).
        everything, own = version.split(".")
        _local_remember_listing({VERSION_ALL: everything, VERSION_LISTING: own if product_id is None else None})
        _local_keep(key, packed)
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
