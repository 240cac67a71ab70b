"""Render a selection the way the server does: kept lines in order, one marker line per removed block."""

from __future__ import annotations

from collections.abc import Sequence

from mcp_pruner.engine import RemovedBlock, marker_text

__all__ = ["blocks_from_keep", "blocks_match_keep", "render", "render_keep"]


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


def render(lines: Sequence[str], keep: Sequence[bool], blocks: Sequence[RemovedBlock]) -> str:
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
    return "\n".join(out)


def render_keep(lines: Sequence[str], keep: Sequence[bool], reason: str) -> str:
    """Render a bare keep-mask (what the baselines produce), one marker per removed run."""
    return render(lines, keep, blocks_from_keep(keep, reason))
