"""Regions the caller protected with ``⟦NO_PRUNE_BEGIN⟧`` ... ``⟦NO_PRUNE_END⟧``.

A line *containing* a token counts. An unclosed BEGIN protects to the end; a
stray END is kept itself (it is part of the caller's framing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["protected_ranges"]

BEGIN: Final = "⟦NO_PRUNE_BEGIN⟧"
END: Final = "⟦NO_PRUNE_END⟧"


def protected_ranges(lines: Sequence[str]) -> list[tuple[int, int]]:
    """Sorted disjoint ``[start, end)`` ranges of protected lines."""
    out: list[tuple[int, int]] = []
    start = -1
    for i, line in enumerate(lines):
        if "⟦NO_PRUNE_" not in line:
            continue
        if start < 0:
            if BEGIN in line:
                if END in line[line.index(BEGIN) :]:
                    out.append((i, i + 1))
                else:
                    start = i
            elif END in line:
                out.append((i, i + 1))
        elif END in line:
            out.append((start, i + 1))
            start = -1
    if start >= 0:
        out.append((start, len(lines)))
    return out
