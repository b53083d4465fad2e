"""A circuit breaker whose state lives in Redis (the Django cache), shared by every web and worker process.

After `failures` consecutive failed calls to a service the breaker opens for `seconds`: calls fail at once with
CircuitOpen instead of waiting on a partner that is down (and the sync pauses, keeping its place). When the time
is up the next call is let through (half-open): success closes the breaker, failure opens it again at once,
because the failure count is still at the threshold.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

from .exceptions import CircuitOpen

log = logging.getLogger("logistics.postal")


def _now() -> float:
    return time.time()


class CircuitBreaker:
    def __init__(self, service: str, *, failures: int, seconds: float) -> None:
        self.service = service
        self.threshold = max(1, failures)
        self.seconds = seconds
        self._failures_key = f"postal:breaker:{service}:failures"
        self._open_key = f"postal:breaker:{service}:open_until"

    def check(self) -> None:
        """Raise CircuitOpen while the breaker is open."""
        until = cache.get(self._open_key)
        now = _now()
        if until is not None and until > now:
            raise CircuitOpen(self.service, until - now)

    def is_open(self) -> bool:
        until = cache.get(self._open_key)
        return until is not None and until > _now()

    def record_success(self) -> None:
        if cache.get(self._failures_key):
            cache.delete_many([self._failures_key, self._open_key])
            log.info("postal circuit closed", extra={"service": self.service})

    def record_failure(self) -> None:
        # add() first so incr() has a key to work on; the count outlives an open period so half-open fails fast
        cache.add(self._failures_key, 0, timeout=max(60, int(self.seconds * 10)))
        try:
            failures = cache.incr(self._failures_key)
        except ValueError:  # expired between add and incr
            cache.set(self._failures_key, 1, timeout=max(60, int(self.seconds * 10)))
            failures = 1
        if failures >= self.threshold:
            cache.set(self._open_key, _now() + self.seconds, timeout=max(1, int(self.seconds) + 1))
            log.warning(
                "postal circuit open",
                extra={"service": self.service, "failures": failures, "seconds": self.seconds},
            )

    def reset(self) -> None:
        cache.delete_many([self._failures_key, self._open_key])
