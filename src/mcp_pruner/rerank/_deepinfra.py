"""DeepInfra's inference API for Qwen3-Reranker (0.6B by default).

Wire format (see the contract)::

    POST {url}   Authorization: bearer <key>
    {"queries": [q], "documents": [d1, ...]}
    -> {"scores": [s1, ...], "input_tokens": N, "inference_status": {"cost": ..., "tokens_input": ...}}

One query is sent and broadcast to every document: DeepInfra bills fewer
tokens than for the query repeated per document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

from .._errors import BackendParseError
from ._base import BatchScores, RerankRequest, as_count, as_number, as_score, get_mapping

__all__ = ["DeepInfraProvider"]


@dataclass(frozen=True, slots=True)
class DeepInfraProvider:
    """Codec for DeepInfra's ``/v1/inference/<model>`` reranker endpoint."""

    url: str
    api_key: SecretStr = field(repr=False)
    max_docs: int = 256
    price_per_mtok: float = 0.01
    name: str = "deepinfra"

    @property
    def model_id(self) -> str:
        return self.url

    def build_request(self, query: str, documents: Sequence[str]) -> RerankRequest:
        return RerankRequest(
            url=self.url,
            body={"queries": [query], "documents": list(documents)},
            headers={
                "Authorization": f"bearer {self.api_key.get_secret_value()}",
                "Accept": "application/json",
            },
        )

    def parse_response(self, data: object, n_docs: int) -> BatchScores:
        body = get_mapping(data, "response")
        scores = body.get("scores")
        if not isinstance(scores, list):
            raise BackendParseError("response has no 'scores' list")
        if len(scores) != n_docs:
            raise BackendParseError(f"{len(scores)} scores for {n_docs} documents")
        parsed = [as_score(s) for s in scores]
        tokens = as_count(body.get("input_tokens"), "input_tokens")
        cost: float | None = None
        status = body.get("inference_status")
        if isinstance(status, dict):
            st = get_mapping(status, "inference_status")
            if tokens is None or tokens == 0:
                tokens = as_count(st.get("tokens_input"), "tokens_input") or tokens
            raw_cost = st.get("cost")
            if raw_cost is not None:
                try:
                    reported = as_number(raw_cost, "cost")
                except BackendParseError:
                    reported = 0.0
                cost = reported if reported > 0 else None
        return BatchScores(parsed, input_tokens=tokens or None, reported_cost_usd=cost)
