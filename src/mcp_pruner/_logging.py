"""Structured logs: one JSON object per line, on stderr only (stdout is the stdio protocol).

Log calls pass metadata in ``extra`` (sizes, counts, ms, codes). Never the text,
the goal or a key: the formatter only copies fields whose names are allowed.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Final

__all__ = ["ALLOWED_FIELDS", "JsonFormatter", "setup_logging"]

ALLOWED_FIELDS: Final = frozenset(
    {
        "backend", "engine", "method", "tool", "transport", "latency_ms", "lines", "kept_lines",
        "tokens_before", "tokens_after", "chars", "status", "code", "warnings", "used_fallback",
        "cache_hit", "requests", "docs", "attempt", "retry_in_ms", "bytes", "evicted", "host", "port",
        "path", "version", "error_type", "field", "provider", "state", "ranges", "source_type",
    }
)  # fmt: skip


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", ...allowed extra fields}``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key in ALLOWED_FIELDS and isinstance(value, str | int | float | bool | list | None):
                out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            out["error_type"] = record.exc_info[0].__name__
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO") -> None:
    """Send every log record (ours and the libraries') to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "mcp", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
