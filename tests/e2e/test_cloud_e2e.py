"""End to end: the real server process with DEEPINFRA_ENDPOINT_URL pointed at a local fake.

The fake (``tests/fakes/deepinfra.py``) is a real HTTP server on 127.0.0.1 that
speaks DeepInfra's format with deterministic scores and can be switched into
each failure mode. The server runs as ``mcp-pruner serve --transport http``
(driven with httpx on ``POST /rpc`` and ``GET /health``) and, once, as
``mcp-pruner serve`` over stdio with the ``mcp`` SDK client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import httpx
import pytest

from fakes.deepinfra import FakeReranker
from pruner_testkit import HttpServer, server_env, start_http_server, stop_process

KEY = "test-key"
pytestmark = pytest.mark.skipif(
    subprocess.run(
        [sys.executable, "-m", "mcp_pruner", "serve", "--help"], capture_output=True, check=False, timeout=60
    ).returncode
    != 0,
    reason="`mcp-pruner serve` is not available",
)


def cloud_env(fake: FakeReranker) -> dict[str, str]:
    """The reranker part of the server's environment (pointed at the fake)."""
    return {
        "KIMI_PRUNING_BACKEND": "deepinfra",
        "DEEPINFRA_API_KEY": KEY,
        "DEEPINFRA_ENDPOINT_URL": fake.url,
        "DEEPINFRA_MAX_DOCS": "64",
        "DEEPINFRA_TIMEOUT_MS": "5000",
        "DEEPINFRA_MAX_RETRIES": "1",
        "MCP_PRUNER_CIRCUIT_FAILURES": "1000",
        "MCP_PRUNER_CACHE_MAX_ITEMS": "64",
        "MCP_PRUNER_LOG_LEVEL": "DEBUG",
    }


class Server:
    """A started ``mcp-pruner serve --transport http`` and a JSON-RPC client for it."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.proc: HttpServer = start_http_server(workdir, **env)
        self.http = httpx.Client(base_url=self.proc.base_url, timeout=30)
        self._id = 0

    def rpc(self, method: str, params: dict[str, object]) -> dict[str, object]:
        self._id += 1
        resp = self.http.post(
            "/rpc", json={"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}
        )
        resp.raise_for_status()
        body = resp.json()
        assert "result" in body, body
        result = body["result"]
        assert isinstance(result, dict)
        return result

    def stderr(self) -> str:
        return self.proc.stderr_text()

    def stop(self) -> None:
        self.http.close()
        stop_process(self.proc.process)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeReranker]:
    with FakeReranker(keywords=("zebra",)) as server:
        yield server


@pytest.fixture(scope="module")
def server(fake: FakeReranker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("cloud-e2e"), cloud_env(fake))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(autouse=True)
def _reset(fake: FakeReranker) -> None:
    fake.reset()


def code(n_funcs: int, tag: str, special: dict[int, str] | None = None) -> str:
    out: list[str] = []
    for i in range(n_funcs):
        out += [f"def {tag}_{i}(request):", f"    value = compute_{i}(request)"]
        if special and i in special:
            out.append(f"    {special[i]}")
        out += [f"    return value + {i}", ""]
    return "\n".join(out) + "\n"


def prune(server: Server, text: str, goal: str, **options: object) -> tuple[dict[str, object], float]:
    params: dict[str, object] = {"text": text, "goal_hint": goal, "source_type": "code"}
    if options:
        params["options"] = options
    started = time.perf_counter()
    result = server.rpc("prune_text", params)
    return result, time.perf_counter() - started


def stats_of(result: dict[str, object]) -> dict[str, object]:
    stats = result["stats"]
    assert isinstance(stats, dict)
    return stats


def warnings_of(result: dict[str, object]) -> list[str]:
    warnings = result["warnings"]
    assert isinstance(warnings, list)
    return [str(w) for w in warnings]


def recover_all(server: Server, prune_id: object) -> str:
    out = server.rpc("recover_text", {"prune_id": prune_id})
    return str(out["raw_text"])


# -- the reranker decides -----------------------------------------------------------------------------
def test_reranker_scores_decide_what_is_kept(server: Server, fake: FakeReranker) -> None:
    text = code(80, "decide", {12: "zebra_total = audit(value)", 61: "okapi_total = audit(value)"})
    result, _ = prune(server, text, "why does parse_headers fail")
    stats = stats_of(result)
    assert stats["backend"] == "deepinfra"
    assert stats["engine"] == "deepinfra"
    assert stats["used_fallback"] is False
    assert warnings_of(result) == []
    pruned = str(result["pruned_text"])
    assert "zebra_total = audit(value)" in pruned
    assert "okapi_total = audit(value)" not in pruned
    assert isinstance(stats["cost_estimated_usd"], float)
    assert stats["cost_estimated_usd"] > 0
    assert stats["reranker_requests"] == len(fake.requests)
    assert all(r.auth_ok and r.n_queries == 1 for r in fake.requests)
    assert recover_all(server, result["prune_id"]) == text.removesuffix("\n")


def test_every_line_of_a_2000_line_file_is_scored(server: Server, fake: FakeReranker) -> None:
    text = code(500, "cover")
    lines = text.split("\n")[:-1]
    assert len(lines) == 2000
    result, elapsed = prune(server, text, "which handler overflows")
    stats = stats_of(result)
    assert stats["engine"] == "deepinfra"
    assert "deepinfra_docs_truncated" not in warnings_of(result)
    scored = "\n".join(d for r in fake.requests for d in r.documents).split("\n")
    assert sorted(scored) == sorted(line for line in lines if line.strip())
    assert all(r.n_docs <= 64 for r in fake.requests)
    n_docs = sum(r.n_docs for r in fake.requests)
    assert stats["reranker_requests"] == len(fake.requests) >= -(-n_docs // 64) >= 2
    print(
        f"\n2000 lines, DEEPINFRA_MAX_DOCS=64: {n_docs} documents, {stats['reranker_requests']} requests, "
        f"{stats['reranker_tokens']} tokens, ${stats['cost_estimated_usd']} in {elapsed * 1000:.0f} ms"
    )


# -- every fault falls back within the deadline ----------------------------------------------------------
FAULTS = [
    ("slow", "deepinfra_timeout", None),
    ("401", "deepinfra_http_error", 401),
    ("403", "deepinfra_http_error", 403),
    ("404", "deepinfra_http_error", 404),
    ("422", "deepinfra_http_error", 422),
    ("429", "deepinfra_http_error", 429),
    ("500", "deepinfra_http_error", 500),
    ("503", "deepinfra_http_error", 503),
    ("html", "deepinfra_parse_error", None),
    ("broken_json", "deepinfra_parse_error", None),
    ("wrong_length", "deepinfra_parse_error", None),
    ("non_numeric", "deepinfra_parse_error", None),
    ("nan", "deepinfra_parse_error", None),
    ("out_of_range", "deepinfra_parse_error", None),
    ("reset", "deepinfra_http_error", None),
]


@pytest.mark.parametrize(("mode", "expected", "status"), FAULTS)
def test_each_fault_falls_back_within_the_deadline(
    server: Server, fake: FakeReranker, mode: str, expected: str, status: int | None
) -> None:
    fake.set_mode(mode, delay_s=10.0 if mode == "slow" else 0.0, retry_after="0")
    text = code(30, f"fault_{mode}", {4: "zebra = 1"})
    timeout_ms = 1500
    result, elapsed = prune(server, text, "find the zebra", timeout_ms=timeout_ms)
    stats = stats_of(result)
    warnings = warnings_of(result)
    assert stats["backend"] == "deepinfra"
    assert stats["used_fallback"] is True
    assert stats["engine"] == "heuristic"
    assert "deepinfra_error" in warnings
    assert expected in warnings
    if "deepinfra_http_status" in result or "deepinfra_http_status" in stats:
        got = result.get("deepinfra_http_status", stats.get("deepinfra_http_status"))
        assert got == status
    assert elapsed < timeout_ms / 1000 + 1.0
    assert recover_all(server, result["prune_id"]) == text.removesuffix("\n")


def test_missing_key_falls_back_with_a_config_error(fake: FakeReranker, tmp_path: Path) -> None:
    env = cloud_env(fake)
    env.pop("DEEPINFRA_API_KEY")
    srv = Server(tmp_path, env)
    try:
        result, _ = prune(srv, code(20, "nokey"), "zebra")
    finally:
        srv.stop()
    assert stats_of(result)["used_fallback"] is True
    assert warnings_of(result)[:2] == ["deepinfra_error", "deepinfra_config_error"]
    assert fake.requests == []


# -- cache ---------------------------------------------------------------------------------------------
def test_cache_avoids_the_second_request(server: Server, fake: FakeReranker) -> None:
    text = code(40, "cached", {7: "zebra = 1"})
    first, _ = prune(server, text, "where is zebra set")
    n = len(fake.requests)
    assert n >= 1
    second, _ = prune(server, text, "where is zebra set")
    assert len(fake.requests) == n
    assert "cache_hit" in warnings_of(second)
    assert stats_of(second)["cost_estimated_usd"] == 0.0
    assert second["prune_id"] != first["prune_id"]
    assert recover_all(server, second["prune_id"]) == text.removesuffix("\n")


# -- health ----------------------------------------------------------------------------------------------
def test_health_aggregates_cloud_calls_fallbacks_and_cost(server: Server, fake: FakeReranker) -> None:
    prune(server, code(10, "health_ok"), "zebra")
    fake.set_mode("500", retry_after="0")
    prune(server, code(10, "health_ko"), "zebra")
    health = server.http.get("/health").json()
    metrics = health["metrics"]
    assert metrics["calls_deepinfra"] >= 2
    assert metrics["fallbacks_deepinfra"] >= 1
    assert 0 < metrics["fallback_rate_deepinfra"] < 1
    assert metrics["cost_estimated_total_usd"] > 0
    assert metrics["rerankers"]["deepinfra"]["circuit"]["state"] == "closed"
    assert metrics["rerankers"]["deepinfra"]["failures_by_code"]["deepinfra_http_error"] >= 1
    assert metrics["result_cache"]["max_entries"] == 64


def test_the_key_never_reaches_the_logs(server: Server) -> None:
    prune(server, code(10, "logs"), "zebra")
    time.sleep(0.2)
    logs = server.stderr()
    assert "prune_text" in logs
    assert KEY not in logs
    assert "zebra" not in logs


# -- stdio ------------------------------------------------------------------------------------------------
@pytest.fixture
def devnull() -> Iterator[TextIO]:
    with open(os.devnull, "w") as fh:
        yield fh


async def test_stdio_server_uses_the_reranker(fake: FakeReranker, tmp_path: Path, devnull: TextIO) -> None:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = server_env(tmp_path / "store.sqlite3", **cloud_env(fake))
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_pruner", "serve"], env=env, cwd=tmp_path
    )
    text = code(40, "stdio", {9: "zebra = 1"})
    async with (
        stdio_client(params, errlog=devnull) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        out = await session.call_tool("prune_text", {"text": text, "goal_hint": "g", "source_type": "code"})
    block = out.content[0]
    result = json.loads(getattr(block, "text", "{}"))
    assert result["stats"]["engine"] == "deepinfra"
    assert "zebra = 1" in result["pruned_text"]
    assert len(fake.requests) >= 1
