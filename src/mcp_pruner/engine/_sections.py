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

A section is chosen only when the goal is clearly about it: its heading names a specific goal term
(a name or a topic, not a generic word such as "changes" or "fixes" that a changelog's every heading
may hold), or it scores half as much again as the best section that is neither inside it nor around
it. A flat text (a changelog, release notes) where the goal is mentioned in several sections, none
standing out, has no section the goal is about: keeping the best-scoring one whole, and making room
for it, spent the budget on one section's unrelated lines and dropped the mentions in the others.
The same test stops the walk down to a subsection: a parent clearly about the goal whose children
all score alike is kept as it is, or left to the line-level selection when it is too big.

Written here rather than taken from a BM25 library: the "documents" are nested sections of one text,
scored from term hits the engine has already found, in a single pass over them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from itertools import accumulate
from typing import Final

from ._structure import Structure

__all__ = ["goal_section"]

_K1: Final = 1.2
_B: Final = 0.75
"""Standard BM25 saturation and length normalisation; not tuned to any text."""
_MARGIN: Final = 1.5
"""A section whose heading names no specific goal term must score 1.5 x its best rival's score."""
_FENCE_KIND: Final = "fence"


def goal_section(
    st: Structure,
    line_tokens: Sequence[int],
    terms: Mapping[str, tuple[float, Sequence[int]]],
    specific: Collection[str],
) -> tuple[int, ...]:
    """The section (no fence) the goal is about, then its best-scoring subsection, and so on down
    while the goal is clearly about it: indices in ``st.scopes``. The selector keeps the first that
    fits its budget whole.

    ``terms`` maps each goal term to its weight and the lines holding it (sorted, one entry a line);
    ``specific`` names those that show what a section is about when its heading holds them (all but
    the generic words). Empty when nothing matched, when the text has no section, when the lines
    before the first heading hold the evidence, or when no section stands out.
    """
    score = section_scores(st, line_tokens, terms)
    scopes = st.scopes
    best = max(range(len(score)), key=score.__getitem__)  # ties: the first, the outer one
    if score[best] <= 0.0 or best == len(scopes) or not _clear(st, score, best, terms, specific):
        return ()
    children: dict[int, list[int]] = {}
    for k, sc in enumerate(scopes):
        if sc.kind != _FENCE_KIND and sc.parent >= 0:
            children.setdefault(sc.parent, []).append(k)
    chain = [best]
    while inner := [c for c in children.get(chain[-1], ()) if score[c] > 0.0]:
        top = max(inner, key=score.__getitem__)
        if not _clear(st, score, top, terms, specific):
            break
        chain.append(top)
    return tuple(chain)


def _clear(
    st: Structure,
    score: Sequence[float],
    k: int,
    terms: Mapping[str, tuple[float, Sequence[int]]],
    specific: Collection[str],
) -> bool:
    """Whether the goal is clearly about section ``k``: its heading names a specific goal term, or it
    scores :data:`_MARGIN` times the best section neither inside nor around it (the lines before the
    first heading included). Sections nest, so two of them overlap exactly when one holds the other.
    """
    sc = st.scopes[k]
    for term in specific:
        hit = terms.get(term)
        if hit is not None and hit[0] > 0.0 and any(sc.start <= i < sc.header_end for i in hit[1]):
            return True
    rival = score[-1]  # the lines in no section
    for j, other in enumerate(st.scopes):
        if other.kind != _FENCE_KIND and (other.end <= sc.start or other.start >= sc.end):
            rival = max(rival, score[j])
    return score[k] >= _MARGIN * rival


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
