"""Shared helpers: README table replacement, results files, a fingerprint of the code measured."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from mcp_pruner._errors import JSONValue

from ._data import REPO_ROOT, RESULTS_DIR

__all__ = ["README", "code_fingerprint", "replace_section", "write_json"]

README = REPO_ROOT / "benchmarks" / "README.md"


def replace_section(name: str, body: str, path: Path = README) -> None:
    """Replace what stands between ``<!-- name:begin -->`` and ``<!-- name:end -->`` in ``path``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        raise SystemExit(f"{path}: markers {begin} / {end} not found")
    path.write_text(text[: i + len(begin)] + "\n" + body.rstrip() + "\n" + text[j:], encoding="utf-8")


def write_json(name: str, payload: dict[str, JSONValue]) -> Path:
    """Write ``benchmarks/results/<name>.json`` (git-ignored) and return its path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{name}.json"
    out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def code_fingerprint(package_dir: str = "src/mcp_pruner") -> dict[str, str]:
    """Which code was measured: git HEAD, whether it was modified, a hash of the package sources."""
    digest = hashlib.sha256()
    root = REPO_ROOT / package_dir
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    dirty = _git("status", "--porcelain", "--", package_dir)
    return {
        "git_head": _git("rev-parse", "--short", "HEAD") or "unknown",
        "modified_since_head": "yes" if dirty else "no",
        "sources_sha256": digest.hexdigest()[:12],
    }
