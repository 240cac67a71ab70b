"""Pruning engines: turn (lines, goal, source type, budget) into a :class:`Selection`."""

from ._heuristic import Analysis, Cancelled, analyze, detect_source_type, prune_lines, select
from ._types import (
    LINE_NUMBER_SEP,
    MARKER_ID_PLACEHOLDER,
    Budget,
    RemovedBlock,
    Selection,
    Unit,
    layout,
    marker_text,
    numbered,
    removed_runs,
)

__all__ = [
    "LINE_NUMBER_SEP",
    "MARKER_ID_PLACEHOLDER",
    "Analysis",
    "Budget",
    "Cancelled",
    "RemovedBlock",
    "Selection",
    "Unit",
    "analyze",
    "detect_source_type",
    "layout",
    "marker_text",
    "numbered",
    "prune_lines",
    "removed_runs",
    "select",
]
