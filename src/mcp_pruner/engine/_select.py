"""Greedy, structure-aware choice of the lines to keep under a token budget.

Lines are taken best-first. Taking a line also takes what it cannot be read
without: its atomic group (stack trace, fence, table, multi-line signature) and
the headers of every scope around it. The cost of a take is exact in kept
tokens and close in markers: a removed run costs one marker line, so keeping a
line in the middle of a removed run adds a marker and closing a gap saves one.
A gap that costs about as much as the marker announcing it is closed at once
(a marker that replaces three lines only adds noise).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ._structure import Structure

__all__ = ["Costs", "Greedy"]

_MAX_MISSES: Final = 400
"""Consecutive takes that did not fit before the budget is considered spent."""


@dataclass(frozen=True, slots=True)
class Costs:
    """Token prices: each kept line's own cost (prefix included), a marker, and the gap-fill threshold."""

    line: Sequence[int]
    marker: float
    fill: float


class Greedy:
    """Mutable selection state: which lines are kept, what they cost, how many markers there are."""

    __slots__ = (
        "_before",
        "_changed",
        "_headed",
        "_new_headed",
        "costs",
        "forced_cost",
        "keep",
        "kept_lines",
        "n",
        "runs",
        "st",
        "tokens",
    )

    def __init__(self, n: int, st: Structure, costs: Costs) -> None:
        self.n = n
        self.st = st
        self.costs = costs
        self.keep = [False] * n
        self.tokens = 0
        self.kept_lines = 0
        self.runs = 1 if n else 0
        self._changed: list[int] = []
        self._before = (0, 0, 0)
        self.forced_cost = 0.0
        self._headed = [False] * len(st.scopes)
        """Scopes whose headers (and their ancestors') a take has kept, with the gaps around them settled."""
        self._new_headed: list[int] = []

    @property
    def cost(self) -> float:
        return self.tokens + self.runs * self.costs.marker

    def _mark(self, a: int, b: int) -> None:
        """Keep the not-yet-kept lines of ``[a, b)``, updating cost and the number of removed runs."""
        keep = self.keep
        n = self.n
        line = self.costs.line
        i = a
        while i < b:
            if keep[i]:
                i += 1
                continue
            j = i
            while j < b and not keep[j]:
                keep[j] = True
                self.tokens += line[j]
                self._changed.append(j)
                j += 1
            self.kept_lines += j - i
            left = i == 0 or keep[i - 1]
            right = j >= n or keep[j]
            self.runs += -1 if (left and right) else (0 if (left or right) else 1)
            i = j

    def _fill_side(self, i: int, step: int) -> None:
        """Close the removed gap starting next to line ``i`` in direction ``step`` if it is cheap."""
        keep = self.keep
        line = self.costs.line
        j = i + step
        acc = 0
        limit = self.costs.fill
        while 0 <= j < self.n and not keep[j]:
            acc += line[j]
            if acc > limit:
                return
            j += step
        if acc == 0:
            return
        lo, hi = (i + 1, j) if step > 0 else (j + 1, i)
        self._mark(lo, hi)

    def _expand(self, i: int, out: list[tuple[int, int]]) -> None:
        st = self.st
        out.append((st.group_start[i], st.group_end[i]))
        s = st.line_scope[i] if st.line_scope else -1
        headed = self._headed
        while s >= 0 and not headed[s]:
            sc = st.scopes[s]
            out.append((sc.start, sc.header_end))
            headed[s] = True
            self._new_headed.append(s)
            s = sc.parent

    def take(self, i: int, budget: float | None) -> bool:
        """Keep line ``i`` and what it needs; undo and return False if the cost would exceed ``budget``."""
        if self.keep[i]:
            return True
        ranges: list[tuple[int, int]] = []
        self._new_headed = []
        self._expand(i, ranges)
        # Header lines may belong to groups (a multi-line signature): widen them too.
        full: list[tuple[int, int]] = []
        st = self.st
        for a, b in ranges:
            full.append((min(a, st.group_start[a]), max(b, st.group_end[b - 1])))
        self._changed = []
        self._before = (self.tokens, self.runs, self.kept_lines)
        for a, b in full:
            self._mark(a, b)
        for a, b in full:
            self._fill_side(a, -1)
            self._fill_side(b - 1, 1)
        if budget is not None and self.cost > budget:
            self.undo()
            return False
        return True

    def force(self, a: int, b: int) -> None:
        """Keep ``[a, b)`` whatever it costs (NO_PRUNE regions, alerts); tracked in :attr:`forced_cost`."""
        self._changed = []
        self._mark(a, b)
        self.forced_cost = self.cost
        # A forced range may shrink a gap next to a header: let the next take settle it again.
        self._headed = [False] * len(self.st.scopes)

    def run_ratio(self, utility: Sequence[float], budget: float) -> None:
        """Lazy greedy on utility per token: cheap neighbours of kept regions rise as regions grow.

        Keys are re-checked when popped (the real cost of a take depends on
        what is kept already: a line next to a kept region needs no marker);
        the neighbours of each take are re-pushed with their lower cost.
        """
        n = self.n
        line = self.costs.line
        marker = self.costs.marker
        heap = [
            (-utility[i] / (line[i] + marker), i) for i in range(n) if utility[i] > 0.0 and not self.keep[i]
        ]
        heapq.heapify(heap)
        misses = 0
        keep = self.keep
        while heap:
            _, i = heapq.heappop(heap)
            if keep[i]:
                continue
            before = self.cost
            if not self.take(i, budget):
                misses += 1
                if misses > _MAX_MISSES or self.cost >= budget - 1:
                    break
                continue
            delta = self.cost - before
            ratio = utility[i] / max(delta, 1.0)
            if heap and ratio < -heap[0][0] * 0.98:
                self.undo()
                heapq.heappush(heap, (-ratio, i))
                continue
            misses = 0
            for j in self._changed:
                for k in (j - 1, j + 1):
                    if 0 <= k < n and not keep[k] and utility[k] > 0.0:
                        heapq.heappush(heap, (-utility[k] / line[k], k))

    def undo(self) -> None:
        """Revert the last :meth:`take`."""
        for j in self._changed:
            self.keep[j] = False
        for s in self._new_headed:
            self._headed[s] = False
        self.tokens, self.runs, self.kept_lines = self._before
        self._changed = []
        self._new_headed = []

    def run(self, order: Sequence[int], budget: float) -> None:
        """Take lines in ``order`` while they fit in ``budget``."""
        misses = 0
        for i in order:
            if self.keep[i]:
                continue
            if self.take(i, budget):
                misses = 0
            else:
                misses += 1
                if misses > _MAX_MISSES or self.cost >= budget - 1:
                    break
