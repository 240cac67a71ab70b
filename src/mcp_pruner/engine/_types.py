"""Value objects shared by the engines, the rerankers and the renderer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final

from .._contract import SourceType, format_marker

__all__ = [
    "LINE_NUMBER_SEP",
    "MARKER_ID_PLACEHOLDER",
    "Budget",
    "RemovedBlock",
    "Selection",
    "Unit",
    "layout",
    "marker_text",
    "numbered",
    "removed_runs",
]

MARKER_ID_PLACEHOLDER: Final = "prn_000000000000"
"""Same length as a real prune_id: what engines use to price a marker before the id exists."""


def marker_text(start: int, end: int, reason: str) -> str:
    """A marker as it will be rendered (with a placeholder id of the real length)."""
    return format_marker(MARKER_ID_PLACEHOLDER, start, end, reason)


LINE_NUMBER_SEP: Final = "│ "
"""Between a line's original number and the line, when lines are numbered (``12│ text``)."""


def numbered(index: int, line: str) -> str:
    """Line ``index`` (0-based) with its 1-based number in front."""
    return f"{index + 1}{LINE_NUMBER_SEP}{line}"


def layout(
    lines: Sequence[str],
    removed: Sequence[tuple[int, int, str | None]],
    *,
    annotate: bool,
    ends_with_newline: bool,
) -> str:
    """``pruned_text``: the kept lines in order (numbered when ``annotate``), each removed run
    ``[start, end)`` replaced by its marker line (nothing when its marker is ``None``).

    ``removed`` is sorted and disjoint. Kept runs are copied as slices, not line by line. The one
    definition of the output's shape, for the renderer and for the engine pricing its choice.
    """
    out: list[str] = []

    def keep(lo: int, hi: int) -> None:
        if annotate:
            out.extend([numbered(k, lines[k]) for k in range(lo, hi)])
        else:
            out.extend(lines[lo:hi])

    i = 0
    for lo, hi, marker in removed:
        keep(i, lo)
        if marker is not None:
            out.append(marker)
        i = hi
    keep(i, len(lines))
    text = "\n".join(out)
    return text + "\n" if ends_with_newline and out else text


def removed_runs(keep: Sequence[bool]) -> list[tuple[int, int]]:
    """The maximal runs of removed lines as 0-based ``(start, end)`` pairs, end exclusive."""
    out: list[tuple[int, int]] = []
    n = len(keep)
    i = 0
    while i < n:  # each run's ends found by ``index``, at C speed (a run can be most of the text)
        try:
            i = keep.index(False, i)
        except ValueError:
            break
        try:
            j = keep.index(True, i)
        except ValueError:
            j = n
        out.append((i, j))
        i = j
    return out


@dataclass(frozen=True, slots=True)
class Budget:
    """How much to keep. ``max_prune_ratio`` and ``min_keep_lines`` are hard bounds.

    ``keep_ratio`` / ``token_budget`` are targets for the tokens of the rendered
    ``pruned_text`` (markers and line-number prefixes included when enabled).
    Neither given: the engine decides by itself (adaptive mode).
    """

    max_prune_ratio: float = 0.9
    min_keep_lines: int = 0
    keep_ratio: float | None = None
    token_budget: int | None = None
    include_markers: bool = True
    annotate_lines: bool = False
    ends_with_newline: bool = False
    """The text ends with a newline, which ``pruned_text`` keeps: one more token to count."""

    def max_removed(self, n_lines: int) -> int:
        """How many of ``n_lines`` the hard bounds let go: at most ``max_prune_ratio`` of them, and
        no more than leaves ``min_keep_lines``.

        The ratio is taken as the client wrote it (its shortest decimal form), exactly: 0.29 of 100
        lines is 29 although ``0.29 * 100`` is 28.999…, and 0.3333333333333333 of 48 is 15, not 16.
        """
        ratio = min(1.0, max(0.0, self.max_prune_ratio))
        by_ratio = math.floor(Fraction(repr(ratio)) * n_lines)
        return max(0, min(by_ratio, n_lines - self.min_keep_lines))


@dataclass(frozen=True, slots=True)
class RemovedBlock:
    """A maximal run of removed lines, 1-based inclusive, with a short reason naming what it held."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class Unit:
    """A piece of the text an engine scores as one: a code block, a log record, a doc section, a line.

    ``start``/``end`` are 0-based line indexes, end exclusive.
    """

    start: int
    end: int
    kind: str = "lines"
    name: str = ""


@dataclass(frozen=True, slots=True)
class Selection:
    """What an engine decided: one flag per line, and the removed blocks (consistent with ``keep``)."""

    keep: list[bool]
    blocks: list[RemovedBlock]
    source_type: SourceType
    warnings: list[str] = field(default_factory=list)
