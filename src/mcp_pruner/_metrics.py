"""In-process call metrics that ``health`` reports (since the server started)."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass

from ._errors import JSONValue

__all__ = ["CallRecord", "Metrics"]

_LATENCY_WINDOW = 2048


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One finished ``prune_text`` call."""

    backend: str
    engine: str
    latency_ms: float
    tokens_before: int
    tokens_after: int
    cost_usd: float
    used_fallback: bool
    cache_hit: bool
    reranker_requests: int = 0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[k], 2)


class Metrics:
    """Thread-safe counters and a window of recent latencies per backend."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, int] = defaultdict(int)
        self._fallbacks: dict[str, int] = defaultdict(int)
        self._cache_hits = 0
        self._calls_total = 0
        self._cost = 0.0
        self._tokens_before = 0
        self._tokens_saved = 0
        self._reranker_requests = 0
        self._recover_calls = 0
        self._errors = 0
        self._latency: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=_LATENCY_WINDOW))

    def record(self, rec: CallRecord) -> None:
        with self._lock:
            self._calls_total += 1
            self._calls[rec.backend] += 1
            if rec.used_fallback:
                self._fallbacks[rec.backend] += 1
            if rec.cache_hit:
                self._cache_hits += 1
            self._cost += rec.cost_usd
            self._tokens_before += rec.tokens_before
            self._tokens_saved += max(0, rec.tokens_before - rec.tokens_after)
            self._reranker_requests += rec.reranker_requests
            self._latency[rec.backend].append(rec.latency_ms)

    def record_recover(self) -> None:
        with self._lock:
            self._recover_calls += 1

    def record_error(self) -> None:
        with self._lock:
            self._errors += 1

    def snapshot(self) -> dict[str, JSONValue]:
        with self._lock:
            calls_di = self._calls.get("deepinfra", 0)
            fb_di = self._fallbacks.get("deepinfra", 0)
            latency: dict[str, JSONValue] = {}
            for backend, window in self._latency.items():
                values = list(window)
                latency[backend] = {
                    "p50_ms": _percentile(values, 0.5),
                    "p90_ms": _percentile(values, 0.9),
                    "p99_ms": _percentile(values, 0.99),
                    "samples": len(values),
                }
            return {
                "calls_total": self._calls_total,
                "calls_deepinfra": calls_di,
                "fallbacks_deepinfra": fb_di,
                "fallback_rate_deepinfra": round(fb_di / calls_di, 4) if calls_di else 0.0,
                "cost_estimated_total_usd": round(self._cost, 8),
                "calls_by_backend": dict(self._calls),
                "fallbacks_by_backend": dict(self._fallbacks),
                "cache_hits": self._cache_hits,
                "tokens_before_total": self._tokens_before,
                "tokens_saved_total": self._tokens_saved,
                "reranker_requests_total": self._reranker_requests,
                "recover_calls": self._recover_calls,
                "errors_total": self._errors,
                "latency_ms": latency,
            }
