"""The MCP server (official SDK, low-level ``Server``) over stdio and streamable HTTP.

Thin: tool names, schemas and behaviour come from :mod:`mcp_pruner._service`;
domain errors become JSON-RPC errors through :func:`mcp_pruner._errors.error_payload`
raised as the SDK's ``MCPError``.
"""

from __future__ import annotations

import logging

import mcp.types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from . import __version__
from ._errors import InvalidParams, PrunerError, error_payload
from ._jsonrpc import tool_definitions
from ._service import TOOLS, PrunerService

__all__ = ["build_mcp_server", "serve_stdio"]

log = logging.getLogger("mcp_pruner.mcp")

_INSTRUCTIONS = (
    "Call prune_text on long code, logs or docs with your goal in goal_hint. Removed blocks show as "
    "'⟦PRUNÉ: prune_id=… lignes A-B (N) raison=…⟧'; call recover_text(prune_id, ranges) for any of them."
)


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

    return Server(
        "mcp-pruner",
        version=__version__,
        instructions=_INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_templates,
        on_list_prompts=list_prompts,
    )


async def serve_stdio(service: PrunerService) -> None:
    """Serve MCP over this process's stdin/stdout until the client closes stdin."""
    server = build_mcp_server(service)
    async with stdio_server() as (read_stream, write_stream):
        log.info("serving MCP over stdio", extra={"transport": "stdio", "version": __version__})
        await server.run(read_stream, write_stream, server.create_initialization_options())
