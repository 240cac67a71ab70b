"""Command line: ``mcp-pruner serve|prune|recover|health|config`` (also ``python -m mcp_pruner``)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import anyio
import httpx

from . import __version__
from ._contract import SourceType
from ._errors import ConfigError, PrunerError, error_payload
from ._logging import setup_logging
from ._manager import resolve_chain
from ._service import PrunerService
from ._settings import Settings, load_settings
from ._tokens import warm_up

__all__ = ["build_parser", "client_config", "main"]

_CLIENTS = ("continue", "cline", "claude", "vscode")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mcp-pruner",
        description="Prune long code, logs and docs to what a goal needs; recover any removed line exactly.",
    )
    parser.add_argument("--version", action="version", version=f"mcp-pruner {__version__}")
    parser.add_argument(
        "--config", type=Path, help="config.toml to read (default: $MCP_PRUNER_CONFIG or ./config.toml)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server (MCP over stdio by default)")
    serve.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    serve.add_argument("--host", help="HTTP bind address (default $MCP_PRUNER_HOST or 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, help="HTTP port (default $MCP_PRUNER_PORT or 8006; 0 = any free port)"
    )

    prune = sub.add_parser("prune", help="prune a file (or stdin) and print the result")
    prune.add_argument("file", nargs="?", default="-", help="file to prune, '-' for stdin")
    prune.add_argument("--goal", default="", help="what you are looking for")
    prune.add_argument("--type", dest="source_type", choices=[s.value for s in SourceType], default=None)
    prune.add_argument("--keep-ratio", type=float, default=None, help="fraction of tokens to keep (0..1]")
    prune.add_argument("--token-budget", type=int, default=None, help="max tokens of the output")
    prune.add_argument("--max-prune-ratio", type=float, default=None)
    prune.add_argument("--min-keep-lines", type=int, default=None)
    prune.add_argument("--annotate", action="store_true", help="prefix kept lines with their line number")
    prune.add_argument("--no-markers", action="store_true", help="omit marker lines")
    prune.add_argument("--json", action="store_true", help="print the whole JSON result")

    recover = sub.add_parser("recover", help="print original lines of a prune_id")
    recover.add_argument("prune_id")
    recover.add_argument(
        "--lines", action="append", default=[], help="range A-B (1-based, inclusive); repeatable"
    )
    recover.add_argument("--numbers", action="store_true", help="prefix lines with their number")
    recover.add_argument("--json", action="store_true")

    health = sub.add_parser("health", help="print the health object")
    health.add_argument("--url", help="ask a running HTTP server (e.g. http://127.0.0.1:8006) instead")

    config = sub.add_parser("config", help="print a ready-to-paste client configuration")
    config.add_argument("client", choices=_CLIENTS)
    return parser


def _executable() -> str:
    """The ``mcp-pruner`` script of this installation (its venv's, not whichever is first on PATH)."""
    beside = Path(sys.executable).parent / "mcp-pruner"
    if beside.is_file():
        return str(beside.absolute())
    found = shutil.which("mcp-pruner")
    return str(Path(found).absolute()) if found else str(Path(sys.executable).absolute())


def client_config(client: str, command: str | None = None) -> str:
    """The configuration block for ``client`` launching this machine's mcp-pruner over stdio."""
    cmd = command or _executable()
    args = ["serve"] if cmd.endswith("mcp-pruner") else ["-m", "mcp_pruner", "serve"]
    if client == "continue":
        lines = [
            "# .continue/mcpServers/mcp-pruner.yaml",
            "name: mcp-pruner",
            f"version: {__version__}",
            "schema: v1",
            "mcpServers:",
            "  - name: mcp-pruner",
            f"    command: {json.dumps(cmd)}",
            "    args:",
            *[f"      - {json.dumps(a)}" for a in args],
            "    env: {}",
        ]
        return "\n".join(lines) + "\n"
    if client == "cline":
        entry = {
            "command": cmd,
            "args": args,
            "env": {},
            "disabled": False,
            "autoApprove": ["prune_text", "recover_text", "recover_range", "health"],
            "timeout": 60,
        }
        return json.dumps({"mcpServers": {"mcp-pruner": entry}}, indent=2) + "\n"
    if client == "claude":
        return json.dumps({"mcpServers": {"mcp-pruner": {"command": cmd, "args": args}}}, indent=2) + "\n"
    if client == "vscode":
        server = {"type": "stdio", "command": cmd, "args": args}
        return json.dumps({"servers": {"mcp-pruner": server}}, indent=2) + "\n"
    raise ValueError(client)


def _parse_range(text: str) -> dict[str, int]:
    start, sep, end = text.partition("-")
    try:
        a = int(start)
        b = int(end) if sep else a
    except ValueError:
        raise SystemExit(f"mcp-pruner: --lines expects A-B (e.g. 120-154), got {text!r}") from None
    return {"start_line": a, "end_line": b}


_WARM_SAMPLES: tuple[tuple[str, SourceType], ...] = (
    ("import os\n\ndef main(argv):\n    return len(argv)\n", SourceType.CODE),
    ("2026-01-01 10:00:00 INFO start\n2026-01-01 10:00:01 ERROR failed to connect\n", SourceType.LOGS),
    ("# Title\n\nSome text.\n\n## Usage\n\nRun it.\n", SourceType.DOCS),
)


def _warm_up() -> None:
    """Load the tokenizer and the engine's parsers before the first call needs them."""
    try:
        warm_up()
        from .engine import Budget, prune_lines

        for text, source_type in _WARM_SAMPLES:
            prune_lines(text.split("\n"), "main", source_type, Budget())
    except Exception:  # warming is best effort; the first call will load what failed here
        logging.getLogger("mcp_pruner.cli").warning("warm-up failed", exc_info=True)


async def _serve(settings: Settings, args: argparse.Namespace) -> None:
    service = PrunerService(settings)
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    service.open_store()
    try:
        if args.transport == "http":
            from ._http import serve_http

            await serve_http(
                service, args.host or settings.host, settings.port if args.port is None else args.port
            )
        else:
            from ._mcp import serve_stdio

            await serve_stdio(service)
    finally:
        with anyio.CancelScope(shield=True):
            await service.aclose()


async def _prune(settings: Settings, args: argparse.Namespace) -> int:
    if args.file == "-":
        raw = await anyio.to_thread.run_sync(sys.stdin.buffer.read)
    else:
        raw = await anyio.Path(args.file).read_bytes()
    text = raw.decode("utf-8", errors="replace")
    options: dict[str, object] = {
        k: v
        for k, v in {
            "keep_ratio": args.keep_ratio,
            "token_budget": args.token_budget,
            "max_prune_ratio": args.max_prune_ratio,
            "min_keep_lines": args.min_keep_lines,
            "annotate_lines": True if args.annotate else None,
            "include_markers": False if args.no_markers else None,
        }.items()
        if v is not None
    }
    arguments: dict[str, object] = {"text": text, "goal_hint": args.goal, "options": options}
    if args.source_type:
        arguments["source_type"] = args.source_type
    async with PrunerService(settings) as service:
        result = await service.prune_text(arguments)
    if args.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(
            result.pruned_text if result.pruned_text.endswith("\n") else result.pruned_text + "\n"
        )
        s = result.stats
        sys.stderr.write(
            f"prune_id={result.prune_id} lines {s.kept_lines}/{s.original_lines} kept, tokens "
            f"{s.tokens_est_before} -> {s.tokens_est_after} ({s.tokens_saved_est} saved), "
            f"backend={s.backend} warnings={','.join(result.warnings) or '-'}\n"
        )
    return 0


async def _recover(settings: Settings, args: argparse.Namespace) -> int:
    arguments: dict[str, object] = {"prune_id": args.prune_id, "include_line_numbers": args.numbers}
    if args.lines:
        arguments["ranges"] = [_parse_range(r) for r in args.lines]
    async with PrunerService(settings) as service:
        result = await service.recover_text(arguments)
    if args.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(result.raw_text + "\n")
    return 0


async def _health(settings: Settings, args: argparse.Namespace) -> int:
    if args.url:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(args.url.rstrip("/") + "/health")
        try:
            body = response.json()
        except ValueError:
            status = response.status_code
            sys.stderr.write(f"mcp-pruner: {response.url} did not answer JSON (HTTP {status})\n")
            return 1
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
        return 0 if response.status_code == 200 else 1
    async with PrunerService(settings) as service:
        result = await service.health(None)
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "config":
        sys.stdout.write(client_config(args.client))
        return 0
    try:
        settings = load_settings(os.environ, args.config)
        resolve_chain(settings)  # an unknown backend name is a configuration error, said now
    except ConfigError as exc:
        sys.stderr.write(f"mcp-pruner: configuration error: {exc}\n")
        return 2
    setup_logging(settings.log_level if args.command == "serve" else "WARNING")
    try:
        if args.command == "serve":
            anyio.run(_serve, settings, args)
            return 0
        runner = {"prune": _prune, "recover": _recover, "health": _health}[args.command]
        return anyio.run(runner, settings, args)
    except KeyboardInterrupt:
        return 130
    except ConfigError as exc:
        sys.stderr.write(f"mcp-pruner: configuration error: {exc}\n")
        return 2
    except PrunerError as exc:
        payload = error_payload(exc)
        sys.stderr.write(f"mcp-pruner: {payload.message} {json.dumps(payload.data, ensure_ascii=False)}\n")
        return 1
    except (OSError, httpx.HTTPError) as exc:
        sys.stderr.write(f"mcp-pruner: {exc}\n")
        return 1
