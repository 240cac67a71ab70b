"""The plan: the exchange pass that follows the greedy (:func:`mcp_pruner.engine._plan._exchange`)."""

from __future__ import annotations

import json
import random

import pytest

from mcp_pruner._contract import SourceType
from mcp_pruner._tokens import count_tokens
from mcp_pruner.engine import _plan, analyze, prune_lines
from mcp_pruner.engine._select import Costs, Greedy, Ranking

from .helpers import budget, check_selection, render

_WORDS = ["cookie", "header", "session", "token", "retry", "proxy", "cache", "user", "path", "query"]


def _handlers(seed: int) -> tuple[list[str], str]:
    """A module of request handlers that all read the same few keys, and a goal naming two of them:
    matches everywhere, of unequal worth, so the greedy has islands to choose between."""
    r = random.Random(seed)
    out = ["import os", "import re", ""]
    for k in range(r.randint(6, 14)):
        w = r.choice(_WORDS)
        out += [f"def handle_{w}_{k}(request, {w}):", f'    """Handle the {w} of a request."""']
        for j in range(r.randint(2, 12)):
            w2 = r.choice(_WORDS)
            out.append(f"    value_{j} = request.get('{w2}', {j})")
            if r.random() < 0.3:
                out += [f"    if value_{j} is None:", f"        raise ValueError('missing {w2}')"]
        out += [f"    return {w}", ""]
    return out, f"fix {r.choice(_WORDS)} when {r.choice(_WORDS)} is missing"


@pytest.mark.parametrize("seed", range(24))
def test_the_exchange_never_loses_utility_nor_overspends(seed: int) -> None:
    """Whatever it is handed, the exchange returns a choice at least as useful, within the same
    budget, as the greedy's."""
    lines, goal = _handlers(seed)
    a = analyze(lines, goal, SourceType.CODE)
    util = _plan._utility([r + b for r, b in zip(a.line_scores, a.base, strict=True)])
    costs = Costs(a.line_tokens, 36.0, 36.0)
    target = 0.3 * sum(a.line_tokens)
    blank = [not line.strip() for line in lines]
    greedy = Greedy(len(lines), a.structure, costs)
    greedy.run_ratio(util, target)
    greedy.fill_cheap_gaps()
    greedy.keep_blank_edges(blank)
    better = _plan._exchange(a, greedy, util, Ranking.of(util, costs), costs, target, 0, blank, None)
    assert sum(u for u, k in zip(util, better.keep, strict=True) if k) >= sum(
        u for u, k in zip(util, greedy.keep, strict=True) if k
    )
    assert better is greedy or better.cost <= target


def test_a_lone_signature_island_is_exchanged_for_the_block_it_would_extend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The greedy kept ``def handle_user_3`` alone, a header and its marker far from the rest, as the
    signature of a function named after the goal; its tokens and marker buy more of the block the
    goal matches best once the exchange gives that island up."""
    lines, goal = _handlers(51)
    b = budget(keep_ratio=0.3)
    header = lines.index("def handle_user_3(request, user):")
    monkeypatch.setattr(_plan, "_EXCHANGE_ROUNDS", 0)
    greedy = prune_lines(lines, goal, SourceType.CODE, b)
    monkeypatch.undo()
    exchanged = prune_lines(lines, goal, SourceType.CODE, b)
    assert greedy.keep[header]  # the island this test is about: the header alone
    assert not greedy.keep[header + 1]
    assert not exchanged.keep[header]
    assert len(exchanged.blocks) < len(greedy.blocks)
    assert sum(exchanged.keep) > sum(greedy.keep)
    check_selection(lines, exchanged, b)
    assert count_tokens(render(lines, exchanged)) <= 0.3 * 1.05 * count_tokens("\n".join(lines))


def test_the_exchange_leaves_long_texts_and_forced_lines_alone() -> None:
    lines, goal = _handlers(51)
    a = analyze(lines * 40, goal, SourceType.CODE)
    assert not _plan._exchange_allowed(a, [])  # over _EXCHANGE_MAX_LINES: a trial costs a greedy run
    protected = ["# ⟦NO_PRUNE_BEGIN⟧", "SECRET = 1", "# ⟦NO_PRUNE_END⟧", *lines]
    assert not _plan._exchange_allowed(analyze(protected, goal, SourceType.CODE), [])
    assert _plan._exchange_allowed(analyze(lines, goal, SourceType.CODE), [])


def test_a_line_bound_goes_on_with_the_greedy_instead_of_a_marker_per_line_it_adds() -> None:
    """``max_prune_ratio`` (0.9 by default) can ask for more lines than the budget buys. Lines taken
    best first to meet it each opened a removed run of their own: on JSON records that all match
    the goal a little, 80 markers for the 101 lines kept, a marker costing more than its line."""
    records = [
        {
            "id": i,
            "name": f"item{i}",
            "tags": ["a", "b"],
            "ok": i % 7 != 0,
            "error": "timeout" if i == 42 else None,
        }
        for i in range(100)
    ]
    lines = json.dumps(records, indent=2).split("\n")
    b = budget(max_prune_ratio=0.9, keep_ratio=0.02, include_markers=True)
    sel = prune_lines(lines, "which item had a timeout error", None, b)
    check_selection(lines, sel, b)
    kept = sum(sel.keep)
    assert kept >= len(lines) - b.max_removed(len(lines))
    assert len(sel.blocks) < 0.6 * kept
    assert sel.keep[lines.index('    "error": "timeout"')]


@pytest.mark.parametrize("seed", range(12))
def test_a_line_bound_is_met_on_top_of_any_budget(seed: int) -> None:
    lines, goal = _handlers(seed)
    for ratio in (0.02, 0.1, 0.3):
        b = budget(max_prune_ratio=0.5, keep_ratio=ratio, include_markers=True)
        sel = prune_lines(lines, goal, SourceType.CODE, b)
        check_selection(lines, sel, b)
        assert sum(sel.keep) >= len(lines) - b.max_removed(len(lines))
