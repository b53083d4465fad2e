"""The sandbox's own clock: starts at the wall clock, runs `speed` times faster, can be pushed forward."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SandboxClock:
    def __init__(self, *, speed: float = 1.0, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._anchor_real = time.time()
        self._anchor = float(start if start is not None else self._anchor_real)

    def now(self) -> float:
        """Sandbox time, seconds since the epoch."""
        with self._lock:
            return self._anchor + (time.time() - self._anchor_real) * self._speed

    def now_dt(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            self._rebase()
            self._speed = float(speed)

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._rebase()
            self._anchor += seconds
            return self._anchor

    def set(self, when: float) -> None:
        """Jump to a moment (forward or back: for a fresh demo, or a restart from saved state)."""
        with self._lock:
            self._anchor_real = time.time()
            self._anchor = float(when)

    def _rebase(self) -> None:
        real = time.time()
        self._anchor += (real - self._anchor_real) * self._speed
        self._anchor_real = real
