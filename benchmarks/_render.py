"""Render a selection the way the server does: kept lines in order, one marker line per removed block.

The engine's output goes through the server's own renderer (:func:`server_render`), with a
placeholder prune_id that costs the tokens of a real one. The baselines, rendered hundreds of times per case
while they are fitted to a budget, use :func:`render_keep`: the engine's own ``layout`` without the
server's bookkeeping, the same text for their clean, fixed reasons
(``tests/benchmarks/test_harness.py`` checks the two agree).
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp_pruner._render import render as _server_render
from mcp_pruner.engine import (
    MARKER_ID_PLACEHOLDER,
    RemovedBlock,
    Selection,
    layout,
    marker_text,
    removed_runs,
)

__all__ = ["blocks_from_keep", "blocks_match_keep", "render_keep", "server_render"]


def blocks_from_keep(keep: Sequence[bool], reason: str) -> list[RemovedBlock]:
    """Maximal runs of removed lines, 1-based inclusive."""
    return [RemovedBlock(lo + 1, hi, reason) for lo, hi in removed_runs(keep)]


def blocks_match_keep(keep: Sequence[bool], blocks: Sequence[RemovedBlock]) -> bool:
    """True when ``blocks`` are exactly the maximal runs of removed lines of ``keep``."""
    expected = [(b.start, b.end) for b in blocks_from_keep(keep, "")]
    return expected == [(b.start, b.end) for b in blocks]


def server_render(lines: Sequence[str], ends_with_newline: bool, selection: Selection) -> str:
    """``pruned_text`` exactly as the server renders it (markers on, no line numbers)."""
    rendered = _server_render(
        lines, ends_with_newline, selection, MARKER_ID_PLACEHOLDER, annotate_lines=False, include_markers=True
    )
    return rendered.pruned_text


def render_keep(
    lines: Sequence[str], keep: Sequence[bool], reason: str, ends_with_newline: bool = False
) -> str:
    """Render a bare keep-mask (what the baselines produce), one marker per removed run."""
    removed = [(lo, hi, marker_text(lo + 1, hi, reason)) for lo, hi in removed_runs(keep)]
    return layout(lines, removed, annotate=False, ends_with_newline=ends_with_newline)
