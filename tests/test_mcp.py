"""The stdin guard of the stdio transport (lines the SDK would drop without an answer)."""

from __future__ import annotations

import json

from mcp_pruner._mcp import unanswerable_line_error


def call(arguments: str) -> str:
    return (
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"prune_text","arguments":'
        + arguments
        + "}}\n"
    )


def test_ordinary_lines_pass_through() -> None:
    assert unanswerable_line_error(call('{"text":"a\\u00e9\\ud83d\\ude00","goal_hint":""}')) is None
    assert unanswerable_line_error("\n") is None
    assert unanswerable_line_error('{"broken": \n') is None  # left to the SDK


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
