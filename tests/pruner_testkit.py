"""Shared helpers of the server tests: settings in a temp dir, a real HTTP server process, JSON-RPC calls.

Not a test module (pytest collects ``test_*.py`` only). Imported by name from
``tests/`` and ``tests/e2e/`` (pytest puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

import mcp_pruner
from mcp_pruner._contract import MARKER_RE
from mcp_pruner._settings import Settings, load_settings

__all__ = [
    "NO_PRUNE_BEGIN",
    "NO_PRUNE_END",
    "HttpServer",
    "assert_markers_match_annotations",
    "make_settings",
    "rpc",
    "server_env",
    "start_http_server",
    "stop_process",
    "synthetic_python",
]

NO_PRUNE_BEGIN = "⟦NO_PRUNE_BEGIN⟧"
NO_PRUNE_END = "⟦NO_PRUNE_END⟧"
_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
_START_TIMEOUT_S = 30.0
_SOURCE_ROOT = str(Path(mcp_pruner.__file__).resolve().parents[1])
"""Where the tests import ``mcp_pruner`` from: server processes must run that same code, not
whichever copy is installed (a clone tested with ``PYTHONPATH=src`` would test the installed one)."""


def make_settings(tmp_path: Path, **env: str) -> Settings:
    """Settings with the store in ``tmp_path`` and no config file (env only)."""
    empty = tmp_path / "empty-config.toml"
    if not empty.exists():
        empty.write_text("", encoding="utf-8")
    base = {"MCP_PRUNER_STORE_PATH": str(tmp_path / "store.sqlite3")}
    base.update(env)
    return load_settings(env=base, config_path=empty)


def server_env(store_path: Path, **extra: str) -> dict[str, str]:
    """A minimal environment for a server process: its store in a temp dir, nothing of the user's state."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(store_path.parent)),
        "MCP_PRUNER_STORE_PATH": str(store_path),
        "XDG_STATE_HOME": str(store_path.parent / "state"),
        "MCP_PRUNER_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": _SOURCE_ROOT,
    }
    env.update(extra)
    return env


@dataclass
class HttpServer:
    process: subprocess.Popen[bytes]
    port: int
    store_path: Path
    stderr_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server process we started (SIGTERM, then SIGKILL after 10 s)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_http_server(workdir: Path, **extra_env: str) -> HttpServer:
    """Start ``python -m mcp_pruner serve --transport http --port 0`` and wait until it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    store_path = workdir / "store.sqlite3"
    stderr_path = workdir / "server.stderr"
    env = server_env(store_path, **extra_env)
    with stderr_path.open("wb") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mcp_pruner",
                "serve",
                "--transport",
                "http",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            cwd=workdir,
        )
    try:
        deadline = time.monotonic() + _START_TIMEOUT_S
        port: int | None = None
        while port is None:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}: {stderr_path.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not print its port: {stderr_path.read_text()}")
            found = _LISTENING.search(stderr_path.read_text(encoding="utf-8", errors="replace"))
            if found:
                port = int(found.group(1))
            else:
                time.sleep(0.02)
        server = HttpServer(process, port, store_path, stderr_path)
        while True:
            try:
                if httpx.get(server.base_url + "/health", timeout=2).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server does not answer: {stderr_path.read_text()}")
            time.sleep(0.02)
    except BaseException:
        stop_process(process)
        raise


def rpc(
    client: httpx.Client,
    method: str,
    params: object = None,
    *,
    id_: int | str | None = 1,
    omit_params: bool = False,
) -> httpx.Response:
    """POST one JSON-RPC 2.0 request (a notification when ``id_`` is None) to ``/rpc``."""
    message: dict[str, object] = {"jsonrpc": "2.0", "method": method}
    if id_ is not None:
        message["id"] = id_
    if not omit_params:
        message["params"] = {} if params is None else params
    return client.post("/rpc", json=message)


def assert_markers_match_annotations(
    pruned_text: str, annotations: list[dict[str, object]], prune_id: str
) -> None:
    """Every marker line parses with the contract's regex and equals its annotation's marker, in order."""
    marker_lines = [line for line in pruned_text.split("\n") if line.startswith("⟦PRUNÉ:")]
    assert marker_lines == [a["marker"] for a in annotations]
    for line, ann in zip(marker_lines, annotations, strict=True):
        m = MARKER_RE.match(line)
        assert m is not None, line
        assert m.group(1) == prune_id
        assert int(m.group(2)) == ann["original_start_line"]
        assert int(m.group(3)) == ann["original_end_line"]
        assert int(m.group(4)) == ann["pruned_line_count"]
        assert m.group(5) == ann["reason"]


def synthetic_python(n_funcs: int = 40) -> str:
    """A Python module of ``n_funcs`` ten-line functions (``n_funcs * 10`` lines)."""
    out: list[str] = []
    for i in range(n_funcs):
        out.append(f"def func_{i}(x, y):")
        out.append(f'    """Compute value number {i}."""')
        out.extend(f"    v{j} = x * {j} + y - {i}" for j in range(7))
        out.append("    return v0 + v6")
    return "\n".join(out) + "\n"
