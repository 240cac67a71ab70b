"""The result cache: key, TTL, LRU, compact values, thread safety."""

from __future__ import annotations

import threading

from mcp_pruner._cache import CachedSelection, ResultCache, cache_key
from mcp_pruner._contract import SourceType
from mcp_pruner.engine import Budget, RemovedBlock, Selection

LINES = ["a", "b", "c"]


def entry(engine: str = "deepinfra") -> CachedSelection:
    sel = Selection([True, False, True], [RemovedBlock(2, 2, "low relevance")], SourceType.CODE, ["w"])
    return CachedSelection.of(sel, engine)


def test_key_depends_on_everything_that_decides_a_selection() -> None:
    base = cache_key(LINES, "g", None, Budget(), "deepinfra", "m")
    assert base == cache_key(list(LINES), "g", None, Budget(), "deepinfra", "m")
    variants = [
        cache_key(["a", "b", "c", ""], "g", None, Budget(), "deepinfra", "m"),
        cache_key(["ab", "c"], "g", None, Budget(), "deepinfra", "m"),
        cache_key(["a", "bc"], "g", None, Budget(), "deepinfra", "m"),
        cache_key(["a\nb", "c"], "g", None, Budget(), "deepinfra", "m"),  # lines joined by newlines
        cache_key(["a", "b\nc"], "g", None, Budget(), "deepinfra", "m"),
        cache_key(LINES, "g2", None, Budget(), "deepinfra", "m"),
        cache_key(LINES, "g", SourceType.LOGS, Budget(), "deepinfra", "m"),
        cache_key(LINES, "g", None, Budget(max_prune_ratio=0.5), "deepinfra", "m"),
        cache_key(LINES, "g", None, Budget(token_budget=100), "deepinfra", "m"),
        cache_key(LINES, "g", None, Budget(annotate_lines=True), "deepinfra", "m"),
        cache_key(LINES, "g", None, Budget(), "heuristic", "m"),
        cache_key(LINES, "g", None, Budget(), "deepinfra", "m2"),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_values_round_trip_as_fresh_selections() -> None:
    cached = entry()
    a, b = cached.selection(), cached.selection()
    assert a == b
    assert a is not b
    assert a.keep == [True, False, True]
    assert cached.engine == "deepinfra"


def test_ttl_expires_entries() -> None:
    now = [0.0]
    cache = ResultCache(4, 10, clock=lambda: now[0])
    cache.put("k", entry())
    assert cache.get("k") is not None
    now[0] = 10.0
    assert cache.get("k") is None
    assert len(cache) == 0
    assert cache.stats()["hits"] == 1
    assert cache.stats()["misses"] == 1


def test_lru_evicts_the_least_recently_used() -> None:
    cache = ResultCache(2, 60)
    cache.put("a", entry())
    cache.put("b", entry())
    assert cache.get("a") is not None
    cache.put("c", entry())
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    assert cache.stats()["evictions"] == 1


def test_zero_disables_the_cache() -> None:
    for cache in (ResultCache(0, 60), ResultCache(10, 0)):
        cache.put("a", entry())
        assert cache.get("a") is None
        assert not cache.enabled


def test_thread_safe_under_contention() -> None:
    cache = ResultCache(50, 60)

    def work(t: int) -> None:
        for i in range(300):
            cache.put(f"{t}-{i}", entry())
            cache.get(f"{t}-{i - 1}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(cache) == 50
