"""Malformed input: every bad field gets -32602 naming it, bad bodies get -32700/-32600, nothing is lost.

Each case runs in process (``PrunerService``) and against a real HTTP server process
(``POST /rpc``, legacy method and ``tools/call``); after all of them the server still
serves and a prune_id made before them still recovers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from mcp_pruner._errors import InvalidParams
from mcp_pruner._http import body_limit
from mcp_pruner._service import PrunerService
from pruner_testkit import HttpServer, rpc, start_http_server, stop_process

MAX_CHARS = 1000
GOOD_PRUNE: dict[str, object] = {"text": "a\nb\n", "goal_hint": "b"}

# (tool, arguments, field the error must name)
BAD_ARGUMENTS: list[tuple[str, dict[str, object], str]] = [
    ("prune_text", {"text": 12, "goal_hint": ""}, "text"),
    ("prune_text", {"text": ["a"], "goal_hint": ""}, "text"),
    ("prune_text", {"text": None, "goal_hint": ""}, "text"),
    ("prune_text", {"text": "a", "goal_hint": None}, "goal_hint"),
    ("prune_text", {"text": "a", "goal_hint": 0}, "goal_hint"),
    ("prune_text", {"text": "a", "goal_hint": "", "source_type": "python"}, "source_type"),
    ("prune_text", {"text": "a", "goal_hint": "", "source_type": 1}, "source_type"),
    ("prune_text", {"text": "a", "goal_hint": "", "options": []}, "options"),
    ("prune_text", {"text": "a", "goal_hint": "", "options": "fast"}, "options"),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"max_prune_ratio": 2}},
        "options.max_prune_ratio",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"max_prune_ratio": -0.1}},
        "options.max_prune_ratio",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"max_prune_ratio": "0.5"}},
        "options.max_prune_ratio",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"max_prune_ratio": True}},
        "options.max_prune_ratio",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"min_keep_lines": -1}},
        "options.min_keep_lines",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"min_keep_lines": 1.5}},
        "options.min_keep_lines",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"min_keep_lines": "3"}},
        "options.min_keep_lines",
    ),
    ("prune_text", {"text": "a", "goal_hint": "", "options": {"timeout_ms": 0}}, "options.timeout_ms"),
    ("prune_text", {"text": "a", "goal_hint": "", "options": {"timeout_ms": -5}}, "options.timeout_ms"),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"annotate_lines": "yes"}},
        "options.annotate_lines",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"annotate_lines": 1}},
        "options.annotate_lines",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"include_markers": "no"}},
        "options.include_markers",
    ),
    ("prune_text", {"text": "a", "goal_hint": "", "options": {"keep_ratio": 0}}, "options.keep_ratio"),
    ("prune_text", {"text": "a", "goal_hint": "", "options": {"token_budget": 0}}, "options.token_budget"),
    # Integers past 64 bits (a float conversion would overflow): refused, not an internal error.
    ("prune_text", {"text": "a", "goal_hint": "", "options": {"timeout_ms": 10**309}}, "options.timeout_ms"),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"token_budget": 10**309}},
        "options.token_budget",
    ),
    (
        "prune_text",
        {"text": "a", "goal_hint": "", "options": {"min_keep_lines": 2**63}},
        "options.min_keep_lines",
    ),
    ("prune_text", {"goal_hint": ""}, "text"),
    ("prune_text", {"text": "a"}, "goal_hint"),
    ("prune_text", {}, "text"),
    ("prune_text", {"text": "a", "goal_hint": "", "unexpected": 1}, "unexpected"),
    ("prune_text", {"text": "a", "goal_hint": "", "options": {"max_prune": 0.5}}, "options.max_prune"),
    ("prune_text", {"text": "a\ud800b", "goal_hint": ""}, "text"),
    ("prune_text", {"text": "a", "goal_hint": "\udfff"}, "goal_hint"),
    ("recover_text", {"prune_id": "prn_x", "ranges": "1-3"}, "ranges"),
    ("recover_text", {"prune_id": "prn_x", "ranges": {"start_line": 1, "end_line": 2}}, "ranges"),
    ("recover_text", {"prune_id": "prn_x", "ranges": [[1, 2]]}, "ranges[0]"),
    (
        "recover_text",
        {"prune_id": "prn_x", "ranges": [{"start_line": "1", "end_line": 2}]},
        "ranges[0].start_line",
    ),
    (
        "recover_text",
        {"prune_id": "prn_x", "ranges": [{"start_line": 1.0, "end_line": 2}]},
        "ranges[0].start_line",
    ),
    ("recover_text", {"prune_id": "prn_x", "ranges": [{"start_line": 1}]}, "ranges[0].end_line"),
    (
        "recover_text",
        {
            "prune_id": "prn_x",
            "ranges": [{"start_line": 1, "end_line": 1}, {"start_line": 1, "end_line": 2, "step": 1}],
        },
        "ranges[1].step",
    ),
    ("recover_text", {"prune_id": ""}, "prune_id"),
    ("recover_text", {"prune_id": 7}, "prune_id"),
    ("recover_text", {"prune_id": "p" * 201}, "prune_id"),
    ("recover_text", {}, "prune_id"),
    ("recover_text", {"prune_id": "prn_x", "include_line_numbers": "true"}, "include_line_numbers"),
    ("recover_text", {"prune_id": "prn_x", "id": "prn_x"}, "id"),
    ("recover_range", {"prune_id": None}, "prune_id"),
    ("health", {"x": 1}, "x"),
]
CASE_IDS = [f"{tool}-{field}-{i}" for i, (tool, _, field) in enumerate(BAD_ARGUMENTS)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    srv = start_http_server(tmp_path_factory.mktemp("malformed"), MCP_PRUNER_MAX_INPUT_CHARS=str(MAX_CHARS))
    try:
        yield srv
    finally:
        stop_process(srv.process)


@pytest.fixture(scope="module")
def client(server: HttpServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def stored(client: httpx.Client) -> tuple[str, str]:
    """Made before any bad request; checked after each of them."""
    text = "keep me\r\n\texactly 😀 \n\nas sent"
    result = rpc(client, "prune_text", {"text": text, "goal_hint": ""}).json()["result"]
    return str(result["prune_id"]), text


def post_raw(client: httpx.Client, body: str | bytes) -> httpx.Response:
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return client.post("/rpc", content=raw, headers={"content-type": "application/json"})


def assert_still_serving(client: httpx.Client, stored: tuple[str, str]) -> None:
    prune_id, text = stored
    answer = rpc(client, "recover_text", {"prune_id": prune_id}).json()
    assert answer["result"]["raw_text"] == text


def assert_names_field(error: dict[str, object], field: str) -> None:
    assert error["code"] == -32602
    assert f": {field}:" in str(error["message"]), error["message"]
    data = error["data"]
    assert isinstance(data, dict)
    assert data["code"] == "invalid_params"
    assert data["field"] == field


@pytest.mark.parametrize(("tool", "arguments", "field"), BAD_ARGUMENTS, ids=CASE_IDS)
async def test_in_process_bad_arguments_name_the_field(
    service: PrunerService, tool: str, arguments: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidParams) as info:
        await service.handler(tool)(arguments)
    assert info.value.field == field
    assert (await service.health(None)).metrics.calls_total == 0


@pytest.mark.parametrize(("tool", "arguments", "field"), BAD_ARGUMENTS, ids=CASE_IDS)
def test_rpc_bad_arguments_name_the_field(
    client: httpx.Client, stored: tuple[str, str], tool: str, arguments: dict[str, object], field: str
) -> None:
    # json.dumps escapes lone surrogates as \\udXXX, which is valid JSON text
    for message in (
        {"jsonrpc": "2.0", "id": 1, "method": tool, "params": arguments},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": tool, "arguments": arguments}},
    ):
        response = post_raw(client, json.dumps(message))
        assert response.status_code == 200
        answer = response.json()
        assert answer["id"] == message["id"]
        assert_names_field(answer["error"], field)
    assert_still_serving(client, stored)


def test_unknown_field_with_a_lone_surrogate_in_its_name_still_gets_an_answer(
    client: httpx.Client, stored: tuple[str, str]
) -> None:
    answer = post_raw(
        client,
        json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "prune_text", "params": {**GOOD_PRUNE, "k\ud800": 1}}
        ),
    ).json()
    assert answer["error"]["code"] == -32602
    assert answer["error"]["data"]["field"] in ("arguments", "k\ud800")  # pydantic cannot name a broken key
    assert_still_serving(client, stored)


def test_lone_surrogate_prune_id_is_invalid_params(client: httpx.Client, stored: tuple[str, str]) -> None:
    answer = post_raw(
        client,
        json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "recover_text", "params": {"prune_id": "prn_\udc00"}}
        ),
    ).json()
    assert_names_field(answer["error"], "prune_id")
    assert_still_serving(client, stored)


def test_raw_surrogate_bytes_in_the_body_name_the_field(
    client: httpx.Client, stored: tuple[str, str]
) -> None:
    """Python's JSON decoder reads ED A0 80 (a UTF-8-encoded surrogate) as U+D800: refused as -32602 text."""
    body = '{"jsonrpc":"2.0","id":1,"method":"prune_text","params":{"text":"a\ud800","goal_hint":""}}'
    answer = post_raw(client, body).json()
    assert_names_field(answer["error"], "text")
    assert "surrogate" in answer["error"]["message"]
    assert_still_serving(client, stored)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\n",
        b"hello",
        b"<xml/>",
        b"{'jsonrpc': '2.0'}",
        b'{"jsonrpc":"2.0","id":1,"method":"ping",}',
        b"\xff\xff\xff",
        b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"text":"\xc3\x28"}}',
        b"\x00\x00\x00\x00",
        b"[" * 50_000 + b"]" * 50_000,
        b'{"jsonrpc":"2.0","id":1,"method":"prune_text","params":' + b'{"a":' * 20_000 + b"1" + b"}" * 20_001,
    ],
    ids=[
        "empty",
        "newline",
        "word",
        "xml",
        "single-quotes",
        "trailing-comma",
        "invalid-utf8",
        "invalid-utf8-in-string",
        "nuls",
        "deep-array",
        "deep-object",
    ],
)
def test_non_json_bodies_are_parse_errors(client: httpx.Client, stored: tuple[str, str], body: bytes) -> None:
    response = post_raw(client, body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["id"] is None
    assert answer["error"]["code"] == -32700
    assert_still_serving(client, stored)


@pytest.mark.parametrize(
    "body",
    [
        b"123",
        b"NaN",
        b'"prune_text"',
        b"null",
        b"true",
        b"[]",
        b"[{}]",
        b"{}",
        b'{"jsonrpc":"2.0"}',
        b'{"method":"ping","id":1}',
    ],
)
def test_json_that_is_not_a_request_is_invalid_request(
    client: httpx.Client, stored: tuple[str, str], body: bytes
) -> None:
    answer = post_raw(client, body).json()
    assert answer["error"]["code"] == -32600
    assert_still_serving(client, stored)


def test_params_of_the_wrong_type(client: httpx.Client, stored: tuple[str, str]) -> None:
    for params in (["a", "b"], "text", 5, True):
        answer = rpc(client, "prune_text", params).json()
        assert answer["error"]["code"] == -32602
    assert rpc(client, "prune_text", None).json()["error"]["data"]["field"] == "text"
    assert_still_serving(client, stored)


def test_text_over_the_limit_is_fail_open_not_an_error(client: httpx.Client, stored: tuple[str, str]) -> None:
    text = "x" * (MAX_CHARS + 1)
    result = rpc(client, "prune_text", {"text": text, "goal_hint": "x"}).json()["result"]
    assert result["pruned_text"] == text
    assert result["stats"]["used_fallback"] is True
    assert result["warnings"] == ["input_too_large"]
    assert rpc(client, "recover_text", {"prune_id": result["prune_id"]}).json()["result"]["raw_text"] == text
    assert_still_serving(client, stored)


def test_body_over_the_byte_limit_is_refused_with_413(client: httpx.Client, stored: tuple[str, str]) -> None:
    limit = body_limit(MAX_CHARS)
    text = "y" * (limit + 10)
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "prune_text", "params": {"text": text, "goal_hint": ""}}
    )
    response = post_raw(client, body)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == -32600
    assert error["data"] == {"code": "request_too_large", "max_bytes": limit}

    def chunks() -> Iterator[bytes]:  # no content-length: the limit is enforced while reading
        raw = body.encode()
        for i in range(0, len(raw), 256 * 1024):
            yield raw[i : i + 256 * 1024]

    response = client.post("/rpc", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["data"]["code"] == "request_too_large"
    assert_still_serving(client, stored)


def test_wrong_http_method_and_path(client: httpx.Client, stored: tuple[str, str]) -> None:
    assert client.get("/rpc").status_code == 405
    assert client.post("/health").status_code == 405
    assert client.post("/nope", content=b"{}").status_code == 404
    assert_still_serving(client, stored)


def test_bad_requests_are_not_counted_as_calls(client: httpx.Client) -> None:
    before = client.get("/health").json()["metrics"]
    rpc(client, "prune_text", {"text": 1, "goal_hint": ""})
    post_raw(client, b"{{{")
    after = client.get("/health").json()["metrics"]
    assert after["calls_total"] == before["calls_total"]
    assert after["errors_total"] == before["errors_total"] + 1


@pytest.mark.parametrize("char", ["y", "\x01", "é", "😀"])
def test_body_limit_fits_any_text_within_max_input_chars(char: str) -> None:
    """However the client escapes it (``json.dumps`` turns an emoji into 12 bytes), a text of
    ``max_input_chars`` characters fits the body limit, so it gets an answer and never a 413."""
    n = 2_000_000
    request = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "prune_text",
        "params": {"text": char * n, "goal_hint": ""},
    }
    for ensure_ascii in (True, False):
        assert len(json.dumps(request, ensure_ascii=ensure_ascii).encode("utf-8")) <= body_limit(n)
