"""What every rerank provider implements, and the strict JSON readers they share.

A provider is only a codec: it turns ``(query, documents)`` into one HTTP
request and one JSON body back into scores. Sending, retrying, batching,
deadlines and cost are provider-independent and live in ``_http``, ``_retry``
and ``_scorer``, so a new provider is two small functions.

Parsing is strict on purpose: a wrong-length list, a non-number, NaN or a score
outside [0, 1] means the answer cannot be trusted to rank lines, so it raises
:class:`BackendParseError` and the manager falls back to the heuristic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .._errors import BackendParseError, JSONValue

__all__ = [
    "BatchScores",
    "RerankProvider",
    "RerankRequest",
    "as_count",
    "as_number",
    "as_score",
    "get_mapping",
    "join_url",
]


@dataclass(frozen=True, slots=True)
class RerankRequest:
    """One HTTP POST. ``headers`` may hold a key: it is kept out of ``repr`` (and so out of logs)."""

    url: str
    body: dict[str, JSONValue]
    headers: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class BatchScores:
    """Scores of one batch, in document order, and what the provider said it charged."""

    scores: list[float]
    input_tokens: int | None = None
    reported_cost_usd: float | None = None


class RerankProvider(Protocol):
    """A rerank API. Implementations are immutable and hold their key privately."""

    @property
    def name(self) -> str:
        """Short name used in settings, warnings and stats (``deepinfra``, ``tei``, ``openai_rerank``)."""
        ...

    @property
    def model_id(self) -> str:
        """What identifies the model behind the endpoint (part of the cache key)."""
        ...

    @property
    def max_docs(self) -> int:
        """Most documents accepted in one request."""
        ...

    @property
    def price_per_mtok(self) -> float:
        """USD per million input tokens (0 for self-hosted)."""
        ...

    def build_request(self, query: str, documents: Sequence[str]) -> RerankRequest: ...

    def parse_response(self, data: object, n_docs: int) -> BatchScores: ...


def as_number(value: object, what: str) -> float:
    """A finite JSON number (bools are refused: ``true`` is not a score)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BackendParseError(f"{what} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise BackendParseError(f"{what} is not finite")
    return number


def as_score(value: object, what: str = "score") -> float:
    """A relevance probability in [0, 1]."""
    number = as_number(value, what)
    if not 0.0 <= number <= 1.0:
        raise BackendParseError(f"{what} is outside [0, 1]")
    return number


def as_count(value: object, what: str) -> int | None:
    """A non-negative integer count, or ``None`` when absent or unusable (counts are informative only)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


def get_mapping(data: object, what: str) -> Mapping[str, object]:
    """``data`` as a JSON object, else a parse error."""
    if not isinstance(data, dict):
        raise BackendParseError(f"{what} is not a JSON object")
    return {str(k): v for k, v in data.items()}


def join_url(base: str, suffix: str) -> str:
    """``base`` unless it already ends with ``/rerank``; else ``base`` + ``suffix``.

    Users paste either the server root (``http://tei:8080``) or the full route
    (``https://api.jina.ai/v1/rerank``); both must work.
    """
    trimmed = base.rstrip("/")
    if trimmed.endswith("/rerank"):
        return trimmed
    if suffix.startswith("/v1/") and trimmed.endswith("/v1"):
        return trimmed + suffix[3:]
    return trimmed + suffix
