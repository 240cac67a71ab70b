"""MCP over stdio, end to end: the official SDK's stdio client launching the real ``mcp-pruner serve``."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.types import CallToolResult, InitializeResult, TextContent

import mcp_pruner
from mcp_pruner._contract import MARKER_RE
from pruner_testkit import assert_markers_match_annotations, server_env, synthetic_python

_READ_TIMEOUT_S = 60.0


@asynccontextmanager
async def stdio_session(
    store_path: Path, **extra_env: str
) -> AsyncIterator[tuple[ClientSession, InitializeResult, float]]:
    """A connected, initialized session to a fresh server process; also the seconds to ``initialize``."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "mcp_pruner", "serve"],
        env=server_env(store_path, **extra_env),
        cwd=str(store_path.parent),
    )
    errlog_path = store_path.parent / f"stdio-{time.monotonic_ns()}.stderr"
    with errlog_path.open("w", encoding="utf-8") as errlog:
        started = time.perf_counter()
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write, read_timeout_seconds=_READ_TIMEOUT_S) as session,
        ):
            init = await session.initialize()
            yield session, init, time.perf_counter() - started


def stderr_lines(directory: Path) -> list[str]:
    (log_file,) = directory.glob("stdio-*.stderr")
    return [line for line in log_file.read_text(encoding="utf-8").splitlines() if line.strip()]


def payload(result: CallToolResult) -> dict[str, object]:
    """The tool's JSON object; ``content[0].text`` and ``structuredContent`` must be the same object."""
    assert result.is_error is False
    assert len(result.content) >= 1
    first = result.content[0]
    assert isinstance(first, TextContent)
    data = json.loads(first.text)
    assert isinstance(data, dict)
    assert result.structured_content == data
    return data


async def expect_error(session: ClientSession, tool: str, arguments: dict[str, object]) -> MCPError:
    with pytest.raises(MCPError) as info:
        await session.call_tool(tool, arguments)
    return info.value


def _resolve(schema: dict[str, object], node: object) -> list[dict[str, object]]:
    """The object schemas behind ``node``: follows ``$ref`` and ``anyOf`` (dropping the null arm)."""
    assert isinstance(node, dict)
    if "$ref" in node:
        ref = node["$ref"]
        assert isinstance(ref, str)
        assert ref.startswith("#/$defs/")
        defs = schema["$defs"]
        assert isinstance(defs, dict)
        return _resolve(schema, defs[ref.removeprefix("#/$defs/")])
    if "anyOf" in node:
        arms = node["anyOf"]
        assert isinstance(arms, list)
        out: list[dict[str, object]] = []
        for arm in arms:
            if arm != {"type": "null"}:
                out.extend(_resolve(schema, arm))
        return out
    return [node]


async def test_handshake_and_tools_list(tmp_path: Path) -> None:
    async with stdio_session(tmp_path / "store.sqlite3") as (session, init, seconds):
        print(f"\nstdio: process start -> initialize answered in {seconds * 1000:.0f} ms")
        assert init.server_info.name == "mcp-pruner"
        assert init.server_info.version == mcp_pruner.__version__
        assert init.capabilities.tools is not None
        assert init.instructions
        assert "recover_text" in init.instructions

        listed = await session.list_tools()
        tools = {t.name: t for t in listed.tools}
        assert {"prune_text", "recover_text", "recover_range", "health"} <= set(tools)

        schema = tools["prune_text"].input_schema
        assert schema["type"] == "object"
        assert schema.get("additionalProperties") is False
        assert set(schema["required"]) == {"text", "goal_hint"}
        props = schema["properties"]
        assert props["text"]["type"] == "string"
        assert props["goal_hint"]["type"] == "string"
        (source_type,) = _resolve(schema, props["source_type"])
        assert source_type["enum"] == ["code", "logs", "docs"]
        (options,) = _resolve(schema, props["options"])
        assert options.get("additionalProperties") is False
        option_props = options["properties"]
        assert isinstance(option_props, dict)
        assert {
            "max_prune_ratio",
            "min_keep_lines",
            "timeout_ms",
            "annotate_lines",
            "include_markers",
            "keep_ratio",
            "token_budget",
        } <= set(option_props)

        recover_schema = tools["recover_text"].input_schema
        assert set(recover_schema["required"]) == {"prune_id"}
        assert {"prune_id", "ranges", "include_line_numbers"} <= set(recover_schema["properties"])
        assert tools["recover_range"].input_schema == recover_schema

        # The other list methods answer (empty lists).
        assert (await session.list_resources()).resources == []
        assert (await session.list_prompts()).prompts == []
        await session.send_ping()


async def test_every_tool_round_trips_over_stdio(tmp_path: Path) -> None:
    text = synthetic_python(40)
    lines = text.split("\n")[:-1]
    async with stdio_session(tmp_path / "store.sqlite3", MCP_PRUNER_LOG_LEVEL="INFO") as (session, _, _):
        pruned = payload(
            await session.call_tool(
                "prune_text",
                {
                    "text": text,
                    "goal_hint": "where is func_17 computed",
                    "source_type": "code",
                    "options": {
                        "max_prune_ratio": 0.9,
                        "min_keep_lines": 5,
                        "timeout_ms": 30000,
                        "annotate_lines": False,
                        "include_markers": True,
                    },
                },
            )
        )
        assert set(pruned) >= {"prune_id", "pruned_text", "annotations", "stats", "warnings"}
        prune_id = pruned["prune_id"]
        assert isinstance(prune_id, str)
        assert prune_id.startswith("prn_")
        annotations = pruned["annotations"]
        assert isinstance(annotations, list)
        assert annotations, "a 400-line module should lose some lines"
        pruned_text = pruned["pruned_text"]
        assert isinstance(pruned_text, str)
        assert_markers_match_annotations(pruned_text, annotations, prune_id)
        assert all(MARKER_RE.match(a["marker"]) for a in annotations)
        stats = pruned["stats"]
        assert isinstance(stats, dict)
        assert stats["original_lines"] == len(lines)
        assert stats["kept_lines"] + stats["pruned_lines"] == len(lines)
        assert stats["backend"] == "heuristic"
        assert stats["used_fallback"] is False
        assert pruned["warnings"] == []

        for ann in annotations:
            start, end = ann["original_start_line"], ann["original_end_line"]
            got = payload(
                await session.call_tool(
                    "recover_text", {"prune_id": prune_id, "ranges": [{"start_line": start, "end_line": end}]}
                )
            )
            assert got["raw_text"] == "\n".join(lines[start - 1 : end])

        whole = payload(await session.call_tool("recover_range", {"prune_id": prune_id}))
        assert whole["raw_text"] == text.removesuffix("\n")
        assert whole["metadata"] == {
            "prune_id": prune_id,
            "ranges": [{"start_line": 1, "end_line": len(lines)}],
            "line_numbering": "original",
            "total_lines": len(lines),
            "text_ends_with_newline": True,
        }
        numbered = payload(
            await session.call_tool(
                "recover_text",
                {
                    "prune_id": prune_id,
                    "ranges": [{"start_line": 3, "end_line": 4}, {"start_line": 1, "end_line": 1}],
                    "include_line_numbers": True,
                },
            )
        )
        assert numbered["raw_text"] == f"3│ {lines[2]}\n4│ {lines[3]}\n1│ {lines[0]}"

        health = payload(await session.call_tool("health", {}))
        assert health["status"] == "healthy"
        assert health["server"] == "mcp-pruner"
        assert health["version"] == mcp_pruner.__version__
        assert health["capabilities"] == ["prune_text", "recover_text", "annotations", "markers"]
        metrics = health["metrics"]
        assert isinstance(metrics, dict)
        assert metrics["calls_total"] == 1
    # stdout carried only the protocol (the SDK parsed every line); the logs went to stderr as JSON lines.
    log_lines = stderr_lines(tmp_path)
    assert log_lines, "INFO logs are expected on stderr"
    for line in log_lines:
        assert isinstance(json.loads(line), dict)
    assert not any(text.split("\n")[5] in line for line in log_lines), "logs must never contain the text"


async def test_errors_over_stdio_carry_contract_codes(tmp_path: Path) -> None:
    async with stdio_session(tmp_path / "store.sqlite3") as (session, _, _):
        err = await expect_error(session, "recover_text", {"prune_id": "prn_doesnotexist"})
        assert err.code == -32004
        assert err.message == "prune_id_not_found"
        assert err.data["code"] == "prune_id_not_found"
        assert err.data["prune_id"] == "prn_doesnotexist"

        made = payload(await session.call_tool("prune_text", {"text": "a\nb\nc\n", "goal_hint": "b"}))
        prune_id = made["prune_id"]
        for bad in (
            {"start_line": 0, "end_line": 2},
            {"start_line": 3, "end_line": 2},
            {"start_line": 4, "end_line": 9},
        ):
            err = await expect_error(session, "recover_text", {"prune_id": prune_id, "ranges": [bad]})
            assert err.code == -32005
            assert err.message == "invalid_range"
            assert err.data["code"] == "invalid_range"
            assert err.data["range"] == bad
            assert err.data["max_line"] == 3
        clamped = payload(
            await session.call_tool(
                "recover_text", {"prune_id": prune_id, "ranges": [{"start_line": 2, "end_line": 99}]}
            )
        )
        assert clamped["raw_text"] == "b\nc"

        err = await expect_error(session, "prune_text", {"text": "a", "goal_hint": "", "colour": "red"})
        assert err.code == -32602
        assert "colour" in err.message
        assert err.data["field"] == "colour"

        err = await expect_error(
            session, "prune_text", {"text": "a", "goal_hint": "", "options": {"annotate_lines": "yes"}}
        )
        assert err.code == -32602
        assert err.data["field"] == "options.annotate_lines"
        assert "options.annotate_lines" in err.message

        err = await expect_error(session, "prune_text", {"text": 42, "goal_hint": ""})
        assert err.code == -32602
        assert err.data["field"] == "text"

        err = await expect_error(session, "prune_text", {"goal_hint": "x"})
        assert err.code == -32602
        assert err.data["field"] == "text"
        assert "text" in err.message

        err = await expect_error(session, "no_such_tool", {})
        assert err.code == -32602
        assert "no_such_tool" in err.message
        assert err.data["code"] == "invalid_params"  # same shape as every other -32602
        assert err.data["field"] == "name"

        # Still serving, and the earlier prune_id still recovers.
        again = payload(await session.call_tool("recover_text", {"prune_id": prune_id}))
        assert again["raw_text"] == "a\nb\nc"


async def test_prune_id_recovers_after_server_restart(tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite3"
    text = "line one\r\n\tindented \u00e9t\u00e9  \n😀 emoji\n\n" + synthetic_python(5)
    async with stdio_session(store) as (session, _, _):
        made = payload(await session.call_tool("prune_text", {"text": text, "goal_hint": "func_3"}))
    prune_id = made["prune_id"]
    async with stdio_session(store) as (session, _, _):
        got = payload(await session.call_tool("recover_text", {"prune_id": prune_id}))
        part = payload(
            await session.call_tool(
                "recover_text", {"prune_id": prune_id, "ranges": [{"start_line": 1, "end_line": 3}]}
            )
        )
    assert got["raw_text"] == text.removesuffix("\n")
    assert part["raw_text"] == "line one\r\n\tindented \u00e9t\u00e9  \n😀 emoji"


async def test_two_million_characters_get_through_stdio(tmp_path: Path) -> None:
    """Regression guard: the largest allowed input (multi-byte, ~5 MB of UTF-8) passes the stdio transport."""
    line = "ERROR 😀 漢字 request failed\tcode=42 "
    text = "\n".join(f"{line}{i}" for i in range(60_000))[:2_000_000]
    assert len(text) == 2_000_000
    async with stdio_session(tmp_path / "store.sqlite3") as (session, _, _):
        made = payload(await session.call_tool("prune_text", {"text": text, "goal_hint": "request 4242"}))
        warnings = made["warnings"]
        assert isinstance(warnings, list)
        assert "input_too_large" not in warnings
        got = payload(await session.call_tool("recover_text", {"prune_id": made["prune_id"]}))
    assert got["raw_text"] == text


def error_code(message: dict[str, object]) -> object:
    error = message.get("error")
    return error.get("code") if isinstance(error, dict) else None


class RawStdio:
    """A real ``mcp-pruner serve`` fed raw lines on stdin (no SDK client); its stdout read as JSON lines."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self._lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self._lines.put(raw)

    def send(self, obj: object) -> None:
        """One line: ``bytes`` as they are, anything else as JSON."""
        assert self.process.stdin is not None
        self.process.stdin.write((obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n")
        self.process.stdin.flush()

    def answer_to(self, id_: int) -> tuple[dict[str, object], list[dict[str, object]]]:
        """The message with this id, and the messages written before it."""
        before: list[dict[str, object]] = []
        deadline = time.monotonic() + 30
        while True:
            message = json.loads(self._lines.get(timeout=max(0.1, deadline - time.monotonic())))
            assert isinstance(message, dict)
            if message.get("id") == id_:
                return message, before
            before.append(message)

    def initialize(self) -> None:
        self.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                              "clientInfo": {"name": "raw", "version": "0"}}})  # fmt: skip
        assert self.answer_to(1)[0]["result"]
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})


@contextmanager
def raw_stdio(tmp_path: Path) -> Iterator[RawStdio]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mcp_pruner", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=server_env(tmp_path / "store.sqlite3"),
        cwd=tmp_path,
    )
    try:
        yield RawStdio(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_garbage_lines_on_stdin_are_answered_and_do_not_stop_the_server(tmp_path: Path) -> None:
    """Raw stdio (no SDK client): bad lines get an error answer and the next request is answered.

    The SDK's stdio server drops a line it cannot parse without answering; our stdin guard answers
    a non-JSON line with -32700 (id null) and a lone surrogate escape (``\\ud800``, valid JSON but
    not Unicode) with -32602 naming the field, so a client never waits for its timeout.
    """
    with raw_stdio(tmp_path) as server:
        server.initialize()
        arguments = {"text": "x\ny\n", "goal_hint": ""}
        server.send(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "prune_text", "arguments": arguments},
            }
        )
        called = server.answer_to(2)[0]["result"]
        assert isinstance(called, dict)
        made = called["structuredContent"]
        for garbage in (
            b"not json at all {",
            b"",
            b"[1, 2",
            b"\xff\xfe",
            b'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"prune_text",'
            b'"arguments":{"text":"a\\ud800","goal_hint":""}}}',
        ):
            server.send(garbage)
        refused, skipped = server.answer_to(3)
        assert error_code(refused) == -32602
        error = refused["error"]
        assert isinstance(error, dict)
        assert error["data"]["field"] == "text"
        recover = {"name": "recover_text", "arguments": {"prune_id": made["prune_id"]}}
        server.send({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": recover})
        recovered, more = server.answer_to(4)
        assert isinstance(recovered["result"], dict)
        assert recovered["result"]["structuredContent"]["raw_text"] == "x\ny"
        assert server.process.poll() is None
        parse_errors = [m for m in skipped + more if m.get("id") is None and error_code(m) == -32700]
        assert len(parse_errors) >= 2  # "not json at all {" and the invalid UTF-8 line


def _error(id_: object, code: int, message: str, data: object = None) -> dict[str, object]:
    error: dict[str, object] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": id_, "error": error}


def _invalid_params(id_: int, field: str, detail: str) -> dict[str, object]:
    data = {"code": "invalid_params", "field": field, "errors": []}
    return _error(id_, -32602, f"Invalid params: {field}: {detail}", data)


_NO_REQUEST = "Invalid Request: expected a JSON-RPC 2.0 request"
_NO_NAME = "tools/call needs the tool's name (a string)"
_SURROGATE = "contains an unpaired UTF-16 surrogate, which is not valid Unicode text"

# (line, the messages the server must write for it: exactly these, before the next request's answer)
BAD_REQUEST_LINES: list[tuple[bytes, list[dict[str, object]]]] = [
    (b"{not json", [_error(None, -32700, "Parse error: not JSON")]),
    (b"[" * 100_000, [_error(None, -32700, "Parse error: JSON nested too deeply to read")]),
    (
        b'[{"jsonrpc":"2.0","id":4,"method":"tools/list"}]',
        [_error(None, -32600, "Invalid Request: batch requests are not supported")],
    ),
    (b"42", [_error(None, -32600, "Invalid Request: not a JSON object")]),
    (
        b'{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"x"}',
        [_error(7, -32602, "Invalid params: params must be an object")],
    ),
    (b'{"jsonrpc":"1.0","id":8,"method":"tools/list"}', [_error(8, -32600, _NO_REQUEST)]),
    (b'{"jsonrpc":"2.0","id":9,"method":5}', [_error(9, -32600, _NO_REQUEST)]),
    (b'{"jsonrpc":"2.0","id":true,"method":"ping"}', [_error(None, -32600, _NO_REQUEST)]),
    (
        b'{"jsonrpc":"2.0","id":"\\ud800","method":"ping"}',
        [_error(None, -32600, "Invalid Request: the id is not valid Unicode text")],
    ),
    (
        b'{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"prune_text","arguments":"x"}}',
        [_invalid_params(10, "arguments", "must be an object")],
    ),
    (b'{"jsonrpc":"2.0","id":11,"method":"tools/call"}', [_invalid_params(11, "name", _NO_NAME)]),
    (
        b'{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":5,"arguments":{}}}',
        [_invalid_params(12, "name", _NO_NAME)],
    ),
    (
        b'{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"prune_text",'
        b'"arguments":{"text":"a","goal_hint":"","k\\ud800":1}}}',
        [_invalid_params(13, "arguments", _SURROGATE)],
    ),
    (b'{"jsonrpc":"2.0","method":"notifications/x","params":"x"}', []),
    (b'{"jsonrpc":"2.0","id":77,"result":{}}', []),
    (b"{}", [_error(None, -32600, _NO_REQUEST)]),
    (
        b'{"jsonrpc":"2.0","id":14,"method":"tools/\\ud800list"}',
        [_error(14, -32600, "Invalid Request: the method is not valid Unicode text")],
    ),
]


def test_bad_requests_on_stdin_get_exactly_their_error_and_the_server_keeps_answering(
    tmp_path: Path,
) -> None:
    """Regression guard: the SDK drops these lines (or answers a bare -32602); the client would hang.

    Each bad line is followed by ``tools/list``: what comes before that answer must be exactly the
    bad line's error (the same as ``POST /rpc`` gives), or nothing for a notification or a response.
    """
    with raw_stdio(tmp_path) as server:
        server.initialize()
        for i, (line, expected) in enumerate(BAD_REQUEST_LINES):
            server.send(line)
            server.send({"jsonrpc": "2.0", "id": 1000 + i, "method": "tools/list"})
            listed, before = server.answer_to(1000 + i)
            assert before == expected, line[:200]
            result = listed["result"]
            assert isinstance(result, dict)
            assert result["tools"]
        assert server.process.poll() is None


def test_requests_written_before_stdin_closes_all_get_their_answers(tmp_path: Path) -> None:
    """``printf '<requests>' | mcp-pruner serve``: stdin ends while the calls run; none is dropped."""
    text = "\n".join(f"def step_{k}(x):\n    return x + {k}\n" for k in range(2000))
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "pipe", "version": "0"}}}  # fmt: skip
    calls = [
        {"jsonrpc": "2.0", "id": k, "method": "tools/call",
         "params": {"name": "prune_text", "arguments": {"text": text, "goal_hint": f"step_{k}"}}}
        for k in range(2, 7)
    ]  # fmt: skip
    lines = [init, {"jsonrpc": "2.0", "method": "notifications/initialized"}, *calls]
    stdin = "".join(json.dumps(m) + "\n" for m in lines).encode()
    done = subprocess.run(
        [sys.executable, "-m", "mcp_pruner", "serve"],
        input=stdin,
        capture_output=True,
        env=server_env(tmp_path / "store.sqlite3"),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    answers = {m["id"]: m for m in map(json.loads, done.stdout.decode().splitlines())}
    assert sorted(answers) == [1, 2, 3, 4, 5, 6]
    for k in range(2, 7):
        result = answers[k]["result"]
        assert not result.get("isError"), result
        assert f"def step_{k}(x):" in result["structuredContent"]["pruned_text"]


def test_a_request_the_client_cancelled_does_not_hold_the_exit_after_stdin_closes(tmp_path: Path) -> None:
    """A cancelled request gets no answer (MCP): once stdin closes, the server must not wait for one.

    Regression guard: the drain waited for every request passed on, cancelled ones included, so a
    client that cancelled a call and closed stdin left the server running for ``_DRAIN_S`` (300 s).
    """
    text = "\n".join(f"def step_{k}(x):\n    return x + {k}\n" for k in range(20_000))
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "pipe", "version": "0"}}}  # fmt: skip
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "prune_text", "arguments": {"text": text, "goal_hint": "step_7"}}}  # fmt: skip
    cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2}}
    lines = [init, {"jsonrpc": "2.0", "method": "notifications/initialized"}, call, cancel]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "mcp_pruner", "serve"],
        input="".join(json.dumps(m) + "\n" for m in lines).encode(),
        capture_output=True,
        env=server_env(tmp_path / "store.sqlite3"),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert time.monotonic() - started < 30
    answers = {m["id"]: m for m in map(json.loads, done.stdout.decode().splitlines())}
    assert 1 in answers
