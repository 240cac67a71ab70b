"""Score a document plan with one provider: batches, bounded concurrency, retries, deadline, cost.

All batches are sent concurrently over the shared keep-alive client, at most
``limiter.total_tokens`` at a time (the limiter is shared by every call to the
same provider, so parallel ``prune_text`` calls together stay within it). The
first batch that fails for good cancels the others: one missing batch already
means falling back, and the rest would only cost money.

:class:`Usage` is filled in as answers arrive, so a call that fails half-way
still reports the requests it made and what they cost.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import anyio
import httpx
from anyio.abc import TaskGroup

from .._errors import BackendError, CallerDeadline
from ._base import BatchScores, RerankProvider
from ._http import post_json
from ._plan import Document, make_batches
from ._retry import with_retries

__all__ = ["Usage", "score_documents"]

log = logging.getLogger("mcp_pruner.rerank")


@dataclass(slots=True)
class Usage:
    """What one call sent and what it cost (mutable accumulator)."""

    requests: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    documents: int = 0

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.tokens += other.tokens
        self.cost_usd += other.cost_usd
        self.documents += other.documents


_PLAUSIBLE_FACTOR: Final = 10
"""A provider's own count may differ from ours (another tokenizer, a prompt template per document),
but not by ten times: beyond that, the figure is wrong and ours is booked instead."""
_TEMPLATE_TOKENS_PER_DOC: Final = 100
_MAX_PRICE_PER_MTOK: Final = 10.0
"""Dearer than any hosted reranker: the ceiling on a reported cost when the price is not configured."""


def _plausible_usage(
    parsed: BatchScores, estimated: int, docs: int, provider: RerankProvider
) -> tuple[int, float]:
    """Tokens and cost of one request: the provider's figures when believable, else our estimate."""
    ceiling = _PLAUSIBLE_FACTOR * (estimated + _TEMPLATE_TOKENS_PER_DOC * docs)
    reported = parsed.input_tokens
    if reported is not None and reported > ceiling:
        log.warning(
            "rerank provider reported an implausible token count; booking the estimate",
            extra={"provider": provider.name, "docs": docs},
        )
        reported = None
    tokens = reported if reported is not None else estimated
    cost = tokens * provider.price_per_mtok / 1_000_000
    reported_cost = parsed.reported_cost_usd
    if parsed.input_tokens is None and reported_cost is not None:
        # No count, only a price: believable up to what the ceiling's tokens would cost.
        price = max(provider.price_per_mtok, _MAX_PRICE_PER_MTOK)
        if reported_cost <= ceiling * price / 1_000_000:
            cost = reported_cost
        else:
            log.warning(
                "rerank provider reported an implausible cost; booking the estimate",
                extra={"provider": provider.name, "docs": docs},
            )
    return tokens, cost


async def _score_batch(
    provider: RerankProvider,
    client: httpx.AsyncClient,
    query: str,
    query_tokens: int,
    batch: Sequence[Document],
    usage: Usage,
    *,
    deadline: float,
    max_retries: int,
    request_timeout_s: float,
    rng: Callable[[], float],
) -> list[float]:
    texts = [d.text for d in batch]
    request = provider.build_request(query, texts)

    async def attempt(timeout_s: float) -> list[float]:
        usage.requests += 1
        started = time.perf_counter()
        try:
            data = await post_json(client, request, timeout_s)
            parsed = provider.parse_response(data, len(texts))
        except BackendError as exc:
            log.info(
                "rerank request failed",
                extra={"provider": provider.name, "status": exc.status, "code": exc.warning_code,
                       "docs": len(texts), "latency_ms": int((time.perf_counter() - started) * 1000)},
            )  # fmt: skip
            raise
        estimated = sum(d.tokens for d in batch) + query_tokens
        tokens, cost = _plausible_usage(parsed, estimated, len(texts), provider)
        usage.tokens += tokens
        usage.cost_usd += cost
        usage.documents += len(texts)
        log.debug(
            "rerank request",
            extra={"provider": provider.name, "status": 200, "docs": len(texts),
                   "latency_ms": int((time.perf_counter() - started) * 1000)},
        )  # fmt: skip
        return parsed.scores

    return await with_retries(
        attempt,
        deadline=deadline,
        max_retries=max_retries,
        provider=provider.name,
        request_timeout_s=request_timeout_s,
        rng=rng,
    )


async def score_documents(
    provider: RerankProvider,
    client: httpx.AsyncClient,
    query: str,
    documents: Sequence[Document],
    usage: Usage,
    *,
    deadline: float,
    limiter: anyio.CapacityLimiter,
    max_retries: int,
    request_timeout_s: float = float("inf"),
    query_tokens: int = 0,
    rng: Callable[[], float] = random.random,
) -> list[float]:
    """One score per document, in order; raises the first :class:`BackendError`.

    ``deadline`` (an ``anyio.current_time()`` value) bounds everything, waiting
    for a free slot included; ``request_timeout_s`` bounds each HTTP attempt.
    Running out of either is a :class:`BackendTimeout`.
    """
    scores: list[float] = [0.0] * len(documents)
    errors: list[BackendError] = []
    batches = make_batches(documents, provider.max_docs)

    async def run(indexes: list[int], tg: TaskGroup) -> None:
        try:
            async with limiter:
                got = await _score_batch(
                    provider, client, query, query_tokens, [documents[i] for i in indexes], usage,
                    deadline=deadline, max_retries=max_retries, request_timeout_s=request_timeout_s, rng=rng,
                )  # fmt: skip
        except BackendError as exc:
            errors.append(exc)
            tg.cancel_scope.cancel()
            return
        for i, s in zip(indexes, got, strict=True):
            scores[i] = s

    with anyio.CancelScope(deadline=deadline) as scope:
        async with anyio.create_task_group() as tg:
            for indexes in batches:
                tg.start_soon(run, indexes, tg)
    if errors:
        raise errors[0]
    if scope.cancelled_caught:
        raise CallerDeadline("deadline reached while scoring")
    return scores
