"""Pruning engines: turn (lines, goal, source type, budget) into a :class:`Selection`."""

from ._heuristic import Analysis, Cancelled, analyze, detect_source_type, prune_lines, select
from ._types import MARKER_ID_PLACEHOLDER, Budget, RemovedBlock, Selection, Unit, marker_text, removed_runs

__all__ = [
    "MARKER_ID_PLACEHOLDER",
    "Analysis",
    "Budget",
    "Cancelled",
    "RemovedBlock",
    "Selection",
    "Unit",
    "analyze",
    "detect_source_type",
    "marker_text",
    "prune_lines",
    "removed_runs",
    "select",
]
