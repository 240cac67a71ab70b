"""Short, marker-safe reasons that say what a removed block held.

A reason is what lets an agent decide whether to recover a block without
reading it: the names of the functions or sections that went away, or the
collapsed log template with its count. It is one line, has no ``⟧`` (that
would end the marker early) and is cut to about 80 characters.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from typing import Final

from ._structure import Structure

__all__ = ["MAX_REASON", "block_reason", "clean_reason"]

MAX_REASON: Final = 80
_UNSAFE: Final = re.compile(r"[\x00-\x1f\x7f⟦⟧\u2028\u2029\x85]+")
_SPACES: Final = re.compile(r"\s{2,}")
_MAX_NAMES: Final = 3
_NAMES_CHARS: Final = 60
_UNNAMED: Final = "block"
"""The name of a block the indentation fallback found but could not name."""


def clean_reason(text: str, limit: int = MAX_REASON) -> str:
    """One printable line without marker brackets, at most ``limit`` characters."""
    s = _SPACES.sub(" ", _UNSAFE.sub(" ", text)).strip()
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s or "lines"


def _names(st: Structure, starts: Sequence[int], a: int, b: int) -> list[str]:
    """Outermost scopes lying entirely in ``[a, b)``: named ones before the fallback's unnamed blocks
    (a ``block`` says nothing an agent can ask for by name), top-level ones first, then in text order.

    A run that takes a method of a class partly kept and a whole class after it names the class
    first; in a diff, a whole file removed comes before a hunk of a file partly kept.
    """
    found: list[tuple[bool, bool, int, str]] = []
    k = bisect.bisect_left(starts, a)
    inside: set[int] = set()
    while k < len(st.scopes) and st.scopes[k].start < b:
        sc = st.scopes[k]
        if sc.end <= b:
            inside.add(k)
            if sc.parent not in inside:
                found.append((sc.name == _UNNAMED, sc.parent >= 0, k, sc.name))
        k += 1
    return [name for *_, name in sorted(found)]


def _enclosing(st: Structure, a: int, b: int) -> str:
    """Name of the innermost scope holding the whole block, if any."""
    s = st.line_scope[a] if st.line_scope else -1
    while s >= 0:
        sc = st.scopes[s]
        if sc.start <= a and b <= sc.end:
            return sc.name
        s = sc.parent
    return ""


def _template_reason(st: Structure, a: int, b: int) -> str:
    counts = Counter(st.template_of[a:b])
    top, c = counts.most_common(1)[0]
    tpl = st.templates[top] if 0 <= top < len(st.templates) else ""
    head = f'{c}× "{tpl[:56]}"' if c > 1 else f'"{tpl[:60]}"'
    others = (b - a) - c
    if others:
        return f"{head} +{others} other"
    return head


def block_reason(lines: Sequence[str], st: Structure, starts: Sequence[int], a: int, b: int) -> str:
    """Why ``[a, b)`` could go, in a few words."""
    if st.template_of:
        return clean_reason(_template_reason(st, a, b))
    names = _names(st, starts, a, b)
    if names:
        shown: list[str] = []
        size = 0
        for name in names[:_MAX_NAMES]:
            if shown and size + len(name) > _NAMES_CHARS:
                break
            shown.append(name)
            size += len(name) + 2
        text = ", ".join(shown)
        if len(names) > len(shown):
            text += f" +{len(names) - len(shown)} more"
        return clean_reason(text)
    if not any(map(str.strip, lines[a:b])):  # all blank
        return "blank lines"
    where = _enclosing(st, a, b)
    count = b - a
    what = f"{count} line" + ("s" if count > 1 else "")
    return clean_reason(f"{what} in {where}" if where else what)
