"""Regions the caller protected with ``⟦NO_PRUNE_BEGIN⟧`` ... ``⟦NO_PRUNE_END⟧``.

A line *containing* a token counts, its tokens read in order (``END ... BEGIN``
closes a region and opens the next). An unclosed BEGIN protects to the end; a
stray END is kept itself (it is part of the caller's framing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["protected_ranges"]

BEGIN: Final = "⟦NO_PRUNE_BEGIN⟧"
END: Final = "⟦NO_PRUNE_END⟧"
_TOKEN: Final = re.compile("⟦NO_PRUNE_(BEGIN|END)⟧")


def _add(out: list[tuple[int, int]], a: int, b: int) -> None:
    """Append ``[a, b)``, merged into the last range when they overlap (a region closed and
    another opened on the same line)."""
    if out and out[-1][1] > a:
        out[-1] = (out[-1][0], max(out[-1][1], b))
    else:
        out.append((a, b))


def protected_ranges(lines: Sequence[str]) -> list[tuple[int, int]]:
    """Sorted disjoint ``[start, end)`` ranges of protected lines."""
    out: list[tuple[int, int]] = []
    if "⟦NO_PRUNE_" not in "\n".join(lines):  # one C-level search: most texts protect nothing
        return out
    start = -1
    for i, line in enumerate(lines):
        if "⟦NO_PRUNE_" not in line:
            continue
        found = False
        for m in _TOKEN.finditer(line):
            found = True
            if m.group(1) == "BEGIN":
                if start < 0:
                    start = i
            elif start >= 0:
                _add(out, start, i + 1)
                start = -1
        if found and start < 0:  # a line holding a token is kept, whatever it opened or closed
            _add(out, i, i + 1)
    if start >= 0:
        _add(out, start, len(lines))
    return out
