"""Baselines, fitted to a token budget that includes their own marker lines.

Every baseline is a *growth path*: an order in which lines are added to the output,
step by step (first-N: line 1, 2, 3, …; BM25: the best-scoring line first, pulling its
±w window along). For a budget we keep the longest prefix of the path whose rendered
text (kept lines + one marker per removed run, same renderer and same o200k tokenizer
as the engine's output) has at most ``budget`` tokens. The prefix is located with the
per-line token costs, then settled with exact counts of the rendered text, so a
baseline never gets more tokens than the budget (unless even "everything removed",
i.e. a single marker line, does not fit: then it returns that and says so).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from mcp_pruner._tokens import count_tokens
from mcp_pruner.engine import marker_text

from ._bm25 import bm25_scores
from ._render import render_keep

__all__ = [
    "BASELINES",
    "BM25_REASON",
    "TRUNCATE_REASON",
    "Fitted",
    "GrowthPath",
    "bm25_path",
    "first_n_path",
    "fit",
]

TRUNCATE_REASON: Final = "truncated"
BM25_REASON: Final = "low bm25 score"
BM25_WINDOW: Final = 3


@dataclass(frozen=True, slots=True)
class Fitted:
    """A baseline's output under one budget."""

    keep: list[bool]
    text: str
    tokens: int
    over_budget: bool


@dataclass(frozen=True, slots=True)
class GrowthPath:
    """``added_at[j]`` = the step (1-based) that adds line j; ``est[k]`` = estimated tokens after k steps."""

    lines: Sequence[str]
    added_at: list[int]
    est: list[int]
    reason: str

    @property
    def steps(self) -> int:
        return len(self.est) - 1

    def keep(self, k: int) -> list[bool]:
        return [step <= k for step in self.added_at]


def _runs(keep: list[bool], lo: int, hi: int) -> int:
    """Maximal runs of removed lines inside ``keep[lo:hi + 1]`` (taken on its own)."""
    runs = 0
    prev_removed = False
    for j in range(lo, hi + 1):
        removed = not keep[j]
        if removed and not prev_removed:
            runs += 1
        prev_removed = removed
    return runs


def _marker_cost(n: int, reason: str) -> int:
    """Tokens of the widest marker this text can have, plus its newline."""
    return count_tokens(marker_text(n, n, reason)) + 2


def _path(
    lines: Sequence[str], costs: Sequence[int], order: Sequence[int], window: int, reason: str
) -> GrowthPath:
    n = len(lines)
    keep = [False] * n
    added_at = [n + 1] * n
    marker = _marker_cost(n, reason)
    est = [marker if n else 0]
    for i in order:
        a, b = max(0, i - window), min(n - 1, i + window)
        new = [j for j in range(a, b + 1) if not keep[j]]
        if not new:
            continue
        lo, hi = max(0, a - 1), min(n - 1, b + 1)
        before = _runs(keep, lo, hi)
        step = len(est)
        for j in new:
            keep[j] = True
            added_at[j] = step
        after = _runs(keep, lo, hi)
        est.append(est[-1] + sum(costs[j] + 1 for j in new) + (after - before) * marker)
    return GrowthPath(lines, added_at, est, reason)


def first_n_path(lines: Sequence[str], costs: Sequence[int]) -> GrowthPath:
    """First-N-lines truncation: lines in file order, one marker for the cut tail."""
    return _path(lines, costs, range(len(lines)), 0, TRUNCATE_REASON)


def bm25_path(lines: Sequence[str], costs: Sequence[int], goal: str, window: int) -> GrowthPath:
    """BM25 lines by decreasing score (ties and zero scores: file order), each pulling ±``window`` lines."""
    scores = bm25_scores(lines, goal)
    order = sorted(range(len(lines)), key=lambda i: (-scores[i], i))
    return _path(lines, costs, order, window, BM25_REASON)


def _largest_fitting(f: Callable[[int], int], budget: int, guess: int, top: int) -> int:
    """Largest k in [0, top] with f(k) <= budget, f assumed non-decreasing; -1 if none."""
    if f(guess) <= budget:
        lo, step = guess, 1
        while lo < top and f(min(top, lo + step)) <= budget:
            lo, step = min(top, lo + step), step * 2
        hi = min(top, lo + step)
        if lo == top:
            return top
    else:
        hi = guess
        lo = -1
    while hi - lo > 1:  # invariant: f(lo) <= budget (or lo == -1), f(hi) > budget
        mid = (lo + hi) // 2
        if f(mid) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def fit(path: GrowthPath, budget: int) -> Fitted:
    """The longest prefix of ``path`` whose rendered text fits ``budget`` tokens (markers counted)."""
    cache: dict[int, tuple[str, int]] = {}

    def exact(k: int) -> int:
        if k not in cache:
            text = render_keep(path.lines, path.keep(k), path.reason)
            cache[k] = (text, count_tokens(text))
        return cache[k][1]

    guess = max(0, bisect.bisect_right(path.est, budget) - 1)
    k = _largest_fitting(exact, budget, guess, path.steps)
    over = k < 0
    k = max(k, 0)
    exact(k)
    text, tokens = cache[k]
    return Fitted(path.keep(k), text, tokens, over)


BASELINES: Final[dict[str, Callable[[Sequence[str], Sequence[int], str], GrowthPath]]] = {
    "bm25_w3": lambda lines, costs, goal: bm25_path(lines, costs, goal, BM25_WINDOW),
    "bm25": lambda lines, costs, goal: bm25_path(lines, costs, goal, 0),
    "first_n": lambda lines, costs, goal: first_n_path(lines, costs),
}
"""Name → growth-path builder; each is built once per case and fitted to each mode's budget."""
