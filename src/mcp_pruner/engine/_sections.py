"""Which section of a document the goal is about, judged by the section rather than by one line.

The selector keeps that section whole when it fits. Taking the section of the single best-scoring
line let one stray line decide (an intro sentence or a "see also" that happens to name every goal
word), and the section the goal names lost its space. Sections are ranked instead like documents in
BM25F, a well-known retrieval scheme, with two fields:

* the heading: each goal term it names counts its full weight (weight x IDF over the text's lines).
  A heading says what its section is about;
* the body (subsections and fences included): each term counts its weight times a saturating share
  ``f / (k1 + f)`` of its line frequency ``f``, normalised by the section's length in tokens against
  the mean section length (``k1 = 1.2``, ``b = 0.75``, the usual BM25 constants). The body of one
  section can earn at most what its heading could: ten mentions are not ten times one, and a long
  section does not win by its length.

Nesting needs no rule of its own: a subsection that holds the same matches in fewer tokens scores
higher than its parent, while the parent wins when its heading names the goal (a changelog's version)
or when its evidence is spread over several subsections. The lines before the first heading compete
as one more section without a heading: when they win, no section is chosen.

Written here rather than taken from a BM25 library: the "documents" are nested sections of one text,
scored from term hits the engine has already found, in a single pass over them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Final

from ._structure import Structure

__all__ = ["goal_section"]

_K1: Final = 1.2
_B: Final = 0.75
"""Standard BM25 saturation and length normalisation; not tuned to any text."""
_FENCE_KIND: Final = "fence"


def goal_section(
    st: Structure, line_tokens: Sequence[int], terms: Mapping[str, tuple[float, Sequence[int]]]
) -> tuple[int, ...]:
    """The section (no fence) the goal is about, then its best-scoring subsection, and so on down:
    indices in ``st.scopes``. The selector keeps the first that fits its budget whole.

    ``terms`` maps each goal term to its weight and the lines holding it (sorted, one entry a line).
    Empty when nothing matched, when the text has no section, or when the lines before the first
    heading hold the evidence.
    """
    score = section_scores(st, line_tokens, terms)
    scopes = st.scopes
    best = max(range(len(score)), key=score.__getitem__)  # ties: the first, the outer one
    if score[best] <= 0.0 or best == len(scopes):
        return ()
    children: dict[int, list[int]] = {}
    for k, sc in enumerate(scopes):
        if sc.kind != _FENCE_KIND and sc.parent >= 0:
            children.setdefault(sc.parent, []).append(k)
    chain = [best]
    while inner := [c for c in children.get(chain[-1], ()) if score[c] > 0.0]:
        chain.append(max(inner, key=score.__getitem__))
    return tuple(chain)


def section_scores(
    st: Structure, line_tokens: Sequence[int], terms: Mapping[str, tuple[float, Sequence[int]]]
) -> list[float]:
    """The score of each scope (0 for a fence), then of the lines in no section (the last entry)."""
    scopes = st.scopes
    nscopes = len(scopes)
    cand = [k for k, sc in enumerate(scopes) if sc.kind != _FENCE_KIND]
    if not cand or not terms:
        return [0.0] * (nscopes + 1)
    prefix = list(accumulate(line_tokens, initial=0))
    length = [float(prefix[sc.end] - prefix[sc.start]) for sc in scopes]
    mean = sum(length[k] for k in cand) / len(cand)
    if mean <= 0.0:
        return [0.0] * (nscopes + 1)
    line_scope = st.line_scope
    # The lines in no section (before the first heading) take the last slot.
    before = float(sum(t for t, s in zip(line_tokens, line_scope, strict=True) if s < 0))
    norm = [1.0 - _B + _B * ln / mean for ln in [*length, before]]
    score = [0.0] * (nscopes + 1)
    for weight, idx in terms.values():
        if weight <= 0.0:
            continue
        named: set[int] = set()
        body: dict[int, int] = {}
        for i in idx:
            s = line_scope[i]
            if s < 0:
                body[nscopes] = body.get(nscopes, 0) + 1
            while s >= 0:
                sc = scopes[s]
                if sc.kind != _FENCE_KIND:
                    if sc.start <= i < sc.header_end:
                        named.add(s)
                    else:
                        body[s] = body.get(s, 0) + 1
                s = sc.parent
        for s in named:
            score[s] += weight
        for s, count in body.items():
            f = count / norm[s]
            score[s] += weight * f / (_K1 + f)
    return score
