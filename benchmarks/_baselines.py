"""Baselines, fitted to a token budget that includes their own marker lines.

Every baseline is a *growth path*: an order in which lines are added to the output,
step by step (first-N: line 1, 2, 3, …; BM25: the best-scoring line first, pulling its
±w window along). For a budget we keep the longest prefix of the path whose rendered
text (kept lines + one marker per removed run, same rendering and same o200k tokenizer
as the engine's output) has at most ``budget`` tokens; BM25 then adds the later windows
that still fit, in path order, skipping those that do not (first-N stays a plain cut).
Costs are first estimated from per-line token counts, then settled with exact counts of
the rendered text, so a baseline never gets more tokens than the budget (unless even
"everything removed", i.e. a single marker line, does not fit: then it says so).
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
_FILL_PASSES: Final = 4


@dataclass(frozen=True, slots=True)
class Fitted:
    """A baseline's output under one budget."""

    keep: list[bool]
    text: str
    tokens: int
    over_budget: bool


@dataclass(frozen=True, slots=True)
class GrowthPath:
    """A baseline's order of additions, with what :func:`fit` needs to cut it at a budget.

    ``added_at[j]`` = the step (1-based) that adds line j; ``est[k]`` = estimated tokens
    after k steps; ``trigger[k]`` = position in ``order`` of the line that made step k + 1.
    """

    lines: Sequence[str]
    costs: Sequence[int]
    order: Sequence[int]
    window: int
    marker: int
    reason: str
    added_at: list[int]
    est: list[int]
    trigger: list[int]
    ends_with_newline: bool
    fill: bool

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


def _window(keep: list[bool], i: int, window: int) -> tuple[list[int], int, int]:
    """Lines of the window around ``i`` not kept yet, and the slice to count runs in."""
    n = len(keep)
    a, b = max(0, i - window), min(n - 1, i + window)
    new = [j for j in range(a, b + 1) if not keep[j]]
    return new, max(0, a - 1), min(n - 1, b + 1)


def _add(keep: list[bool], new: list[int], lo: int, hi: int, costs: Sequence[int], marker: int) -> int:
    """Mark ``new`` kept and return the estimated change in rendered tokens."""
    before = _runs(keep, lo, hi)
    for j in new:
        keep[j] = True
    return sum(costs[j] + 1 for j in new) + (_runs(keep, lo, hi) - before) * marker


def _path(
    lines: Sequence[str],
    costs: Sequence[int],
    order: Sequence[int],
    window: int,
    reason: str,
    ends_nl: bool,
    *,
    fill: bool,
) -> GrowthPath:
    n = len(lines)
    keep = [False] * n
    added_at = [n + 1] * n
    marker = _marker_cost(n, reason)
    est = [marker if n else 0]
    trigger: list[int] = []
    for pos, i in enumerate(order):
        new, lo, hi = _window(keep, i, window)
        if not new:
            continue
        for j in new:
            added_at[j] = len(est)
        trigger.append(pos)
        est.append(est[-1] + _add(keep, new, lo, hi, costs, marker))
    return GrowthPath(lines, costs, order, window, marker, reason, added_at, est, trigger, ends_nl, fill)


def _fill(path: GrowthPath, keep: list[bool], k: int, slack: int) -> list[bool]:
    """From ``keep``, add the windows after step k that still fit in ``slack`` (estimated), in order."""
    keep = keep.copy()
    n, w, costs, marker = len(keep), path.window, path.costs, path.marker
    for i in path.order[path.trigger[k] + 1 :]:
        if slack < 2:  # nothing but a gap-closing window could still fit: not worth a scan
            break
        a, b = max(0, i - w), min(n - 1, i + w)
        new = [j for j in range(a, b + 1) if not keep[j]]
        if not new or sum(costs[j] + 1 for j in new) - marker > slack:
            continue
        delta = _add(keep, new, max(0, a - 1), min(n - 1, b + 1), costs, marker)
        if delta <= slack:
            slack -= delta
        else:
            for j in new:
                keep[j] = False
    return keep


def first_n_path(lines: Sequence[str], costs: Sequence[int], ends_nl: bool = False) -> GrowthPath:
    """First-N-lines truncation: lines in file order, one marker for the cut tail."""
    return _path(lines, costs, range(len(lines)), 0, TRUNCATE_REASON, ends_nl, fill=False)


def bm25_path(
    lines: Sequence[str], costs: Sequence[int], goal: str, window: int, ends_nl: bool = False
) -> GrowthPath:
    """BM25 lines by decreasing score (ties and zero scores: file order), each pulling ±``window`` lines."""
    scores = bm25_scores(lines, goal)
    order = sorted(range(len(lines)), key=lambda i: (-scores[i], i))
    return _path(lines, costs, order, window, BM25_REASON, ends_nl, fill=True)


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
    """The most of ``path`` whose rendered text fits ``budget`` tokens (markers counted).

    First the longest prefix that fits (exact counts); then, in a few passes, the later
    windows that still fit in what is left are added in the same order, skipping those that
    do not. Each pass is checked with an exact count: kept if it fits, else retried with less.
    """
    cache: dict[int, tuple[str, int]] = {}

    def exact(k: int) -> int:
        if k not in cache:
            text = render_keep(path.lines, path.keep(k), path.reason, path.ends_with_newline)
            cache[k] = (text, count_tokens(text))
        return cache[k][1]

    guess = max(0, bisect.bisect_right(path.est, budget) - 1)
    k = _largest_fitting(exact, budget, guess, path.steps)
    if k < 0:
        exact(0)
        return Fitted(path.keep(0), *cache[0], over_budget=True)
    text, tokens = cache[k]
    keep = path.keep(k)
    slack = budget - tokens
    for _ in range(_FILL_PASSES):
        if not path.fill or slack <= 0 or k >= path.steps:
            break
        filled = _fill(path, keep, k, slack)
        if filled == keep:
            break
        filled_text = render_keep(path.lines, filled, path.reason, path.ends_with_newline)
        filled_tokens = count_tokens(filled_text)
        if filled_tokens <= budget:
            keep, text, tokens = filled, filled_text, filled_tokens
            slack = budget - tokens
        else:
            slack -= filled_tokens - budget
    return Fitted(keep, text, tokens, over_budget=False)


BASELINES: Final[dict[str, Callable[[Sequence[str], Sequence[int], str, bool], GrowthPath]]] = {
    "bm25_w3": lambda lines, costs, goal, ends_nl: bm25_path(lines, costs, goal, BM25_WINDOW, ends_nl),
    "bm25": lambda lines, costs, goal, ends_nl: bm25_path(lines, costs, goal, 0, ends_nl),
    "first_n": lambda lines, costs, goal, ends_nl: first_n_path(lines, costs, ends_nl),
}
"""Name → growth-path builder (lines, token costs, goal, text ends with a newline); each is built
once per case and fitted to each mode's budget."""
