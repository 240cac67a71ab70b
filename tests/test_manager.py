"""PruningBackendManager against a real HTTP fake of DeepInfra on loopback (no respx, no network)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator

import anyio
import pytest
from pydantic import SecretStr

from fakes.deepinfra import FakeReranker
from mcp_pruner._errors import ConfigError
from mcp_pruner._manager import BackendOutcome, PruningBackendManager, resolve_chain
from mcp_pruner._settings import Settings
from mcp_pruner.engine import Budget

KEY = "test-key"
GOAL = "why does parse_headers fail"


def code_lines(n_funcs: int, special: dict[int, str] | None = None) -> list[str]:
    """``n_funcs`` small functions (5 lines each, blank included); ``special`` adds one line to some."""
    out: list[str] = []
    for i in range(n_funcs):
        out += [f"def handler_{i}(request):", f"    value = compute_{i}(request)"]
        if special and i in special:
            out.append(f"    {special[i]}")
        out += [f"    return value + {i}", ""]
    return out


def stat(manager: PruningBackendManager, *path: str) -> object:
    """``manager.stats()[path[0]][path[1]]...``, checked."""
    node: object = manager.stats()
    for key in path:
        assert isinstance(node, dict)
        node = node[key]
    return node


def kept(lines: list[str], outcome: BackendOutcome) -> list[str]:
    return [line for line, k in zip(lines, outcome.selection.keep, strict=True) if k]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeReranker]:
    with FakeReranker(keywords=("zebra",)) as server:
        yield server


def settings_for(fake: FakeReranker, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "backend": "deepinfra",
        "deepinfra_api_key": SecretStr(KEY),
        "deepinfra_endpoint_url": fake.url,
        "deepinfra_timeout_ms": 2000,
        "deepinfra_max_docs": 64,
        "deepinfra_max_retries": 2,
        "cache_max_entries": 0,
    }
    values.update(overrides)
    return Settings.model_validate(values)


async def run(
    manager: PruningBackendManager, lines: list[str], timeout_s: float = 5.0, **kw: object
) -> BackendOutcome:
    goal = str(kw.get("goal", GOAL))
    budget = kw.get("budget", Budget())
    assert isinstance(budget, Budget)
    return await manager.prune(lines, goal, None, budget, anyio.current_time() + timeout_s)


# -- success ----------------------------------------------------------------------------------------
async def test_reranker_scores_decide_what_is_kept(fake: FakeReranker) -> None:
    lines = code_lines(80, {11: "zebra_total = audit(value)", 60: "okapi_total = audit(value)"})
    manager = PruningBackendManager(settings_for(fake))
    try:
        first = await run(manager, lines)
        fake.keywords = ("okapi",)
        second = await run(manager, lines)
    finally:
        await manager.aclose()
    assert first.engine == second.engine == "deepinfra"
    assert not first.used_fallback
    assert first.warnings == []
    assert "    zebra_total = audit(value)" in kept(lines, first)
    assert "    okapi_total = audit(value)" not in kept(lines, first)
    assert "    okapi_total = audit(value)" in kept(lines, second)
    assert "    zebra_total = audit(value)" not in kept(lines, second)
    assert all(r.auth_ok and r.n_queries == 1 for r in fake.requests)


async def test_cost_is_what_the_provider_reported(fake: FakeReranker) -> None:
    lines = code_lines(40)
    manager = PruningBackendManager(settings_for(fake, deepinfra_price_per_mtok=0.01))
    try:
        out = await run(manager, lines)
    finally:
        await manager.aclose()
    assert out.reranker_requests == len(fake.requests) >= 1
    reported = sum(
        max(1, len(r.query) // 4) + sum(max(1, len(d) // 4) for d in r.documents) for r in fake.requests
    )
    assert out.reranker_tokens == reported
    assert math.isclose(out.cost_usd, reported * 0.01 / 1e6)
    assert out.http_status is None


async def test_every_line_of_a_2000_line_file_is_scored_in_batches_of_64(fake: FakeReranker) -> None:
    lines = [f"    total_{i} = compute(item_{i}, offset={i})" for i in range(2000)]
    manager = PruningBackendManager(settings_for(fake, deepinfra_max_docs=64, deepinfra_max_concurrency=4))
    try:
        out = await run(manager, lines)
    finally:
        await manager.aclose()
    assert out.engine == "deepinfra"
    assert "deepinfra_docs_truncated" not in out.warnings
    scored = [d for r in fake.requests for d in r.documents]
    assert sorted("\n".join(scored).split("\n")) == sorted(line.rstrip() for line in lines)
    assert all(r.n_docs <= 64 for r in fake.requests)
    assert len(fake.requests) == math.ceil(len(scored) / 64)
    assert out.units_scored == out.units_total
    assert fake.max_in_flight <= 4


async def test_long_lines_are_chunked_and_truncation_is_reported(fake: FakeReranker) -> None:
    long_line = "x = [" + ", ".join(f"item_{i}" for i in range(20_000)) + "]"
    lines = [*code_lines(10), long_line]
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, lines)
    finally:
        await manager.aclose()
    assert out.engine == "deepinfra"
    assert "deepinfra_docs_truncated" in out.warnings
    assert "deepinfra_error" not in out.warnings
    assert out.selection.keep[-1] in (True, False)  # the output is built from the original lines


# -- fail-open ----------------------------------------------------------------------------------------
HTTP_FAILURES = [
    ("401", 401, 1),
    ("403", 403, 1),
    ("404", 404, 1),
    ("422", 422, 1),
    ("429", 429, 3),
    ("500", 500, 3),
    ("503", 503, 3),
]
PARSE_FAILURES = ["html", "broken_json", "wrong_length", "non_numeric", "nan", "out_of_range"]


@pytest.mark.parametrize(("mode", "status", "requests"), HTTP_FAILURES)
async def test_http_errors_fall_back_with_their_status(
    fake: FakeReranker, mode: str, status: int, requests: int
) -> None:
    fake.set_mode(mode, retry_after="0")
    lines = code_lines(20)
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, lines)
    finally:
        await manager.aclose()
    assert out.used_fallback
    assert out.engine == "heuristic"
    assert out.warnings == ["deepinfra_error", "deepinfra_http_error"]
    assert out.http_status == status
    assert len(fake.requests) == requests  # 429/5xx: 1 + DEEPINFRA_MAX_RETRIES
    assert out.cost_usd == 0.0


@pytest.mark.parametrize("mode", PARSE_FAILURES)
async def test_bad_bodies_fall_back_as_parse_errors(fake: FakeReranker, mode: str) -> None:
    fake.set_mode(mode)
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, code_lines(20))
    finally:
        await manager.aclose()
    assert out.used_fallback
    assert out.engine == "heuristic"
    assert out.warnings == ["deepinfra_error", "deepinfra_parse_error"]
    assert out.http_status is None
    assert len(fake.requests) == 1


async def test_connection_reset_and_refused_fall_back(fake: FakeReranker) -> None:
    fake.set_mode("reset")
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, code_lines(20))
        fake.stop()
        refused = await run(manager, code_lines(21))
    finally:
        await manager.aclose()
    for o in (out, refused):
        assert o.used_fallback
        assert o.warnings == ["deepinfra_error", "deepinfra_http_error"]
        assert o.http_status is None


async def test_slow_endpoint_falls_back_before_the_deadline(fake: FakeReranker) -> None:
    fake.set_mode("slow", delay_s=5.0)
    manager = PruningBackendManager(settings_for(fake, deepinfra_timeout_ms=10_000))
    try:
        started = time.perf_counter()
        out = await run(manager, code_lines(20), timeout_s=0.8)
        elapsed = time.perf_counter() - started
    finally:
        await manager.aclose()
    assert out.used_fallback
    assert out.warnings == ["deepinfra_error", "deepinfra_timeout"]
    assert elapsed < 0.8 + 0.2


async def test_deepinfra_timeout_ms_bounds_each_request(fake: FakeReranker) -> None:
    fake.set_mode("slow", delay_s=5.0)
    manager = PruningBackendManager(settings_for(fake, deepinfra_timeout_ms=300))
    try:
        started = time.perf_counter()
        out = await run(manager, code_lines(20), timeout_s=10)
        elapsed = time.perf_counter() - started
    finally:
        await manager.aclose()
    assert out.warnings == ["deepinfra_error", "deepinfra_timeout"]
    assert elapsed < 1.5


async def test_missing_key_is_a_config_error_without_request(fake: FakeReranker) -> None:
    manager = PruningBackendManager(settings_for(fake, deepinfra_api_key=None))
    try:
        out = await run(manager, code_lines(20))
    finally:
        await manager.aclose()
    assert out.used_fallback
    assert out.warnings == ["deepinfra_error", "deepinfra_config_error"]
    assert fake.requests == []
    assert stat(manager, "rerankers", "deepinfra", "configured") is False


@pytest.mark.parametrize("key", ["sk-abc-\u00e9\u20ac", "sk-abc\ndef", "sk abc"])
async def test_key_an_http_header_cannot_carry_is_a_config_error_without_request(
    fake: FakeReranker, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A pasted key with an accent, a newline or a space: said as a configuration problem (it was
    a parse or HTTP error, and counted against the provider's circuit), and never shown."""
    manager = PruningBackendManager(settings_for(fake, deepinfra_api_key=SecretStr(key)))
    try:
        with caplog.at_level(logging.DEBUG):
            out = await run(manager, code_lines(20))
    finally:
        await manager.aclose()
    assert out.warnings == ["deepinfra_error", "deepinfra_config_error"]
    assert fake.requests == []
    assert stat(manager, "rerankers", "deepinfra", "circuit", "state") == "closed"
    assert key not in caplog.text
    assert "sk-abc" not in caplog.text


async def test_deadline_already_passed_raises_timeout(fake: FakeReranker) -> None:
    manager = PruningBackendManager(settings_for(fake))
    with pytest.raises(TimeoutError):
        await manager.prune(code_lines(5), GOAL, None, Budget(), anyio.current_time() - 1)
    await manager.aclose()


# -- retries ------------------------------------------------------------------------------------------
async def test_a_503_is_retried_and_then_succeeds(fake: FakeReranker) -> None:
    fake.set_mode("503", times=1)
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, code_lines(20))
    finally:
        await manager.aclose()
    assert out.engine == "deepinfra"
    assert not out.used_fallback
    assert out.warnings == []
    assert len(fake.requests) == 2
    assert out.reranker_requests == 2


async def test_retry_after_is_honoured(fake: FakeReranker) -> None:
    fake.set_mode("429", times=1, retry_after="0.4")
    manager = PruningBackendManager(settings_for(fake))
    try:
        started = time.perf_counter()
        out = await run(manager, code_lines(20))
        elapsed = time.perf_counter() - started
    finally:
        await manager.aclose()
    assert out.engine == "deepinfra"
    assert len(fake.requests) == 2
    assert elapsed >= 0.4


async def test_retry_after_beyond_the_deadline_falls_back_at_once(fake: FakeReranker) -> None:
    fake.set_mode("429", retry_after="30")
    manager = PruningBackendManager(settings_for(fake))
    try:
        started = time.perf_counter()
        out = await run(manager, code_lines(20), timeout_s=3)
        elapsed = time.perf_counter() - started
    finally:
        await manager.aclose()
    assert out.warnings == ["deepinfra_error", "deepinfra_http_error"]
    assert out.http_status == 429
    assert len(fake.requests) == 1
    assert elapsed < 1.5


# -- circuit breaker ------------------------------------------------------------------------------------
async def test_circuit_opens_after_repeated_failures_and_recovers(fake: FakeReranker) -> None:
    clock = Clock()
    fake.set_mode("500")
    settings = settings_for(fake, circuit_failure_threshold=2, circuit_cooldown_s=30, deepinfra_max_retries=0)
    manager = PruningBackendManager(settings, clock=clock)
    try:
        for _ in range(2):
            assert (await run(manager, code_lines(20))).http_status == 500
        assert len(fake.requests) == 2
        skipped = await run(manager, code_lines(20))
        assert len(fake.requests) == 2  # no request while open
        assert skipped.used_fallback
        assert skipped.warnings == ["deepinfra_error", "deepinfra_http_error", "deepinfra_circuit_open"]
        assert stat(manager, "rerankers", "deepinfra", "circuit", "state") == "open"
        clock.now += 31
        fake.set_mode("ok")
        trial = await run(manager, code_lines(20))
        assert trial.engine == "deepinfra"
        assert not trial.used_fallback
        assert stat(manager, "rerankers", "deepinfra", "circuit", "state") == "closed"
    finally:
        await manager.aclose()


async def test_a_callers_short_deadline_does_not_open_the_circuit(fake: FakeReranker) -> None:
    """Regression guard: three clients with a tight ``timeout_ms`` switched the cloud off for everyone.

    The provider had less than its request timeout (the caller's deadline cut it), or no time at
    all: that is the caller's budget, not the provider's failure.
    """
    fake.set_mode("slow", delay_s=1.0)
    settings = settings_for(
        fake, circuit_failure_threshold=1, deepinfra_timeout_ms=5000, deepinfra_max_retries=0
    )
    manager = PruningBackendManager(settings)
    try:
        for timeout_s in (0.3, 0.02):  # cut in flight; no time to send at all
            short = await run(manager, code_lines(20), timeout_s=timeout_s)
            assert short.used_fallback
            assert "deepinfra_timeout" in short.warnings
            assert stat(manager, "rerankers", "deepinfra", "circuit", "state") == "closed"
        fake.set_mode("ok")
        normal = await run(manager, code_lines(20))
        assert normal.engine == "deepinfra"
        assert not normal.used_fallback
    finally:
        await manager.aclose()


async def test_a_provider_slower_than_its_own_timeout_still_opens_the_circuit(fake: FakeReranker) -> None:
    fake.set_mode("slow", delay_s=1.0)
    settings = settings_for(
        fake, circuit_failure_threshold=1, deepinfra_timeout_ms=200, deepinfra_max_retries=0
    )
    manager = PruningBackendManager(settings)
    try:
        slow = await run(manager, code_lines(20), timeout_s=5.0)
        assert "deepinfra_timeout" in slow.warnings
        assert stat(manager, "rerankers", "deepinfra", "circuit", "state") == "open"
    finally:
        await manager.aclose()


# -- cache ------------------------------------------------------------------------------------------------
async def test_cache_avoids_the_second_request(fake: FakeReranker) -> None:
    manager = PruningBackendManager(settings_for(fake, cache_max_entries=8, cache_ttl_s=60))
    lines = code_lines(30, {3: "zebra = 1"})
    try:
        first = await run(manager, lines)
        n = len(fake.requests)
        second = await run(manager, lines)
        assert len(fake.requests) == n
        assert second.cache_hit
        assert second.warnings == ["cache_hit"]
        assert second.cost_usd == 0.0
        assert second.engine == "deepinfra"
        assert second.reranker_requests == 0
        assert second.selection == first.selection
        assert second.selection is not first.selection
        third = await run(manager, lines, goal="another goal")
        assert not third.cache_hit
        assert len(fake.requests) > n
    finally:
        await manager.aclose()
    assert stat(manager, "result_cache", "hits") == 1


async def test_fallback_answers_are_not_cached(fake: FakeReranker) -> None:
    fake.set_mode("503", times=3)
    manager = PruningBackendManager(settings_for(fake, cache_max_entries=8, cache_ttl_s=60))
    lines = code_lines(30)
    try:
        assert (await run(manager, lines)).used_fallback
        again = await run(manager, lines)
    finally:
        await manager.aclose()
    assert not again.cache_hit
    assert again.engine == "deepinfra"


# -- other providers and chains -------------------------------------------------------------------------
async def test_chain_falls_through_to_a_self_hosted_tei(fake: FakeReranker) -> None:
    settings = settings_for(
        fake, backend_chain="deepinfra,tei", deepinfra_api_key=SecretStr("wrong-key"), tei_url=fake.base_url
    )
    manager = PruningBackendManager(settings)
    lines = code_lines(30, {5: "zebra = 1"})
    try:
        out = await run(manager, lines)
    finally:
        await manager.aclose()
    assert out.backend == "deepinfra"
    assert out.engine == "tei"
    assert out.used_fallback
    assert out.warnings == ["deepinfra_error", "deepinfra_http_error"]
    assert out.http_status == 401
    assert [r.format for r in fake.requests] == ["deepinfra", "tei"]
    assert "    zebra = 1" in kept(lines, out)


async def test_openai_style_rerank_provider(fake: FakeReranker) -> None:
    settings = Settings(
        backend="openai_rerank",
        openai_rerank_url=fake.base_url + "/v1",
        openai_rerank_model="Qwen/Qwen3-Reranker-0.6B",
        openai_rerank_price_per_mtok=0.02,
        cache_max_entries=0,
    )
    manager = PruningBackendManager(settings)
    lines = code_lines(30, {9: "zebra = 1"})
    try:
        out = await run(manager, lines)
    finally:
        await manager.aclose()
    assert out.backend == "openai_rerank"
    assert out.engine == "openai_rerank"
    assert not out.used_fallback
    assert {r.path for r in fake.requests} == {"/v1/rerank"}
    assert out.cost_usd > 0
    assert "    zebra = 1" in kept(lines, out)


async def test_chain_of_failures_ends_with_the_heuristic(fake: FakeReranker) -> None:
    fake.set_mode("html")
    settings = settings_for(fake, backend_chain="deepinfra,tei,openai_rerank", tei_url=fake.base_url)
    manager = PruningBackendManager(settings)
    try:
        out = await run(manager, code_lines(20))
    finally:
        await manager.aclose()
    assert out.engine == "heuristic"
    assert out.used_fallback
    assert out.warnings == [
        "deepinfra_error", "deepinfra_parse_error",
        "tei_error", "tei_parse_error",
        "openai_rerank_error", "openai_rerank_config_error",
    ]  # fmt: skip


def test_chain_resolution() -> None:
    assert resolve_chain(Settings()) == ()
    assert resolve_chain(Settings.model_validate({"backend": "cloud"})) == ("deepinfra",)
    chain = Settings.model_validate({"backend": "deepinfra", "backend_chain": "tei,heuristic,deepinfra"})
    assert resolve_chain(chain) == ("tei",)
    with pytest.raises(ConfigError, match="unknown backend"):
        resolve_chain(Settings.model_validate({"backend_chain": "deepinfra,nope"}))


async def test_heuristic_backend_makes_no_request_and_costs_nothing(fake: FakeReranker) -> None:
    manager = PruningBackendManager(Settings(cache_max_entries=0))
    out = await run(manager, code_lines(20))
    await manager.aclose()
    assert out.backend == "heuristic"
    assert out.engine == "heuristic"
    assert not out.used_fallback
    assert out.cost_usd == 0
    assert fake.requests == []


# -- never worse-formed than the heuristic ---------------------------------------------------------------
async def test_a_malformed_reranked_selection_is_replaced_by_the_heuristic(
    fake: FakeReranker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mcp_pruner._manager as manager_module
    from mcp_pruner.engine import Analysis, Selection, select

    def broken_select(
        analysis: Analysis, budget: Budget, unit_scores: object = None, cancel: object = None
    ) -> Selection:
        good = select(analysis, budget)
        if unit_scores is None:
            return good
        return Selection([False] * len(good.keep), [], good.source_type)  # breaks every bound

    monkeypatch.setattr(manager_module, "select", broken_select)
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, code_lines(20))
    finally:
        await manager.aclose()
    assert out.engine == "heuristic"
    assert out.used_fallback
    assert out.warnings == ["deepinfra_selection_rejected"]
    assert any(out.selection.keep)


async def test_no_prune_regions_survive_the_reranker(fake: FakeReranker) -> None:
    lines = [*code_lines(30), "⟦NO_PRUNE_BEGIN⟧", "    keep_me = 1", "⟦NO_PRUNE_END⟧", *code_lines(30)]
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, lines)
    finally:
        await manager.aclose()
    assert out.engine == "deepinfra"
    assert {"⟦NO_PRUNE_BEGIN⟧", "    keep_me = 1", "⟦NO_PRUNE_END⟧"} <= set(kept(lines, out))


# -- secrets ------------------------------------------------------------------------------------------
async def test_key_never_reaches_logs_or_results(
    fake: FakeReranker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.set_mode("401")
    manager = PruningBackendManager(settings_for(fake))
    try:
        out = await run(manager, code_lines(20))
        fake.set_mode("ok")
        ok = await run(manager, code_lines(21))
    finally:
        await manager.aclose()
    blob = repr(out) + repr(ok) + repr(manager.stats()) + repr(manager._providers)
    for record in caplog.records:
        blob += record.getMessage() + repr(record.__dict__)
    assert KEY not in blob
    assert GOAL not in "".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)


# -- abandoned engine work ---------------------------------------------------------------------------
async def test_engine_work_abandoned_at_the_deadline_stops_instead_of_running_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A thread cannot be killed: past the deadline the call answers without it, and the engine,
    told so through its cancel event, gives up at its next check instead of burning the CPU the
    answer (and the next calls) need."""
    import threading

    import mcp_pruner._manager as manager_module
    from mcp_pruner.engine import Analysis, Cancelled, analyze

    ended: list[str] = []
    done = threading.Event()

    def recording_analyze(
        lines: list[str], goal: str, source_type: object, cancel: threading.Event | None = None
    ) -> Analysis:
        try:
            result = analyze(lines, goal, None, cancel)
        except Cancelled:
            ended.append("cancelled")
            raise
        else:
            ended.append("finished")
            return result
        finally:
            done.set()

    monkeypatch.setattr(manager_module, "analyze", recording_analyze)
    manager = PruningBackendManager(Settings(cache_max_entries=0))
    lines = code_lines(20_000)  # seconds of analysis: far past a 20 ms deadline
    try:
        with pytest.raises(TimeoutError):
            await run(manager, lines, timeout_s=0.02)
    finally:
        await manager.aclose()
    assert done.wait(60.0)
    assert ended == ["cancelled"]
