"""Goal terms: the substring scans (one joined text per analysis, all needles at once) and the
abbreviations a goal's words are also looked for as."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import _analysis, analyze
from mcp_pruner.engine._terms import LineHeads, goal_terms, lines_containing, lowered_heads, score_lines, stem

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


def test_a_goal_word_is_also_looked_for_as_its_abbreviation_at_a_lower_weight() -> None:
    weights = goal_terms("Validate the connection parameters").weights
    assert weights[stem("params")] == pytest.approx(0.35 * weights[stem("parameters")])
    assert weights[stem("conn")] == pytest.approx(0.35 * weights[stem("connection")])


def test_a_line_spelling_the_goal_word_short_matches_below_one_spelling_it_whole() -> None:
    lines = [
        "def build(params):",  # the abbreviation
        "    return merge(defaults, overrides)",
        "# parameters are merged over the defaults",  # the word itself
        "def render(template):",
    ]
    scores, _, _ = score_lines(lines, goal_terms("fix parameters"))
    assert scores[0] > 0.0
    assert scores[1] == scores[3] == 0.0
    assert scores[2] > scores[0]


def test_abbreviations_that_are_keywords_or_builtins_somewhere_are_not_looked_for() -> None:
    """``len(`` is on every other line of Go or Python, ``func`` starts every Go function: a goal that
    says "length" or "function" would point at all of them."""
    weights = goal_terms("Return the length of the error message from the function").weights
    assert {"len", "err", "func", "fn"}.isdisjoint(weights)
    assert stem("msg") in weights  # message -> msg is read one way everywhere
