"""From raw term matches to a relevance per line that knows about blocks and neighbours.

A changed line rarely names the goal's terms itself; the block around it
usually does (in its name, its signature or a few of its lines). So a block's
evidence is shared by its lines, a block named after a goal term counts more
than one that mentions it once, and lines near a match inherit a decaying
share of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from ._structure import Structure
from ._terms import word_parts

__all__ = ["spread", "structural_relevance"]

_NAME_WEIGHT: Final = 1.0
_BLOCK_WEIGHT: Final = 0.35
_DECAY: Final = (0.6, 0.35, 0.2)


def spread(scores: Sequence[float], decay: Sequence[float] = _DECAY) -> list[float]:
    """Each line gets the max of its own score and its neighbours' scores times a decay by distance."""
    n = len(scores)
    out = list(scores)
    for i, s in enumerate(scores):
        if s <= 0.0:
            continue
        for d, f in enumerate(decay, start=1):
            v = s * f
            if i - d >= 0 and out[i - d] < v:
                out[i - d] = v
            if i + d < n and out[i + d] < v:
                out[i + d] = v
    return out


def structural_relevance(raw: Sequence[float], st: Structure, term_weight: dict[str, float]) -> list[float]:
    """Line relevance = own match + neighbours' (decaying) + the evidence of the enclosing blocks."""
    n = len(raw)
    rel = spread(raw)
    if not st.scopes:
        return rel
    # Evidence per scope: best line, plus diminishing returns on the number of matching lines,
    # plus a strong bonus when the scope's name carries a goal term.
    best = [0.0] * len(st.scopes)
    total = [0.0] * len(st.scopes)
    for i in range(n):
        s = st.line_scope[i]
        v = raw[i]
        if s < 0 or v <= 0.0:
            continue
        while s >= 0:
            if v > best[s]:
                best[s] = v
            total[s] += v
            s = st.scopes[s].parent
    evidence = [0.0] * len(st.scopes)
    for k, sc in enumerate(st.scopes):
        name_hit = sum(term_weight.get(p, 0.0) for p in set(word_parts(sc.name)))
        size = max(1, sc.end - sc.start)
        evidence[k] = _NAME_WEIGHT * name_hit + best[k] + math.sqrt(total[k]) / math.log2(size + 2)
    out = list(rel)
    for i in range(n):
        s = st.line_scope[i]
        if s < 0:
            continue
        bonus = _BLOCK_WEIGHT * evidence[s]
        p = st.scopes[s].parent
        if p >= 0:
            bonus += 0.5 * _BLOCK_WEIGHT * evidence[p]
        out[i] += bonus
    return out
