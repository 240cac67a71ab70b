"""A per-provider circuit breaker, so that an outage does not cost every call its timeout.

closed     calls go through; ``threshold`` failures in a row open the circuit
open       calls skip the provider (and fall back at once) for ``cooldown_s``
half-open  after the cool-down one trial call goes through: success closes the
           circuit, failure opens it for another cool-down. A trial that never
           reports (its call was cancelled) is replaced after a cool-down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from .._errors import JSONValue

__all__ = ["CircuitBreaker", "CircuitState"]

CircuitState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Thread-safe; ``clock`` is injectable for tests."""

    def __init__(
        self, threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = max(1, threshold)
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_at: float | None = None
        self._opened_total = 0
        self._skipped_total = 0

    @property
    def state(self) -> CircuitState:
        with self._lock:
            return self._state()

    def _state(self) -> CircuitState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at < self._cooldown_s:
            return "open"
        return "half_open"

    def allow(self) -> bool:
        """Whether a call may use the provider now (in half-open, only one trial at a time)."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open":
                now = self._clock()
                if self._trial_at is None or now - self._trial_at >= self._cooldown_s:
                    self._trial_at = now
                    return True
            self._skipped_total += 1
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_at = None

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            reopen = self._opened_at is not None and self._trial_at is not None
            if reopen or self._failures >= self._threshold:
                if self._opened_at is None or reopen:
                    self._opened_total += 1
                self._opened_at = self._clock()
                self._trial_at = None

    def snapshot(self) -> dict[str, JSONValue]:
        with self._lock:
            return {
                "state": self._state(),
                "consecutive_failures": self._failures,
                "opened_total": self._opened_total,
                "skipped_calls": self._skipped_total,
            }
