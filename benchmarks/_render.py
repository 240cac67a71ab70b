"""Render a selection the way the server does: kept lines in order, one marker line per removed block.

The engine's output goes through the server's own renderer (:func:`server_render`), with a
placeholder prune_id that costs the tokens of a real one. The baselines, rendered hundreds of times per case
while they are fitted to a budget, use :func:`render`, a lean copy that produces the same text
for their clean, fixed reasons (``tests/benchmarks/test_harness.py`` checks the two agree).
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp_pruner._render import render as _server_render
from mcp_pruner.engine import MARKER_ID_PLACEHOLDER, RemovedBlock, Selection, marker_text

__all__ = ["blocks_from_keep", "blocks_match_keep", "render", "render_keep", "server_render"]


def blocks_from_keep(keep: Sequence[bool], reason: str) -> list[RemovedBlock]:
    """Maximal runs of removed lines, 1-based inclusive."""
    out: list[RemovedBlock] = []
    start: int | None = None
    for i, kept in enumerate(keep):
        if not kept and start is None:
            start = i
        elif kept and start is not None:
            out.append(RemovedBlock(start + 1, i, reason))
            start = None
    if start is not None:
        out.append(RemovedBlock(start + 1, len(keep), reason))
    return out


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


def render(
    lines: Sequence[str],
    keep: Sequence[bool],
    blocks: Sequence[RemovedBlock],
    ends_with_newline: bool = False,
) -> str:
    """``pruned_text`` with markers: each block's marker stands where the block started."""
    by_start = {b.start: b for b in blocks}
    out: list[str] = []
    i = 0
    n = len(lines)
    while i < n:
        block = by_start.get(i + 1)
        if block is not None:
            out.append(marker_text(block.start, block.end, block.reason))
            i = max(i + 1, block.end)
            continue
        if keep[i]:
            out.append(lines[i])
        i += 1
    text = "\n".join(out)
    return text + "\n" if ends_with_newline and out else text


def render_keep(
    lines: Sequence[str], keep: Sequence[bool], reason: str, ends_with_newline: bool = False
) -> str:
    """Render a bare keep-mask (what the baselines produce), one marker per removed run."""
    return render(lines, keep, blocks_from_keep(keep, reason), ends_with_newline)
