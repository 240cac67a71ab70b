"""The stdin guard of the stdio transport (lines the SDK would drop without an answer)."""

from __future__ import annotations

import json

import mcp.types as types
import pytest

from mcp_pruner._errors import JSONValue
from mcp_pruner._jsonrpc import handle_message
from mcp_pruner._mcp import unanswerable_line_error
from mcp_pruner._service import PrunerService


def call(arguments: str) -> str:
    return (
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"prune_text","arguments":'
        + arguments
        + "}}\n"
    )


def wire(error: types.JSONRPCError | None) -> dict[str, JSONValue]:
    """The error as the SDK's stdout writer puts it on the wire."""
    assert error is not None
    out: dict[str, JSONValue] = json.loads(error.model_dump_json(by_alias=True, exclude_unset=True))
    return out


def test_ordinary_lines_pass_through() -> None:
    assert unanswerable_line_error(call('{"text":"a\\u00e9\\ud83d\\ude00","goal_hint":""}')) is None
    assert unanswerable_line_error("\n") is None
    assert unanswerable_line_error('{"jsonrpc":"2.0","id":"a","method":"tools/list"}\n') is None
    assert unanswerable_line_error('{"jsonrpc":"2.0","id":1,"method":"ping","params":null}') is None
    assert unanswerable_line_error(call("null")) is None
    assert unanswerable_line_error(call('{"text":"a","goal_hint":"","extra":1}')) is None  # the tool names it


def test_lone_surrogate_gets_invalid_params_naming_the_field() -> None:
    error = unanswerable_line_error(call('{"text":"half an emoji \\ud83d","goal_hint":""}'))
    assert error is not None
    wire = json.loads(error.model_dump_json(by_alias=True))
    assert wire["id"] == 7
    assert wire["error"]["code"] == -32602
    assert wire["error"]["data"]["field"] == "text"


def test_lone_surrogate_in_goal_is_named() -> None:
    error = unanswerable_line_error(call('{"text":"ok","goal_hint":"\\udc00"}'))
    assert error is not None
    assert error.error.data is not None
    assert json.loads(error.model_dump_json())["error"]["data"]["field"] == "goal_hint"


def test_non_json_line_gets_parse_error_with_null_id() -> None:
    error = unanswerable_line_error("hello there\n")
    assert error is not None
    assert error.id is None
    assert error.error.code == -32700


def test_surrogate_in_a_notification_is_not_answered() -> None:
    line = '{"jsonrpc":"2.0","method":"notifications/x","params":{"a":"\\ud800"}}'
    assert unanswerable_line_error(line) is None


@pytest.mark.parametrize("line", ["{not json", '{"broken": \n', "[1, 2", "{'a': 1}"])
def test_line_that_starts_like_json_but_is_not_gets_parse_error(line: str) -> None:
    assert wire(unanswerable_line_error(line)) == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "Parse error: not JSON"},
    }


def test_line_nested_too_deeply_gets_a_parse_error_that_says_so() -> None:
    for line in ("[" * 100_000, "[" * 5_000 + "]" * 5_000):
        assert wire(unanswerable_line_error(line)) == {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": -32700, "message": "Parse error: JSON nested too deeply to read"},
        }


def test_batch_gets_invalid_request_batches_not_supported() -> None:
    for line in ('[{"jsonrpc":"2.0","id":4,"method":"tools/list"}]', "[]"):
        assert wire(unanswerable_line_error(line)) == {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": -32600, "message": "Invalid Request: batch requests are not supported"},
        }


@pytest.mark.parametrize("line", ["42", '"tools/list"', "null", "true", "NaN"])
def test_json_value_that_is_not_an_object_gets_invalid_request(line: str) -> None:
    assert wire(unanswerable_line_error(line)) == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32600, "message": "Invalid Request: not a JSON object"},
    }


@pytest.mark.parametrize("params", ['"x"', "[1]", "5", "true"])
def test_params_that_are_not_an_object_get_invalid_params_with_the_id(params: str) -> None:
    for method in ("tools/call", "tools/list", "ping"):
        line = f'{{"jsonrpc":"2.0","id":7,"method":"{method}","params":{params}}}'
        assert wire(unanswerable_line_error(line)) == {
            "jsonrpc": "2.0",
            "id": 7,
            "error": {"code": -32602, "message": "Invalid params: params must be an object"},
        }


@pytest.mark.parametrize(
    ("line", "answer_id"),
    [
        ('{"jsonrpc":"1.0","id":8,"method":"tools/list"}', 8),
        ('{"id":"eight","method":"tools/list"}', "eight"),
        ('{"jsonrpc":"2.0","id":9,"method":5}', 9),
        ('{"jsonrpc":"2.0","id":9}', 9),
        ('{"jsonrpc":"2.0","id":true,"method":"ping"}', None),
        ('{"jsonrpc":"2.0","id":1.5,"method":"ping"}', None),
        ('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', None),
    ],
)
def test_broken_envelope_with_an_id_gets_invalid_request(line: str, answer_id: JSONValue) -> None:
    assert wire(unanswerable_line_error(line)) == {
        "jsonrpc": "2.0",
        "id": answer_id,
        "error": {"code": -32600, "message": "Invalid Request: expected a JSON-RPC 2.0 request"},
    }


def test_id_with_a_lone_surrogate_is_answered_with_a_null_id() -> None:
    """The SDK's writer cannot encode a lone surrogate: echoing such an id would stop the server."""
    for params in ("{}", '"x"', '{"a":"\\ud800"}'):
        line = f'{{"jsonrpc":"2.0","id":"\\ud800","method":"tools/call","params":{params}}}'
        assert wire(unanswerable_line_error(line)) == {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": -32600, "message": "Invalid Request: the id is not valid Unicode text"},
        }


def invalid_params(id_: int, field: str, detail: str) -> dict[str, JSONValue]:
    return {
        "jsonrpc": "2.0",
        "id": id_,
        "error": {
            "code": -32602,
            "message": f"Invalid params: {field}: {detail}",
            "data": {"code": "invalid_params", "field": field, "errors": []},
        },
    }


NO_NAME = "tools/call needs the tool's name (a string)"


@pytest.mark.parametrize(
    ("params", "field", "detail"),
    [
        ('{"name":"prune_text","arguments":"x"}', "arguments", "must be an object"),
        ('{"name":"prune_text","arguments":[]}', "arguments", "must be an object"),
        ('{"arguments":{}}', "name", NO_NAME),
        ('{"name":5,"arguments":{}}', "name", NO_NAME),
        ("{}", "name", NO_NAME),
        ("null", "name", NO_NAME),
        (None, "name", NO_NAME),
        ('{"name":"nope","arguments":"x"}', "name", "unknown tool 'nope'"),
    ],
)
def test_tools_call_with_a_bad_name_or_arguments_names_the_field(
    params: str | None, field: str, detail: str
) -> None:
    line = '{"jsonrpc":"2.0","id":10,"method":"tools/call"' + (f',"params":{params}}}' if params else "}")
    assert wire(unanswerable_line_error(line)) == invalid_params(10, field, detail)


def test_lone_surrogate_in_a_key_names_its_object() -> None:
    """Naming the key itself would put the lone surrogate in the answer, which cannot be written."""
    error = unanswerable_line_error(call('{"text":"a","goal_hint":"","k\\ud800":1}'))
    reason = "contains an unpaired UTF-16 surrogate, which is not valid Unicode text"
    assert wire(error) == invalid_params(7, "arguments", reason)
    line = '{"jsonrpc":"2.0","id":3,"method":"ping","params":{"\\udc00":1}}'
    assert wire(unanswerable_line_error(line)) == invalid_params(3, "params", reason)


def test_lone_surrogate_in_the_tool_name_is_named_not_echoed() -> None:
    line = '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"\\ud800","arguments":"x"}}'
    reason = "contains an unpaired UTF-16 surrogate, which is not valid Unicode text"
    assert wire(unanswerable_line_error(line)) == invalid_params(5, "name", reason)


@pytest.mark.parametrize(
    "line",
    [
        '{"jsonrpc":"2.0","method":"notifications/x","params":"x"}',
        '{"jsonrpc":"2.0","method":"tools/call","params":{"arguments":"x"}}',
        '{"jsonrpc":"2.0","id":null,"method":"tools/call","params":"x"}',
        '{"jsonrpc":"2.0","id":77,"result":{}}',
        '{"jsonrpc":"2.0","id":78,"error":{"code":1,"message":"no"}}',
        '{"jsonrpc":"1.0","id":79,"result":"x"}',
    ],
)
def test_notifications_and_responses_are_never_answered(line: str) -> None:
    assert unanswerable_line_error(line) is None


@pytest.mark.parametrize(
    "line",
    [
        '[{"jsonrpc":"2.0","id":4,"method":"tools/list"}]',
        "42",
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"x"}',
        '{"jsonrpc":"1.0","id":8,"method":"tools/list"}',
        '{"jsonrpc":"2.0","id":9,"method":5}',
        '{"jsonrpc":"2.0","id":false,"method":"ping"}',
        '{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"prune_text","arguments":"x"}}',
        '{"jsonrpc":"2.0","id":11,"method":"tools/call"}',
        '{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":["prune_text"]}}',
        '{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"nope","arguments":1}}',
        # No id, but no JSON-RPC message either: -32600 with a null id (JSON-RPC 2.0, section 5.1).
        "{}",
        '{"method":5}',
        '{"jsonrpc":"1.0","method":"notifications/x"}',
        # Half request, half response: the SDK took it for a response and the client waited forever.
        '{"jsonrpc":"2.0","id":"y","method":"ping","error":{"code":1,"message":"x"}}',
        '{"jsonrpc":"2.0","id":14,"method":"tools/list","result":{}}',
    ],
)
async def test_stdio_guard_answers_exactly_like_rpc(service: PrunerService, line: str) -> None:
    assert wire(unanswerable_line_error(line)) == await handle_message(service, json.loads(line))


def test_lone_surrogate_in_the_method_is_answered_not_dropped() -> None:
    line = '{"jsonrpc":"2.0","id":21,"method":"tools/\\ud800list"}'
    assert wire(unanswerable_line_error(line)) == {
        "jsonrpc": "2.0",
        "id": 21,
        "error": {"code": -32600, "message": "Invalid Request: the method is not valid Unicode text"},
    }
    assert unanswerable_line_error('{"jsonrpc":"2.0","method":"notifications/\\ud800"}') is None


def test_integer_too_long_to_read_gets_invalid_params_naming_the_field() -> None:
    """Valid JSON that neither ``json`` nor the SDK's parser reads (4,300+ digits): the SDK drops it."""
    answer = wire(
        unanswerable_line_error(
            call('{"text":"a","goal_hint":"","options":{"timeout_ms":' + "9" * 5_000 + "}}")
        )
    )
    assert answer["id"] == 7
    error = answer["error"]
    assert isinstance(error, dict)
    assert error["code"] == -32602
    data = error["data"]
    assert isinstance(data, dict)
    assert data["field"] == "options.timeout_ms"


def test_integer_too_long_to_read_outside_the_params_gets_invalid_request_with_the_id() -> None:
    line = '{"jsonrpc":"2.0","id":"x","method":"ping","extra":-' + "1" * 5_000 + "}"
    answer = wire(unanswerable_line_error(line))
    assert answer["id"] == "x"
    error = answer["error"]
    assert isinstance(error, dict)
    assert error["code"] == -32600
