"""Blocks of code in a language without a grammar here: indentation and closing braces.

Nearly all code is indented by its structure, whatever the language: a line
followed by more-indented lines opens a block, which runs until a line at the
same or a lower indentation (a closing ``}``/``end`` at the header's level
belongs to the block). Blocks whose header looks like a definition
(``def``/``function``/``fn``/``sub``/``class``...) get a name for markers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._structure import Scope, nest_scopes

__all__ = ["indent_scopes", "indent_width"]

_CLOSER: Final = re.compile(r"^\s*(?:[}\])]|end\b|fi\b|done\b|esac\b|until\b)")
_DEF: Final = re.compile(
    r"\b(def|class|function|func|fn|sub|proc|procedure|module|struct|interface|impl|trait|enum|"
    r"object|namespace|macro|defmodule|defp?)\s+([A-Za-z_$][\w.:$!?]*)"
)
_DEF_BODY: Final = re.compile(_DEF.pattern.removeprefix(r"\b"))
_MAX_INDENT_SCAN: Final = 200


def indent_width(line: str) -> int:
    """Columns of leading whitespace (a tab counts 4); -1 for a blank line."""
    width = 0
    for ch in line[:_MAX_INDENT_SCAN]:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4
        elif ch in "\r\f\v":
            continue
        else:
            return width
    return -1 if not line.strip() else width


def _indent_widths(lines: Sequence[str]) -> list[int]:
    """:func:`indent_width` of every line, with a fast path for the usual indentation by spaces."""
    out: list[int] = []
    append = out.append
    for line in lines:
        body = line.lstrip(" ")
        ws = len(line) - len(body)
        # Only spaces before a character that indent_width stops at: the width is their count.
        if body and ws < _MAX_INDENT_SCAN and body[0] not in "\t\r\f\v":
            append(ws)
        else:
            append(indent_width(line))
    return out


def _label(line: str) -> tuple[str, str]:
    """Keyword and name of the leftmost definition in ``line``, as ``_DEF.search`` finds it.

    The search runs without the leading ``\\b`` (so the regex can skip to the letters keywords
    start with) and checks the boundary itself, searching on after a hit inside a word.
    """
    text = line[:300]
    m = _DEF_BODY.search(text)
    while m is not None:
        p = m.start()
        if p == 0:
            break
        prev = text[p - 1]
        if not (prev.isalnum() or prev == "_"):  # \w as the regex module defines it for str
            break
        m = _DEF_BODY.search(text, p + 1)
    if m is None:
        return "block", ""
    return m.group(1), m.group(2)[:60]


def indent_scopes(lines: Sequence[str]) -> list[Scope]:
    """Nested blocks found from indentation (sorted by start)."""
    n = len(lines)
    ind = _indent_widths(lines)
    filled = [i for i in range(n) if ind[i] >= 0]  # the non-blank lines
    after = [*filled[1:], -1] if filled else []  # the next non-blank line of each (-1: none)
    raw: list[tuple[int, int, int, str, str]] = []
    stack: list[tuple[int, int]] = []  # (start line, indent)
    last_nb = -1
    for i, j in zip(filled, after, strict=True):
        width = ind[i]
        opens = j >= 0 and ind[j] > width
        while stack and width <= stack[-1][1]:
            start, sw = stack.pop()
            inclusive = width == sw and not opens and _CLOSER.match(lines[i][:50]) is not None
            end = i + 1 if inclusive else last_nb + 1
            kw, name = _label(lines[start])
            raw.append((start, -end, start + 1, kw, name))
            if inclusive:
                break
        if opens:
            stack.append((i, width))
        last_nb = i
    while stack:
        start, _ = stack.pop()
        kw, name = _label(lines[start])
        raw.append((start, -(last_nb + 1), start + 1, kw, name))
    raw = [r for r in raw if -r[1] - r[0] >= 2]
    raw.sort()
    return nest_scopes(raw, n)
