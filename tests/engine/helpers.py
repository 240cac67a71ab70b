"""Helpers shared by the engine tests: rendering a selection the way the server does."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mcp_pruner._contract import MARKER_RE
from mcp_pruner._render import selection_problem
from mcp_pruner._tokens import count_tokens
from mcp_pruner.engine import Budget, Selection, marker_text

_NO_PRUNE = re.compile("⟦NO_PRUNE_(BEGIN|END)⟧")

FREE = Budget(max_prune_ratio=1.0, min_keep_lines=0)
"""No hard bounds: the engine's own choice (adaptive mode)."""


def budget(**kw: object) -> Budget:
    base: dict[str, object] = {"max_prune_ratio": 1.0, "min_keep_lines": 0}
    base.update(kw)
    return Budget(**base)  # type: ignore[arg-type]


def render(lines: Sequence[str], sel: Selection, annotate: bool = False) -> str:
    """Kept lines in order, one marker per removed block (as the server renders them)."""
    out: list[str] = []
    blocks = iter(sel.blocks)
    nxt = next(blocks, None)
    i = 0
    n = len(lines)
    while i < n:
        if sel.keep[i]:
            out.append(f"{i + 1}│ {lines[i]}" if annotate else lines[i])
            i += 1
            continue
        assert nxt is not None
        assert nxt.start == i + 1
        out.append(marker_text(nxt.start, nxt.end, nxt.reason))
        i = nxt.end
        nxt = next(blocks, None)
    assert nxt is None
    return "\n".join(out)


def rendered_tokens(lines: Sequence[str], sel: Selection, annotate: bool = False) -> int:
    return count_tokens(render(lines, sel, annotate))


def check_selection(lines: Sequence[str], sel: Selection, b: Budget) -> None:
    """Every invariant the server checks, plus block/keep consistency and marker-safe reasons."""
    n = len(lines)
    assert len(sel.keep) == n
    assert selection_problem(sel, n, b) is None
    runs: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if sel.keep[i]:
            i += 1
            continue
        j = i
        while j < n and not sel.keep[j]:
            j += 1
        runs.append((i + 1, j))
        i = j
    assert [(blk.start, blk.end) for blk in sel.blocks] == runs
    for blk in sel.blocks:
        assert blk.reason
        assert "\n" not in blk.reason
        assert "\r" not in blk.reason
        assert "⟧" not in blk.reason
        assert "⟦" not in blk.reason
        assert len(blk.reason) <= 80
        m = MARKER_RE.match(marker_text(blk.start, blk.end, blk.reason))
        assert m is not None
        assert m.group(5) == blk.reason
    removed = n - sum(sel.keep)
    assert removed <= int(b.max_prune_ratio * n + 1e-9)
    assert sum(sel.keep) >= min(n, b.min_keep_lines)
    inside = False
    for line, kept in zip(lines, sel.keep, strict=True):
        tokens = _NO_PRUNE.findall(line)  # in order: "END ... BEGIN" closes a region and opens one
        if inside or tokens:
            assert kept, line
        for token in tokens:
            inside = token == "BEGIN"
