"""The MCP server (official SDK, low-level ``Server``) over stdio and streamable HTTP.

Thin: tool names, schemas and behaviour come from :mod:`mcp_pruner._service`;
domain errors become JSON-RPC errors through :func:`mcp_pruner._errors.error_payload`
raised as the SDK's ``MCPError``.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Final, Self, cast

import anyio
import mcp.types as types
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared._stream_protocols import WriteStream
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage

from . import __version__
from ._errors import (
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorPayload,
    InvalidParams,
    JSONValue,
    PrunerError,
    error_payload,
)
from ._jsonrpc import (
    NESTED_TOO_DEEP,
    OversizedInt,
    loads,
    parse_request,
    request_id,
    tool_call_target,
    tool_definitions,
)
from ._service import TOOLS, PrunerService

__all__ = ["build_mcp_server", "serve_stdio", "unanswerable_line_error"]

log = logging.getLogger("mcp_pruner.mcp")

_INSTRUCTIONS = (
    "Call prune_text on long code, logs or docs with your goal in goal_hint. Removed blocks show as "
    "'⟦PRUNÉ: prune_id=… lignes A-B (N) raison=…⟧'; call recover_text(prune_id, ranges) for any of them."
)


class _ToolCallTarget:
    """Answers a ``tools/call`` whose ``name`` or ``arguments`` is wrong: ``-32602`` naming it, as on /rpc.

    The SDK validates those params before ``call_tool`` runs and answers a bare ``-32602`` naming
    nothing. On stdio the line guard answers first (:func:`unanswerable_line_error`); this
    server middleware runs before the SDK's validation on every transport, so ``/mcp`` does too.
    """

    async def __call__(self, ctx: ServerRequestContext[object, object], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call" and ctx.request_id is not None:
            try:
                tool_call_target(ctx.params or {})
            except InvalidParams as exc:
                payload = error_payload(exc)
                raise MCPError(payload.code, payload.message, payload.data) from None
        return await call_next(ctx)


def build_mcp_server(service: PrunerService) -> Server[object]:
    """An SDK ``Server`` whose tools are the service's functions."""
    tools = [
        types.Tool(name=str(d["name"]), description=str(d["description"]), input_schema=dict(schema))
        for d in tool_definitions()
        if isinstance(schema := d["inputSchema"], dict)
    ]

    async def list_tools(
        ctx: ServerRequestContext[object, object], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[object, object], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name not in TOOLS:
            unknown = error_payload(InvalidParams("name", f"unknown tool '{params.name}'"))  # as on /rpc
            raise MCPError(unknown.code, unknown.message, unknown.data)
        try:
            result = await service.handler(params.name)(params.arguments)
        except PrunerError as exc:
            service.metrics.record_error()
            payload = error_payload(exc)
            raise MCPError(payload.code, payload.message, payload.data) from None
        except Exception as exc:
            service.metrics.record_error()
            log.exception("unexpected error", extra={"tool": params.name})
            payload = error_payload(exc)
            raise MCPError(payload.code, payload.message, payload.data) from None
        data = result.model_dump(mode="json")
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=result.model_dump_json())],
            structured_content=data,
        )

    async def list_resources(
        ctx: ServerRequestContext[object, object], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[])

    async def list_templates(
        ctx: ServerRequestContext[object, object], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[])

    async def list_prompts(
        ctx: ServerRequestContext[object, object], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[])

    server: Server[object] = Server(
        "mcp-pruner",
        version=__version__,
        instructions=_INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_templates,
        on_list_prompts=list_prompts,
    )
    server.middleware.append(_ToolCallTarget())
    return server


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _first_field(value: JSONValue, bad: Callable[[object], bool], path: str = "") -> str | None:
    """The path of the first value ``bad`` holds for (a key it holds for: its object's path), or ``None``."""
    if bad(value):
        return path or "params"
    if isinstance(value, dict):
        for key, item in value.items():
            if bad(key):
                return path or "params"
            found = _first_field(item, bad, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_field(item, bad, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _has_surrogate(value: object) -> bool:
    """A string holding an unpaired surrogate. A key holding one cannot be named (the answer must be
    valid Unicode): :func:`_first_field` names its object instead."""
    return isinstance(value, str) and _SURROGATE_CHAR.search(value) is not None


_SURROGATE_CHAR = re.compile("[\ud800-\udfff]")


def _has_long_digit_run(line: str) -> bool:
    """Whether ``line`` may hold an :class:`OversizedInt` (a cheap test before walking the message)."""
    limit = sys.get_int_max_str_digits()
    return limit > 0 and re.search(f"[0-9]{{{limit + 1}}}", line) is not None


def _is_oversized(value: object) -> bool:
    """An integer too long to convert (:class:`OversizedInt`)."""
    return isinstance(value, OversizedInt)


def _id_key(id_: object) -> str:
    return json.dumps(id_)


def _answer(id_: str | int | None, payload: ErrorPayload) -> types.JSONRPCError:
    # validated from to_json() so that a payload without data has no "data" member, as on /rpc
    return types.JSONRPCError(jsonrpc="2.0", id=id_, error=types.ErrorData.model_validate(payload.to_json()))


def unanswerable_line_error(line: str) -> types.JSONRPCError | None:
    """The error for a stdin line the SDK would drop or answer vaguely; ``None`` for the others.

    The SDK validates each line with pydantic and drops, without an answer, a line that fails
    (the client then waits for its timeout); it answers a ``tools/call`` whose params are wrong
    with a bare ``-32602``. In order, this answers:

    * a line that is not JSON: ``-32700`` (id null);
    * JSON that is not one object: ``-32600`` (id null), as ``POST /rpc`` does;
    * a request with a non-null ``id`` (not a response) whose envelope ``POST /rpc`` refuses
      (:func:`mcp_pruner._jsonrpc.parse_request`): its ``-32600``/``-32602``, with the id if
      usable; an id holding an unpaired surrogate cannot be written back, so ``-32600`` id null;
    * an unpaired surrogate escape in the params (``"\\ud83d"``, half an emoji from a JavaScript
      client; ``json.loads`` accepts it, pydantic does not): ``-32602`` naming the field;
    * an integer of more digits than Python or the SDK's parser read (4,300): ``-32602`` naming the
      field when it is in the params, else ``-32600``, with the id;
    * a ``tools/call`` whose ``name`` or ``arguments`` is wrong: ``-32602`` naming it, as on /rpc.

    Notifications, responses and requests with ``"id": null`` are left to the SDK, unanswered.
    """
    return _screen(line)[0]


def _screen(line: str) -> tuple[types.JSONRPCError | None, str | None]:
    """:func:`unanswerable_line_error`, and the id (as :func:`_id_key`) of a request passed on."""
    if not line.strip():
        return None, None
    try:
        message = loads(line)
    except ValueError:
        return _answer(None, ErrorPayload(PARSE_ERROR, "Parse error: not JSON")), None
    except RecursionError:
        return _answer(None, ErrorPayload(PARSE_ERROR, NESTED_TOO_DEEP)), None
    if isinstance(message, dict) and ("result" in message or "error" in message) and "method" not in message:
        return None, None  # a response to one of our requests: the SDK's business
    if isinstance(message, dict) and message.get("id") is None:
        # No id: a notification, never answered, unless it is no JSON-RPC message at all
        # ("{}", a non-string method), which JSON-RPC answers with -32600 and a null id, as /rpc does.
        if "id" not in message:
            invalid = parse_request(message)
            if isinstance(invalid, ErrorPayload) and invalid.code == INVALID_REQUEST:
                return _answer(None, invalid), None
        return None, None
    id_ = request_id(message)
    if isinstance(id_, str) and _SURROGATE_CHAR.search(id_):
        unwritable = ErrorPayload(INVALID_REQUEST, "Invalid Request: the id is not valid Unicode text")
        return _answer(None, unwritable), None
    request = parse_request(message)
    if isinstance(request, ErrorPayload):
        return _answer(id_, request), None
    method, params = request
    if _SURROGATE_CHAR.search(method):  # the SDK would drop the line: answered here
        return _answer(
            id_, ErrorPayload(INVALID_REQUEST, "Invalid Request: the method is not valid Unicode text")
        ), None
    field = _first_field(params, _has_surrogate) if _SURROGATE_ESCAPE.search(line) else None
    if field is not None:
        reason = "contains an unpaired UTF-16 surrogate, which is not valid Unicode text"
        return _answer(id_, error_payload(InvalidParams(field.removeprefix("arguments."), reason))), None
    oversized = _first_field(message, _is_oversized) if _has_long_digit_run(line) else None
    if oversized is not None:  # the SDK's parser refuses it too, and would drop the line
        if not oversized.startswith("params."):
            long_number = ErrorPayload(
                INVALID_REQUEST, "Invalid Request: an integer has too many digits to read"
            )
            return _answer(id_, long_number), None
        reason = "an integer with too many digits to read"
        name = oversized.removeprefix("params.").removeprefix("arguments.")
        return _answer(id_, error_payload(InvalidParams(name, reason))), None
    if method == "tools/call":
        try:
            tool_call_target(params)
        except InvalidParams as exc:
            return _answer(id_, error_payload(exc)), None
    return None, _id_key(id_)


def _cancelled_request(line: str) -> str | int | None:
    """The id a ``notifications/cancelled`` line cancels, or ``None`` (any other line)."""
    if '"notifications/cancelled"' not in line:
        return None
    message = loads(line)
    if not isinstance(message, dict) or message.get("method") != "notifications/cancelled":
        return None
    params = message.get("params")
    return request_id({"id": params.get("requestId")}) if isinstance(params, dict) else None


_DRAIN_S: Final = 300.0
"""After stdin closes, requests already read still get their answers, for up to this long."""


class _AnsweringStdout:
    """The SDK's write stream, noting which requests have had their answer written."""

    def __init__(self, inner: WriteStream[SessionMessage], stdin: _GuardedStdin) -> None:
        self._inner = inner
        self._stdin = stdin

    async def send(self, item: SessionMessage, /) -> None:
        await self._inner.send(item)
        message = item.message
        if isinstance(message, types.JSONRPCResponse | types.JSONRPCError):
            self._stdin.answered(message.id)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        await self.aclose()
        return None


class _GuardedStdin:
    """stdin as lines for the SDK, minus the lines answered here (see :func:`unanswerable_line_error`).

    At the end of stdin it waits (up to :data:`_DRAIN_S`) for the answers to the requests it passed
    on: a client that writes its requests and closes stdin (``printf … | mcp-pruner serve``) gets
    them all, where the SDK, told of the end at once, would cancel them ("Connection closed").
    A request the client cancelled (``notifications/cancelled``) gets no answer and is not waited for.
    """

    def __init__(self) -> None:
        wrapper = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
        self._source = anyio.wrap_file(wrapper)
        self._writer: WriteStream[SessionMessage] | None = None
        self._ready = anyio.Event()
        self._pending: set[str] = set()
        self._settled = anyio.Event()

    def attach(self, writer: WriteStream[SessionMessage]) -> None:
        self._writer = writer
        self._ready.set()

    def answered(self, id_: object) -> None:
        self._pending.discard(_id_key(id_))
        if not self._pending:
            self._settled.set()

    async def __aiter__(self) -> AsyncIterator[str]:
        async for line in self._source:
            error, request = _screen(line)
            if error is None:
                if request is not None:
                    self._pending.add(request)
                    self._settled = anyio.Event()
                cancelled = _cancelled_request(line)
                if cancelled is not None:  # the SDK answers a cancelled request with nothing
                    self.answered(cancelled)
                yield line
                continue
            await self._ready.wait()
            if self._writer is not None:
                await self._writer.send(SessionMessage(error))
        if self._pending:
            with anyio.move_on_after(_DRAIN_S):
                await self._settled.wait()


async def serve_stdio(service: PrunerService) -> None:
    """Serve MCP over this process's stdin/stdout until the client closes stdin."""
    server = build_mcp_server(service)
    stdin = _GuardedStdin()
    async with stdio_server(stdin=cast("anyio.AsyncFile[str]", stdin)) as (read_stream, write_stream):
        stdin.attach(write_stream)
        log.info("serving MCP over stdio", extra={"transport": "stdio", "version": __version__})
        stdout = _AnsweringStdout(write_stream, stdin)
        await server.run(read_stream, stdout, server.create_initialization_options())
