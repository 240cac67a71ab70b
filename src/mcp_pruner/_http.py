"""The HTTP transport: ``POST /rpc`` (plain JSON-RPC), ``GET /health`` and MCP streamable HTTP at ``/mcp``.

Bodies are capped well above ``MCP_PRUNER_MAX_INPUT_CHARS`` (a 2,000,000-character
text can take ~8 MB of JSON, 24 MB when every character is an escaped emoji), on
``/rpc`` and ``/mcp`` alike; the SDK's 4 MiB default would refuse such inputs.

``/rpc`` also takes a body sent with ``Content-Encoding: gzip`` or ``deflate`` (a proxy
compressing what it forwards): it is decoded with the stdlib's ``zlib``, and the cap applies to
the decoded bytes too (zlib is asked for at most that much), so a small body cannot expand
without end.
Other codings are refused with 415, naming the header.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
import zlib
from typing import Final

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from . import __version__
from ._errors import INVALID_REQUEST, PARSE_ERROR, JSONValue
from ._jsonrpc import handle_body
from ._mcp import build_mcp_server
from ._service import PrunerService

__all__ = ["body_limit", "build_http_app", "serve_http"]

log = logging.getLogger("mcp_pruner.http")

_MAX_ESCAPE_BYTES: Final = 12
_WBITS: Final = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""``Content-Encoding`` values ``/rpc`` decodes, as zlib window bits (gzip framing; zlib framing,
which is what HTTP calls deflate; ``identity`` needs nothing)."""


class _BodyError(Exception):
    """A body that cannot be read: the HTTP status and the JSON-RPC error to answer."""

    def __init__(self, status: int, code: int, message: str, data: dict[str, JSONValue]) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data


def _codings(header: str | None) -> list[str]:
    """The codings of a ``Content-Encoding`` header in the order they were applied (``identity`` dropped)."""
    if not header:
        return []
    return [c for c in (part.strip().lower() for part in header.split(",")) if c and c != "identity"]


def _decode(body: bytes, codings: list[str], limit: int) -> bytes:
    """Undo ``codings`` (last applied first), never holding more than ``limit`` decoded bytes."""
    for coding in reversed(codings):
        wbits = _WBITS[coding]
        d = zlib.decompressobj(wbits)
        try:
            out = d.decompress(body, limit + 1)
            if len(out) <= limit and not d.unconsumed_tail:
                out += d.flush()
        except zlib.error:
            raise _BodyError(
                400, PARSE_ERROR, f"Parse error: body is not valid {coding}", {"header": "content-encoding"}
            ) from None
        if len(out) > limit or d.unconsumed_tail:
            raise _BodyError(
                413,
                INVALID_REQUEST,
                f"Invalid Request: body larger than {limit} bytes once decoded",
                {"code": "request_too_large", "max_bytes": limit},
            )
        if not d.eof:
            raise _BodyError(
                400, PARSE_ERROR, f"Parse error: {coding} body is truncated", {"header": "content-encoding"}
            )
        body = out
    return body


def body_limit(max_input_chars: int) -> int:
    """Bytes accepted in one request: 12 bytes per character plus 1 MiB.

    Twelve is the worst JSON escape of one character: a character outside the Basic Multilingual
    Plane is a surrogate pair, ``\\ud83d\\ude00`` (what ``json.dumps`` sends by default). A text
    within ``max_input_chars`` is never refused for how its client chose to encode it.
    """
    return max_input_chars * _MAX_ESCAPE_BYTES + 1024 * 1024


def _json_response(obj: JSONValue, status: int = 200) -> Response:
    try:
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        body = json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return Response(body, status_code=status, media_type="application/json")


def build_http_app(service: PrunerService, host: str = "127.0.0.1") -> Starlette:
    """The Starlette app serving ``/rpc``, ``/health`` and ``/mcp``."""
    limit = body_limit(service.settings.max_input_chars)

    async def rpc(request: Request) -> Response:
        codings = _codings(request.headers.get("content-encoding"))
        unknown = [c for c in codings if c not in _WBITS]
        if unknown:
            return _error_response(
                415,
                INVALID_REQUEST,
                f"Invalid Request: unsupported content-encoding {unknown[0]!r} (gzip, deflate, identity)",
                {"header": "content-encoding", "supported": ["gzip", "deflate", "identity"]},
            )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    return _too_large(limit)
                chunks.append(chunk)
        except ClientDisconnect:  # gone before its body was whole: no one to answer, nothing to log
            return Response(status_code=400)
        body = b"".join(chunks)
        if codings:
            try:
                body = _decode(body, codings, limit)
            except _BodyError as exc:
                return _error_response(exc.status, exc.code, exc.message, exc.data)
        answer = await handle_body(service, body)
        if answer is None:
            return Response(status_code=202)
        return _json_response(answer)

    async def health(request: Request) -> Response:
        result = await service.health(None)
        return _json_response(json.loads(result.model_dump_json()))

    mcp_server = build_mcp_server(service)
    return mcp_server.streamable_http_app(
        streamable_http_path="/mcp",
        json_response=True,  # one JSON body per answer: the SDK client caps SSE events at 1 MiB
        max_request_body_size=limit,
        host=host,
        custom_starlette_routes=[
            Route("/rpc", rpc, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
    )


def _error_response(status: int, code: int, message: str, data: dict[str, JSONValue]) -> Response:
    """A JSON-RPC error with a null id (the request could not be read) and an HTTP status."""
    return _json_response(
        {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message, "data": data}},
        status=status,
    )


def _too_large(limit: int) -> Response:
    return _error_response(
        413,
        INVALID_REQUEST,
        f"Invalid Request: body larger than {limit} bytes",
        {"code": "request_too_large", "max_bytes": limit},
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def banner(host: str, port: int) -> str:
    """What a person sees when the server starts: where it listens and a call to try."""
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    example = (
        f"curl -s {base}/rpc -H 'content-type: application/json' -d "
        """'{"jsonrpc":"2.0","id":1,"method":"prune_text","params":{"text":"def a():\\n    return 1\\n"""
        """def b():\\n    return 2\\n","goal_hint":"b","source_type":"code"}}'"""
    )
    return (
        f"mcp-pruner {__version__} listening on {base}\n"
        f"  POST {base}/rpc     JSON-RPC 2.0 (tools/call, prune_text, recover_text, health)\n"
        f"  GET  {base}/health  status and metrics\n"
        f"       {base}/mcp     MCP streamable HTTP\n"
        f"try:\n  {example}\n"
        "(a text this small comes back whole: removing it would cost more than its marker;\n"
        " on a real file try: mcp-pruner prune FILE --goal '...')\n"
    )


async def serve_http(service: PrunerService, host: str, port: int) -> None:
    """Serve until interrupted; prints the bound address (also for ``--port 0``) to stderr."""
    sock = _bind(host, port)
    bound_port = int(sock.getsockname()[1])
    app = build_http_app(service, host)
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    sys.stderr.write(banner(host, bound_port))
    sys.stderr.flush()
    log.info("serving HTTP", extra={"transport": "http", "host": host, "port": bound_port})
    await server.serve(sockets=[sock])
