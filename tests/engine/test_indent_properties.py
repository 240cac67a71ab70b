"""Property test: the indentation fallback's shortcuts read a text as the plain per-line walks do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_pruner.engine._indent import (
    _DIRECTIVE,
    _GOTO_LABEL,
    _LABEL_WORD,
    _MAX_INDENT_SCAN,
    _hide_directives,
    _indent_widths,
    _promote_labels,
    _promote_walk,
    indent_scopes,
    indent_width,
)

PIECES = [
    "int f(int a) {", "{", "}", "  return a;", "fail:", "done:  // out", "#ifdef DEBUG", "  #endif", "# note",
    "public:", "  private:", "case 1:", "  default:", "switch (x) {", "class T {", "key: value", "",
    "    x = 1;", "\t}", "a: b",
]  # fmt: skip
lines_st = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet=" \t#:{}abc", max_size=12)), max_size=60
)


def _hide_every_line(lines: list[str], ind: list[int]) -> None:
    """The walk over every line that ``_hide_directives`` shortcuts."""
    depth = 0
    for i, line in enumerate(lines):
        width = ind[i]
        if width >= 0 and (
            (line[width : width + 1] == "#" and _DIRECTIVE.match(line, width) is not None)
            or (width == 0 and depth > 0 and _GOTO_LABEL.fullmatch(line[:_MAX_INDENT_SCAN]) is not None)
        ):
            ind[i] = -1
        if "{" in line or "}" in line:
            depth = max(0, depth + line.count("{") - line.count("}"))


@settings(max_examples=300, deadline=None)
@given(lines=lines_st)
def test_hidden_directives_and_labels_equal_the_per_line_walks(lines: list[str]) -> None:
    fast = _indent_widths(lines)
    plain = list(fast)
    _hide_directives(lines, fast, "\n".join(lines))
    _hide_every_line(lines, plain)
    assert fast == plain
    _promote_labels(lines, fast, "\n".join(lines))
    _promote_walk(lines, plain)
    assert fast == plain


@settings(max_examples=300, deadline=None)
@given(lines=lines_st)
def test_walks_indent_scopes_skips_change_nothing(lines: list[str]) -> None:
    """The directive walk is skipped without a ``#`` nor a ``:`` with braces in the text, and the label
    walk without a label's word: there, they change no width (the test above compares both functions,
    these skips included, with walks over every line)."""
    text = "\n".join(lines)
    ind = _indent_widths(lines)
    assert ind == [indent_width(line) for line in lines]
    before = list(ind)
    if not ("#" in text or (":" in text and "{" in text)):
        _hide_directives(lines, ind, text)
        assert ind == before
    if not (":" in text and _LABEL_WORD.search(text) is not None):
        _promote_labels(lines, ind, text)
        assert ind == before


def test_blank_text_has_no_scopes() -> None:
    assert indent_scopes([]) == []
    assert indent_scopes(["", "  ", "", "\t"]) == []
