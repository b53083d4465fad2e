"""Fixed-window counters in the Redis cache: atomic `add` + `incr`, so parallel requests cannot slip past a limit."""

from django.core.cache import cache


def limit_hit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit against `key`; True while the count in the current window is within `limit`."""
    key = f"ratelimit:{key}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
