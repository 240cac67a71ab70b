"""Retries of 429 and 5xx inside a hard deadline.

Hand-written (about 30 lines) rather than tenacity because every decision here
depends on the deadline: each attempt gets as its timeout the per-request
timeout or the time that is left, whichever is less; a wait (``Retry-After``
when the API sent one, else exponential backoff; both jittered so that
concurrent batches do not retry in lock-step) is taken only if a useful attempt
still fits after it, and otherwise the last error is raised at once so the
caller can fall back without waiting in vain.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import anyio

from .._errors import BackendError, BackendTimeout, CallerDeadline

__all__ = ["MIN_ATTEMPT_S", "is_retryable", "retry_delay", "with_retries"]

T = TypeVar("T")
log = logging.getLogger("mcp_pruner.rerank")

MIN_ATTEMPT_S: Final = 0.05
"""An attempt with less time than this left is not worth starting."""
_BASE_DELAY_S: Final = 0.1
_MAX_DELAY_S: Final = 2.0


def is_retryable(exc: BackendError) -> bool:
    """Rate limits and server errors are transient; everything else will fail the same way again."""
    return exc.status is not None and (exc.status == 429 or exc.status >= 500)


def retry_delay(exc: BackendError, attempt: int, rng: Callable[[], float] = random.random) -> float:
    """``Retry-After`` plus up to 10 % jitter, else full-jitter exponential backoff."""
    if exc.retry_after_s is not None:
        return exc.retry_after_s * (1.0 + 0.1 * rng()) + 0.01 * rng()
    cap = min(_MAX_DELAY_S, _BASE_DELAY_S * 2.0**attempt)
    return cap * (0.5 + 0.5 * rng())


async def with_retries(
    attempt_fn: Callable[[float], Awaitable[T]],
    *,
    deadline: float,
    max_retries: int,
    provider: str,
    request_timeout_s: float = float("inf"),
    rng: Callable[[], float] = random.random,
) -> T:
    """Call ``attempt_fn(timeout_s)`` until it succeeds, the error is final, or time is up.

    ``deadline`` is an ``anyio.current_time()`` value. Timeouts are not retried:
    a provider that did not answer in ``request_timeout_s`` is unlikely to answer
    a second time before the deadline.
    """
    attempt = 0
    while True:
        left = deadline - anyio.current_time()
        if left < MIN_ATTEMPT_S:
            raise CallerDeadline("no time left for a request")
        try:
            return await attempt_fn(min(left, request_timeout_s))
        except BackendTimeout as exc:
            if left < request_timeout_s:  # cut short by the caller's deadline, not the provider's fault
                raise CallerDeadline(str(exc)) from None
            raise
        except BackendError as exc:
            if not is_retryable(exc) or attempt >= max_retries:
                raise
            delay = retry_delay(exc, attempt, rng)
            if anyio.current_time() + delay + MIN_ATTEMPT_S > deadline:
                raise
            log.info(
                "rerank retry",
                extra={"provider": provider, "status": exc.status, "attempt": attempt + 1,
                       "retry_in_ms": int(delay * 1000)},
            )  # fmt: skip
            attempt += 1
            await anyio.sleep(delay)
