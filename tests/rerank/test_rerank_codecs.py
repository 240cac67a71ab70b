"""Provider codecs: the request each one builds and the strict parsing of answers."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from mcp_pruner._errors import BackendConfigError, BackendParseError
from mcp_pruner._settings import Settings
from mcp_pruner.rerank import DeepInfraProvider, OpenAIRerankProvider, TEIProvider, build_provider
from mcp_pruner.rerank._base import join_url

KEY = SecretStr("sk-secret-123")


def test_deepinfra_request_broadcasts_one_query_with_a_bearer_key() -> None:
    p = DeepInfraProvider(url="https://x/v1/inference/Qwen/Qwen3-Reranker-0.6B", api_key=KEY)
    req = p.build_request("q", ["a", "b"])
    assert req.body == {"queries": ["q"], "documents": ["a", "b"]}
    assert req.headers["Authorization"] == "bearer sk-secret-123"
    assert "sk-secret" not in repr(req)
    assert "sk-secret" not in repr(p)


def test_deepinfra_parse_reads_scores_tokens_and_cost() -> None:
    p = DeepInfraProvider(url="https://x", api_key=KEY)
    got = p.parse_response(
        {
            "scores": [0.1, 1, 0.0],
            "input_tokens": 42,
            "inference_status": {"cost": 4.2e-7, "tokens_input": 42},
        },
        3,
    )
    assert got.scores == [0.1, 1.0, 0.0]
    assert got.input_tokens == 42
    assert got.reported_cost_usd == pytest.approx(4.2e-7)


def test_deepinfra_tokens_from_inference_status_when_input_tokens_is_missing() -> None:
    p = DeepInfraProvider(url="https://x", api_key=KEY)
    got = p.parse_response({"scores": [0.5], "inference_status": {"tokens_input": 7, "cost": 0.0}}, 1)
    assert got.input_tokens == 7
    assert got.reported_cost_usd is None


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"scores": "0.5"},
        {"scores": [0.5]},
        {"scores": [0.5, 0.5, 0.5]},
        {"scores": ["0.5", 0.5]},
        {"scores": [True, 0.5]},
        {"scores": [None, 0.5]},
        {"scores": [float("nan"), 0.5]},
        {"scores": [float("inf"), 0.5]},
        {"scores": [1.5, 0.5]},
        {"scores": [-0.1, 0.5]},
        {"detail": "oops"},
    ],
)
def test_deepinfra_parse_is_strict(body: object) -> None:
    p = DeepInfraProvider(url="https://x", api_key=KEY)
    with pytest.raises(BackendParseError):
        p.parse_response(body, 2)


def test_tei_request_and_unsorted_answer() -> None:
    p = TEIProvider(base_url="http://tei:8080/", api_key=KEY)
    req = p.build_request("q", ["a", "b", "c"])
    assert req.url == "http://tei:8080/rerank"
    assert req.body == {"query": "q", "texts": ["a", "b", "c"], "truncate": True, "raw_scores": False}
    assert req.headers["Authorization"] == "Bearer sk-secret-123"
    got = p.parse_response(
        [{"index": 2, "score": 0.9}, {"index": 0, "score": 0.5}, {"index": 1, "score": 0.1}], 3
    )
    assert got.scores == [0.5, 0.1, 0.9]
    assert "Authorization" not in TEIProvider(base_url="http://tei").build_request("q", ["a"]).headers


@pytest.mark.parametrize(
    "body",
    [
        {"results": []},
        [{"index": 0, "score": 0.5}],
        [{"index": 0, "score": 0.5}, {"index": 0, "score": 0.5}],
        [{"index": 0, "score": 0.5}, {"index": 2, "score": 0.5}],
        [{"index": 0, "score": 0.5}, {"index": "1", "score": 0.5}],
        [{"index": 0, "score": 0.5}, {"index": 1, "score": 7.0}],
        [{"index": 0, "score": 0.5}, {"index": 1}],
        [{"index": 0, "score": 0.5}, "x"],
    ],
)
def test_tei_parse_is_strict(body: object) -> None:
    with pytest.raises(BackendParseError):
        TEIProvider(base_url="http://tei").parse_response(body, 2)


def test_openai_rerank_request_and_answer() -> None:
    p = OpenAIRerankProvider(base_url="http://vllm:8000/v1", model="m", api_key=KEY)
    req = p.build_request("q", ["a", "b"])
    assert req.url == "http://vllm:8000/v1/rerank"
    assert req.body == {"model": "m", "query": "q", "documents": ["a", "b"], "top_n": 2}
    got = p.parse_response(
        {"results": [{"index": 1, "relevance_score": 0.8}, {"index": 0, "relevance_score": 0.2}],
         "usage": {"total_tokens": 30}},
        2,
    )  # fmt: skip
    assert got.scores == [0.2, 0.8]
    assert got.input_tokens == 30
    with pytest.raises(BackendParseError):
        p.parse_response({"results": [{"index": 0, "relevance_score": "high"}]}, 1)


@pytest.mark.parametrize(
    ("base", "suffix", "url"),
    [
        ("http://h:8080", "/rerank", "http://h:8080/rerank"),
        ("http://h:8080/rerank/", "/rerank", "http://h:8080/rerank"),
        ("http://h:8000", "/v1/rerank", "http://h:8000/v1/rerank"),
        ("http://h:8000/v1", "/v1/rerank", "http://h:8000/v1/rerank"),
        ("https://api.jina.ai/v1/rerank", "/v1/rerank", "https://api.jina.ai/v1/rerank"),
        ("https://api.cohere.com/v2/rerank", "/v1/rerank", "https://api.cohere.com/v2/rerank"),
    ],
)
def test_join_url(base: str, suffix: str, url: str) -> None:
    assert join_url(base, suffix) == url


def test_build_provider_refuses_what_cannot_work() -> None:
    with pytest.raises(BackendConfigError, match="DEEPINFRA_API_KEY"):
        build_provider("deepinfra", Settings())
    with pytest.raises(BackendConfigError, match="DEEPINFRA_ENDPOINT_URL"):
        build_provider("deepinfra", Settings(deepinfra_api_key=KEY, deepinfra_endpoint_url="ftp://x"))
    with pytest.raises(BackendConfigError, match="MCP_PRUNER_TEI_URL"):
        build_provider("tei", Settings())
    with pytest.raises(BackendConfigError, match="MCP_PRUNER_RERANK_URL"):
        build_provider("openai_rerank", Settings())
    s = Settings(deepinfra_api_key=KEY, deepinfra_max_docs=64, deepinfra_price_per_mtok=0.025)
    p = build_provider("deepinfra", s)
    assert (p.name, p.max_docs, p.price_per_mtok) == ("deepinfra", 64, 0.025)
