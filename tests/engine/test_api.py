"""The public surface: shapes, invariants, budgets, NO_PRUNE, reranker scores, odd inputs."""

from __future__ import annotations

import threading

import pytest

from mcp_pruner._contract import SourceType
from mcp_pruner._tokens import count_tokens
from mcp_pruner.engine import Analysis, Budget, Unit, analyze, prune_lines, select

from . import samples
from .helpers import FREE, budget, check_selection, rendered_tokens


def lines_of(text: str) -> list[str]:
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


PY = lines_of(samples.PYTHON)


@pytest.mark.parametrize("st", [None, SourceType.CODE, SourceType.LOGS, SourceType.DOCS])
@pytest.mark.parametrize("lines", [[], [""], ["x = 1"], ["", ""], ["⟦NO_PRUNE_BEGIN⟧"]])
def test_tiny_inputs(lines: list[str], st: SourceType | None) -> None:
    for b in (FREE, budget(keep_ratio=0.1), budget(token_budget=1), Budget()):
        sel = prune_lines(lines, "anything", st, b)
        check_selection(lines, sel, b)


def test_analysis_shape() -> None:
    a = analyze(PY, "merge cookies", None)
    assert isinstance(a, Analysis)
    assert a.source_type is SourceType.CODE
    assert len(a.line_tokens) == len(PY) == len(a.line_scores)
    assert all(0.0 <= s <= 1.0 for s in a.line_scores)
    # Units are ordered, disjoint and cover every line.
    assert a.units[0].start == 0
    assert a.units[-1].end == len(PY)
    for u, v in zip(a.units, a.units[1:], strict=False):
        assert u.end == v.start
        assert u.start < u.end
    assert any(u.name == "def merge_cookies" for u in a.units)


@pytest.mark.parametrize("ratio", [0.0, 0.3, 0.5, 0.9])
def test_max_prune_ratio_is_a_hard_bound(ratio: float) -> None:
    b = Budget(max_prune_ratio=ratio, min_keep_lines=0, keep_ratio=0.05)
    sel = prune_lines(PY, "merge cookies", None, b)
    check_selection(PY, sel, b)
    assert len(PY) - sum(sel.keep) <= int(ratio * len(PY))


def test_min_keep_lines_is_a_hard_bound() -> None:
    b = Budget(max_prune_ratio=1.0, min_keep_lines=30, token_budget=10)
    sel = prune_lines(PY, "unrelated", None, b)
    check_selection(PY, sel, b)
    assert sum(sel.keep) >= 30
    assert "budget_unmet" in sel.warnings


@pytest.mark.parametrize("ratio", [0.2, 0.4, 0.6])
def test_keep_ratio_counts_markers(ratio: float) -> None:
    text = "\n".join(PY * 8)
    lines = lines_of(text)
    b = budget(keep_ratio=ratio)
    sel = prune_lines(lines, "merge cookies expires", None, b)
    check_selection(lines, sel, b)
    total = count_tokens(text)
    assert rendered_tokens(lines, sel) <= ratio * total * 1.06 + 10
    assert rendered_tokens(lines, sel) >= ratio * total * 0.6


@pytest.mark.parametrize("tokens", [60, 150, 400])
def test_token_budget_is_a_ceiling(tokens: int) -> None:
    b = budget(token_budget=tokens)
    sel = prune_lines(PY, "merge cookies", None, b)
    check_selection(PY, sel, b)
    assert rendered_tokens(PY, sel) <= tokens or "budget_unmet" in sel.warnings


def test_annotate_lines_is_priced() -> None:
    text = "\n".join(PY * 4)
    lines = lines_of(text)
    b = budget(keep_ratio=0.4, annotate_lines=True)
    sel = prune_lines(lines, "parse headers", None, b)
    assert rendered_tokens(lines, sel, annotate=True) <= 0.4 * count_tokens(text) * 1.06 + 10


def test_no_prune_regions_are_kept() -> None:
    lines = [
        *PY[:10],
        "# ⟦NO_PRUNE_BEGIN⟧",
        *PY[10:20],
        "# ⟦NO_PRUNE_END⟧",
        *PY[20:],
        "⟦NO_PRUNE_BEGIN⟧",
        "a",
        "b",
    ]
    for b in (budget(token_budget=5), budget(keep_ratio=0.1), FREE):
        sel = prune_lines(lines, "format date", None, b)
        check_selection(lines, sel, b)
        assert all(sel.keep[10:22])
        assert all(sel.keep[-3:])


def test_a_gap_cheaper_than_its_marker_is_kept_next_to_forced_ranges() -> None:
    """Two blank lines between NO_PRUNE regions, one line between two errors: a ~32-token marker
    in place of 1-2 tokens of text was pure loss (only takes closed such gaps, not forced ranges)."""
    region = ["# ⟦NO_PRUNE_BEGIN⟧", *PY[:6], "# ⟦NO_PRUNE_END⟧"]
    lines = [*PY[6:40], *region, "", "", *region, *PY[6:40]]
    first_gap = 34 + len(region)
    for b in (budget(keep_ratio=0.1), budget(token_budget=5), FREE):
        sel = prune_lines(lines, "format date", SourceType.CODE, b)
        check_selection(lines, sel, b)
        assert sel.keep[first_gap]
        assert sel.keep[first_gap + 1]
    log = [f"2026-01-01 10:00:{i:02d} INFO worker {i} heartbeat ok queue={i * 7}" for i in range(60)]
    log[30] = "2026-01-01 10:00:30 ERROR worker 30 failed: disk full"
    log[32] = "2026-01-01 10:00:32 ERROR worker 32 failed: disk full"
    log[31] = "ok"
    sel = prune_lines(log, "find the errors", SourceType.LOGS, FREE)
    assert sel.keep[30]
    assert sel.keep[32]
    assert sel.keep[31]
    assert not any(b.start == b.end == 32 for b in sel.blocks)


def test_reranker_scores_drive_relevance_but_not_structure() -> None:
    a = analyze(PY, "", None)
    target = next(k for k, u in enumerate(a.units) if u.name == "def format_date")
    scores = [1.0 if k == target else 0.0 for k in range(len(a.units))]
    b = budget(keep_ratio=0.3)
    sel = select(a, b, scores)
    check_selection(PY, sel, b)
    u: Unit = a.units[target]
    assert all(sel.keep[u.start : u.end])
    # Out-of-range and NaN scores are clamped; a wrong length is an error.
    sel2 = select(a, b, [float("nan"), 7.0, -3.0, *[0.5] * (len(a.units) - 3)])
    check_selection(PY, sel2, b)
    with pytest.raises(ValueError, match="unit scores"):
        select(a, b, [0.5])


def test_reranker_keeps_enclosing_signatures() -> None:
    a = analyze(PY, "", None)
    k = next(k for k, u in enumerate(a.units) if u.name == "def merge_cookies")
    sel = select(a, budget(token_budget=120), [1.0 if i == k else 0.0 for i in range(len(a.units))])
    kept = [PY[i] for i, f in enumerate(sel.keep) if f]
    assert "class CookieJar:" in kept
    assert "    def merge_cookies(self, other):" in kept


def test_odd_lines() -> None:
    lines = ["a\r", "\tb = 'é🙂'", "x" * 100_000, "", "   ", "def f():\r", "    return 1\r", "⟧⟦ odd"]
    for b in (FREE, budget(keep_ratio=0.2), budget(token_budget=50)):
        sel = prune_lines(lines, "return", None, b)
        check_selection(lines, sel, b)


def test_deterministic_and_thread_safe() -> None:
    lines = lines_of(samples.PYTHON * 5 + samples.JAVA_LOG)
    b = budget(keep_ratio=0.3)
    expected = prune_lines(lines, "cookies", None, b)
    results: list[object] = []

    def work() -> None:
        for _ in range(3):
            results.append(prune_lines(lines, "cookies", None, b))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert all(r == expected for r in results)


def test_a_set_cancel_event_stops_analyze_and_select() -> None:
    import threading

    from mcp_pruner.engine import Cancelled, analyze, select

    lines = PY * 20
    stop = threading.Event()
    analysis = analyze(lines, "merge cookies", None, stop)  # not set: a normal run
    assert (
        select(analysis, budget(keep_ratio=0.3), None, stop).keep
        == prune_lines(lines, "merge cookies", None, budget(keep_ratio=0.3)).keep
    )
    stop.set()
    with pytest.raises(Cancelled):
        analyze(lines, "merge cookies", None, stop)
    with pytest.raises(Cancelled):
        select(analysis, budget(keep_ratio=0.3), None, stop)


def test_cancel_is_checked_inside_the_selection_loop() -> None:
    """An event set while the greedy runs stops it within a few thousand steps."""
    import threading

    from mcp_pruner.engine import Cancelled, analyze, select

    class SetOnSecondLook(threading.Event):
        looks = 0

        def is_set(self) -> bool:
            self.looks += 1
            return self.looks > 1  # the check before the greedy passes; the first one inside it fails

    lines = [f"value_{i} = compute(value_{i - 1}, {i})" for i in range(1, 20_000)]
    analysis = analyze(lines, "compute value", None)
    stop = SetOnSecondLook()
    with pytest.raises(Cancelled):
        select(analysis, budget(keep_ratio=0.5), None, stop)
    assert stop.looks == 2


def test_keep_ratio_one_keeps_a_text_split_by_no_prune() -> None:
    """The greedy prices every removed run it leaves: with a NO_PRUNE region splitting the rest in
    two, it stopped short of the last lines although the whole text fits keep_ratio 1.0."""
    lines = [*PY[:6], "⟦NO_PRUNE_BEGIN⟧", *PY[6:27], "    ⟦NO_PRUNE_END⟧", *PY[27:]]
    for st in (SourceType.CODE, SourceType.LOGS, SourceType.DOCS):
        b = budget(keep_ratio=1.0)
        sel = prune_lines(lines, "cookie", st, b)
        check_selection(lines, sel, b)
        assert all(sel.keep), st
        b = budget(token_budget=count_tokens("\n".join(lines)))
        assert all(prune_lines(lines, "cookie", st, b).keep), st


def test_no_prune_tokens_on_one_line_are_read_in_order() -> None:
    """``END ... BEGIN`` on one line closes a region and opens the next: the lines after it were
    left unprotected, as were those after ``BEGIN ... END ... BEGIN``."""
    begin, end = "⟦NO_PRUNE_BEGIN⟧", "⟦NO_PRUNE_END⟧"
    for opener in (f"# {begin}", f"# {begin} one {end} two {begin}"):
        lines = [*PY[:10], opener, *PY[10:14], f"# {end} {begin}", *PY[14:24], f"# {end}", *PY[24:]]
        for b in (budget(keep_ratio=0.1), budget(token_budget=5), FREE):
            sel = prune_lines(lines, "kubernetes", None, b)
            check_selection(lines, sel, b)
            assert all(sel.keep[10:27]), opener
