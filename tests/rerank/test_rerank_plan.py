"""Units -> documents -> batches -> unit scores; the query; the circuit breaker."""

from __future__ import annotations

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import Unit
from mcp_pruner.rerank import CircuitBreaker, build_query, make_batches, plan_documents, pool_scores
from mcp_pruner.rerank._plan import MAX_QUERY_CHARS, Document


def test_every_unit_with_content_becomes_documents_blank_ones_do_not() -> None:
    lines = ["def f():", "    return 1", "", "   ", "x = 2"]
    units = [Unit(0, 2, "block"), Unit(2, 4, "blank"), Unit(4, 5, "line")]
    plan = plan_documents(lines, [3, 3, 1, 1, 2], units)
    assert [(d.unit, d.text) for d in plan.documents] == [(0, "def f():\n    return 1"), (2, "x = 2")]
    assert plan.scored_units == 2
    assert not plan.truncated


def test_long_units_are_split_at_line_boundaries_and_max_pooled() -> None:
    lines = [f"line {i}" for i in range(10)]
    plan = plan_documents(lines, [4] * 10, [Unit(0, 10, "block")], max_doc_tokens=12)
    assert [d.text.count("\n") + 1 for d in plan.documents] == [3, 3, 3, 1]
    assert "\n".join(d.text for d in plan.documents) == "\n".join(lines)
    assert pool_scores(plan, [0.1, 0.8, 0.3, 0.0]) == [0.8]


def test_an_over_long_line_is_chunked_and_only_the_excess_is_truncated() -> None:
    line = "a" * 4000
    plan = plan_documents([line], [1000], [Unit(0, 1)], max_doc_tokens=100, max_chunks_per_line=100)
    assert "".join(d.text for d in plan.documents) == line
    assert not plan.truncated
    capped = plan_documents([line], [1000], [Unit(0, 1)], max_doc_tokens=100, max_chunks_per_line=3)
    assert len(capped.documents) == 3
    assert capped.truncated


def test_batches_obey_max_docs_and_token_cap() -> None:
    documents = [Document(i, "x", 10) for i in range(10)]
    assert [len(b) for b in make_batches(documents, 4)] == [4, 4, 2]
    assert [len(b) for b in make_batches(documents, 100, max_tokens=25)] == [2, 2, 2, 2, 2]
    big = [Document(0, "x", 500), Document(1, "y", 5)]
    assert make_batches(big, 10, max_tokens=100) == [[0], [1]]
    assert make_batches([], 4) == []


def test_query_is_short_instruction_style_and_goal_is_data() -> None:
    q = build_query("  why\n does   parse_headers fail ", SourceType.CODE)
    assert q.endswith("goal: why does parse_headers fail")
    assert "source code" in q
    assert "errors" in build_query("", SourceType.LOGS)
    assert len(build_query("x" * 10_000, SourceType.DOCS)) < MAX_QUERY_CHARS + 100


def state(cb: CircuitBreaker) -> str:
    return cb.state


def test_circuit_breaker_cycle() -> None:
    now = [0.0]
    cb = CircuitBreaker(threshold=2, cooldown_s=10, clock=lambda: now[0])
    assert cb.allow()
    cb.record_failure()
    assert state(cb) == "closed"
    cb.record_failure()
    assert state(cb) == "open"
    assert not cb.allow()
    now[0] = 10.0
    assert state(cb) == "half_open"
    assert cb.allow()  # the one trial
    assert not cb.allow()  # others wait for it
    cb.record_failure()
    assert state(cb) == "open"
    now[0] = 20.0
    assert cb.allow()
    cb.record_success()
    assert state(cb) == "closed"
    assert cb.allow()
    snap = cb.snapshot()
    assert snap["opened_total"] == 2
    assert snap["skipped_calls"] == 2


def test_a_lost_trial_is_replaced_after_a_cooldown() -> None:
    now = [0.0]
    cb = CircuitBreaker(threshold=1, cooldown_s=5, clock=lambda: now[0])
    cb.record_failure()
    now[0] = 5.0
    assert cb.allow()
    now[0] = 7.0
    assert not cb.allow()
    now[0] = 10.0
    assert cb.allow()
