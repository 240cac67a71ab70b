"""The shape of a text, independent of its kind: scopes, atomic groups, units.

Every analyser (code, logs, docs) describes the text with the same few pieces so
that one selector can honour them all:

* a :class:`Scope` is a nested region with a header (a function and its
  signature, a class, a markdown section and its heading). A kept line keeps
  the headers of every scope around it, so the reader knows where it is.
* a group is a run of lines kept whole or not at all (a stack trace, a fenced
  code block, a table, a multi-line signature).
* units are the scoring pieces handed to a reranker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress, islice
from operator import ne
from typing import Final

from ._types import Unit

__all__ = [
    "Scope",
    "Structure",
    "build_line_scope",
    "merge_ranges",
    "nest_scopes",
    "sectioned",
    "set_groups",
    "units_from_scopes",
]


@dataclass(frozen=True, slots=True)
class Scope:
    """Lines ``[start, end)``; ``[start, header_end)`` is the header kept as context of inner lines.

    ``tail`` last lines are kept with the header (the closing line of a fenced block too long to be
    atomic: a kept opening fence without it would swallow the rest of the text).
    """

    start: int
    end: int
    header_end: int
    parent: int
    name: str
    kind: str
    tail: int = 0

    @property
    def bare_name(self) -> str:
        """The name without its kind: ``RestMethodInfo`` of ``class RestMethodInfo``."""
        return self.name[len(self.kind) :].strip() if self.name.startswith(self.kind) else self.name


@dataclass(slots=True)
class Structure:
    """What an analyser found, one entry per line where a list is per line.

    ``group_start``/``group_end`` are filled for every line (a line alone is a
    group of one); ``prior`` is the structural worth of a line before the goal
    is read, added to its relevance; ``floor`` a priority a line has whatever
    its relevance (imports: cheap context, never above a real match); ``comment``
    marks comment and docstring lines (code only);
    ``must_keep`` lines are taken before anything else; logs also fill
    ``template_of`` (index into ``templates``) so markers can say what collapsed.
    """

    scopes: list[Scope] = field(default_factory=list)
    line_scope: list[int] = field(default_factory=list)
    group_start: list[int] = field(default_factory=list)
    group_end: list[int] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    prior: list[float] = field(default_factory=list)
    must_keep: list[bool] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    template_of: list[int] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    comment: list[bool] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def build_line_scope(n: int, scopes: Sequence[Scope]) -> list[int]:
    """Innermost scope of each line (-1 outside all). Scopes must be sorted by start, nested or disjoint."""
    out = [-1] * n
    for idx, sc in enumerate(scopes):
        # Later scopes in start order are inner or disjoint: overwrite.
        a = sc.start
        b = min(sc.end, n)
        if a < b:
            out[a:b] = [idx] * (b - a)
    return out


def set_groups(n: int, ranges: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """``group_start``/``group_end`` for disjoint sorted ranges; other lines are groups of one."""
    gs = list(range(n))
    ge = list(range(1, n + 1))
    for a, b in ranges:
        a = max(0, a)
        b = min(n, b)
        if b - a < 2:
            continue
        gs[a:b] = [a] * (b - a)
        ge[a:b] = [b] * (b - a)
    return gs, ge


def units_from_scopes(n: int, scopes: Sequence[Scope], line_scope: Sequence[int], max_len: int) -> list[Unit]:
    """Ordered disjoint units covering every line: runs of one innermost scope, cut to ``max_len`` lines."""
    units: list[Unit] = []
    if n <= 0:
        return units
    step = max(1, max_len)
    ls = line_scope
    # Where the innermost scope changes, compared in C: a file of small functions changes every few lines.
    ends = list(compress(range(1, n), map(ne, ls, islice(ls, 1, n))))
    ends.append(n)
    push = units.append
    i = 0
    for end in ends:
        s = ls[i]
        if s >= 0:
            sc = scopes[s]
            kind = sc.kind
            name = sc.name
        else:
            kind = "lines"
            name = ""
        while i < end:
            j = i + step if i + step < end else end
            push(Unit(i, j, kind, name))
            i = j
    return units


def nest_scopes(raw: list[tuple[int, int, int, str, str]], n: int) -> list[Scope]:
    """Turn sorted (start, -end, ...) rows into properly nested scopes with parents."""
    scopes: list[Scope] = []
    # The open scopes, innermost last: index, start and end side by side (a file of many small
    # functions has tens of thousands; conditionals instead of min/max for the same reason).
    stack: list[int] = []
    stack_start: list[int] = []
    stack_end: list[int] = []
    for start, neg_end, hdr, kw, name in raw:
        end = -neg_end if -neg_end < n else n
        while stack_end and stack_end[-1] <= start:
            stack.pop()
            stack_start.pop()
            stack_end.pop()
        if stack:
            top_end = stack_end[-1]
            if end > top_end:  # overlaps its would-be parent at row level: skip
                continue
            if start == stack_start[-1] and end == top_end:  # same rows (e.g. a wrapped arrow fn)
                continue
        header_end = hdr if hdr > start else start + 1
        if header_end > end:
            header_end = end
        label = f"{kw} {name}".strip() if name else kw
        scopes.append(Scope(start, end, header_end, stack[-1] if stack else -1, label, kw))
        stack.append(len(scopes) - 1)
        stack_start.append(start)
        stack_end.append(end)
    return scopes


def merge_ranges(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted union of ``[a, b)`` ranges (overlapping ones merged), as atomic groups must be disjoint."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


_SECTION_UNIT_LINES: Final = 60
_SECTION_HEADER_PRIOR: Final = 0.3
_SECTION_BLANK_PRIOR: Final = -0.2


def sectioned(
    lines: Sequence[str], scopes: list[Scope], atomic: Sequence[tuple[int, int]], note: str
) -> Structure:
    """The structure of a text read as sections (a diff's files and hunks, a TOML file's tables): the
    scopes, ``atomic`` ranges kept whole (multi-line headers), a small prior for header lines and a
    negative one for blank lines, as a document's headings get."""
    n = len(lines)
    line_scope = build_line_scope(n, scopes)
    gs, ge = set_groups(n, merge_ranges(atomic))
    prior = [_SECTION_BLANK_PRIOR if not line.strip() else 0.0 for line in lines]
    for sc in scopes:
        for i in range(sc.start, sc.header_end):
            prior[i] += _SECTION_HEADER_PRIOR
    return Structure(
        scopes=scopes,
        line_scope=line_scope,
        group_start=gs,
        group_end=ge,
        units=units_from_scopes(n, scopes, line_scope, _SECTION_UNIT_LINES),
        prior=prior,
        must_keep=[False] * n,
        notes=[note],
    )
