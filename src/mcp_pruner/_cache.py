"""Result cache of the backend manager: TTL + LRU, keyed by what decides a selection.

The key is a sha256 over the text, the goal, the source type, every
:class:`Budget` field, the backend chain and the model behind each provider
(fields are length-prefixed, so no two inputs share a key by concatenation).
The value is the engine's :class:`Selection` (``keep`` packed in bytes), not
the rendered text: the service renders every hit with a fresh ``prune_id`` and
stores the original, so a hit recovers like any other call.

Only answers from the configured backend itself are stored; a fallback answer
is not, so a passing outage is not remembered for ``ttl_s``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from typing import Protocol

from ._contract import SourceType
from ._errors import JSONValue
from .engine import Budget, RemovedBlock, Selection

__all__ = ["CachedSelection", "ResultCache", "cache_key"]


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


def _field_bytes(h: _Hasher, data: bytes) -> None:
    h.update(len(data).to_bytes(8, "big"))
    h.update(data)


def _field(h: _Hasher, value: str) -> None:
    _field_bytes(h, value.encode("utf-8", "surrogatepass"))


def cache_key(
    lines: Sequence[str],
    goal: str,
    source_type: SourceType | None,
    budget: Budget,
    backend: str,
    model: str,
) -> str:
    """Hex sha256 of everything that decides the selection."""
    h = hashlib.sha256()
    # The lines' lengths, then the lines joined: one hash update however many lines there are (a
    # field per line cost 2 ms on 2,000 lines), and no two lists of lines share both.
    lengths = array("q", map(len, lines)).tobytes()
    _field_bytes(h, lengths)
    _field_bytes(h, "\n".join(lines).encode("utf-8", "surrogatepass"))
    _field(h, goal)
    _field(h, "auto" if source_type is None else str(source_type))
    _field(h, repr(astuple(budget)))
    _field(h, backend)
    _field(h, model)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class CachedSelection:
    """A selection, compactly (one byte per line), and the engine that made it."""

    keep: bytes
    blocks: tuple[RemovedBlock, ...]
    source_type: SourceType
    warnings: tuple[str, ...]
    engine: str

    @classmethod
    def of(cls, selection: Selection, engine: str) -> CachedSelection:
        return cls(
            bytes(selection.keep),
            tuple(selection.blocks),
            selection.source_type,
            tuple(selection.warnings),
            engine,
        )

    def selection(self) -> Selection:
        """A fresh :class:`Selection` (callers may not mutate the cached one)."""
        return Selection(
            [b != 0 for b in self.keep], list(self.blocks), self.source_type, list(self.warnings)
        )


class ResultCache:
    """Thread-safe TTL + LRU map. ``max_entries == 0`` or ``ttl_s == 0`` disables it."""

    def __init__(self, max_entries: int, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_entries
        self._ttl = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, CachedSelection]] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    @property
    def enabled(self) -> bool:
        return self._max > 0 and self._ttl > 0

    def get(self, key: str) -> CachedSelection | None:
        if not self.enabled:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] <= self._clock():
                if item is not None:
                    del self._items[key]
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[1]

    def put(self, key: str, value: CachedSelection) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._items[key] = (self._clock() + self._ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
                self.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def stats(self) -> dict[str, JSONValue]:
        with self._lock:
            return {
                "size": len(self._items),
                "max_entries": self._max,
                "ttl_s": self._ttl,
                "hits": self.hits,
                "misses": self.misses,
                "evictions": self.evictions,
            }
