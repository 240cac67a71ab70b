"""The greedy selector: what forced ranges cost."""

from __future__ import annotations

import pytest

from mcp_pruner.engine._select import Costs, Greedy
from mcp_pruner.engine._structure import Scope, Structure, build_line_scope, set_groups


def test_forcing_many_ranges_stays_linear_in_scopes() -> None:
    """Every forced range (a NO_PRUNE line) rebuilt the list of headed scopes: 50,000 stray
    ``⟦NO_PRUNE_END⟧`` lines in as many functions made 2.5 billion writes. Now the list is
    rebuilt once, at the next take, however many ranges were forced (checked by identity, not by
    the clock: timings belong in ``benchmarks/``)."""
    n = 100_000
    scopes = [Scope(k, k + 2, k + 1, -1, f"def f{k}", "def") for k in range(0, n, 2)]
    gs, ge = set_groups(n, [])
    st = Structure(scopes=scopes, line_scope=build_line_scope(n, scopes), group_start=gs, group_end=ge)
    g = Greedy(n, st, Costs([1] * n, 30.0, 30.0))
    headed = g._headed
    for k in range(1, n, 2):
        g.force(k, k + 1)
    assert g._headed is headed, "a forced range rebuilt the headed scopes"
    assert g.take(0, None)
    assert g._headed is not headed  # settled again once, for the take
    assert g.kept_lines == n // 2 + 1


def test_blank_lines_bordering_kept_lines_are_kept_and_priced() -> None:
    """A blank line next to a kept line is kept (the ranking never takes one on its own); a run of
    blank lines is not followed into the removed region, and tokens and removed runs stay exact."""
    blank = [False, False, True, False, True, True, False]
    n = len(blank)
    gs, ge = set_groups(n, [])
    g = Greedy(n, Structure(group_start=gs, group_end=ge), Costs([5, 5, 1, 5, 1, 1, 5], 30.0, 0.0))
    assert g.take(3, None)
    assert (g.tokens, g.runs) == (5, 2)
    g.keep_blank_edges(blank)
    assert g.keep == [False, False, True, True, True, False, False]
    assert (g.tokens, g.runs, g.kept_lines) == (7, 2, 3)


def test_an_atomic_group_undone_is_priced_once_until_a_take_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_ratio`` tried every line of an atomic group (a 300-line table): each try kept and undid the
    whole group, so a text of such groups cost their size times its own. A take that is undone is
    remembered for its group until a take is kept: the other lines of the group are priced without
    being taken (counted, not timed: timings belong in ``benchmarks/``). Groups stay whole."""
    size, groups = 50, 40
    n = size * groups
    gs, ge = set_groups(n, [(k, k + size) for k in range(0, n, size)])
    g = Greedy(n, Structure(group_start=gs, group_end=ge), Costs([3] * n, 10.0, 10.0))
    takes = 0
    take = Greedy.take

    def counted(self: Greedy, i: int, budget: float | None) -> bool:
        nonlocal takes
        takes += 1
        return take(self, i, budget)

    monkeypatch.setattr(Greedy, "take", counted)
    utility = [1.0 / (1 + i) for i in range(n)]  # every line alone looks cheaper than its group
    g.run_ratio(utility, 0.5 * 3 * n)
    assert takes <= 4 * groups
    kept = [all(g.keep[k : k + size]) for k in range(0, n, size)]
    assert kept == [any(g.keep[k : k + size]) for k in range(0, n, size)], "a group was cut"
    assert 0 < sum(kept) < groups
    assert g.tokens == 3 * sum(g.keep)
