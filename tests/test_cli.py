"""The command line, run as a real process where it matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_pruner._cli import client_config

SAMPLE = (
    "".join(f"def func_{i}(x):\n    return x + {i}\n\n" for i in range(60))
    + "def parse_headers(raw):\n    return raw\n"
)


def run(
    args: list[str], tmp_path: Path, stdin: str | None = None, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **extra_env)
    env["MCP_PRUNER_STORE_PATH"] = str(tmp_path / "store.sqlite3")
    env["MCP_PRUNER_CONFIG"] = str(tmp_path / "empty.toml")
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mcp_pruner", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_prune_then_recover_from_the_command_line(tmp_path: Path) -> None:
    src = tmp_path / "a.py"
    src.write_text(SAMPLE, encoding="utf-8")
    out = run(["prune", str(src), "--goal", "parse headers", "--type", "code", "--json"], tmp_path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["stats"]["original_lines"] == SAMPLE.count("\n")
    rec = run(["recover", result["prune_id"], "--lines", "1-2", "--lines", "5"], tmp_path)
    assert rec.returncode == 0, rec.stderr
    lines = SAMPLE.split("\n")
    assert rec.stdout == "\n".join([lines[0], lines[1], lines[4]]) + "\n"


def test_prune_reads_stdin_and_prints_text(tmp_path: Path) -> None:
    out = run(["prune", "-", "--goal", "parse headers"], tmp_path, stdin=SAMPLE)
    assert out.returncode == 0, out.stderr
    assert "def parse_headers(raw):" in out.stdout
    assert "prune_id=prn_" in out.stderr


def test_recover_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    out = run(["recover", "prn_doesnotexist", "--lines", "1-2"], tmp_path)
    assert out.returncode == 1
    assert "prune_id_not_found" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_range_syntax(tmp_path: Path) -> None:
    out = run(["recover", "prn_x", "--lines", "a-b"], tmp_path)
    assert out.returncode != 0
    assert "--lines expects A-B" in out.stderr


def test_health_command(tmp_path: Path) -> None:
    out = run(["health"], tmp_path)
    assert out.returncode == 0, out.stderr
    health = json.loads(out.stdout)
    assert health["status"] == "healthy"
    assert health["server"] == "mcp-pruner"


def test_config_error_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[mcp_pruner]\ndeepinfra_api_key = "x"\n', encoding="utf-8")
    out = run(["--config", str(bad), "health"], tmp_path)
    assert out.returncode == 2
    assert "secrets are read from the environment" in out.stderr


def test_unknown_backend_in_the_chain_is_a_configuration_error(tmp_path: Path) -> None:
    for command in (["health"], ["prune", "-", "--goal", "x"]):
        out = run(command, tmp_path, stdin="a\n", MCP_PRUNER_BACKEND_CHAIN="foo")
        assert out.returncode == 2
        assert (
            "configuration error: invalid setting MCP_PRUNER_BACKEND_CHAIN: unknown backend 'foo'"
            in out.stderr
        )
        assert "Traceback" not in out.stderr


def test_config_file_that_is_not_utf8_is_a_configuration_error(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b"[mcp_pruner]\n# d\xe9lai\ntimeout_ms = 5000\n")
    out = run(["--config", str(latin1), "health"], tmp_path)
    assert out.returncode == 2
    assert f"configuration error: cannot read config file {latin1}" in out.stderr
    assert "Traceback" not in out.stderr


def test_health_url_that_does_not_answer_json(tmp_path: Path) -> None:
    import http.server
    import threading

    class Plain(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>not the pruner</html>"
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Plain)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = run(["health", "--url", f"http://127.0.0.1:{server.server_port}"], tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert out.returncode == 1
    assert "did not answer JSON (HTTP 200)" in out.stderr
    assert "Traceback" not in out.stderr


def test_continue_config_block() -> None:
    text = client_config("continue", "/opt/bin/mcp-pruner")
    assert "schema: v1" in text
    assert "name: mcp-pruner" in text
    assert "version:" in text
    assert '"/opt/bin/mcp-pruner"' in text
    assert '- "serve"' in text


def test_cline_config_entry() -> None:
    entry = json.loads(client_config("cline", "/opt/bin/mcp-pruner"))["mcpServers"]["mcp-pruner"]
    assert entry["command"] == "/opt/bin/mcp-pruner"
    assert entry["args"] == ["serve"]
    assert isinstance(entry["timeout"], int)
    assert "prune_text" in entry["autoApprove"]


@pytest.mark.parametrize("client", ["claude", "vscode"])
def test_other_client_configs(client: str) -> None:
    doc = json.loads(client_config(client, "/opt/bin/mcp-pruner"))
    if client == "vscode":
        assert doc["servers"]["mcp-pruner"]["type"] == "stdio"
    else:
        assert doc["mcpServers"]["mcp-pruner"]["args"] == ["serve"]


def test_python_module_fallback_command() -> None:
    entry = json.loads(client_config("cline", "/usr/bin/python3"))["mcpServers"]["mcp-pruner"]
    assert entry["args"] == ["-m", "mcp_pruner", "serve"]
