"""From raw term matches to a relevance per line that knows about blocks and neighbours.

A changed line rarely names the goal's terms itself; the block around it
usually does (in its name, its signature or a few of its lines). So a block's
evidence is shared by its lines, a block named after a goal term counts more
than one that mentions it once, and lines near a match inherit a decaying
share of it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Final

from ._structure import Structure
from ._terms import word_parts

__all__ = ["spread", "structural_relevance"]

import os
_NAME_WEIGHT: Final = float(os.environ.get("K_NAME", "1.0"))
_BLOCK_WEIGHT: Final = float(os.environ.get("K_BLOCK", "0.35"))
_DECAY: Final = tuple(float(x) for x in os.environ.get("K_DECAY", "0.6,0.35,0.2").split(","))
_PARENT: Final = float(os.environ.get("K_PARENT", "0.5"))


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


def density(scores: Sequence[float], decay: float) -> list[float]:
    """Exponential-kernel sum of the scores around each line (two linear passes)."""
    n = len(scores)
    left = [0.0] * n
    acc = 0.0
    for i in range(n):
        acc = scores[i] + decay * acc
        left[i] = acc
    out = [0.0] * n
    acc = 0.0
    for i in range(n - 1, -1, -1):
        acc = scores[i] + decay * acc
        out[i] = left[i] + acc - scores[i]
    return out


_EV: Final = os.environ.get("K_EV", "")
_DENS: Final = float(os.environ.get("K_DENS", "0"))
_DENS_DECAY: Final = float(os.environ.get("K_DDECAY", "0.9"))


def coverage(n: int, hits: dict[str, list[int]], weight: dict[str, float], width: int) -> list[float]:
    """For each line, the summed weight of the distinct goal terms found within ``width`` lines."""
    out = [0.0] * n
    for term, idx in hits.items():
        w = weight.get(term, 0.0)
        if w <= 0.0:
            continue
        diff = [0] * (n + 1)
        for i in idx:
            diff[max(0, i - width)] += 1
            diff[min(n, i + width + 1)] -= 1
        for i, c in enumerate(itertools.accumulate(diff[:n])):
            if c:
                out[i] += w
    return out


_COV: Final = float(os.environ.get("K_COV", "0"))
_COVW: Final = int(os.environ.get("K_COVW", "10"))


def structural_relevance(
    raw: Sequence[float], st: Structure, term_weight: dict[str, float], hits: dict[str, list[int]]
) -> list[float]:
    """Line relevance = own match + neighbours' (decaying) + the evidence of the enclosing blocks."""
    n = len(raw)
    rel = spread(raw)
    if _DENS:
        dens = density(raw, _DENS_DECAY)
        rel = [r + _DENS * d for r, d in zip(rel, dens, strict=True)]
    if _COV:
        cov = coverage(n, hits, term_weight, _COVW)
        rel = [r + _COV * c for r, c in zip(rel, cov, strict=True)]
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
    cover = [0.0] * len(st.scopes)
    if _EV == "cov":
        for term, idx in hits.items():
            w = term_weight.get(term, 0.0)
            tf: dict[int, int] = {}
            for i in idx:
                s = st.line_scope[i]
                while s >= 0:
                    tf[s] = tf.get(s, 0) + 1
                    s = st.scopes[s].parent
            for s, c in tf.items():
                cover[s] += w * 2.0 * c / (c + 1.0)
    for k, sc in enumerate(st.scopes):
        name_hit = sum(term_weight.get(p, 0.0) for p in set(word_parts(sc.name)))
        size = max(1, sc.end - sc.start)
        if _EV == "cov":
            evidence[k] = _NAME_WEIGHT * name_hit + cover[k]
        else:
            evidence[k] = _NAME_WEIGHT * name_hit + best[k] + math.sqrt(total[k]) / math.log2(size + 2)
    out = list(rel)
    for i in range(n):
        s = st.line_scope[i]
        if s < 0:
            continue
        bonus = _BLOCK_WEIGHT * evidence[s]
        p = st.scopes[s].parent
        if p >= 0:
            bonus += _PARENT * _BLOCK_WEIGHT * evidence[p]
        out[i] += bonus
    return out
