"""``_jsonrpc.handle_body`` in process: the /rpc dispatcher without the HTTP layer."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from mcp_pruner import __version__
from mcp_pruner._contract import HealthResult, PruneTextInput, RecoverTextInput
from mcp_pruner._jsonrpc import LEGACY_METHODS, dumps, handle_body, tool_definitions, tool_result_payload
from mcp_pruner._service import TOOLS, PrunerService


async def call(service: PrunerService, message: object) -> dict[str, object] | None:
    """Encode ``message`` as the body of one POST and answer it."""
    answer = await handle_body(service, json.dumps(message).encode("utf-8"))
    if answer is None:
        return None
    decoded: dict[str, object] = json.loads(json.dumps(answer))  # always serialisable
    return decoded


def request(method: str, params: object = None, id_: object = 1) -> dict[str, object]:
    msg: dict[str, object] = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        msg["params"] = params
    return msg


def error_of(answer: Mapping[str, object] | None) -> dict[str, object]:
    assert answer is not None
    assert "result" not in answer
    error = answer["error"]
    assert isinstance(error, dict)
    return error


def result_of(answer: dict[str, object] | None) -> dict[str, object]:
    assert answer is not None
    assert "error" not in answer, answer
    result = answer["result"]
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize("id_", [1, 0, -7, "abc", "", None])
async def test_ids_are_echoed(service: PrunerService, id_: object) -> None:
    assert await call(service, request("ping", id_=id_)) == {"jsonrpc": "2.0", "id": id_, "result": {}}


@pytest.mark.parametrize("id_", [True, 1.5, [1], {"a": 1}])
async def test_bad_ids_are_invalid_requests(service: PrunerService, id_: object) -> None:
    answer = await call(service, request("ping", id_=id_))
    assert answer is not None
    assert answer["id"] is None
    assert error_of(answer)["code"] == -32600


@pytest.mark.parametrize("body", [b"", b"   ", b"{", b"nul", b"\xc3\x28", b"{'single': 'quotes'}"], ids=repr)
async def test_parse_errors(service: PrunerService, body: bytes) -> None:
    answer = await handle_body(service, body)
    assert answer == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "Parse error: the body is not valid JSON"},
    }


@pytest.mark.parametrize("body", [b"[" * 100_000, b"[" * 5_000 + b"]" * 5_000], ids=["open", "valid"])
async def test_json_nested_too_deeply_is_a_parse_error_that_says_so(
    service: PrunerService, body: bytes
) -> None:
    """5,000 nested arrays are valid JSON: "not valid JSON" would be wrong, "too deep" is what happened."""
    answer = await handle_body(service, body)
    assert answer == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "Parse error: JSON nested too deeply to read"},
    }


@pytest.mark.parametrize(
    "message",
    [
        [],
        [request("ping")],
        1,
        "x",
        None,
        True,
        {},
        {"jsonrpc": "2.0", "id": 1},
        {"jsonrpc": "2.1", "id": 1, "method": "ping"},
        {"id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "id": 1, "method": ["ping"]},
        {"jsonrpc": "2.0", "id": 1, "method": None},
    ],
)
async def test_invalid_requests(service: PrunerService, message: object) -> None:
    error = error_of(await call(service, message))
    assert error["code"] == -32600
    assert str(error["message"]).startswith("Invalid Request")


async def test_batch_is_refused_by_name(service: PrunerService) -> None:
    error = error_of(await call(service, [request("ping"), request("ping", id_=2)]))
    assert "batch" in str(error["message"])


async def test_notifications_get_no_answer(service: PrunerService) -> None:
    for message in (
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "method": "notifications/initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "no_such_method"},
        {"jsonrpc": "2.0", "method": "prune_text", "params": "not an object"},
        {"jsonrpc": "2.0", "method": "prune_text", "params": {"bad": 1}},
    ):
        assert await call(service, message) is None
    assert (await service.health(None)).metrics.calls_total == 0


async def test_a_notification_still_runs_the_method(service: PrunerService) -> None:
    assert (
        await call(
            service, {"jsonrpc": "2.0", "method": "prune_text", "params": {"text": "a", "goal_hint": ""}}
        )
        is None
    )
    assert (await service.health(None)).metrics.calls_total == 1


async def test_unknown_method(service: PrunerService) -> None:
    error = error_of(await call(service, request("tools/delete")))
    assert error == {
        "code": -32601,
        "message": "Method not found: tools/delete",
        "data": {"method": "tools/delete"},
    }


async def test_initialize(service: PrunerService) -> None:
    for asked, expected in (
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("bogus", "2025-06-18"),
    ):
        result = result_of(await call(service, request("initialize", {"protocolVersion": asked})))
        assert result["protocolVersion"] == expected
        assert result["serverInfo"] == {"name": "mcp-pruner", "version": __version__}
        capabilities = result["capabilities"]
        assert isinstance(capabilities, dict)
        assert "tools" in capabilities
    assert result_of(await call(service, request("initialize")))["protocolVersion"] == "2025-06-18"


async def test_tools_list_matches_the_service_tools(service: PrunerService) -> None:
    result = result_of(await call(service, request("tools/list")))
    assert result == {"tools": tool_definitions()}
    assert [t["name"] for t in tool_definitions()] == list(TOOLS)
    by_name = {str(t["name"]): t for t in tool_definitions()}
    assert by_name["prune_text"]["inputSchema"] == PruneTextInput.model_json_schema()
    assert by_name["recover_range"]["inputSchema"] == RecoverTextInput.model_json_schema()


@pytest.mark.parametrize("method", ["resources/list", "resources/templates/list", "prompts/list"])
async def test_empty_lists(service: PrunerService, method: str) -> None:
    result = result_of(await call(service, request(method)))
    assert list(result.values()) == [[]]


async def test_tools_call_and_legacy_method_give_the_same_object(service: PrunerService) -> None:
    args = {"text": "alpha\nbeta\n", "goal_hint": "beta", "source_type": "docs"}
    wrapped = result_of(await call(service, request("tools/call", {"name": "prune_text", "arguments": args})))
    assert wrapped["isError"] is False
    content = wrapped["content"]
    assert isinstance(content, list)
    assert len(content) == 1
    assert content[0]["type"] == "text"
    inner = json.loads(content[0]["text"])
    assert inner == wrapped["structuredContent"]
    direct = result_of(await call(service, request("prune_text", args)))
    assert set(direct) == set(inner)
    assert direct["pruned_text"] == inner["pruned_text"]
    for method in LEGACY_METHODS:
        assert method in TOOLS


async def test_tool_result_payload_keeps_non_ascii(service: PrunerService) -> None:
    result = await service.prune_text({"text": "é😀漢\n", "goal_hint": ""})
    payload = tool_result_payload(result)
    assert "é😀漢" in json.loads(dumps(payload))["content"][0]["text"]
    assert "é😀漢".encode() in dumps(payload)


async def test_unexpected_exception_is_32603_without_details(
    service: PrunerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(arguments: Mapping[str, object] | None = None) -> HealthResult:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "health", boom)
    for message in (request("health"), request("tools/call", {"name": "health", "arguments": {}})):
        answer = await call(service, message)
        assert error_of(answer) == {
            "code": -32603,
            "message": "Internal error",
            "data": {"code": "internal_error"},
        }
        assert "secret" not in json.dumps(answer)
    assert result_of(await call(service, request("ping"))) == {}


async def test_errors_are_counted(service: PrunerService) -> None:
    await call(service, request("recover_text", {"prune_id": "prn_none"}))
    await call(service, request("prune_text", {"text": 1}))
    metrics = (await service.health(None)).metrics.model_dump()
    assert metrics["errors_total"] == 2
    assert metrics["calls_total"] == 0


async def test_tools_call_argument_errors(service: PrunerService) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({}, "name"),
        ({"name": 3}, "name"),
        ({"name": "prune_txt"}, "name"),
        ({"name": "prune_text", "arguments": "text"}, "arguments"),
        ({"name": "prune_text"}, "text"),
        ({"name": "prune_text", "arguments": None}, "text"),
        ({"name": "recover_text", "arguments": {"prune_id": "p", "ranges": [{"start_line": "1"}]}},
         "ranges[0].start_line"),
    ]  # fmt: skip
    for params, field in cases:
        error = error_of(await call(service, request("tools/call", params)))
        assert error["code"] == -32602, params
        data = error["data"]
        assert isinstance(data, dict)
        assert data["field"] == field, params
        assert field in str(error["message"])


HUGE_INT = "9" * 5_000
"""An integer literal past the 4,300 digits Python converts (``sys.get_int_max_str_digits``): valid JSON."""


@pytest.mark.parametrize("sign", ["", "-"])
async def test_integer_too_long_to_read_is_invalid_params_naming_the_field(
    service: PrunerService, sign: str
) -> None:
    body = (
        '{"jsonrpc":"2.0","id":3,"method":"prune_text","params":{"text":"a","goal_hint":"",'
        f'"options":{{"min_keep_lines":{sign}{HUGE_INT}}}}}}}'
    )
    answer = await handle_body(service, body.encode())
    assert answer is not None
    assert answer["id"] == 3
    error = error_of(answer)
    assert error["code"] == -32602
    data = error["data"]
    assert isinstance(data, dict)
    assert data["field"] == "options.min_keep_lines"


async def test_integer_too_long_to_read_as_the_id_is_invalid_request(service: PrunerService) -> None:
    answer = await handle_body(service, f'{{"jsonrpc":"2.0","id":{HUGE_INT},"method":"ping"}}'.encode())
    assert answer is not None
    assert answer["id"] is None
    assert error_of(answer)["code"] == -32600
