"""Hugging Face text-embeddings-inference (self-hosted, or an Inference Endpoint) ``/rerank``.

::

    POST {url}/rerank   [Authorization: Bearer <key>]
    {"query": q, "texts": [t1, ...], "truncate": true, "raw_scores": false}
    -> [{"index": i, "score": s}, ...]      sorted by score, not by index

``truncate`` lets the server cut documents longer than the model's window (a
BGE reranker has 512 tokens) instead of refusing the whole batch; this affects
scoring only. ``raw_scores: false`` asks for sigmoid probabilities in [0, 1].
TEI caps documents per request (``--max-client-batch-size``, 32 by default),
hence ``tei_max_docs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

from .._errors import BackendParseError
from ._base import BatchScores, RerankRequest, as_score, get_mapping, join_url

__all__ = ["TEIProvider", "scores_by_index"]


def scores_by_index(items: object, n_docs: int, score_key: str) -> list[float]:
    """Put ``[{index, <score_key>}]`` back in document order; every index exactly once."""
    if not isinstance(items, list):
        raise BackendParseError("results are not a list")
    if len(items) != n_docs:
        raise BackendParseError(f"{len(items)} results for {n_docs} documents")
    out: list[float | None] = [None] * n_docs
    for item in items:
        entry = get_mapping(item, "result")
        index = entry.get("index")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n_docs:
            raise BackendParseError("result index is missing or out of range")
        if out[index] is not None:
            raise BackendParseError("result index repeated")
        out[index] = as_score(entry.get(score_key), score_key)
    return [s for s in out if s is not None]


@dataclass(frozen=True, slots=True)
class TEIProvider:
    """Codec for TEI's ``/rerank`` route."""

    base_url: str
    api_key: SecretStr | None = field(default=None, repr=False)
    max_docs: int = 32
    price_per_mtok: float = 0.0
    name: str = "tei"

    @property
    def url(self) -> str:
        return join_url(self.base_url, "/rerank")

    @property
    def model_id(self) -> str:
        return self.url

    def build_request(self, query: str, documents: Sequence[str]) -> RerankRequest:
        headers = {"Accept": "application/json"}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        return RerankRequest(
            url=self.url,
            body={"query": query, "texts": list(documents), "truncate": True, "raw_scores": False},
            headers=headers,
        )

    def parse_response(self, data: object, n_docs: int) -> BatchScores:
        return BatchScores(scores_by_index(data, n_docs, "score"))
