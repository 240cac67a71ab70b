"""The substring scans of the goal's terms: one joined text per analysis, searched for all needles at once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import _analysis, analyze
from mcp_pruner.engine._terms import LineHeads, lines_containing, lowered_heads

# A small alphabet: needles that start one another, that hold regex syntax, and that are on most lines.
_CHARS = "ab.(*[\\é"


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.text(alphabet=_CHARS + "\r\t", max_size=12), max_size=200),
    needles=st.lists(st.text(alphabet=_CHARS, max_size=4), max_size=12),
)
def test_lines_containing_finds_what_testing_each_line_finds(lines: list[str], needles: list[str]) -> None:
    heads = lowered_heads(lines)
    expected = [i for i, head in enumerate(heads.lines) if any(n in head for n in needles)]
    assert lines_containing(heads, needles) == expected


def test_a_needle_on_every_line_is_found_on_every_line_past_the_dense_switch() -> None:
    lines = [f"id_{k} = {k}" for k in range(500)] + ["no match here"] + ["x_id"] * 10
    assert lines_containing(lowered_heads(lines), ["id", "zzz"]) == [*range(500), *range(501, 511)]


def test_an_analysis_lowers_its_text_once_for_all_its_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[LineHeads] = []

    def counted(lines: list[str]) -> LineHeads:
        built.append(lowered_heads(lines))
        return built[-1]

    monkeypatch.setattr(_analysis, "lowered_heads", counted)
    lines = ["def parse_headers(raw):", "    cookies = raw.get('cookie')", "    return cookies", ""] * 20
    analyze(lines, "fix parse_headers when cookies are empty", SourceType.CODE)
    assert len(built) == 1
