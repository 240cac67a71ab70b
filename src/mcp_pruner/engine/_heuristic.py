"""The heuristic engine's public surface.

* :func:`analyze` - detect, segment and score the text once (pure, cacheable);
* :func:`select` - pick the lines to keep under a :class:`Budget`, optionally
  with reranker scores per :class:`Unit` (one float in [0, 1] per unit);
* :func:`prune_lines` - both in one call.

Structure rules (enclosing signatures, atomic groups, NO_PRUNE, log alerts,
hard bounds) are applied by the selector whatever the relevance came from, so
reranker scores can only change *which* lines win, never the shape of the result.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Final

from .._contract import SourceType
from ._analysis import Analysis, analyze
from ._cancel import Cancelled
from ._detect import detect_source_type
from ._plan import plan_selection
from ._types import Budget, Selection

__all__ = ["Analysis", "Cancelled", "analyze", "detect_source_type", "prune_lines", "select"]

_RERANK_SHARE: Final = 0.75
"""How much of the relevance a reranker's unit score replaces (the rest stays heuristic)."""


def select(
    analysis: Analysis,
    budget: Budget,
    unit_scores: Sequence[float] | None = None,
    cancel: threading.Event | None = None,
) -> Selection:
    """Choose the lines to keep; reranker ``unit_scores`` (one per unit) replace most of the relevance.

    ``cancel``: once set, the selection stops at its next check with :class:`Cancelled`.
    """
    rel = analysis.line_scores
    if unit_scores is not None:
        if len(unit_scores) != len(analysis.units):
            raise ValueError(f"expected {len(analysis.units)} unit scores, got {len(unit_scores)}")
        clean = [min(1.0, max(0.0, s)) if math.isfinite(s) else 0.0 for s in unit_scores]
        top = max(clean, default=0.0)
        if top > 0.0:  # relative, like the heuristic's: the best unit of this text is 1
            clean = [c / top for c in clean]
        uol = analysis.unit_of_line
        w = _RERANK_SHARE
        rel = [w * clean[uol[i]] + (1.0 - w) * r for i, r in enumerate(rel)]
    keep, blocks, warnings = plan_selection(analysis, rel, budget, cancel)
    return Selection(keep, blocks, analysis.source_type, warnings)


def prune_lines(
    lines: Sequence[str],
    goal: str,
    source_type: SourceType | None,
    budget: Budget,
    cancel: threading.Event | None = None,
) -> Selection:
    """``select(analyze(lines, goal, source_type), budget)``, both stopped by ``cancel``."""
    return select(analyze(lines, goal, source_type, cancel), budget, None, cancel)
