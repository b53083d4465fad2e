"""Whose time the tracking sync keeps. In production the system clock; locally and in tests the sandbox's clock,
which the demo speeds up and tests push forward, so "not before 15 minutes" means 15 minutes of partner time."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from .exceptions import PartnerUnavailable


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return timezone.now()


class SandboxClock:
    """The postal sandbox's clock, read over HTTP (GET /sandbox/clock)."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url.rstrip("/") + "/sandbox/clock"

    def now(self) -> datetime:
        try:
            with urllib.request.urlopen(self.url, timeout=5) as response:
                epoch = float(json.loads(response.read())["epoch"])
        except (OSError, ValueError, KeyError) as exc:
            raise PartnerUnavailable(f"sandbox clock: {exc}") from exc
        return datetime.fromtimestamp(epoch, UTC)


def clock_from_settings() -> Clock:
    if settings.STORE_POST_CLOCK == "sandbox":
        url = urlsplit(settings.STORE_POST_BATCH_URL)
        return SandboxClock(f"{url.scheme}://{url.netloc}")
    return SystemClock()
