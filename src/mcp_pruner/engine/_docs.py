"""Structure of documents (markdown, reStructuredText, plain text): sections, fences, tables.

Headings open sections that nest by level, so a kept paragraph keeps the chain
of headings above it (its breadcrumb). Fenced code blocks and tables are atomic:
half a table or an unclosed fence misleads more than nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from ._structure import (
    Structure,
    build_line_scope,
    merge_ranges,
    nest_scopes,
    set_groups,
    units_from_scopes,
)

__all__ = ["doc_structure", "version_headings"]

_ATX: Final = re.compile(r"^ {0,3}(#{1,6})[ \t]+(\S.*?)[ \t#]*$")
_FENCE: Final = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_UNDERLINE: Final = re.compile(r"^ {0,3}([=\-~^\"'`#*+:.])\1{2,}[ \t]*$")
"""Setext (``===``/``---``) and reStructuredText underlines; levels follow the order characters appear."""
_TABLE: Final = re.compile(r"^\s*(?:\|.*\||\+[-=+]{3,}\+?)\s*$")
_TABLE_SEP: Final = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LIST: Final = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_MAX_ATOMIC: Final = 300
_UNIT_LINES: Final = 40
_FENCE_KIND: Final = "fence"
_VERSION: Final = re.compile(
    r"(?<![\w.])v?(\d+(?:\.\d+)+)"
    r"((?:[-.]?(?:alpha|beta|preview|pre|rc|post|dev|a|b|c)\.?\d*)?)(?![\w.]*\d)",
    re.IGNORECASE,
)
"""A dotted version (``2.0.0``, ``v1.26``), with its pre-release or post-release tag if any
(``2.14.0b2``, ``3.0.0-rc.1``, ``1.2.post1``), not part of a longer number or one with more parts."""
_TAG_SPELLING: Final = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}


def _headings(lines: Sequence[str], in_fence: Sequence[bool]) -> list[tuple[int, int, int, str]]:
    """``(start, header_end, level, title)`` of each heading outside fences."""
    n = len(lines)
    levels: dict[str, int] = {}
    out: list[tuple[int, int, int, str]] = []
    i = 0
    while i < n:
        line = lines[i]
        if in_fence[i] or not line.strip():
            i += 1
            continue
        m = _ATX.match(line)
        if m is not None:
            out.append((i, i + 1, len(m.group(1)), m.group(2)))
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < n and not in_fence[i + 1] else ""
        title = line.strip()
        um = _UNDERLINE.match(nxt) if nxt else None
        plain = not _LIST.match(line) and not _TABLE.match(line) and not _UNDERLINE.match(line)
        if um is not None and plain and len(title) <= 120 and len(nxt.strip()) >= min(len(title), 3):
            level = levels.setdefault(um.group(1), len(levels) + 1)
            start = i
            if i > 0 and lines[i - 1].strip() == nxt.strip():  # over- and underlined title
                start = i - 1
            out.append((start, i + 2, min(level, 6), title))
            i += 2
            continue
        i += 1
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _under_title(lines: Sequence[str], i: int) -> bool:
    """Line ``i`` (one repeated character) is as long as the non-blank line above it or longer."""
    line = lines[i].strip()
    prev = lines[i - 1].strip() if i > 0 else ""
    return bool(prev) and len(set(line)) == 1 and len(prev) <= len(line)


def _heading_underline(lines: Sequence[str], i: int) -> bool:
    """:func:`_under_title`, and the title has a blank line (or the start, or its overline) before it.

    A reStructuredText title cannot follow a paragraph line; the last line of a fenced block usually does.
    """
    if not _under_title(lines, i):
        return False
    before = lines[i - 2].strip() if i > 1 else ""
    return not before or before == lines[i].strip()


def _closing(lines: Sequence[str], i: int, mark: str) -> int:
    """Index of the fence line closing the one opened at ``i`` with ``mark``, or -1.

    A closing fence is the fence character alone, at least as long as the opening, indented at most
    three columns more than it (a fence in a list item is indented like the item's text).
    """
    for j in range(i + 1, len(lines)):
        if _closes(lines, i, j, mark):
            return j
    return -1


def _closes(lines: Sequence[str], i: int, j: int, mark: str) -> bool:
    """Line ``j`` closes the fence opened at line ``i`` with ``mark`` (its fence characters)."""
    c = _FENCE.match(lines[j])
    return (
        c is not None
        and c.group(1)[0] == mark[0]
        and len(c.group(1)) >= len(mark)
        and not lines[j].strip().strip(mark[0])
        and _indent(lines[j]) <= _indent(lines[i]) + 3
    )


def _fences(lines: Sequence[str]) -> tuple[list[bool], list[tuple[int, int]], set[int]]:
    """Fenced blocks ``[open, close]``, at any indentation (a fence in a nested list item), and the
    opening lines of those closed by a fence line (the others run to the end of the text).

    An opening line indented four columns or more is a fence only if it is closed (else it is a line of
    an indented code block). A fence line right under a title (``Output:`` then ``~~~~``) is a heading
    underline unless it is closed, and closed by a line that is no underline itself: in
    reStructuredText the next line of the same characters underlines the next title.
    An unclosed fence indented less than four columns runs to the end of the text, as in CommonMark.

    Which line closes an opening depends only on its fence character, its length and its indentation:
    the answer found for one opening holds for a later one of the same kind before that line (none
    in between closes either). An indented opening left unclosed is skipped, and the next one
    searched to the end again: thousands of them made the search quadratic.
    """
    n = len(lines)
    in_fence = [False] * n
    ranges: list[tuple[int, int]] = []
    closed: set[int] = set()
    found: dict[tuple[str, int, int], tuple[int, int]] = {}  # kind -> (searched from, closing line)
    i = 0
    while i < n:
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        mark = m.group(1)
        kind = (mark[0], len(mark), _indent(lines[i]))
        known = found.get(kind)
        if known is not None and known[0] <= i and (known[1] < 0 or i < known[1]):
            j = known[1]
        else:
            j = _closing(lines, i, mark)
            found[kind] = (i, j)
        if j < 0:
            if _indent(lines[i]) > 3 or _under_title(lines, i):
                i += 1
                continue
            j = n - 1
        elif _under_title(lines, i) and _heading_underline(lines, j):
            i += 1
            continue
        else:
            closed.add(i)
        end = j + 1
        for k in range(i, end):
            in_fence[k] = True
        ranges.append((i, end))
        i = end
    return in_fence, ranges, closed


def _tables(lines: Sequence[str], in_fence: Sequence[bool]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    n = len(lines)
    i = 0
    while i < n:
        if in_fence[i] or not _TABLE.match(lines[i]):
            i += 1
            continue
        j = i
        while j < n and not in_fence[j] and (_TABLE.match(lines[j]) or _TABLE_SEP.match(lines[j])):
            j += 1
        if j - i >= 2:
            out.append((i, j))
        i = max(j, i + 1)
    return out


def doc_structure(lines: Sequence[str]) -> Structure:
    """Sections (nested by heading level) as scopes; fences and tables as atomic groups."""
    n = len(lines)
    in_fence, fences, closed = _fences(lines)
    heads = _headings(lines, in_fence)
    ends = [n] * len(heads)
    open_: list[int] = []
    for k, (start, _, level, _) in enumerate(heads):
        while open_ and heads[open_[-1]][2] >= level:
            ends[open_.pop()] = start
        open_.append(k)
    raw = [
        (start, -ends[k], hdr, "#" * level, title[:60]) for k, (start, hdr, level, title) in enumerate(heads)
    ]
    # A fence too long to be atomic may be cut, but a kept line of it keeps both fence lines.
    long_fences = {a: b for a, b in fences if b - a > _MAX_ATOMIC}
    raw += [
        (a, -b, a + 1, _FENCE_KIND, lines[a].strip().lstrip("`~").strip()[:60])
        for a, b in long_fences.items()
    ]
    raw.sort()
    scopes = [
        replace(s, tail=1) if s.kind == _FENCE_KIND and s.start in closed else s for s in nest_scopes(raw, n)
    ]
    line_scope = build_line_scope(n, scopes)
    atomic = [r for r in fences + _tables(lines, in_fence) if r[1] - r[0] <= _MAX_ATOMIC]
    atomic += [(s.start, s.header_end) for s in scopes if s.header_end - s.start > 1]
    gs, ge = set_groups(n, merge_ranges(atomic))
    prior = [0.0] * n
    for i, line in enumerate(lines):
        if not line.strip():
            prior[i] = -0.2
    for s in scopes:
        if s.kind == _FENCE_KIND:
            continue
        for i in range(s.start, s.header_end):
            prior[i] += 0.3
    return Structure(
        scopes=scopes,
        line_scope=line_scope,
        group_start=gs,
        group_end=ge,
        units=units_from_scopes(n, scopes, line_scope, _UNIT_LINES),
        prior=prior,
        must_keep=[False] * n,
    )


def _versions(text: str) -> set[str]:
    """Dotted versions in ``text``, trailing ``.0`` parts dropped (``2.0`` and ``2.0.0`` are one), each
    with its release tag (``2.14-b2``): a goal naming a beta finds the beta, not the release."""
    out: set[str] = set()
    for m in _VERSION.finditer(text):
        parts = m.group(1).split(".")
        while len(parts) > 1 and parts[-1].strip("0") == "":
            parts.pop()
        tag = m.group(2).lower().strip("-.").replace(".", "")
        if tag:  # one spelling per tag (``2.14.0b2``, ``2.14.0-beta.2``): a release is not its betas
            word = tag.rstrip("0123456789")
            tag = _TAG_SPELLING.get(word, word) + tag[len(word) :]
        out.add(".".join(parts) + (f"-{tag}" if tag else ""))
    return out


def version_headings(lines: Sequence[str], st: Structure, goal: str) -> list[int]:
    """Heading lines of the sections whose title names a version the goal names (``what changed in 2.0``).

    A version is one term: split into numbers, ``2.0.0`` is no word at all and ``1.26.0`` is every 1.26.x.
    """
    wanted = _versions(goal[:4000])
    if not wanted:
        return []
    out: list[int] = []
    for sc in st.scopes:
        if sc.kind == _FENCE_KIND:
            continue
        title = " ".join(lines[sc.start : sc.header_end])
        if "." in title and not wanted.isdisjoint(_versions(title)):
            out.extend(range(sc.start, sc.header_end))
    return out
