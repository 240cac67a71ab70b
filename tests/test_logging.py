"""Logs are JSON on stderr and carry metadata only."""

from __future__ import annotations

import json
import logging

from mcp_pruner._logging import JsonFormatter


def test_formatter_drops_fields_that_are_not_metadata() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "prune_text", None, None)
    record.text = "SECRET USER TEXT"
    record.api_key = "sk-live"
    record.lines = 12
    out = json.loads(JsonFormatter().format(record))
    assert out["lines"] == 12
    assert "SECRET USER TEXT" not in json.dumps(out)
    assert "sk-live" not in json.dumps(out)
