"""Plain JSON-RPC 2.0 over ``POST /rpc``, as the proxy speaks it (one request object per POST).

Accepts the MCP methods (``initialize``, ``notifications/initialized``,
``tools/list``, ``tools/call``, ``ping``, empty ``resources/*`` and
``prompts/list``) and the legacy direct methods ``prune_text``,
``recover_text``, ``recover_range`` and ``health`` whose ``params`` are the tool
arguments and whose ``result`` is the tool's JSON object.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel

from . import __version__
from ._errors import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    ErrorPayload,
    InvalidParams,
    JSONValue,
    PrunerError,
    error_payload,
)
from ._service import TOOLS, PrunerService

__all__ = [
    "LEGACY_METHODS",
    "NESTED_TOO_DEEP",
    "SUPPORTED_PROTOCOL_VERSIONS",
    "OversizedInt",
    "dumps",
    "handle_body",
    "handle_message",
    "loads",
    "parse_request",
    "request_id",
    "tool_call_target",
    "tool_definitions",
    "tool_result_payload",
]

log = logging.getLogger("mcp_pruner.rpc")

SUPPORTED_PROTOCOL_VERSIONS: Final = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
LEGACY_METHODS: Final = ("prune_text", "recover_text", "recover_range", "health")
NESTED_TOO_DEEP: Final = "Parse error: JSON nested too deeply to read"
"""Valid JSON, perhaps, but deeper than the parser goes (about 1,000 levels): not "not JSON"."""
_EMPTY_LISTS: Final[dict[str, str]] = {
    "resources/list": "resources",
    "resources/templates/list": "resourceTemplates",
    "prompts/list": "prompts",
}


class _MethodNotFound(Exception):
    pass


class OversizedInt(float):
    """An integer literal longer than Python converts (``sys.get_int_max_str_digits()``, 4,300 digits).

    Valid JSON all the same: it reads as this float (``±inf``), so the request keeps its id and a
    bad field is named like any other number out of range, instead of the body becoming "not JSON".
    """


def _parse_int(literal: str) -> int | float:
    try:
        return int(literal)
    except ValueError:
        return OversizedInt(literal)


def loads(data: str | bytes) -> JSONValue:
    """``json.loads`` for both transports; integers too long to convert become :class:`OversizedInt`.

    Read a second time only when the first read fails (not JSON, or such an integer), so that
    ordinary bodies pay nothing for it.
    """
    try:
        value: JSONValue = json.loads(data)
    except ValueError:
        value = json.loads(data, parse_int=_parse_int)
    return value


def dumps(obj: JSONValue) -> bytes:
    """Compact UTF-8 JSON (non-ASCII kept as is)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _as_json(model: BaseModel) -> dict[str, JSONValue]:
    data: dict[str, JSONValue] = json.loads(model.model_dump_json())
    return data


def tool_definitions() -> list[dict[str, JSONValue]]:
    """``tools/list`` entries: the JSON schemas come from the input models."""
    out: list[dict[str, JSONValue]] = []
    for spec in TOOLS.values():
        schema: dict[str, JSONValue] = json.loads(json.dumps(spec.input_model.model_json_schema()))
        out.append({"name": spec.name, "description": spec.description, "inputSchema": schema})
    return out


def tool_result_payload(result: BaseModel) -> dict[str, JSONValue]:
    """An MCP ``CallToolResult``: the JSON as text content, and as structured content."""
    data = _as_json(result)
    return {
        "content": [{"type": "text", "text": json.dumps(data, ensure_ascii=False)}],
        "structuredContent": data,
        "isError": False,
    }


def _error(id_: JSONValue, payload: ErrorPayload) -> dict[str, JSONValue]:
    return {"jsonrpc": "2.0", "id": id_, "error": payload.to_json()}


def _initialize_result(params: Mapping[str, JSONValue]) -> dict[str, JSONValue]:
    asked = params.get("protocolVersion")
    version = asked if isinstance(asked, str) and asked in SUPPORTED_PROTOCOL_VERSIONS else "2025-06-18"
    return {
        "protocolVersion": version,
        "capabilities": {
            "tools": {"listChanged": False},
            "resources": {"subscribe": False, "listChanged": False},
            "prompts": {"listChanged": False},
        },
        "serverInfo": {"name": "mcp-pruner", "version": __version__},
        "instructions": "Call prune_text on long code, logs or docs with your goal; recover_text gets any "
        "removed line back exactly.",
    }


def request_id(message: JSONValue) -> str | int | None:
    """The message's ``id`` when it is a usable one (a string or an integer, not a boolean), else ``None``."""
    raw_id = message.get("id") if isinstance(message, dict) else None
    return raw_id if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None


def parse_request(message: JSONValue) -> tuple[str, dict[str, JSONValue]] | ErrorPayload:
    """The method and params (``{}`` when absent or null) of a decoded message, or why it is no request.

    ``-32600`` for anything but one JSON-RPC 2.0 object with a string ``method``, no ``result`` or
    ``error`` and, if it has a non-null ``id``, a usable one (:func:`request_id`); ``-32602`` when
    ``params`` is neither an object nor null. The one place both transports decide this: ``POST /rpc``
    answers the error (but not a ``-32602`` to a notification), the stdio guard answers it to a
    request with an id.
    """
    if not isinstance(message, dict):
        detail = "batch requests are not supported" if isinstance(message, list) else "not a JSON object"
        return ErrorPayload(INVALID_REQUEST, f"Invalid Request: {detail}")
    method = message.get("method")
    bad_id = message.get("id") is not None and request_id(message) is None
    if message.get("jsonrpc") != "2.0" or not isinstance(method, str) or bad_id:
        return ErrorPayload(INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 request")
    if "result" in message or "error" in message:
        # Half request, half response: the SDK takes it for a response and never answers it.
        return ErrorPayload(INVALID_REQUEST, "Invalid Request: a request has no result or error member")
    params = message.get("params")
    if params is None:
        return method, {}
    if not isinstance(params, dict):
        return ErrorPayload(INVALID_PARAMS, "Invalid params: params must be an object")
    return method, params


def tool_call_target(params: Mapping[str, JSONValue]) -> tuple[str, dict[str, JSONValue] | None]:
    """The tool name and arguments of ``tools/call`` params; :class:`InvalidParams` naming the bad field."""
    name = params.get("name")
    if not isinstance(name, str):
        raise InvalidParams("name", "tools/call needs the tool's name (a string)")
    if name not in TOOLS:
        raise InvalidParams("name", f"unknown tool '{name}'")
    arguments = params.get("arguments")
    if arguments is not None and not isinstance(arguments, dict):
        raise InvalidParams("arguments", "must be an object")
    return name, arguments


async def _dispatch(service: PrunerService, method: str, params: Mapping[str, JSONValue]) -> JSONValue:
    if method == "initialize":
        return _initialize_result(params)
    if method == "ping" or method.startswith("notifications/"):
        return {}
    if method == "tools/list":
        return {"tools": list(tool_definitions())}
    if method in _EMPTY_LISTS:
        return {_EMPTY_LISTS[method]: []}
    if method == "tools/call":
        name, arguments = tool_call_target(params)
        result = await service.handler(name)(arguments)
        return tool_result_payload(result)
    if method in LEGACY_METHODS:
        return _as_json(await service.handler(method)(params))
    raise _MethodNotFound(method)


async def handle_message(service: PrunerService, message: JSONValue) -> dict[str, JSONValue] | None:
    """Answer one decoded JSON-RPC message; ``None`` for a notification (no response)."""
    id_ = request_id(message)
    is_notification = isinstance(message, dict) and "id" not in message
    request = parse_request(message)
    if isinstance(request, ErrorPayload):
        if is_notification and request.code == INVALID_PARAMS:
            return None
        return _error(id_, request)
    method, params = request
    try:
        result = await _dispatch(service, method, params)
    except _MethodNotFound:
        if is_notification:
            return None
        return _error(id_, ErrorPayload(METHOD_NOT_FOUND, f"Method not found: {method}", {"method": method}))
    except PrunerError as exc:
        service.metrics.record_error()
        return None if is_notification else _error(id_, error_payload(exc))
    except Exception as exc:
        service.metrics.record_error()
        log.exception("unexpected error", extra={"method": method})
        return None if is_notification else _error(id_, error_payload(exc))
    if is_notification:
        return None
    return {"jsonrpc": "2.0", "id": id_, "result": result}


async def handle_body(service: PrunerService, body: bytes) -> dict[str, JSONValue] | None:
    """Decode a POST body and answer it (``-32700`` when it is not JSON)."""
    try:
        message = loads(body)
    except ValueError:
        return _error(None, ErrorPayload(PARSE_ERROR, "Parse error: the body is not valid JSON"))
    except RecursionError:
        return _error(None, ErrorPayload(PARSE_ERROR, NESTED_TOO_DEEP))
    return await handle_message(service, message)
