"""HTTP end to end: ``POST /rpc`` (plain JSON-RPC 2.0), ``GET /health`` and MCP streamable HTTP at ``/mcp``.

One real server process for the whole session (``tests/e2e/conftest.py``), plus a second
one with a small ``MCP_PRUNER_MAX_INPUT_CHARS`` for the fail-open case.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import time
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from mcp import ClientSession, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

import mcp_pruner
from pruner_testkit import HttpServer, assert_markers_match_annotations, rpc, synthetic_python

BIG_CHARS = 2_000_000
FOUR_MIB = 4 * 1024 * 1024


def big_multibyte_text() -> str:
    """Exactly 2,000,000 characters of emoji, CJK and ASCII log lines (> 4 MiB as UTF-8 JSON)."""
    parts: list[str] = []
    size = 0
    i = 0
    while size < BIG_CHARS:
        kind = i % 5
        if kind in (0, 3, 4):
            line = f"{i:07d} 😀🚀✨ " + "漢字仮名交じり文" * 6 + "\n"
        elif kind == 1:
            line = f"{i:07d} ERROR 错误 发生在模块 {i % 97} 🔥 " + "データ" * 8 + "\n"
        else:
            line = f"{i:07d} INFO request handled in {i % 1000} ms path=/api/v1/items/{i}\n"
        parts.append(line)
        size += len(line)
        i += 1
    text = "".join(parts)[:BIG_CHARS]
    assert len(text) == BIG_CHARS
    return text


@pytest.fixture(scope="module")
def big_text() -> str:
    return big_multibyte_text()


@pytest.fixture(scope="module")
def stored(http_server: HttpServer) -> tuple[str, str]:
    """A prune_id made before anything else in this module, and its text: it must keep recovering."""
    text = synthetic_python(30)
    with httpx.Client(base_url=http_server.base_url, timeout=60) as c:
        body = rpc(c, "prune_text", {"text": text, "goal_hint": "func_7", "source_type": "code"}).json()
    return str(body["result"]["prune_id"]), text


def assert_still_serving(client: httpx.Client, stored: tuple[str, str]) -> None:
    """The server answers a normal request and what it stored before is still there."""
    prune_id, text = stored
    body = rpc(client, "recover_text", {"prune_id": prune_id}, id_="after").json()
    assert body == {
        "jsonrpc": "2.0",
        "id": "after",
        "result": {
            "raw_text": text.removesuffix("\n"),
            "metadata": {
                "prune_id": prune_id,
                "ranges": [{"start_line": 1, "end_line": text.count("\n")}],
                "line_numbering": "original",
                "total_lines": text.count("\n"),
                "text_ends_with_newline": True,
            },
        },
    }


def tool_json(result: dict[str, object]) -> dict[str, object]:
    """``tools/call`` result → the tool's JSON object (``content[0].text`` == ``structuredContent``)."""
    assert result["isError"] is False
    content = result["content"]
    assert isinstance(content, list)
    assert content[0]["type"] == "text"
    data = json.loads(content[0]["text"])
    assert data == result["structuredContent"]
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------------------------------
# The MCP methods over /rpc
# --------------------------------------------------------------------------------------------------
def test_initialize_answers_server_info_and_tools_capability(client: httpx.Client) -> None:
    body = rpc(
        client,
        "initialize",
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "proxy", "version": "1"},
        },
    ).json()
    assert body["jsonrpc"] == "2.0"
    assert body["id"] == 1
    result = body["result"]
    assert result["protocolVersion"] == "2025-06-18"
    assert result["serverInfo"] == {"name": "mcp-pruner", "version": mcp_pruner.__version__}
    assert "tools" in result["capabilities"]


def test_initialize_with_unknown_protocol_version_offers_a_supported_one(client: httpx.Client) -> None:
    body = rpc(client, "initialize", {"protocolVersion": "1999-01-01", "capabilities": {}}).json()
    assert body["result"]["protocolVersion"] in {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}


@pytest.mark.parametrize(
    "method", ["notifications/initialized", "notifications/cancelled", "no/such/notification"]
)
def test_notifications_get_no_jsonrpc_response(client: httpx.Client, method: str) -> None:
    response = rpc(client, method, id_=None)
    assert response.status_code in (202, 204)
    assert response.content == b""


def test_tools_list_names_the_four_tools(client: httpx.Client) -> None:
    body = rpc(client, "tools/list").json()
    tools = {t["name"]: t for t in body["result"]["tools"]}
    assert {"prune_text", "recover_text", "recover_range", "health"} <= set(tools)
    schema = tools["prune_text"]["inputSchema"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"text", "goal_hint"}
    assert schema["$defs"]["SourceType"]["enum"] == ["code", "logs", "docs"]
    assert schema["$defs"]["PruneOptions"]["additionalProperties"] is False
    for tool in tools.values():
        assert isinstance(tool["description"], str)
        assert tool["description"]


@pytest.mark.parametrize(
    ("method", "key"),
    [
        ("resources/list", "resources"),
        ("resources/templates/list", "resourceTemplates"),
        ("prompts/list", "prompts"),
    ],
)
def test_resource_and_prompt_lists_are_empty(client: httpx.Client, method: str, key: str) -> None:
    assert rpc(client, method).json() == {"jsonrpc": "2.0", "id": 1, "result": {key: []}}


def test_ping_answers_empty_result(client: httpx.Client) -> None:
    assert rpc(client, "ping", id_="p").json() == {"jsonrpc": "2.0", "id": "p", "result": {}}
    assert rpc(client, "ping", omit_params=True).json() == {"jsonrpc": "2.0", "id": 1, "result": {}}


def test_tools_call_each_tool(client: httpx.Client) -> None:
    text = synthetic_python(30)
    lines = text.split("\n")[:-1]
    pruned = tool_json(
        rpc(
            client,
            "tools/call",
            {
                "name": "prune_text",
                "arguments": {"text": text, "goal_hint": "func_11", "source_type": "code"},
            },
        ).json()["result"]
    )
    prune_id = pruned["prune_id"]
    assert isinstance(prune_id, str)
    annotations = pruned["annotations"]
    assert isinstance(annotations, list)
    assert annotations
    pruned_text = pruned["pruned_text"]
    assert isinstance(pruned_text, str)
    assert_markers_match_annotations(pruned_text, annotations, prune_id)

    first = annotations[0]
    for name in ("recover_text", "recover_range"):
        got = tool_json(
            rpc(
                client,
                "tools/call",
                {
                    "name": name,
                    "arguments": {
                        "prune_id": prune_id,
                        "ranges": [
                            {
                                "start_line": first["original_start_line"],
                                "end_line": first["original_end_line"],
                            }
                        ],
                    },
                },
            ).json()["result"]
        )
        assert got["raw_text"] == "\n".join(
            lines[first["original_start_line"] - 1 : first["original_end_line"]]
        )

    health = tool_json(rpc(client, "tools/call", {"name": "health", "arguments": {}}).json()["result"])
    assert health["status"] == "healthy"
    # arguments may be omitted for a tool without arguments
    assert tool_json(rpc(client, "tools/call", {"name": "health"}).json()["result"])["server"] == "mcp-pruner"


def test_legacy_direct_methods_answer_the_tool_object(client: httpx.Client) -> None:
    text = "alpha\r\nbeta\tgamma  \n😀\n\nlast"
    body = rpc(client, "prune_text", {"text": text, "goal_hint": "beta", "source_type": "docs"}, id_=7).json()
    assert body["id"] == 7
    result = body["result"]
    assert set(result) >= {"prune_id", "pruned_text", "annotations", "stats", "warnings"}
    assert set(result["stats"]) >= {
        "backend",
        "original_lines",
        "kept_lines",
        "pruned_lines",
        "pruned_ratio",
        "tokens_est_before",
        "tokens_est_after",
        "tokens_saved_est",
        "cost_estimated_usd",
        "latency_ms",
        "elapsed_ms",
        "used_fallback",
    }
    assert result["stats"]["original_lines"] == 5
    # 5 lines with min_keep_lines 5 (default): nothing may be removed
    assert result["pruned_text"] == text
    prune_id = result["prune_id"]
    for method in ("recover_text", "recover_range"):
        got = rpc(client, method, {"prune_id": prune_id, "ranges": [{"start_line": 1, "end_line": 3}]}).json()
        assert got["result"]["raw_text"] == "alpha\r\nbeta\tgamma  \n😀"
        assert got["result"]["metadata"]["ranges"] == [{"start_line": 1, "end_line": 3}]
        assert got["result"]["metadata"]["line_numbering"] == "original"
    health = rpc(client, "health").json()["result"]
    assert health["server"] == "mcp-pruner"
    assert rpc(client, "health", omit_params=True).json()["result"]["status"] == "healthy"


# --------------------------------------------------------------------------------------------------
# Errors, each followed by a normal request
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b'{"jsonrpc": "2.0", "id": 1, "method": "ping"', b"\xff\xfe\x00garbage", b"[1, 2"],
    ids=["broken", "empty", "truncated", "invalid-utf8", "broken-array"],
)
def test_malformed_json_is_parse_error(client: httpx.Client, stored: tuple[str, str], body: bytes) -> None:
    response = client.post("/rpc", content=body, headers={"content-type": "application/json"})
    answer = response.json()
    assert answer["jsonrpc"] == "2.0"
    assert answer["id"] is None
    assert answer["error"]["code"] == -32700
    assert_still_serving(client, stored)


def _prune_body(text: str) -> bytes:
    message = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "prune_text",
        "params": {"text": text, "goal_hint": "func_3"},
    }
    return json.dumps(message).encode("utf-8")


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("gzip, identity", gzip.compress),
        ("GZIP", gzip.compress),
        ("identity", lambda body: body),
    ],
    ids=["gzip", "deflate", "gzip-identity", "upper-case", "identity"],
)
def test_compressed_rpc_body_is_decoded(
    client: httpx.Client, stored: tuple[str, str], encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    text = synthetic_python(12)
    plain = client.post("/rpc", content=_prune_body(text)).json()["result"]
    response = client.post(
        "/rpc", content=compress(_prune_body(text)), headers={"content-encoding": encoding}
    )
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["pruned_text"].replace(result["prune_id"], "ID") == plain["pruned_text"].replace(
        plain["prune_id"], "ID"
    )
    recovered = rpc(client, "recover_text", {"prune_id": result["prune_id"]}).json()["result"]["raw_text"]
    assert recovered == text.removesuffix("\n")
    assert_still_serving(client, stored)


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, br", "compress"])
def test_unsupported_content_encoding_is_415_naming_the_header(
    client: httpx.Client, stored: tuple[str, str], encoding: str
) -> None:
    response = client.post("/rpc", content=b"whatever", headers={"content-encoding": encoding})
    assert response.status_code == 415
    answer = response.json()
    assert answer["id"] is None
    assert answer["error"]["code"] == -32600
    assert answer["error"]["data"]["header"] == "content-encoding"
    assert "content-encoding" in answer["error"]["message"]
    assert_still_serving(client, stored)


@pytest.mark.parametrize(
    "body",
    [b"not gzip at all", gzip.compress(b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}')[:-12]],
    ids=["not-gzip", "truncated"],
)
def test_corrupt_gzip_body_is_parse_error(client: httpx.Client, stored: tuple[str, str], body: bytes) -> None:
    response = client.post("/rpc", content=body, headers={"content-encoding": "gzip"})
    assert response.status_code == 400
    answer = response.json()
    assert answer["id"] is None
    assert answer["error"]["code"] == -32700
    assert "gzip" in answer["error"]["message"]
    assert_still_serving(client, stored)


def test_compressed_body_is_capped_once_decoded(small_limit_server: HttpServer) -> None:
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))  # ~8 KB on the wire, 8 MiB decoded: over the 1 MB cap
    assert len(bomb) < 100_000
    with httpx.Client(base_url=small_limit_server.base_url, timeout=60) as c:
        response = c.post("/rpc", content=bomb, headers={"content-encoding": "gzip"})
        assert response.status_code == 413
        error = response.json()["error"]
        assert error["code"] == -32600
        assert error["data"]["code"] == "request_too_large"
        assert rpc(c, "ping", {}).json()["result"] == {}


@pytest.mark.parametrize(
    "message",
    [
        {"id": 1, "method": "ping"},
        {"jsonrpc": "1.0", "id": 1, "method": "ping"},
        {"jsonrpc": 2.0, "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "id": 1, "method": 5},
        {"jsonrpc": "2.0", "id": 1},
        {"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"},
        [{"jsonrpc": "2.0", "id": 1, "method": "ping"}],
        [],
        42,
        "ping",
        None,
    ],
    ids=[
        "missing-jsonrpc",
        "wrong-version",
        "version-number",
        "method-not-string",
        "missing-method",
        "id-object",
        "batch",
        "empty-batch",
        "scalar-number",
        "scalar-string",
        "null",
    ],
)
def test_not_jsonrpc_is_invalid_request(
    client: httpx.Client, stored: tuple[str, str], message: object
) -> None:
    answer = client.post("/rpc", content=json.dumps(message)).json()
    assert answer["jsonrpc"] == "2.0"
    assert answer["error"]["code"] == -32600
    assert "id" in answer
    assert_still_serving(client, stored)


def test_unknown_method_is_method_not_found(client: httpx.Client, stored: tuple[str, str]) -> None:
    answer = rpc(client, "prune_everything", {}, id_=9).json()
    assert answer["id"] == 9
    assert answer["error"]["code"] == -32601
    assert "prune_everything" in answer["error"]["message"]
    assert_still_serving(client, stored)


@pytest.mark.parametrize(
    ("method", "params", "field"),
    [
        ("prune_text", {"text": "a", "goal_hint": "", "extra": 1}, "extra"),
        ("prune_text", {"text": 3, "goal_hint": ""}, "text"),
        ("prune_text", {"goal_hint": ""}, "text"),
        ("prune_text", {"text": "a"}, "goal_hint"),
        ("prune_text", {"text": "a", "goal_hint": "", "source_type": "python"}, "source_type"),
        (
            "prune_text",
            {"text": "a", "goal_hint": "", "options": {"max_prune_ratio": 2}},
            "options.max_prune_ratio",
        ),
        ("prune_text", {"text": "a", "goal_hint": "", "options": {"speed": "fast"}}, "options.speed"),
        ("recover_text", {"prune_id": "prn_x", "ranges": [{"start_line": 1}]}, "ranges[0].end_line"),
        ("recover_text", {"prune_id": "prn_x", "ranges": "1-2"}, "ranges"),
        ("recover_range", {}, "prune_id"),
        ("health", {"verbose": True}, "verbose"),
        ("tools/call", {"arguments": {}}, "name"),
        ("tools/call", {"name": "prune_all", "arguments": {}}, "name"),
        ("tools/call", {"name": "prune_text", "arguments": ["a"]}, "arguments"),
        ("tools/call", {"name": "prune_text", "arguments": {"text": "a", "goal_hint": 1}}, "goal_hint"),
    ],
)
def test_bad_params_name_the_field(
    client: httpx.Client, stored: tuple[str, str], method: str, params: dict[str, object], field: str
) -> None:
    answer = rpc(client, method, params, id_="bad").json()
    assert answer["id"] == "bad"
    error = answer["error"]
    assert error["code"] == -32602
    assert field in error["message"]
    assert error["data"]["field"] == field
    assert error["data"]["code"] == "invalid_params"
    assert_still_serving(client, stored)


def test_params_not_an_object_is_invalid_params(client: httpx.Client, stored: tuple[str, str]) -> None:
    answer = rpc(client, "prune_text", ["text", "goal"]).json()
    assert answer["error"]["code"] == -32602
    assert "params" in answer["error"]["message"]
    assert_still_serving(client, stored)


def test_unknown_prune_id_is_32004(client: httpx.Client, stored: tuple[str, str]) -> None:
    for method in ("recover_text", "recover_range"):
        answer = rpc(client, method, {"prune_id": "prn_zzzzzzzzzz"}).json()
        assert answer["error"] == {
            "code": -32004,
            "message": "prune_id_not_found",
            "data": {"code": "prune_id_not_found", "prune_id": "prn_zzzzzzzzzz"},
        }
    answer = rpc(client, "tools/call", {"name": "recover_text", "arguments": {"prune_id": "prn_nope"}}).json()
    assert answer["error"]["code"] == -32004
    assert answer["error"]["data"]["prune_id"] == "prn_nope"
    assert_still_serving(client, stored)


@pytest.mark.parametrize(
    "bad",
    [
        {"start_line": 0, "end_line": 3},
        {"start_line": -5, "end_line": 1},
        {"start_line": 4, "end_line": 2},
        {"start_line": 31 * 10 + 1, "end_line": 400},
    ],
    ids=["start-zero", "start-negative", "start-after-end", "start-past-the-end"],
)
def test_invalid_range_is_32005(client: httpx.Client, stored: tuple[str, str], bad: dict[str, int]) -> None:
    prune_id, text = stored
    n = text.count("\n")
    assert n == 300
    answer = rpc(
        client, "recover_text", {"prune_id": prune_id, "ranges": [{"start_line": 1, "end_line": 1}, bad]}
    ).json()
    assert answer["error"] == {
        "code": -32005,
        "message": "invalid_range",
        "data": {"code": "invalid_range", "range": bad, "max_line": n},
    }
    assert_still_serving(client, stored)


def test_end_line_past_the_end_is_clamped(client: httpx.Client, stored: tuple[str, str]) -> None:
    prune_id, text = stored
    lines = text.split("\n")[:-1]
    result = rpc(
        client, "recover_text", {"prune_id": prune_id, "ranges": [{"start_line": 299, "end_line": 10_000}]}
    ).json()["result"]
    assert result["raw_text"] == "\n".join(lines[298:])
    assert result["metadata"]["ranges"] == [{"start_line": 299, "end_line": 300}]
    last_only = rpc(
        client, "recover_text", {"prune_id": prune_id, "ranges": [{"start_line": 300, "end_line": 300}]}
    ).json()["result"]
    assert last_only["raw_text"] == lines[-1]


# --------------------------------------------------------------------------------------------------
# GET /health
# --------------------------------------------------------------------------------------------------
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_get_health_shape(client: httpx.Client) -> None:
    before = client.get("/health").json()["metrics"]["calls_total"]
    rpc(client, "prune_text", {"text": "x\ny\n", "goal_hint": "y"})
    response = client.get("/health")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    health = response.json()
    assert health["status"] == "healthy"
    assert health["server"] == "mcp-pruner"
    assert health["version"] == mcp_pruner.__version__
    assert health["capabilities"] == ["prune_text", "recover_text", "annotations", "markers"]
    assert _TIMESTAMP.match(health["timestamp"])
    metrics = health["metrics"]
    assert metrics["calls_total"] == before + 1
    assert metrics["calls_deepinfra"] == 0
    assert metrics["fallbacks_deepinfra"] == 0
    assert metrics["fallback_rate_deepinfra"] == 0.0
    assert metrics["cost_estimated_total_usd"] == 0.0
    for key in ("calls_total", "calls_deepinfra", "fallbacks_deepinfra"):
        assert isinstance(metrics[key], int)
    for key in ("fallback_rate_deepinfra", "cost_estimated_total_usd"):
        assert isinstance(metrics[key], float)


# --------------------------------------------------------------------------------------------------
# Big inputs and the size limit
# --------------------------------------------------------------------------------------------------
def test_two_million_characters_through_rpc(client: httpx.Client, big_text: str) -> None:
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "prune_text",
            "params": {"text": big_text, "goal_hint": "ERROR 错误"},
        },
        ensure_ascii=False,
    ).encode("utf-8")
    assert len(body) > FOUR_MIB
    answer = client.post("/rpc", content=body, headers={"content-type": "application/json"}).json()
    result = answer["result"]
    assert result["stats"]["original_lines"] == big_text.count("\n") + 1
    assert "input_too_large" not in result["warnings"]
    prune_id = result["prune_id"]
    recovered = rpc(client, "recover_text", {"prune_id": prune_id}).json()["result"]["raw_text"]
    assert recovered == big_text


def test_input_over_the_limit_is_fail_open(small_limit_server: HttpServer) -> None:
    text = "".join(f"line {i} 😀\n" for i in range(200))
    assert len(text) > 1000
    with httpx.Client(base_url=small_limit_server.base_url, timeout=60) as c:
        for method, params in (
            ("prune_text", {"text": text, "goal_hint": "line 5"}),
            ("tools/call", {"name": "prune_text", "arguments": {"text": text, "goal_hint": "line 5"}}),
        ):
            raw = rpc(c, method, params).json()["result"]
            result = tool_json(raw) if method == "tools/call" else raw
            assert result["pruned_text"] == text
            assert result["annotations"] == []
            warnings = result["warnings"]
            assert isinstance(warnings, list)
            assert "input_too_large" in warnings
            stats = result["stats"]
            assert isinstance(stats, dict)
            assert stats["used_fallback"] is True
            assert stats["pruned_lines"] == 0
            assert stats["tokens_saved_est"] == 0
            got = rpc(c, "recover_text", {"prune_id": result["prune_id"]}).json()["result"]
            assert got["raw_text"] == text.removesuffix("\n")
        # At the limit exactly: pruned normally.
        at_limit = "".join(f"entry {i:03d}\n" for i in range(100))
        assert len(at_limit) == 1000
        ok = rpc(c, "prune_text", {"text": at_limit, "goal_hint": "entry 042"}).json()["result"]
        assert "input_too_large" not in ok["warnings"]


# --------------------------------------------------------------------------------------------------
# /mcp with the SDK's streamable-HTTP client
# --------------------------------------------------------------------------------------------------
@asynccontextmanager
async def mcp_http_session(server: HttpServer) -> AsyncIterator[ClientSession]:
    async with (
        streamable_http_client(server.base_url + "/mcp") as (read, write),
        ClientSession(read, write, read_timeout_seconds=120) as session,
    ):
        await session.initialize()
        yield session


def call_json(result: CallToolResult) -> dict[str, object]:
    assert result.is_error is False
    first = result.content[0]
    assert isinstance(first, TextContent)
    data = json.loads(first.text)
    assert data == result.structured_content
    assert isinstance(data, dict)
    return data


async def test_mcp_endpoint_with_the_sdk_client(http_server: HttpServer, stored: tuple[str, str]) -> None:
    prune_id, text = stored
    async with mcp_http_session(http_server) as session:
        init = session.initialize_result
        assert init is not None
        assert init.server_info.name == "mcp-pruner"
        names = {t.name for t in (await session.list_tools()).tools}
        assert {"prune_text", "recover_text", "recover_range", "health"} <= names
        made = call_json(
            await session.call_tool("prune_text", {"text": synthetic_python(12), "goal_hint": "func_3"})
        )
        assert isinstance(made["prune_id"], str)
        assert made["prune_id"].startswith("prn_")
        # A prune_id made over /rpc recovers over /mcp: one service, one store.
        got = call_json(await session.call_tool("recover_text", {"prune_id": prune_id}))
        assert got["raw_text"] == text.removesuffix("\n")
        with pytest.raises(MCPError) as info:
            await session.call_tool("recover_text", {"prune_id": "prn_missing000"})
        assert info.value.code == -32004
        assert info.value.data["prune_id"] == "prn_missing000"
        with pytest.raises(MCPError) as info:
            await session.call_tool("prune_text", {"text": "a", "goal_hint": "", "nope": 1})
        assert info.value.code == -32602
        assert info.value.data["field"] == "nope"


async def test_big_results_over_mcp_fit_the_sdk_client_defaults(
    http_server: HttpServer, big_text: str
) -> None:
    """Regression: answers over 1 MiB (the SDK client's SSE event cap) must reach a default SDK client.

    The request body (> 4 MiB of JSON) is over the SDK server's default cap too.
    """
    async with mcp_http_session(http_server) as session:
        made = call_json(
            await session.call_tool("prune_text", {"text": big_text, "goal_hint": "INFO request"})
        )
        warnings = made["warnings"]
        assert isinstance(warnings, list)
        assert "input_too_large" not in warnings
        stats = made["stats"]
        assert isinstance(stats, dict)
        assert stats["original_lines"] == big_text.count("\n") + 1
        recovered = call_json(await session.call_tool("recover_text", {"prune_id": made["prune_id"]}))
        assert recovered["raw_text"] == big_text


_MCP_HEADERS = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}


def mcp_post(client: httpx.Client, body: dict[str, object], session_id: str | None = None) -> httpx.Response:
    headers = dict(_MCP_HEADERS, **({"mcp-session-id": session_id} if session_id else {}))
    return client.post("/mcp", json=body, headers=headers)


NO_TOOL_NAME = "tools/call needs the tool's name (a string)"


@pytest.mark.parametrize(
    ("params", "field", "detail"),
    [
        ({"name": "prune_text", "arguments": []}, "arguments", "must be an object"),
        ({"name": "prune_text", "arguments": "x"}, "arguments", "must be an object"),
        ({"name": 5, "arguments": {}}, "name", NO_TOOL_NAME),
        ({"arguments": {}}, "name", NO_TOOL_NAME),
        (None, "name", NO_TOOL_NAME),
    ],
)
def test_mcp_tools_call_with_a_bad_name_or_arguments_names_the_field(
    client: httpx.Client, params: dict[str, object] | None, field: str, detail: str
) -> None:
    """Regression: /mcp answered these with the SDK's bare -32602 "Invalid request parameters", data "".

    /rpc and stdio name the field; an SDK client cannot send these, so the raw streamable-HTTP wire.
    """
    init = mcp_post(
        client,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
    )
    session_id = init.headers["mcp-session-id"]
    assert (
        mcp_post(client, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session_id).status_code
        == 202
    )
    request: dict[str, object] = {"jsonrpc": "2.0", "id": 2, "method": "tools/call"}
    if params is not None:
        request["params"] = params
    answer = mcp_post(client, request, session_id).json()
    expected = rpc(client, "tools/call", params).json()
    assert answer == {
        "jsonrpc": "2.0",
        "id": 2,
        "error": {
            "code": -32602,
            "message": f"Invalid params: {field}: {detail}",
            "data": {"code": "invalid_params", "field": field, "errors": []},
        },
    }
    assert answer["error"] == expected["error"]


def test_client_gone_before_its_body_is_whole_is_no_server_error(
    http_server: HttpServer, client: httpx.Client
) -> None:
    """Regression: a /rpc body cut short by its client logged "Exception in ASGI application" (error)."""
    with socket.create_connection(("127.0.0.1", http_server.port)) as sock:
        sock.sendall(
            b"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"pi'
        )
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline and "ClientDisconnect" not in http_server.stderr_text():
        time.sleep(0.05)  # the disconnect is seen asynchronously: give a buggy server time to log it
    assert rpc(client, "ping").json() == {"jsonrpc": "2.0", "id": 1, "result": {}}
    assert "ClientDisconnect" not in http_server.stderr_text()
    assert "Exception in ASGI application" not in http_server.stderr_text()
