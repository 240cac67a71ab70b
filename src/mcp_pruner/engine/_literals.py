"""One pattern that finds any of many plain strings, fast.

Python's regex engine tries the branches of an alternation one by one at every character, and a
pattern that opens with a word boundary or a lookbehind cannot skip ahead at all: ``\\b(ERROR|...)``
costs several microseconds a line. A set of strings written as a trie (``pars(?:e|ing)``, not
``parse|parsing``) has every branch start with a literal, so the engine scans in C for the
characters a match can start with and then tries only the branches that fit. Such a pattern finds
the lines of a long text holding any goal term, or says that a line holds none of the words a slow
pattern needs (then the slow pattern need not run). Written here because it is a few lines; an
Aho-Corasick package would add a dependency for the same scan.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

__all__ = ["any_of"]


def any_of(needles: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching wherever one of ``needles`` (at least one, none empty) is found."""
    unique = tuple(sorted(set(needles)))
    if not unique or not unique[0]:
        raise ValueError("any_of needs needles, none of them empty")
    return _compiled(unique)


@lru_cache(maxsize=64)
def _compiled(needles: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(_trie(needles))


def _trie(needles: Sequence[str]) -> str:
    """An expression matching any of ``needles`` (sorted, distinct), written as a trie of them.
    A needle that starts another one stands for both."""
    if needles[0] == "":  # sorted: the empty rest comes first; what led to it matches without the others
        return ""
    branches = []
    for _, group in itertools.groupby(needles, key=operator.itemgetter(0)):
        words = list(group)
        first, last = words[0], words[-1]  # sorted: what these two share, all of them share
        size = 1
        while size < min(len(first), len(last)) and first[size] == last[size]:
            size += 1
        branches.append(re.escape(first[:size]) + _trie([w[size:] for w in words]))
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
