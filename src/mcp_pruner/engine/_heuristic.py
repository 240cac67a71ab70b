"""The heuristic engine (placeholder: goal-term overlap per line, structure-free).

Public surface used by the backend manager and the rerankers:

* :func:`analyze` - split, segment and score the text once;
* :func:`select` - pick the lines to keep under a :class:`Budget`, optionally
  with reranker scores per :class:`Unit` (one float in [0, 1] per unit);
* :func:`prune_lines` - both in one call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .._contract import SourceType
from .._tokens import count_line_tokens
from ._types import Budget, RemovedBlock, Selection, Unit

__all__ = ["Analysis", "analyze", "prune_lines", "select"]

_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything :func:`select` needs, computed once per text."""

    lines: Sequence[str]
    source_type: SourceType
    line_tokens: list[int]
    units: list[Unit]
    line_scores: list[float]


def _terms(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if len(w) > 2}


def detect_source_type(lines: Sequence[str]) -> SourceType:
    return SourceType.CODE


def analyze(lines: Sequence[str], goal: str, source_type: SourceType | None) -> Analysis:
    st = source_type or detect_source_type(lines)
    goal_terms = _terms(goal)
    scores = []
    for line in lines:
        t = _terms(line)
        scores.append(len(t & goal_terms) / (len(goal_terms) or 1))
    units = [Unit(i, i + 1) for i in range(len(lines))]
    return Analysis(lines, st, count_line_tokens(lines), units, scores)


def _blocks(lines: Sequence[str], keep: list[bool]) -> list[RemovedBlock]:
    out: list[RemovedBlock] = []
    i = 0
    n = len(keep)
    while i < n:
        if keep[i]:
            i += 1
            continue
        j = i
        while j < n and not keep[j]:
            j += 1
        out.append(RemovedBlock(i + 1, j, "low relevance"))
        i = j
    return out


def select(analysis: Analysis, budget: Budget, unit_scores: Sequence[float] | None = None) -> Selection:
    n = len(analysis.lines)
    scores = list(analysis.line_scores)
    if unit_scores is not None:
        for unit, s in zip(analysis.units, unit_scores, strict=True):
            for i in range(unit.start, unit.end):
                scores[i] = s
    min_keep = max(budget.min_keep_lines, n - int(budget.max_prune_ratio * n))
    order = sorted(range(n), key=lambda i: -scores[i])
    keep = [False] * n
    target = min_keep
    if budget.keep_ratio is not None:
        target = max(target, int(budget.keep_ratio * n))
    for i in order[: max(target, sum(1 for s in scores if s > 0))]:
        keep[i] = True
    return Selection(keep, _blocks(analysis.lines, keep), analysis.source_type)


def prune_lines(lines: Sequence[str], goal: str, source_type: SourceType | None, budget: Budget) -> Selection:
    return select(analyze(lines, goal, source_type), budget)
