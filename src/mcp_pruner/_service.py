"""The tools as plain typed functions; every transport is a thin layer over :class:`PrunerService`.

``prune_text`` is fail-open: whatever goes wrong that is not the caller's fault
(input too large, deadline, engine or store failure) still answers, with the
text unchanged or the heuristic's answer, ``used_fallback: true``, a warning
code and a ``prune_id`` that recovers the text.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal, TypeVar

import anyio
from pydantic import BaseModel, ValidationError

from . import __version__
from ._contract import (
    HealthInput,
    HealthMetrics,
    HealthResult,
    LineRange,
    PruneOptions,
    PruneResult,
    PruneStats,
    PruneTextInput,
    RecoverMetadata,
    RecoverResult,
    RecoverTextInput,
    SourceType,
)
from ._errors import InvalidParams, InvalidRange, PruneIdNotFound, invalid_params_from_validation
from ._manager import BackendOutcome, PruningBackendManager
from ._metrics import CallRecord, Metrics
from ._render import Rendered, render, selection_problem, split_lines
from ._settings import Settings
from ._store import TextStore, new_prune_id
from ._tokens import ENCODING_NAME, count_tokens
from .engine import LINE_NUMBER_SEP, Budget, Selection, numbered

__all__ = ["CAPABILITIES", "TOOLS", "PrunerService", "ToolSpec", "parse_arguments"]

log = logging.getLogger("mcp_pruner.service")

CAPABILITIES: Final = ["prune_text", "recover_text", "annotations", "markers"]
_RESERVE_BASE_S: Final = 0.005
_RESERVE_PER_CHAR_S: Final = 1e-7
"""Time kept back from the caller's deadline to render, count, store and answer: what that takes,
about 0.1 s per million characters (measured: 0.19 s for 2,000,000), plus 5 ms. A fixed 50 ms made
any ``timeout_ms`` up to 51 time out on a two-line text, and was short by 0.15 s on 2 MB."""
_RECOVER_REPEAT: Final = 2
_RECOVER_SLACK_CHARS: Final = 1_000_000
"""One ``recover_text`` answers at most twice its text (with its line numbers, when asked) plus a
million characters: every line once, with room for overlaps, but not 2,000 copies of the text."""

M = TypeVar("M", bound=BaseModel)


def parse_arguments(model: type[M], arguments: Mapping[str, object] | None) -> M:
    """Validate tool arguments; :class:`InvalidParams` names the first bad field."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, Mapping):
        raise InvalidParams("arguments", "must be an object")
    try:
        return model.model_validate(dict(arguments))
    except ValidationError as exc:
        raise invalid_params_from_validation(exc) from None


class _MemoryStore:
    """Used only when the SQLite store cannot be written: recovery then lasts as long as the process.

    Bounded like the SQLite store: a text expires after ``ttl_s`` and the oldest texts go first once
    the texts held take more than ``max_bytes`` of memory (the newest one is always kept), so a
    server whose disk is gone does not grow without end.
    """

    def __init__(self, ttl_s: int, max_bytes: int) -> None:
        self._ttl_s = ttl_s
        self._max_bytes = max_bytes
        self._texts: OrderedDict[str, tuple[str, float, int]] = OrderedDict()
        self._bytes = 0

    def put(self, text: str, prune_id: str) -> str:
        now = time.monotonic()
        while prune_id in self._texts:  # never overwrite a text that can still be recovered
            prune_id = new_prune_id()
        size = sys.getsizeof(text)
        self._texts[prune_id] = (text, now, size)
        self._bytes += size
        while self._texts:
            oldest, (_, born, held) = next(iter(self._texts.items()))
            if oldest == prune_id or (self._bytes <= self._max_bytes and now - born <= self._ttl_s):
                break
            del self._texts[oldest]
            self._bytes -= held
        return prune_id

    def get(self, prune_id: str) -> str:
        entry = self._texts.get(prune_id)
        if entry is None or time.monotonic() - entry[1] > self._ttl_s:
            raise PruneIdNotFound(prune_id)
        return entry[0]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    input_model: type[BaseModel]


TOOLS: Final[dict[str, ToolSpec]] = {
    "prune_text": ToolSpec(
        "prune_text",
        "Prune a long text (code, logs or docs) to the lines relevant to goal_hint. Removed blocks are "
        "announced by marker lines '⟦PRUNÉ: prune_id=… lignes A-B (N) raison=…⟧' and can be recovered "
        "exactly with recover_text(prune_id, ranges).",
        PruneTextInput,
    ),
    "recover_text": ToolSpec(
        "recover_text",
        "Return original lines of a pruned text, exactly as sent: ranges are 1-based and inclusive, "
        "in the order given; end_line past the end is clamped.",
        RecoverTextInput,
    ),
    "recover_range": ToolSpec("recover_range", "Alias of recover_text.", RecoverTextInput),
    "health": ToolSpec("health", "Server status, version, capabilities and call metrics.", HealthInput),
}


class PrunerService:
    """Owns the store, the backend manager and the metrics; one per server process."""

    def __init__(self, settings: Settings, store: TextStore | None = None) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.manager = PruningBackendManager(settings)
        self._store = store
        self._fallback_store = _MemoryStore(settings.prune_id_ttl_s, settings.store_max_bytes)
        self._started = time.monotonic()

    # -- the store, opened lazily so that start-up stays fast -------------------------------------
    def _get_store(self) -> TextStore:
        if self._store is None:
            s = self.settings
            self._store = TextStore(
                s.resolved_store_path, ttl_s=s.prune_id_ttl_s, max_bytes=s.store_max_bytes
            )
        return self._store

    def open_store(self) -> None:
        """Open the SQLite store now (a failure here is logged; calls then fall back to memory)."""
        try:
            self._get_store()
        except Exception:
            log.exception("store unavailable; recovery will last for this process only")

    def _put(self, text: str, warnings: list[str]) -> str:
        prune_id = new_prune_id()
        try:
            return self._get_store().put(text, prune_id)
        except Exception:
            log.exception("store write failed; keeping the text in memory")
            warnings.append("store_unavailable")
            return self._fallback_store.put(text, prune_id)

    def _get(self, prune_id: str) -> str:
        try:
            return self._get_store().get(prune_id)
        except Exception:  # not there, or the store cannot be opened: _put may have kept it in memory
            return self._fallback_store.get(prune_id)

    async def __aenter__(self) -> PrunerService:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.manager.aclose()
        if self._store is not None:
            self._store.close()

    # -- tools ------------------------------------------------------------------------------------
    def _budget(self, options: PruneOptions, ends_with_newline: bool) -> Budget:
        s = self.settings
        return Budget(
            max_prune_ratio=s.default_max_prune_ratio
            if options.max_prune_ratio is None
            else options.max_prune_ratio,
            min_keep_lines=s.default_min_keep_lines
            if options.min_keep_lines is None
            else options.min_keep_lines,
            keep_ratio=options.keep_ratio,
            token_budget=options.token_budget,
            include_markers=(
                s.default_include_markers if options.include_markers is None else options.include_markers
            ),
            annotate_lines=s.default_annotate_lines
            if options.annotate_lines is None
            else options.annotate_lines,
            ends_with_newline=ends_with_newline,
        )

    async def prune_text(self, arguments: Mapping[str, object] | None) -> PruneResult:
        started = time.perf_counter()
        args = parse_arguments(PruneTextInput, arguments)
        options = args.options or PruneOptions()
        timeout_ms = options.timeout_ms or self.settings.default_timeout_ms
        deadline = anyio.current_time() + timeout_ms / 1000.0
        lines, ends_nl = split_lines(args.text)
        budget = self._budget(options, ends_nl)
        warnings: list[str] = []
        outcome: BackendOutcome | None = None
        backend = self.manager.backend_name
        if len(args.text) > self.settings.max_input_chars:
            warnings.append("input_too_large")
        else:
            outcome = await self._run_backend(lines, args, budget, deadline, warnings)
        if outcome is not None:
            problem = selection_problem(outcome.selection, len(lines), budget)
            if problem is not None:
                log.error("engine broke an invariant", extra={"code": problem})
                warnings.append("constraints_unmet")
                outcome = None
        if outcome is not None:
            warnings.extend(w for w in outcome.warnings if w not in warnings)
            warnings.extend(w for w in outcome.selection.warnings if w not in warnings)
        selection = outcome.selection if outcome is not None else _keep_all(len(lines), args.source_type)
        prune_id = await anyio.to_thread.run_sync(self._put, args.text, warnings)
        before = count_tokens(args.text)

        def draw(chosen: Selection) -> tuple[Rendered, int]:
            """``chosen`` rendered, and its tokens (the text unchanged is not counted a second time)."""
            out = render(
                lines,
                ends_nl,
                chosen,
                prune_id,
                annotate_lines=budget.annotate_lines,
                include_markers=budget.include_markers,
            )
            return out, before if out.pruned_text == args.text else count_tokens(out.pruned_text)

        rendered, after = draw(selection)
        if selection.blocks and after >= before:
            # Markers cost what they saved (a run of blank lines, a budget smaller than one marker):
            # the whole text costs no more than that and hides nothing.
            whole = _keep_all(len(lines), selection.source_type)
            full, full_tokens = draw(whole)
            if full_tokens <= after:
                selection, rendered, after = whole, full, full_tokens
                if (budget.keep_ratio is not None or budget.token_budget is not None) and (
                    "budget_unmet" not in warnings
                ):
                    warnings.append("budget_unmet")
        return self._finish(
            args, rendered, outcome, backend, selection, prune_id, warnings, started, (before, after)
        )

    async def _run_backend(
        self,
        lines: list[str],
        args: PruneTextInput,
        budget: Budget,
        deadline: float,
        warnings: list[str],
    ) -> BackendOutcome | None:
        reserve = _RESERVE_BASE_S + _RESERVE_PER_CHAR_S * len(args.text)
        try:
            with anyio.fail_after(max(0.0, deadline - anyio.current_time() - reserve)):
                return await self.manager.prune(
                    lines, args.goal_hint, args.source_type, budget, deadline - reserve
                )
        except TimeoutError:
            warnings.append("timeout")
        except Exception:
            log.exception("backend failed; answering with the text unchanged")
            warnings.append("internal_error")
        return None

    def _finish(
        self,
        args: PruneTextInput,
        rendered: Rendered,
        outcome: BackendOutcome | None,
        backend: str,
        selection: Selection,
        prune_id: str,
        warnings: list[str],
        started: float,
        counts: tuple[int, int],
    ) -> PruneResult:
        n = len(selection.keep)
        before, after = counts
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        used_fallback = outcome is None or outcome.used_fallback
        cost = outcome.cost_usd if outcome is not None else 0.0
        stats = PruneStats(
            backend=backend,
            original_lines=n,
            kept_lines=rendered.kept_lines,
            pruned_lines=n - rendered.kept_lines,
            pruned_ratio=round((n - rendered.kept_lines) / n, 4) if n else 0.0,
            tokens_est_before=before,
            tokens_est_after=after,
            tokens_saved_est=max(0, before - after),
            cost_estimated_usd=max(0.0, cost),
            latency_ms=elapsed_ms,
            elapsed_ms=elapsed_ms,
            used_fallback=used_fallback,
            engine=outcome.engine if outcome is not None else "none",
            source_type=str(selection.source_type),
            tokenizer=ENCODING_NAME,
            reranker_requests=outcome.reranker_requests if outcome is not None else 0,
            reranker_tokens=outcome.reranker_tokens if outcome is not None else 0,
            deepinfra_http_status=outcome.http_status if outcome is not None else None,
        )
        self.metrics.record(
            CallRecord(
                backend=backend,
                engine=stats.engine,
                latency_ms=(time.perf_counter() - started) * 1000,
                tokens_before=before,
                tokens_after=after,
                cost_usd=stats.cost_estimated_usd,
                used_fallback=used_fallback,
                cache_hit=outcome.cache_hit if outcome is not None else False,
                reranker_requests=stats.reranker_requests,
            )
        )
        log.info(
            "prune_text",
            extra={
                "backend": backend,
                "engine": stats.engine,
                "lines": n,
                "kept_lines": stats.kept_lines,
                "tokens_before": before,
                "tokens_after": after,
                "latency_ms": elapsed_ms,
                "used_fallback": used_fallback,
                "warnings": warnings,
            },
        )
        return PruneResult(
            prune_id=prune_id,
            pruned_text=rendered.pruned_text,
            annotations=rendered.annotations,
            stats=stats,
            warnings=warnings,
        )

    async def recover_text(self, arguments: Mapping[str, object] | None) -> RecoverResult:
        args = parse_arguments(RecoverTextInput, arguments)
        text = await anyio.to_thread.run_sync(self._get, args.prune_id)
        lines, ends_nl = split_lines(text)
        n = len(lines)
        everything = [LineRange(start_line=1, end_line=n)] if n else []
        ranges = everything if args.ranges is None else args.ranges
        parts: list[str] = []
        clamped: list[LineRange] = []
        size = 0
        prefixes = n * (len(str(n)) + len(LINE_NUMBER_SEP)) if args.include_line_numbers else 0
        limit = _RECOVER_REPEAT * (len(text) + prefixes) + _RECOVER_SLACK_CHARS
        for k, r in enumerate(ranges):
            if r.start_line < 1 or r.start_line > r.end_line or r.start_line > n:
                raise InvalidRange(r.start_line, r.end_line, n)
            end = min(r.end_line, n)
            clamped.append(LineRange(start_line=r.start_line, end_line=end))
            for i in range(r.start_line - 1, end):
                line = numbered(i, lines[i]) if args.include_line_numbers else lines[i]
                size += len(line) + 1
                parts.append(line)
            if size > limit:  # overlapping ranges repeated at will would make an answer of any size
                raise InvalidParams(
                    f"ranges[{k}]",
                    f"the ranges up to this one return over {limit} characters (twice the text, with "
                    f"its line numbers if asked, plus {_RECOVER_SLACK_CHARS}); ask for fewer or "
                    "non-overlapping ranges",
                )
        self.metrics.record_recover()
        return RecoverResult(
            raw_text="\n".join(parts),
            metadata=RecoverMetadata(
                prune_id=args.prune_id, ranges=clamped, total_lines=n, text_ends_with_newline=ends_nl
            ),
        )

    async def health(self, arguments: Mapping[str, object] | None = None) -> HealthResult:
        parse_arguments(HealthInput, arguments)
        metrics = self.metrics.snapshot()
        metrics["uptime_s"] = round(time.monotonic() - self._started, 1)
        for key, value in self.manager.stats().items():
            metrics[key] = value
        status: Literal["healthy", "degraded"] = "degraded"
        try:
            st = await anyio.to_thread.run_sync(lambda: self._get_store().stats())
            metrics["store"] = {
                "texts": st.texts,
                "ids": st.ids,
                "bytes": st.bytes_stored,
                "max_bytes": st.max_bytes,
            }
            status = "healthy"
        except Exception:
            log.exception("store stats failed")
            metrics["store"] = {"error": "unavailable"}
        return HealthResult(
            status=status,
            version=__version__,
            capabilities=list(CAPABILITIES),
            timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            backend=self.manager.backend_name,
            metrics=HealthMetrics.model_validate(metrics),
        )

    def handler(self, name: str) -> Callable[[Mapping[str, object] | None], Awaitable[BaseModel]]:
        """The coroutine function behind a tool name (``KeyError`` if unknown)."""
        table: dict[str, Callable[[Mapping[str, object] | None], Awaitable[BaseModel]]] = {
            "prune_text": self.prune_text,
            "recover_text": self.recover_text,
            "recover_range": self.recover_text,
            "health": self.health,
        }
        return table[name]


def _keep_all(n: int, source_type: SourceType | None) -> Selection:
    return Selection(keep=[True] * n, blocks=[], source_type=source_type or SourceType.CODE)
