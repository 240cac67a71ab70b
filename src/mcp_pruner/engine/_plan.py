"""From scores and a :class:`Budget` to the final keep flags, removed blocks and warnings.

Order of precedence, strongest first: NO_PRUNE regions, the hard bounds
(``max_prune_ratio``, ``min_keep_lines``), the token target (``token_budget``,
``keep_ratio``, or the adaptive target), then relevance. Markers are priced
with an estimate while choosing, then exactly; when the exact price overshoots
the target the choice is redone with a budget lowered by the overshoot.
"""

from __future__ import annotations

import math
import operator
import threading
from collections.abc import Sequence
from itertools import compress
from typing import TYPE_CHECKING, Final

from .._contract import SourceType
from .._tokens import count_line_tokens, count_tokens
from ._cancel import check_cancel
from ._reasons import block_reason
from ._select import Costs, Greedy, Ranking
from ._types import Budget, RemovedBlock, layout, marker_text, removed_runs

if TYPE_CHECKING:
    from ._analysis import Analysis

__all__ = ["plan_selection"]

_ANNOTATE_TOKENS: Final = 3
"""``N│ `` costs about three tokens in o200k_base."""
_MARKER_ESTIMATE: Final = {SourceType.CODE: 36.0, SourceType.DOCS: 36.0, SourceType.LOGS: 48.0}
_REL_WEIGHT: Final = 1.0
_LOG_REL_WEIGHT: Final = 3.0
"""In a log, severity and a template's novelty set the base (3 x severity, +0.5 when first seen);
the goal's match must outweigh novelty among records of one severity (``test_x[7]`` named)."""
_RETRIES: Final = 3
_CEILING_RETRIES: Final = 5
"""``token_budget`` is a ceiling on the exact count of the rendered text: a few more tries to get under it."""
_SHARPNESS: Final = 6.0
"""Utility of a line = priority ** 6: relevance in [0, 1] is a rank more than a probability,
so the top of the ranking must dominate the per-token trade-off."""

_ADAPTIVE_FLOOR: Final = 0.08
_ADAPTIVE_CEIL: Final = 0.34
_STRONG_EVIDENCE: Final = 3.0
_ADAPTIVE_SMALL: Final = 250
"""Below this many tokens adaptive mode keeps everything: a marker would cost what it saves."""
_LOG_CEIL: Final = 0.6
_ALERT_MARGIN: Final = 1.3
_LOG_SLACK: Final = 0.05
"""Adaptive keeps a log's alerts (x1.3 for their context and markers) plus 5% of it, up to 60%."""
_FLOOD_RECORDS: Final = 30
"""Fewer alert records than this are all kept, whatever they cost: a short test run's few failures."""
_FOCUS_CUT: Final = 0.45
_FOCUS_MARGIN: Final = 1.4
_FOCUS_FLOOR: Final = 0.27
_FOCUS_CEIL: Final = 0.5
"""Strong evidence: adaptive keeps the lines scoring >= 0.45 of the best (x1.4 for context and
markers), between 27% and 50% of the tokens: a focused match keeps little, a diffuse one more."""
_WHOLE_COUNT_REACH: Final = 2.0
"""The whole text is counted exactly against a ``token_budget`` when its lines cost at most twice it."""
_FILL_SHARE: Final = 1.0
"""A removed gap costing less than this share of a marker is kept instead."""
_EXCHANGE_ROUNDS: Final = 4
_EXCHANGE_TRIES: Final = 6
"""The exchange pass (:func:`_exchange`) tries the 6 kept islands of least utility per token, in up
to 4 rounds (it stops at the first round that finds nothing better)."""
_EXCHANGE_MISSES: Final = 50
"""A trial spends what one island freed: it stops after 50 takes in a row that do not fit (the
greedy's own limit is 400), so a trial costs a sort and little more."""
_EXCHANGE_MAX_LINES: Final = 5_000
"""Each trial runs the greedy again: texts longer than this skip the exchange, so that a call stays
close to linear (on the benchmark's files of over 3,000 lines it changed nothing)."""


def _hard_min_keep(n: int, budget: Budget) -> int:
    return n - budget.max_removed(n)


def _explicit_target(total: int, budget: Budget) -> float | None:
    target: float | None = None
    if budget.keep_ratio is not None:
        target = max(0.0, budget.keep_ratio) * total
    if budget.token_budget is not None:
        target = float(budget.token_budget) if target is None else min(target, float(budget.token_budget))
    return target


def _forced_alerts(a: Analysis, total: int) -> list[bool]:
    """The alert lines adaptive mode keeps whatever they cost: all of them, unless they are a flood.

    A flood (a linter's hundreds of diagnostics, a storm of one error) is many alert records costing
    more than the adaptive ceiling: keeping them whole would keep nearly everything. Then only the
    alerts the goal matches (its file, its rule, not a word the whole flood shares like "errors":
    :attr:`Analysis.focus`) are forced; the others compete on severity,
    relevance and the novelty of their template, and the ones left out collapse into markers that
    count them.
    """
    cost = sum(t for t, al in zip(a.line_tokens, a.alerts, strict=True) if al)
    if _ALERT_MARGIN * cost + _LOG_SLACK * total <= _LOG_CEIL * total:
        return a.alerts
    starts = a.structure.group_start
    if len({starts[i] for i, al in enumerate(a.alerts) if al}) < _FLOOD_RECORDS:
        return a.alerts
    return [al and r >= _FOCUS_CUT for al, r in zip(a.alerts, a.focus or a.line_scores, strict=True)]


def _adaptive_target(a: Analysis, total: int, sections: Sequence[_Section], forced: Sequence[bool]) -> float:
    """Between a floor and a ceiling, the more the goal matched the more is kept.

    Nothing matched (or no goal): the floor, i.e. structure only. A match of one
    specific term in a rare place (evidence around 3: weight 1 x IDF) already
    earns the ceiling; generic words alone (weight 0.25) earn a fraction.
    With strong evidence the target follows the matches instead: the tokens of
    the lines scoring near the top, plus room for their context (a focused match
    keeps ~27%, a match spread over the whole text up to half). In a document the
    target leaves room for the section the goal is clearly about whole (up to half the text).
    """
    if total <= _ADAPTIVE_SMALL:
        return float(total)
    floor = max(_ADAPTIVE_FLOOR * total, float(_ADAPTIVE_SMALL))
    if a.source_type is SourceType.LOGS:
        alert_cost = sum(t for t, al in zip(a.line_tokens, forced, strict=True) if al)
        return min(_LOG_CEIL * total, max(floor, _ALERT_MARGIN * alert_cost + _LOG_SLACK * total))
    strength = min(1.0, a.evidence / _STRONG_EVIDENCE)
    target = max(floor, (_ADAPTIVE_FLOOR + (_ADAPTIVE_CEIL - _ADAPTIVE_FLOOR) * strength) * total)
    if strength >= 1.0:
        focus = _FOCUS_MARGIN * sum(
            t for t, r in zip(a.line_tokens, a.line_scores, strict=True) if r >= _FOCUS_CUT
        )
        target = min(_FOCUS_CEIL * total, max(_FOCUS_FLOOR * total, floor, focus))
    # The section that matches best (or its best subsection) is kept whole, with room for its
    # markers, if that keeps at most half the text (the most a match spread over the whole text keeps).
    cost = next((c for _, _, c in sections if c <= _FOCUS_CEIL * total), 0.0)
    return max(target, cost)


def _keeps_everything(
    a: Analysis, budget: Budget, line_cost: Sequence[int], total: int, target: float, adaptive: bool
) -> bool:
    """Nothing to choose: a small text in adaptive mode, or the whole text within the target.

    The greedy prices every removed run it leaves, so near a full budget it can stop short of
    taking everything (a NO_PRUNE region splits the rest into runs), and line-number prefixes made
    every line of a small text dearer than the adaptive target: all of it went for one marker.
    """
    if adaptive and total <= _ADAPTIVE_SMALL:
        return True
    if budget.token_budget is None:
        return sum(line_cost) <= target
    # A ceiling on the exact count of the text, which the lines' own costs overstate (blank lines
    # merge): worth counting only when these come near it.
    return (
        sum(line_cost) <= _WHOLE_COUNT_REACH * target and _rendered_tokens(a.lines, [], [], budget) <= target
    )


_Section = tuple[int, int, float]
"""A document section, ``[start, end)``, and the estimated cost of keeping it whole."""


def _best_sections(a: Analysis) -> list[_Section]:
    """The section the goal is about, then its best subsection and so on down (see :mod:`._sections`),
    each with the estimated cost of keeping it whole with its breadcrumb: its lines, the headers of
    the sections around it and a marker for every removed run left. Empty for a text that is neither a
    document nor a diff (see :mod:`._diff`), when the goal matched nothing, or when no section holds
    the evidence or stands out.
    """
    if not a.sections or a.evidence <= 0.0:
        return []
    return [_with_cost(a, s) for s in a.sections]


def _with_cost(a: Analysis, s: int) -> _Section:
    st = a.structure
    sc = st.scopes[s]
    keep = [False] * len(a.lines)
    keep[sc.start : sc.end] = [True] * (sc.end - sc.start)
    p = sc.parent
    while p >= 0:
        up = st.scopes[p]
        keep[up.start : up.header_end] = [True] * (up.header_end - up.start)
        p = up.parent
    runs = sum(1 for i, k in enumerate(keep) if not k and (i == 0 or keep[i - 1]))
    kept = sum(t for t, k in zip(a.line_tokens, keep, strict=True) if k)
    return sc.start, sc.end, kept + runs * _MARKER_ESTIMATE[a.source_type]


def _keep_best_section(g: Greedy, sections: Sequence[_Section], budget: float) -> None:
    """A document's best-matching section is kept whole when it fits, else the first of its best
    subsections that fits: its heading first (which brings the breadcrumb of the sections around it),
    then all of it. The relevance ranking alone left its low-scoring lines (a table row, a paragraph
    of caveats) to chance."""
    for start, end, cost in sections:
        if cost <= budget:
            if g.take(start, budget):
                g.force(start, end)
            return


def _take_alerts(
    g: Greedy, a: Analysis, order: Sequence[int], budget: float, forced: Sequence[bool] | None
) -> None:
    """Log lines of the top severity, whole records: in adaptive mode the ``forced`` ones (see
    :func:`_forced_alerts`), else as many as fit.

    Even a tight budget keeps the best one: a pruned log without its error is useless.
    """
    st = a.structure
    kept_one = False
    for i in order:
        if not a.alerts[i] or g.keep[i]:
            continue
        if (forced is not None and forced[i]) or not kept_one:
            g.force(st.group_start[i], st.group_end[i])
            kept_one = True
        elif forced is not None:
            continue  # a flood's other alerts: the greedy weighs them with the rest
        elif not g.take(i, budget):
            break


def _keep_best_match(g: Greedy, a: Analysis) -> None:
    """Adaptive mode keeps the record the goal matches best (:attr:`Analysis.focus`) next to the forced
    alerts: many short alerts, each with a marker around it, can spend the whole target, and the one
    line naming the goal's order or job (often an INFO line before its error) would be lost."""
    scores = a.focus or a.line_scores
    best = max(range(len(scores)), key=scores.__getitem__)
    if scores[best] > 0.0 and not g.keep[best]:
        g.force(a.structure.group_start[best], a.structure.group_end[best])


def _rendered_tokens(
    lines: Sequence[str], spans: Sequence[tuple[int, int]], reasons: Sequence[str], budget: Budget
) -> int:
    """Exact tokens of the text the server will render for this choice (its trailing newline too).

    Per-line costs miss what joining the lines adds (a newline does not always merge with the
    next line's indentation), a few percent: enough to break a ceiling.
    """
    markers = budget.include_markers
    removed = [
        (lo, hi, marker_text(lo + 1, hi, reason) if markers else None)
        for (lo, hi), reason in zip(spans, reasons, strict=True)
    ]
    return count_tokens(
        layout(lines, removed, annotate=budget.annotate_lines, ends_with_newline=budget.ends_with_newline)
    )


def _order(priority: Sequence[float]) -> list[int]:
    """Line indices best first (stable: ties keep text order)."""
    return sorted(range(len(priority)), key=priority.__getitem__, reverse=True)


def _choose(
    a: Analysis,
    order: list[int],
    priority: Sequence[float],
    costs: Costs,
    budget: float,
    min_keep: int,
    forced: Sequence[bool] | None,
    sections: Sequence[_Section],
    blank: Sequence[bool],
    cancel: threading.Event | None,
) -> Greedy:
    n = len(a.lines)
    g = Greedy(n, a.structure, costs, cancel)
    for lo, hi in a.protected:
        g.force(lo, hi)
    st = a.structure
    for i, must in enumerate(st.must_keep):
        if must and not g.keep[i]:
            g.force(st.group_start[i], st.group_end[i])
    if a.alerts:
        _take_alerts(g, a, order or _order(priority), budget, forced)
        if forced is not None and a.evidence > 0.0:
            _keep_best_match(g, a)
    if sections:
        _keep_best_section(g, sections, budget)
    util = _utility(priority) if a.source_type is not SourceType.LOGS else []
    ranking = Ranking.of(util, costs) if util else None
    if ranking is not None:
        g.run_ratio(util, budget, ranking=ranking)
    else:
        g.run(order or _order(priority), budget)
    g.fill_cheap_gaps()
    g.keep_blank_edges(blank)
    if g.kept_lines < min_keep and ranking is not None:
        # The bound on lines goes on with the greedy, past the budget: what a larger budget would
        # keep, islands grown before new ones are opened where that buys more per token.
        g.run_ratio(util, math.inf, ranking=ranking, until_lines=min_keep)
    if g.kept_lines < min_keep:
        for i in order or _order(priority):
            if g.kept_lines >= min_keep:
                break
            g.take(i, None)
    if ranking is not None and _exchange_allowed(a, sections):
        g = _exchange(a, g, util, ranking, costs, budget, min_keep, blank, cancel)
    return g


def _exchange_allowed(a: Analysis, sections: Sequence[_Section]) -> bool:
    """Code of at most :data:`_EXCHANGE_MAX_LINES` lines with nothing forced: no NO_PRUNE region, no
    line that must be kept, no section kept whole (alerts, forced or not, are a log's: never code's)."""
    return (
        a.source_type is SourceType.CODE
        and len(a.lines) <= _EXCHANGE_MAX_LINES
        and not a.protected
        and not sections
        and not any(a.structure.must_keep)
    )


def _utility(priority: Sequence[float]) -> list[float]:
    """What the greedy maximises per token: priority ** :data:`_SHARPNESS` (a floor for the rest)."""
    return [p**_SHARPNESS + 1e-4 if p > 0.0 else 1e-4 for p in priority]  # 0.0 ** 6 + 1e-4 is 1e-4


def _kept_runs(keep: Sequence[bool]) -> list[tuple[int, int]]:
    """The ``[lo, hi)`` runs of kept lines: what the removed runs leave."""
    out: list[tuple[int, int]] = []
    lo = 0
    for a, b in removed_runs(keep):
        if a > lo:
            out.append((lo, a))
        lo = b
    if lo < len(keep):
        out.append((lo, len(keep)))
    return out


def _exchange(
    a: Analysis,
    g: Greedy,
    util: Sequence[float],
    ranking: Ranking,
    costs: Costs,
    budget: float,
    min_keep: int,
    blank: Sequence[bool],
    cancel: threading.Event | None,
) -> Greedy:
    """A local search after the greedy: give up a kept island (a run of kept lines) for what the greedy
    takes with its tokens and its marker instead, when that holds more utility within the budget.

    The greedy on utility per token commits early: a small island worth its marker when it was taken
    can stand where, once the other islands have grown, its tokens would extend them for more. Each
    round tries the :data:`_EXCHANGE_TRIES` islands of least utility per token and keeps the best
    exchange; at most :data:`_EXCHANGE_ROUNDS` rounds.
    """
    n = len(a.lines)
    line = costs.line
    best = g
    best_u = sum(compress(util, g.keep))
    for _ in range(_EXCHANGE_ROUNDS):
        runs = _kept_runs(best.keep)
        if len(runs) < 2:
            break
        worth = sorted(runs, key=lambda r: sum(util[r[0] : r[1]]) / max(1, sum(line[r[0] : r[1]])))
        found = best
        for drop in worth[:_EXCHANGE_TRIES]:
            check_cancel(cancel)
            trial = Greedy(n, a.structure, costs, cancel)
            for lo, hi in runs:
                if (lo, hi) != drop:
                    trial.force(lo, hi)
            trial.run_ratio(util, budget, _EXCHANGE_MISSES, ranking)
            trial.fill_cheap_gaps()
            trial.keep_blank_edges(blank)
            gain = sum(compress(util, trial.keep))
            if trial.cost <= budget and trial.kept_lines >= min_keep and gain > best_u * (1.0 + 1e-4):
                found, best_u = trial, gain
        if found is best:
            break
        best = found
    return best


def plan_selection(
    a: Analysis, rel: Sequence[float], budget: Budget, cancel: threading.Event | None = None
) -> tuple[list[bool], list[RemovedBlock], list[str]]:
    """Keep flags, removed blocks with reasons, and warning codes (``cancel``: see :mod:`._cancel`)."""
    n = len(a.lines)
    if n == 0:
        return [], [], []
    total = sum(a.line_tokens)
    extra = _ANNOTATE_TOKENS if budget.annotate_lines else 0
    line_cost: Sequence[int] = [t + extra for t in a.line_tokens] if extra else a.line_tokens
    marker = _MARKER_ESTIMATE[a.source_type] if budget.include_markers else 0.0
    costs = Costs(line_cost, marker, _FILL_SHARE * marker)
    base = a.base or [0.0] * n
    weight = _LOG_REL_WEIGHT if a.source_type is SourceType.LOGS else _REL_WEIGHT
    priority = [weight * r + b for r, b in zip(rel, base, strict=True)]
    if a.structure.floor:
        priority = [f if f > p else p for p, f in zip(priority, a.structure.floor, strict=True)]  # max(p, f)
    # Best-first order: the greedy on utility per token does not need it for code, only logs and bounds.
    order = _order(priority) if a.source_type is SourceType.LOGS or a.alerts else []
    min_keep = _hard_min_keep(n, budget)
    explicit = _explicit_target(total, budget)
    adaptive = explicit is None
    sections = _best_sections(a)  # documents and diffs only; the same for every attempt below
    forced = _forced_alerts(a, total) if adaptive and a.alerts else None
    target = _adaptive_target(a, total, sections, forced or a.alerts) if explicit is None else explicit
    if _keeps_everything(a, budget, line_cost, total, target, adaptive):
        return [True] * n, [], []

    st = a.structure
    starts = [s.start for s in st.scopes]
    blank = list(map(operator.not_, map(str.strip, a.lines)))  # at C speed
    allowed = target
    keep: list[bool] = [True] * n
    spans: list[tuple[int, int]] = []
    reasons: list[str] = []
    cost = 0.0
    # A soft target (keep_ratio, adaptive) tolerates a small overshoot; token_budget is a ceiling.
    tolerance = 0.0 if budget.token_budget is not None else (0.05 if adaptive else 0.015) * target
    ceiling = budget.token_budget is not None
    for attempt in range(_CEILING_RETRIES if ceiling else _RETRIES):
        check_cancel(cancel)
        g = _choose(a, order, priority, costs, allowed, min_keep, forced, sections, blank, cancel)
        keep = g.keep
        spans = removed_runs(keep)
        reasons = [block_reason(a.lines, st, starts, lo, hi) for lo, hi in spans]
        cost = float(sum(compress(line_cost, keep)))
        if budget.include_markers and spans:
            texts = [marker_text(lo + 1, hi, r) for (lo, hi), r in zip(spans, reasons, strict=True)]
            marker_tokens = sum(count_line_tokens(texts))
            cost += marker_tokens
            # Price markers at what they really cost here, then choose again.
            mean = marker_tokens / len(spans)
            costs = Costs(line_cost, mean, _FILL_SHARE * mean)
        if ceiling:
            cost = float(_rendered_tokens(a.lines, spans, reasons, budget))
        if cost <= target + tolerance or g.forced_cost >= target:
            break
        if attempt or ceiling:
            allowed -= cost - target + 1.0
        if allowed <= 0:
            break
    warnings: list[str] = []
    if explicit is not None and cost > target * (1.0 if budget.token_budget is not None else 1.05):
        warnings.append("budget_unmet")
    blocks = [RemovedBlock(lo + 1, hi, r) for (lo, hi), r in zip(spans, reasons, strict=True)]
    return list(keep), blocks, warnings
