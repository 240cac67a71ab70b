"""BM25 over the lines of one text, the goal as the query (Okapi BM25, k1=1.2, b=0.75).

Terms are identifier parts: a word is cut at underscores and at case changes
(``parseHTTPHeader_value`` → ``parse``, ``http``, ``header``, ``value``), then lowercased;
parts of one character are dropped. IDF is computed over the lines of the same text,
with the non-negative form ``ln(1 + (N - df + 0.5) / (df + 0.5))``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Final

__all__ = ["K1", "B", "bm25_scores", "terms"]

K1: Final = 1.2
B: Final = 0.75

_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def terms(text: str) -> list[str]:
    """Lowercased identifier parts of ``text`` (snake_case and camelCase split)."""
    return [p.lower() for p in _PART.findall(text) if len(p) > 1]


def bm25_scores(lines: Sequence[str], query: str, k1: float = K1, b: float = B) -> list[float]:
    """One BM25 score per line; 0.0 for a line sharing no term with the query."""
    docs = [Counter(terms(line)) for line in lines]
    q_terms = set(terms(query))
    n = len(docs)
    if n == 0 or not q_terms:
        return [0.0] * n
    lengths = [sum(d.values()) for d in docs]
    avgdl = (sum(lengths) / n) or 1.0
    df = Counter(t for d in docs for t in q_terms if t in d)
    idf = {t: math.log(1.0 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in q_terms}
    scores: list[float] = []
    for doc, dl in zip(docs, lengths, strict=True):
        norm = k1 * (1.0 - b + b * dl / avgdl)
        s = 0.0
        for t in q_terms:
            tf = doc.get(t, 0)
            if tf:
                s += idf[t] * tf * (k1 + 1.0) / (tf + norm)
        scores.append(s)
    return scores
