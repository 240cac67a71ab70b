"""PruningBackendManager: the one place that picks the engine and owns fallback, cache and metrics.

One call::

    cache hit?  -> the stored selection, ``cache_hit``, no request, cost 0
    analyze()   -> units, line scores, line tokens (in a thread, within the deadline)
    no reranker -> heuristic select()
    rerankers   -> while the heuristic selection is computed in a thread (it is the
                   fallback, so it is always ready in time), each provider of the
                   chain is tried in order until ``deadline - reserve``, each HTTP
                   attempt within DEEPINFRA_TIMEOUT_MS:
                   documents -> scores -> select(analysis, budget, unit_scores)
                   the first that answers with a sound selection wins; failures add
                   ``<provider>_error`` + the precise code to the warnings and
                   count towards that provider's circuit breaker.
    all failed  -> the heuristic selection, ``used_fallback``

``reserve`` is the time kept to apply the scores (``select`` with unit scores),
estimated from how long ``analyze`` took. If even the heuristic cannot finish
before the deadline, :class:`TimeoutError` is raised and the service answers
with the text unchanged.

Warning codes keep the contract's names for DeepInfra (``deepinfra_error`` with
``deepinfra_http_error`` | ``deepinfra_timeout`` | ``deepinfra_parse_error`` |
``deepinfra_config_error``, ``deepinfra_docs_truncated``) and follow the same
pattern for other providers (``tei_error`` + ``tei_timeout``, …). A provider
skipped by its open circuit adds ``<provider>_circuit_open`` after the code of
the failures that opened it. A reranked selection that is worse-formed than the
heuristic's (hard bounds, blocks, ``NO_PRUNE`` lines, ``constraints_unmet``) is
replaced by the heuristic's with ``<provider>_selection_rejected``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import anyio
import httpx

from . import __version__
from ._cache import CachedSelection, ResultCache, cache_key
from ._contract import SourceType
from ._errors import (
    BackendConfigError,
    BackendError,
    BackendParseError,
    CallerDeadline,
    ConfigError,
    JSONValue,
)
from ._render import selection_problem
from ._settings import Settings
from ._tokens import count_tokens
from .engine import Analysis, Budget, Selection, analyze, select
from .rerank import (
    PROVIDERS,
    CircuitBreaker,
    DocumentPlan,
    RerankProvider,
    Usage,
    build_provider,
    build_query,
    plan_documents,
    pool_scores,
    score_documents,
)

__all__ = ["BackendOutcome", "PruningBackendManager", "resolve_chain"]

log = logging.getLogger("mcp_pruner.rerank")

_MIN_RESERVE_S: Final = 0.05
"""Least time kept back from the deadline to apply reranker scores."""


@dataclass(frozen=True, slots=True)
class BackendOutcome:
    """What the manager answers for one call; the service renders it."""

    selection: Selection
    backend: str
    engine: str
    used_fallback: bool = False
    warnings: list[str] = field(default_factory=list)
    cost_usd: float = 0.0
    reranker_requests: int = 0
    reranker_tokens: int = 0
    cache_hit: bool = False
    http_status: int | None = None
    """Status of the first reranker HTTP error of the call (``deepinfra_http_status``)."""
    units_total: int = 0
    units_scored: int = 0
    """Units of the analysis, and how many a reranker scored (blank units need no score)."""
    reranker_ms: float = 0.0
    """Time spent waiting for rerankers in this call."""


def resolve_chain(settings: Settings) -> tuple[str, ...]:
    """The rerank providers to try, in order (empty: heuristic only).

    ``MCP_PRUNER_BACKEND_CHAIN`` wins over ``KIMI_PRUNING_BACKEND``; the heuristic
    is always the last resort, so ``heuristic`` in a chain ends it.
    """
    names = settings.backend_chain or ((settings.backend,) if settings.backend != "heuristic" else ())
    chain: list[str] = []
    for raw in names:
        name = "deepinfra" if raw == "cloud" else raw
        if name == "heuristic":
            break
        if name not in PROVIDERS:
            raise ConfigError(
                f"invalid setting MCP_PRUNER_BACKEND_CHAIN: unknown backend {raw!r} "
                f"(expected {', '.join((*PROVIDERS, 'heuristic'))})"
            )
        if name not in chain:
            chain.append(name)
    return tuple(chain)


def _defects(selection: Selection, analysis: Analysis, budget: Budget) -> set[str]:
    """What is wrong with a selection (empty when it is sound)."""
    out: set[str] = set()
    problem = selection_problem(selection, len(analysis.lines), budget)
    if problem is not None:
        return {problem}
    keep = selection.keep
    if any(not keep[i] for start, end in analysis.protected for i in range(start, end)):
        out.add("no_prune dropped")
    if "constraints_unmet" in selection.warnings:
        out.add("constraints_unmet")
    return out


def _codes(provider: str, exc: BackendError) -> list[str]:
    code = exc.warning_code.replace("deepinfra_", f"{provider}_", 1)
    return [f"{provider}_error", code]


@dataclass(slots=True)
class _ProviderStats:
    calls: int = 0
    ok: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    last_code: str = ""
    usage: Usage = field(default_factory=Usage)

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "calls": self.calls,
            "ok": self.ok,
            "failures": sum(self.failures.values()),
            "failures_by_code": dict(self.failures),
            "requests": self.usage.requests,
            "tokens": self.usage.tokens,
            "documents": self.usage.documents,
            "cost_usd": round(self.usage.cost_usd, 8),
        }


@dataclass(slots=True)
class _Attempt:
    """What the chain produced for one call."""

    selection: Selection | None = None
    engine: str = "heuristic"
    position: int = 0
    warnings: list[str] = field(default_factory=list)
    http_status: int | None = None
    usage: Usage = field(default_factory=Usage)
    units_scored: int = 0
    reranker_s: float = 0.0


class PruningBackendManager:
    """Picks the configured backend; falls back to the heuristic inside the same call.

    ``http_client`` (tests) replaces the shared client the manager would create
    lazily; an injected client is not closed by :meth:`aclose`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._settings = settings
        self._chain = resolve_chain(settings)
        self._cache = ResultCache(settings.cache_max_entries, settings.cache_ttl_s, clock=clock)
        self._breakers = {
            name: CircuitBreaker(settings.circuit_failure_threshold, settings.circuit_cooldown_s, clock=clock)
            for name in self._chain
        }
        self._stats = {name: _ProviderStats() for name in self._chain}
        self._providers: dict[str, RerankProvider | BackendConfigError] = {}
        for name in self._chain:
            try:
                self._providers[name] = build_provider(name, settings)
            except BackendConfigError as exc:
                self._providers[name] = exc
                log.warning(
                    "rerank provider not usable; calls fall back", extra={"provider": name, "code": "config"}
                )
        self._client = http_client
        self._owns_client = http_client is None
        self._limiters: dict[str, anyio.CapacityLimiter] = {}
        self._rng = rng
        self._model = "|".join(
            p.model_id if not isinstance(p, BackendConfigError) else "unconfigured"
            for p in (self._providers[n] for n in self._chain)
        )

    # -- public ------------------------------------------------------------------------------------
    @property
    def backend_name(self) -> str:
        """The backend that was asked for (first of the chain), as reported in ``stats.backend``."""
        return self._chain[0] if self._chain else "heuristic"

    @property
    def chain(self) -> tuple[str, ...]:
        return self._chain

    async def prune(
        self,
        lines: Sequence[str],
        goal: str,
        source_type: SourceType | None,
        budget: Budget,
        deadline: float,
    ) -> BackendOutcome:
        """Select the lines to keep. ``deadline`` is an ``anyio.current_time()`` value.

        Raises :class:`TimeoutError` only when not even the heuristic can answer in time.
        """
        if deadline <= anyio.current_time():
            raise TimeoutError("deadline already passed")
        key = None
        if self._cache.enabled:
            key = cache_key(
                lines, goal, source_type, budget, ",".join(self._chain) or "heuristic", self._model
            )
            hit = self._cache.get(key)
            if hit is not None:
                return BackendOutcome(
                    selection=hit.selection(),
                    backend=self.backend_name,
                    engine=hit.engine,
                    warnings=["cache_hit"],
                    cache_hit=True,
                )
        # Engine threads are abandoned at the deadline (a thread cannot be stopped from outside);
        # setting ``stop`` when this call is over makes any still running give up at its next check.
        stop = threading.Event()
        try:
            started = anyio.current_time()
            with anyio.fail_after(deadline - started):
                analysis = await anyio.to_thread.run_sync(
                    analyze, lines, goal, source_type, stop, abandon_on_cancel=True
                )
            analyze_s = anyio.current_time() - started
            if not self._chain:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    selection = await anyio.to_thread.run_sync(
                        select, analysis, budget, None, stop, abandon_on_cancel=True
                    )
                if key is not None:
                    self._cache.put(key, CachedSelection.of(selection, "heuristic"))
                return BackendOutcome(
                    selection=selection,
                    backend="heuristic",
                    engine="heuristic",
                    units_total=len(analysis.units),
                )
            return await self._prune_reranked(analysis, goal, budget, deadline, analyze_s, key, stop)
        finally:
            stop.set()

    def stats(self) -> dict[str, JSONValue]:
        """Figures for ``health`` (merged into its metrics by the service)."""
        rerankers: dict[str, JSONValue] = {}
        for name in self._chain:
            entry = self._stats[name].to_json()
            entry["circuit"] = self._breakers[name].snapshot()
            entry["configured"] = not isinstance(self._providers[name], BackendConfigError)
            rerankers[name] = entry
        chain: list[JSONValue] = [*self._chain, "heuristic"]
        return {"backend_chain": chain, "result_cache": self._cache.stats(), "rerankers": rerankers}

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
        self._client = None if self._owns_client else self._client

    # -- internals ---------------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            n = max(self._settings.deepinfra_max_concurrency, 1) * max(len(self._chain), 1)
            self._client = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=n, max_keepalive_connections=n, keepalive_expiry=60.0),
                headers={"User-Agent": f"mcp-pruner/{__version__}"},
                follow_redirects=False,
            )
        return self._client

    def _limiter(self, name: str) -> anyio.CapacityLimiter:
        limiter = self._limiters.get(name)
        if limiter is None:
            limiter = anyio.CapacityLimiter(self._settings.deepinfra_max_concurrency)
            self._limiters[name] = limiter
        return limiter

    async def _prune_reranked(
        self,
        analysis: Analysis,
        goal: str,
        budget: Budget,
        deadline: float,
        analyze_s: float,
        key: str | None,
        stop: threading.Event,
    ) -> BackendOutcome:
        heuristic: list[Selection] = []
        heuristic_ready = anyio.Event()

        async def run_heuristic() -> None:
            heuristic.append(
                await anyio.to_thread.run_sync(select, analysis, budget, None, stop, abandon_on_cancel=True)
            )
            heuristic_ready.set()

        reserve = max(_MIN_RESERVE_S, analyze_s)
        async with anyio.create_task_group() as tg:
            tg.start_soon(run_heuristic)
            attempt = await self._run_chain(analysis, goal, budget, deadline, reserve, stop)
            defects = (
                _defects(attempt.selection, analysis, budget) if attempt.selection is not None else set()
            )
            if attempt.selection is None or defects:
                with anyio.move_on_after(max(0.0, deadline - anyio.current_time())):
                    await heuristic_ready.wait()
            tg.cancel_scope.cancel()
        selection = attempt.selection
        if (
            selection is not None
            and defects
            and heuristic
            and defects - _defects(heuristic[0], analysis, budget)
        ):
            log.warning(
                "reranked selection is worse-formed than the heuristic's; using the heuristic",
                extra={"provider": attempt.engine, "code": ",".join(sorted(defects))},
            )
            attempt.warnings.append(f"{attempt.engine}_selection_rejected")
            selection = None
        if selection is None:
            if not heuristic:
                raise TimeoutError("the heuristic did not finish before the deadline")
            selection = heuristic[0]
        used_fallback = (
            attempt.selection is None or selection is not attempt.selection or attempt.position > 0
        )
        engine = attempt.engine if selection is attempt.selection else "heuristic"
        if key is not None and not used_fallback:
            self._cache.put(key, CachedSelection.of(selection, engine))
        return BackendOutcome(
            selection=selection,
            backend=self.backend_name,
            engine=engine,
            used_fallback=used_fallback,
            warnings=attempt.warnings,
            cost_usd=attempt.usage.cost_usd,
            reranker_requests=attempt.usage.requests,
            reranker_tokens=attempt.usage.tokens,
            http_status=attempt.http_status,
            units_total=len(analysis.units),
            units_scored=attempt.units_scored if engine != "heuristic" else 0,
            reranker_ms=round(attempt.reranker_s * 1000, 2),
        )

    async def _run_chain(
        self,
        analysis: Analysis,
        goal: str,
        budget: Budget,
        deadline: float,
        reserve: float,
        stop: threading.Event,
    ) -> _Attempt:
        out = _Attempt()
        plan: DocumentPlan | None = None
        query = build_query(goal, analysis.source_type)
        for position, name in enumerate(self._chain):
            stats = self._stats[name]
            stats.calls += 1
            breaker = self._breakers[name]
            if not breaker.allow():
                out.warnings += [
                    f"{name}_error",
                    stats.last_code or f"{name}_http_error",
                    f"{name}_circuit_open",
                ]
                log.info("rerank skipped: circuit open", extra={"provider": name, "state": "open"})
                continue
            usage = Usage()
            stage_started = anyio.current_time()
            try:
                provider = self._providers[name]
                if isinstance(provider, BackendConfigError):
                    raise BackendConfigError(str(provider))
                if plan is None:
                    plan = await anyio.to_thread.run_sync(
                        lambda: plan_documents(analysis.lines, analysis.line_tokens, analysis.units),
                        abandon_on_cancel=True,
                    )
                selection = await self._score_and_select(
                    provider, plan, query, analysis, budget, deadline, reserve, usage, stop
                )
            except BackendError as exc:
                # The breaker counts the provider's failures, not the caller's short deadlines.
                self._failed(out, name, exc, trip=not isinstance(exc, BackendConfigError | CallerDeadline))
                continue
            except Exception as exc:
                # A bug on the reranker path must not cost the caller the heuristic's answer.
                log.exception("rerank path failed unexpectedly", extra={"provider": name})
                self._failed(out, name, BackendParseError(type(exc).__name__), trip=True)
                continue
            finally:
                stats.usage.add(usage)
                out.usage.add(usage)
                out.reranker_s += anyio.current_time() - stage_started
            breaker.record_success()
            stats.ok += 1
            if plan.truncated:
                out.warnings.append(f"{name}_docs_truncated")
            out.selection = selection
            out.engine = name
            out.position = position
            out.units_scored = plan.scored_units
            return out
        return out

    def _failed(self, out: _Attempt, name: str, exc: BackendError, *, trip: bool) -> None:
        """Book a provider failure: warnings, status, per-code counters, circuit breaker."""
        if trip:
            self._breakers[name].record_failure()
        stats = self._stats[name]
        codes = _codes(name, exc)
        stats.failures[codes[1]] = stats.failures.get(codes[1], 0) + 1
        stats.last_code = codes[1]
        out.warnings += codes
        if out.http_status is None and exc.status is not None:
            out.http_status = exc.status
        log.warning(
            "rerank failed; falling back",
            extra={"provider": name, "code": codes[1], "status": exc.status},
        )

    async def _score_and_select(
        self,
        provider: RerankProvider,
        plan: DocumentPlan,
        query: str,
        analysis: Analysis,
        budget: Budget,
        deadline: float,
        reserve: float,
        usage: Usage,
        stop: threading.Event,
    ) -> Selection:
        stage_deadline = deadline - reserve
        if stage_deadline <= anyio.current_time():
            raise CallerDeadline("no time left for the reranker")
        doc_scores = await score_documents(
            provider,
            self._http(),
            query,
            plan.documents,
            usage,
            deadline=stage_deadline,
            limiter=self._limiter(provider.name),
            max_retries=self._settings.deepinfra_max_retries,
            request_timeout_s=self._settings.deepinfra_timeout_ms / 1000.0,
            query_tokens=count_tokens(query),
            rng=self._rng,
        )
        unit_scores = pool_scores(plan, doc_scores)
        selection: Selection | None = None
        with anyio.CancelScope(deadline=deadline):
            selection = await anyio.to_thread.run_sync(
                lambda: select(analysis, budget, unit_scores, stop), abandon_on_cancel=True
            )
        if selection is None:
            raise CallerDeadline("no time left to apply the scores")
        return selection
