"""Property test: whatever the text and options, the selection is well formed and within bounds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import Budget, analyze, select

from . import samples
from .helpers import check_selection

POOL = [
    line
    for text in (samples.PYTHON, samples.GO, samples.JAVA_LOG, samples.MARKDOWN, samples.RUBY, samples.TSX)
    for line in text.split("\n")
] + ["⟦NO_PRUNE_BEGIN⟧", "⟦NO_PRUNE_END⟧", "```", "| a | b |", "\t", "x" * 500, "⟧", "a\rb"]

line_st = st.one_of(st.sampled_from(POOL), st.text(max_size=40))
budget_st = st.builds(
    Budget,
    max_prune_ratio=st.floats(0.0, 1.0),
    min_keep_lines=st.integers(0, 50),
    keep_ratio=st.one_of(st.none(), st.floats(0.01, 1.0)),
    token_budget=st.one_of(st.none(), st.integers(1, 2000)),
    include_markers=st.booleans(),
    annotate_lines=st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(line_st, max_size=120),
    goal=st.one_of(
        st.just(""), st.sampled_from(["merge cookies", "error", "proxy", "ServeHTTP"]), st.text(max_size=20)
    ),
    source=st.sampled_from([None, SourceType.CODE, SourceType.LOGS, SourceType.DOCS]),
    b=budget_st,
    rerank=st.booleans(),
    data=st.data(),
)
def test_selection_is_always_well_formed(
    lines: list[str], goal: str, source: SourceType | None, b: Budget, rerank: bool, data: st.DataObject
) -> None:
    a = analyze(lines, goal, source)
    assert len(a.line_scores) == len(lines) == len(a.line_tokens)
    covered = [i for u in a.units for i in range(u.start, u.end)]
    assert covered == list(range(len(lines)))
    scores = None
    if rerank:
        scores = data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(a.units), max_size=len(a.units)))
    sel = select(a, b, scores)
    check_selection(lines, sel, b)
    assert sel == select(a, b, scores)  # deterministic
