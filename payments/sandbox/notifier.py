"""Webhook delivery like the provider's: POST JSON, 200 means delivered, anything else is retried with backoff.

The real provider retries for 24 hours; the sandbox retries for `retry_for` seconds (bounded), with delays
doubling from `backoff` up to `max_delay`. One worker thread, a due-time heap: a receiver that keeps failing
delays only its own deliveries.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

log = logging.getLogger("payments.sandbox")


@dataclass
class Delivery:
    id: int
    event: str
    object: dict
    url: str
    first_at: float
    attempts: int = 0
    last_status: int | None = None
    last_error: str = ""
    delivered: bool = False
    gave_up: bool = False

    def body(self) -> bytes:
        return json.dumps({"type": "notification", "event": self.event, "object": self.object}).encode()

    def summary(self) -> dict:
        return {
            "id": self.id,
            "event": self.event,
            "object_id": self.object.get("id"),
            "status": self.object.get("status"),
            "url": self.url,
            "attempts": self.attempts,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "delivered": self.delivered,
            "gave_up": self.gave_up,
        }


@dataclass
class Notifier:
    url: str | None
    enabled: bool = True
    backoff: float = 1.0
    max_delay: float = 60.0
    retry_for: float = 600.0
    timeout: float = 5.0
    history_limit: int = 1000
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._heap: list[tuple[float, int, Delivery]] = []
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def send(self, event: str, obj: dict, *, url: str | None = None) -> Delivery | None:
        """Queue one notification; nothing is sent when webhooks are off or no URL is configured."""
        target = url or self.url
        if not target or (url is None and not self.enabled):
            return None
        with self._cond:
            delivery = Delivery(next(self._ids), event, obj, target, time.monotonic())
            self.deliveries.append(delivery)
            del self.deliveries[: -self.history_limit]
            heapq.heappush(self._heap, (time.monotonic(), delivery.id, delivery))
            self._cond.notify()
        return delivery

    def snapshot(self) -> list[dict]:
        with self._cond:
            return [d.summary() for d in self.deliveries]

    def clear(self) -> None:
        with self._cond:
            self._heap.clear()
            self.deliveries.clear()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout=self.timeout + 1)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout=wait)
                if self._stopping:
                    return
                _, _, delivery = heapq.heappop(self._heap)
            self._attempt(delivery)

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempts += 1
        request = urllib.request.Request(
            delivery.url,
            data=delivery.body(),
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "YooKassa-Sandbox-Webhooks/1.0"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                delivery.last_status = response.status
        except urllib.error.HTTPError as exc:
            delivery.last_status = exc.code
            delivery.last_error = f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            delivery.last_status = None
            delivery.last_error = str(exc)[:200]
        if delivery.last_status == 200:
            delivery.delivered = True
            return
        delay = min(self.backoff * 2 ** (delivery.attempts - 1), self.max_delay)
        due = time.monotonic() + delay
        if due - delivery.first_at > self.retry_for:
            delivery.gave_up = True
            log.warning("webhook %s %s gave up after %d attempts", delivery.event, delivery.url, delivery.attempts)
            return
        with self._cond:
            if not self._stopping:
                heapq.heappush(self._heap, (due, delivery.id, delivery))
                self._cond.notify()
