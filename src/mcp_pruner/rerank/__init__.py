"""Rerank clients: score the engine's units against the goal with a hosted or self-hosted reranker.

* providers (codecs only): :class:`DeepInfraProvider` (Qwen3-Reranker),
  :class:`TEIProvider` (text-embeddings-inference ``/rerank``),
  :class:`OpenAIRerankProvider` (Cohere/Jina/vLLM ``/v1/rerank``);
* :func:`plan_documents` / :func:`pool_scores`: units -> documents -> unit scores;
* :func:`score_documents`: batches, bounded concurrency, retries within a deadline, cost;
* :class:`CircuitBreaker`: skip a failing provider for a cool-down.

The :class:`~mcp_pruner._manager.PruningBackendManager` ties them together.
"""

from ._base import BatchScores, RerankProvider, RerankRequest
from ._circuit import CircuitBreaker, CircuitState
from ._deepinfra import DeepInfraProvider
from ._factory import PROVIDERS, build_provider
from ._http import parse_retry_after, post_json
from ._openai import OpenAIRerankProvider
from ._plan import (
    MAX_DOC_TOKENS,
    MAX_REQUEST_TOKENS,
    Document,
    DocumentPlan,
    build_query,
    make_batches,
    plan_documents,
    pool_scores,
)
from ._retry import is_retryable, retry_delay, with_retries
from ._scorer import Usage, score_documents
from ._tei import TEIProvider

__all__ = [
    "MAX_DOC_TOKENS",
    "MAX_REQUEST_TOKENS",
    "PROVIDERS",
    "BatchScores",
    "CircuitBreaker",
    "CircuitState",
    "DeepInfraProvider",
    "Document",
    "DocumentPlan",
    "OpenAIRerankProvider",
    "RerankProvider",
    "RerankRequest",
    "TEIProvider",
    "Usage",
    "build_provider",
    "build_query",
    "is_retryable",
    "make_batches",
    "parse_retry_after",
    "plan_documents",
    "pool_scores",
    "post_json",
    "retry_delay",
    "score_documents",
    "with_retries",
]
