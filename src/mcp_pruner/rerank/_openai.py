"""The Cohere/Jina/vLLM-style ``/v1/rerank`` API (hosted or self-hosted).

::

    POST {url}/v1/rerank   [Authorization: Bearer <key>]
    {"model": m, "query": q, "documents": [d1, ...], "top_n": len(documents)}
    -> {"results": [{"index": i, "relevance_score": s}, ...], "usage": {"total_tokens": N}}

``top_n`` equals the number of documents so that every document gets a score.
Token usage is read from ``usage.total_tokens`` (vLLM, Jina) or
``usage.prompt_tokens`` when present; Cohere bills "search units" instead, which
this client does not price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

from ._base import BatchScores, RerankRequest, as_count, get_mapping, join_url
from ._tei import scores_by_index

__all__ = ["OpenAIRerankProvider"]


@dataclass(frozen=True, slots=True)
class OpenAIRerankProvider:
    """Codec for ``/v1/rerank``."""

    base_url: str
    model: str
    api_key: SecretStr | None = field(default=None, repr=False)
    max_docs: int = 128
    price_per_mtok: float = 0.0
    name: str = "openai_rerank"

    @property
    def url(self) -> str:
        return join_url(self.base_url, "/v1/rerank")

    @property
    def model_id(self) -> str:
        return f"{self.url}#{self.model}"

    def build_request(self, query: str, documents: Sequence[str]) -> RerankRequest:
        headers = {"Accept": "application/json"}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        return RerankRequest(
            url=self.url,
            body={"model": self.model, "query": query, "documents": list(documents), "top_n": len(documents)},
            headers=headers,
        )

    def parse_response(self, data: object, n_docs: int) -> BatchScores:
        body = get_mapping(data, "response")
        scores = scores_by_index(body.get("results"), n_docs, "relevance_score")
        tokens: int | None = None
        usage = body.get("usage")
        if isinstance(usage, dict):
            u = get_mapping(usage, "usage")
            tokens = as_count(u.get("total_tokens"), "total_tokens") or as_count(
                u.get("prompt_tokens"), "prompt_tokens"
            )
        return BatchScores(scores, input_tokens=tokens)
