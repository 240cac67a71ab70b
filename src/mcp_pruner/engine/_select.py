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

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Final

from ._cancel import CHECK_EVERY, check_cancel
from ._structure import Structure
from ._types import removed_runs

__all__ = ["Costs", "Greedy", "Ranking"]

_MAX_MISSES: Final = 400
"""Consecutive takes that did not fit before the budget is considered spent."""
_WALK: Final = 8
"""Lines of a removed gap walked one by one before its far side is searched at C speed."""
_SHORT_RANGE: Final = 8
"""Ranges up to this many lines are marked line by line; longer ones (an atomic table, a log record)
find their runs with ``list.index`` and set them by slices: a take tried and undone on every line of
a 300-line group cost 300 Python steps each way, and a text of such groups hundreds of times its size."""


@dataclass(frozen=True, slots=True)
class Costs:
    """Token prices: each kept line's own cost (prefix included), a marker, and the gap-fill threshold."""

    line: Sequence[int]
    marker: float
    fill: float


@dataclass(frozen=True, slots=True)
class Ranking:
    """The greedy's first order: each line's key (minus its utility per token, a marker included) and
    the lines of positive utility sorted by it, ties in text order. It depends on the utility and the
    prices only, so runs over the same ones (the exchange pass's trials) share it."""

    key: Sequence[float]
    lines: Sequence[int]

    @classmethod
    def of(cls, utility: Sequence[float], costs: Costs) -> Ranking:
        marker = costs.marker
        key = [-u / (c + marker) for u, c in zip(utility, costs.line, strict=True)]
        ranked = sorted((i for i, u in enumerate(utility) if u > 0.0), key=key.__getitem__)
        return cls(key, ranked)


class Greedy:
    """Mutable selection state: which lines are kept, what they cost, how many markers there are."""

    __slots__ = (
        "_before",
        "_cancel",
        "_changed",
        "_headed",
        "_headed_stale",
        "_new_headed",
        "_reach",
        "costs",
        "forced_cost",
        "keep",
        "kept_lines",
        "n",
        "runs",
        "st",
        "tokens",
    )

    def __init__(self, n: int, st: Structure, costs: Costs, cancel: threading.Event | None = None) -> None:
        self._cancel = cancel
        self.n = n
        self.st = st
        self.costs = costs
        self.keep = [False] * n
        self.tokens = 0
        self.kept_lines = 0
        self.runs = 1 if n else 0
        self._changed: list[tuple[int, int]] = []
        """The ``[lo, hi)`` runs the last take (or mark) kept: disjoint, each all newly kept."""
        self._before = (0, 0, 0)
        self.forced_cost = 0.0
        self._headed = [False] * len(st.scopes)
        """Scopes whose headers (and their ancestors') a take has kept, with the gaps around them settled."""
        self._headed_stale = False
        """A forced range came since: :attr:`_headed` is cleared at the next take (once, however many)."""
        self._new_headed: list[int] = []
        self._reach = int(costs.fill) + 1 if min(costs.line, default=1) >= 1 else n + 1
        """Lines a cheap gap can span at most: each costs a token or more (else any number)."""

    @property
    def cost(self) -> float:
        return self.tokens + self.runs * self.costs.marker

    def _mark(self, a: int, b: int) -> None:
        """Keep the not-yet-kept lines of ``[a, b)``, updating cost and the number of removed runs."""
        keep = self.keep
        n = self.n
        line = self.costs.line
        changed = self._changed
        long = b - a > _SHORT_RANGE
        i = a
        while i < b:
            if keep[i]:
                if not long:
                    i += 1
                    continue
                try:
                    i = keep.index(False, i, b)
                except ValueError:
                    return
            if long:
                try:
                    j = keep.index(True, i, b)
                except ValueError:
                    j = b
                keep[i:j] = [True] * (j - i)
                self.tokens += sum(line[i:j])
            else:
                j = i
                while j < b and not keep[j]:
                    keep[j] = True
                    self.tokens += line[j]
                    j += 1
            changed.append((i, j))
            self.kept_lines += j - i
            left = i == 0 or keep[i - 1]
            right = j >= n or keep[j]
            self.runs += -1 if (left and right) else (0 if (left or right) else 1)
            i = j

    def take(self, i: int, budget: float | None) -> bool:
        """Keep line ``i`` and what it needs; undo and return False if the cost would exceed ``budget``.

        What is kept: the group of ``i`` and the header of every scope around it not yet headed,
        each widened to the groups at its ends (a multi-line signature), and the scope's tail; then,
        on both sides of each of these ranges, the removed gap next to it if it costs at most ``costs.fill``.
        This is the selector's hot loop: gap filling is inlined on local variables.
        """
        keep = self.keep
        if keep[i]:
            return True
        st = self.st
        gs = st.group_start
        ge = st.group_end
        a = gs[i]
        b = ge[i]
        x = gs[a]
        y = ge[b - 1]
        full = [(x if x < a else a, y if y > b else b)]
        new_headed: list[int] = []
        if st.line_scope:
            s = st.line_scope[i]
            if self._headed_stale:
                self._headed = [False] * len(st.scopes)
                self._headed_stale = False
            headed = self._headed
            scopes = st.scopes
            while s >= 0 and not headed[s]:
                sc = scopes[s]
                a = sc.start
                b = sc.header_end
                x = gs[a]
                y = ge[b - 1]
                full.append((x if x < a else a, y if y > b else b))
                if sc.tail:
                    full.append((sc.end - sc.tail, sc.end))
                headed[s] = True
                new_headed.append(s)
                s = sc.parent
        self._new_headed = new_headed
        self._before = (self.tokens, self.runs, self.kept_lines)
        self._changed = []
        for a, b in full:
            self._mark(a, b)
        n = self.n
        costs = self.costs
        line = costs.line
        tokens = self.tokens
        runs = self.runs
        kept = self.kept_lines
        changed = self._changed
        # Close the cheap gaps before and after every range: a gap is all removed
        # and has a kept line or an edge on its far side, so it ends a run iff its near side is kept.
        # A gap is walked a few lines at most; one still cheap that far (a run of blank lines, a
        # token each) has its far side searched at C speed, within the ``reach`` lines a gap cheap
        # enough can span: every take next to a long run walked ~37 of its lines.
        limit = costs.fill
        reach = self._reach
        for a, b in full:
            j = a - 1
            acc = 0
            stop = a - _WALK
            while j >= 0 and not keep[j]:
                acc += line[j]
                if acc > limit:
                    break
                if j == stop:
                    j = self._far_side_before(j, a - reach)
                    if j < -1:
                        break
                    acc += sum(line[j + 1 : stop])
                    if acc > limit:
                        break
                    continue
                j -= 1
            else:
                if acc:
                    keep[j + 1 : a] = [True] * (a - j - 1)
                    changed.append((j + 1, a))
                    tokens += acc
                    kept += a - j - 1
                    if a >= n or keep[a]:
                        runs -= 1
            j = b
            acc = 0
            stop = b + _WALK
            while j < n and not keep[j]:
                acc += line[j]
                if acc > limit:
                    break
                if j == stop:
                    j = self._far_side_after(j, b + reach)
                    if j < 0:
                        break
                    acc += sum(line[stop + 1 : j])
                    if acc > limit:
                        break
                    continue
                j += 1
            else:
                if acc:
                    keep[b:j] = [True] * (j - b)
                    changed.append((b, j))
                    tokens += acc
                    kept += j - b
                    if b == 0 or keep[b - 1]:
                        runs -= 1
        self.tokens = tokens
        self.runs = runs
        self.kept_lines = kept
        if budget is not None and tokens + runs * costs.marker > budget:
            self.undo()
            return False
        return True

    def _far_side_before(self, j: int, lo: int) -> int:
        """The last kept line before ``j`` and from ``lo`` on (-1: none, the text's start is as near);
        -2: none, the gap ending at ``j`` is too long to be cheap."""
        start = lo if lo > 0 else 0
        seg = self.keep[start:j]
        if True not in seg:
            return -1 if start == 0 else -2
        seg.reverse()
        return j - 1 - seg.index(True)

    def _far_side_after(self, j: int, hi: int) -> int:
        """The first kept line after ``j`` and before ``hi`` (``n``: none, the text's end is as near);
        -1: none, the gap starting at ``j`` is too long to be cheap."""
        end = hi if hi < self.n else self.n
        seg = self.keep[j + 1 : end]
        if True not in seg:
            return self.n if end == self.n else -1
        return j + 1 + seg.index(True)

    def force(self, a: int, b: int) -> None:
        """Keep ``[a, b)`` whatever it costs (NO_PRUNE regions, alerts); tracked in :attr:`forced_cost`."""
        self._changed = []
        self._mark(a, b)
        self.forced_cost = self.cost
        # A forced range may shrink a gap next to a header: let the next take settle it again.
        # Cleared lazily: one list per forced range made thousands of NO_PRUNE lines quadratic.
        self._headed_stale = True

    def run_ratio(
        self,
        utility: Sequence[float],
        budget: float,
        max_misses: int = _MAX_MISSES,
        ranking: Ranking | None = None,
        until_lines: int | None = None,
    ) -> None:
        """Lazy greedy on utility per token: cheap neighbours of kept regions rise as regions grow.

        Keys are re-checked when popped (the real cost of a take depends on
        what is kept already: a line next to a kept region needs no marker);
        the neighbours of each take are re-pushed with their lower cost.

        A take that is undone (too dear for its utility, or over the budget) is remembered for its
        atomic group and scope until the next take is kept: every other line of that group would
        keep the same lines at the same price, so its take is not tried again, only its utility
        is divided by that price. A 300-line table tried line by line marked and unmarked all its
        lines 300 times.

        ``ranking``: ``Ranking.of(utility, self.costs)``, passed by a caller that runs the greedy
        again on the same utility and prices (built here when None). ``until_lines``: stop once that
        many lines are kept (a bound on lines: the greedy goes on past the budget it was given, and
        chooses what it would have chosen with a larger one).
        """
        n = self.n
        line = self.costs.line
        marker = self.costs.marker
        keep = self.keep
        # Candidates are popped in (key, line) order. The initial ones are sorted once (a stable
        # sort on float keys: ties stay in line order), lines pushed back later go to a heap, and
        # each pop takes the smaller head of the two: the order of one heap of all the pairs,
        # without its tuple comparisons, most of the cost of a pop on a long text.
        if ranking is None:
            ranking = Ranking.of(utility, self.costs)
        ckey = ranking.key
        cand = [i for i in ranking.lines if not keep[i]]
        m = len(cand)
        p = 0
        pushed: list[tuple[float, int]] = []
        take = self.take
        misses = 0
        cancel = self._cancel
        steps = 0
        gs = self.st.group_start
        ge = self.st.group_end
        ls = self.st.line_scope
        version = 0  # takes kept so far: what a remembered price is valid for
        tried: dict[tuple[int, int], tuple[int, float | None]] = {}  # price, None: over the budget
        while True:
            steps += 1
            if cancel is not None and steps % CHECK_EVERY == 0:
                check_cancel(cancel)
            if p < m:
                i = cand[p]
                key = ckey[i]
                if pushed and (pushed[0][0] < key or (pushed[0][0] == key and pushed[0][1] < i)):
                    i = heappop(pushed)[1]
                else:
                    p += 1
            elif pushed:
                i = heappop(pushed)[1]
            else:
                break
            if keep[i]:
                continue
            # What a take of i keeps depends on its group and its scope only (see take).
            tkey = (gs[i], ls[i] if ls else -1) if ge[i] - gs[i] > 1 else None
            seen = tried.get(tkey) if tkey is not None else None
            known = seen is not None and seen[0] == version
            delta: float | None  # None: over the budget
            if seen is not None and known:
                delta = seen[1]
            else:
                before = self.tokens + self.runs * marker
                delta = self.tokens + self.runs * marker - before if take(i, budget) else None
                if delta is None and tkey is not None:
                    tried[tkey] = (version, None)
            if delta is None:
                misses += 1
                if misses > max_misses or self.tokens + self.runs * marker >= budget - 1:
                    break
                continue
            ratio = utility[i] / max(delta, 1.0)
            if p < m or pushed:
                best = ckey[cand[p]] if p < m else math.inf
                if pushed and pushed[0][0] < best:
                    best = pushed[0][0]
                if ratio < -best * 0.98:
                    if not known:
                        self.undo()
                        if tkey is not None:
                            tried[tkey] = (version, delta)
                    heappush(pushed, (-ratio, i))
                    continue
            if known:
                take(i, budget)  # the take priced above: it fits
            version += 1
            misses = 0
            if until_lines is not None and self.kept_lines >= until_lines:
                break
            # The removed neighbours of the lines just kept: inside a run all are kept, so those
            # just before and after each run (the same entries, line by line, as pushing the two
            # neighbours of every kept line that are still removed).
            for lo, hi in self._changed:
                k = lo - 1
                if k >= 0 and not keep[k] and utility[k] > 0.0:
                    heappush(pushed, (-utility[k] / line[k], k))
                k = hi
                if k < n and not keep[k] and utility[k] > 0.0:
                    heappush(pushed, (-utility[k] / line[k], k))

    def fill_cheap_gaps(self) -> None:
        """Keep every removed run that costs no more than the marker announcing it.

        Takes close such gaps around what they keep; forced ranges (NO_PRUNE, alerts) and runs
        left between takes do not, so this last pass does. It never raises the cost: each run
        filled saves its marker.
        """
        line = self.costs.line
        limit = self.costs.fill
        for lo, hi in removed_runs(self.keep):  # marking one run leaves the others as they are
            if sum(line[lo:hi]) <= limit:
                self._changed = []
                self._mark(lo, hi)

    def keep_blank_edges(self, blank: Sequence[bool]) -> None:
        """Keep each blank line that borders a kept line.

        A blank line costs a token or none (it merges with the newline before it; three more with a
        line-number prefix), keeps a kept block reading as a block, and is where a change next to
        that block often lands: a function inserted after another is located by the blank line that
        ends it. The ranking never takes blank lines on their own (their prior is negative). Only
        lines bordering what is kept before this pass are taken, so a run of blank lines is not
        followed into a removed region.
        """
        n = self.n
        edges: list[int] = []
        for lo, hi in removed_runs(self.keep):  # the lines bordering a kept one end removed runs
            if lo > 0 and blank[lo]:
                edges.append(lo)
            last = hi - 1
            if hi < n and blank[last] and (last > lo or lo == 0):
                edges.append(last)
        for i in edges:
            self._changed = []
            self._mark(i, i + 1)

    def undo(self) -> None:
        """Revert the last :meth:`take`."""
        keep = self.keep
        for lo, hi in self._changed:
            keep[lo:hi] = [False] * (hi - lo)
        for s in self._new_headed:
            self._headed[s] = False
        self.tokens, self.runs, self.kept_lines = self._before
        self._changed = []
        self._new_headed = []

    def run(self, order: Sequence[int], budget: float) -> None:
        """Take lines in ``order`` while they fit in ``budget``."""
        misses = 0
        cancel = self._cancel
        for step, i in enumerate(order):
            if cancel is not None and step % CHECK_EVERY == 0:
                check_cancel(cancel)
            if self.keep[i]:
                continue
            if self.take(i, budget):
                misses = 0
            else:
                misses += 1
                if misses > _MAX_MISSES or self.cost >= budget - 1:
                    break
