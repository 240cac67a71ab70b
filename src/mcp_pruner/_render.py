"""From an engine's :class:`Selection` to ``pruned_text`` and annotations.

Also the one definition of how a text is split into lines (on ``"\\n"`` only, so
``"\\r"`` stays part of its line and CRLF text comes back byte-exact; a trailing
newline opens no extra line) and the safety net that checks every invariant of
a selection before it is shown to a client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._contract import Annotation, format_marker
from .engine import Budget, Selection, layout, removed_runs

__all__ = ["Rendered", "allowed_removed", "render", "selection_problem", "split_lines"]

_REASON_MAX = 160


def split_lines(text: str) -> tuple[list[str], bool]:
    """The original lines of ``text`` and whether it ended with a newline."""
    if not text:
        return [], False
    ends_nl = text.endswith("\n")
    lines = text.split("\n")
    if ends_nl:
        lines.pop()
    return lines, ends_nl


def allowed_removed(n_lines: int, budget: Budget) -> int:
    """How many lines the hard bounds allow to remove (:meth:`Budget.max_removed`)."""
    return budget.max_removed(n_lines)


def selection_problem(selection: Selection, n_lines: int, budget: Budget) -> str | None:
    """Why a selection breaks an invariant (``None`` when it is sound)."""
    if len(selection.keep) != n_lines:
        return "keep has the wrong length"
    removed = n_lines - sum(selection.keep)
    if removed > allowed_removed(n_lines, budget):
        return "hard bounds exceeded"
    runs = [(start + 1, end) for start, end in removed_runs(selection.keep)]
    if [(b.start, b.end) for b in selection.blocks] != runs:
        return "blocks do not match keep"
    return None


def _safe_reason(reason: str) -> str:
    cleaned = " ".join(reason.replace("⟧", "]").replace("⟦", "[").split())
    if len(cleaned) > _REASON_MAX:
        cleaned = cleaned[: _REASON_MAX - 1] + "…"
    return cleaned or "low relevance"


@dataclass(frozen=True, slots=True)
class Rendered:
    pruned_text: str
    annotations: list[Annotation]
    kept_lines: int


def render(
    lines: Sequence[str],
    ends_with_newline: bool,
    selection: Selection,
    prune_id: str,
    *,
    annotate_lines: bool,
    include_markers: bool,
) -> Rendered:
    """Kept lines in order (``N│ `` prefixed when asked) and one marker per removed block.

    ``selection.blocks`` must be its removed runs (:func:`selection_problem` checks it): the
    kept lines are the runs between blocks (:func:`mcp_pruner.engine.layout`).
    """
    annotations: list[Annotation] = []
    removed: list[tuple[int, int, str | None]] = []
    for block in sorted(selection.blocks, key=lambda b: b.start):
        reason = _safe_reason(block.reason)
        marker = format_marker(prune_id, block.start, block.end, reason)
        annotations.append(
            Annotation(
                original_start_line=block.start,
                original_end_line=block.end,
                pruned_line_count=block.end - block.start + 1,
                reason=reason,
                marker=marker,
            )
        )
        removed.append((block.start - 1, block.end, marker if include_markers else None))
    kept = len(lines) - sum(hi - lo for lo, hi, _ in removed)
    text = layout(lines, removed, annotate=annotate_lines, ends_with_newline=ends_with_newline)
    return Rendered(text, annotations, kept)
