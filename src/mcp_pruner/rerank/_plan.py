"""From the engine's units to reranker documents and back.

The whole text is scored: every unit with content becomes at least one
document. A unit larger than ``max_doc_tokens`` is split at line boundaries
into several documents whose scores are max-pooled (a function is relevant if
any part of it is); a single line larger than that is cut into character
chunks, at most ``max_chunks_per_line`` of them, and only what lies beyond is
left unscored (``truncated``). All of this is for scoring only: the output is
built from the original lines.

Blank units have nothing to score and get 0 without a request (the engine's
structure rules still keep them where they belong).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .._contract import SourceType
from ..engine import Unit

__all__ = [
    "MAX_CHUNKS_PER_LINE",
    "MAX_DOC_TOKENS",
    "MAX_QUERY_CHARS",
    "MAX_REQUEST_TOKENS",
    "Document",
    "DocumentPlan",
    "build_query",
    "make_batches",
    "plan_documents",
    "pool_scores",
]

MAX_DOC_TOKENS: Final = 1024
"""Tokens (o200k) per document: far below Qwen3-Reranker's 32k window per pair, and small
enough that max-pooling over pieces still points at the relevant part of a long unit."""
MAX_REQUEST_TOKENS: Final = 32_768
"""Document tokens per request: keeps a body near 128 KiB whether the provider's 32k limit
is per pair (DeepInfra/Qwen: it is) or, for some self-hosted server, per request."""
MAX_CHUNKS_PER_LINE: Final = 8
MAX_QUERY_CHARS: Final = 1000

_WHAT: Final = {SourceType.CODE: "source code", SourceType.LOGS: "log", SourceType.DOCS: "documentation"}
_DEFAULT_GOAL: Final = {
    SourceType.CODE: "the definitions and main logic",
    SourceType.LOGS: "errors, failures, warnings and their causes",
    SourceType.DOCS: "the key facts and instructions",
}


def build_query(goal: str, source_type: SourceType) -> str:
    """A short instruction-style query, the form Qwen3-Reranker was trained on.

    The goal is data: whitespace is collapsed and it is capped in length.
    """
    cleaned = " ".join(goal.split())[:MAX_QUERY_CHARS] or _DEFAULT_GOAL[source_type]
    return f"Find the {_WHAT[source_type]} excerpts an engineer needs for this goal: {cleaned}"


@dataclass(frozen=True, slots=True)
class Document:
    """Text sent for scoring; ``unit`` is the index of the unit it belongs to."""

    unit: int
    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class DocumentPlan:
    documents: list[Document]
    n_units: int
    truncated: bool
    """Some content is not in any document (a line longer than the chunk cap)."""

    @property
    def scored_units(self) -> int:
        return len({d.unit for d in self.documents})


def _chunk_line(line: str, tokens: int, max_tokens: int, max_chunks: int) -> tuple[list[Document], bool]:
    chars = max(1, int(len(line) * max_tokens / max(tokens, 1) * 0.9))
    pieces = [line[i : i + chars] for i in range(0, len(line), chars)]
    kept = pieces[:max_chunks]
    per = max(1, tokens // max(len(pieces), 1))
    return [Document(-1, p, per) for p in kept if p.strip()], len(pieces) > max_chunks


def _unit_documents(
    u_index: int, lines: Sequence[str], tokens: Sequence[int], max_doc_tokens: int, max_chunks: int
) -> tuple[list[Document], bool]:
    """Documents of one unit: runs of whole lines, and chunks of over-long lines."""
    docs: list[Document] = []
    truncated = False
    buf: list[str] = []
    buf_tokens = 0
    for raw, cost in zip(lines, tokens, strict=True):
        line = raw.rstrip()
        if cost > max_doc_tokens or (buf and buf_tokens + cost > max_doc_tokens):
            if any(s.strip() for s in buf):
                docs.append(Document(u_index, "\n".join(buf), buf_tokens))
            buf, buf_tokens = [], 0
        if cost > max_doc_tokens:
            chunks, cut = _chunk_line(line, cost, max_doc_tokens, max_chunks)
            docs.extend(Document(u_index, c.text, c.tokens) for c in chunks)
            truncated = truncated or cut
            continue
        buf.append(line)
        buf_tokens += cost
    if any(s.strip() for s in buf):
        docs.append(Document(u_index, "\n".join(buf), buf_tokens))
    return docs, truncated


def plan_documents(
    lines: Sequence[str],
    line_tokens: Sequence[int],
    units: Sequence[Unit],
    *,
    max_doc_tokens: int = MAX_DOC_TOKENS,
    max_chunks_per_line: int = MAX_CHUNKS_PER_LINE,
) -> DocumentPlan:
    """Documents for every unit with content, each within ``max_doc_tokens``."""
    docs: list[Document] = []
    truncated = False
    for u_index, unit in enumerate(units):
        unit_docs, cut = _unit_documents(
            u_index,
            lines[unit.start : unit.end],
            line_tokens[unit.start : unit.end],
            max_doc_tokens,
            max_chunks_per_line,
        )
        docs.extend(unit_docs)
        truncated = truncated or cut
    return DocumentPlan(docs, len(units), truncated)


def make_batches(
    documents: Sequence[Document], max_docs: int, max_tokens: int = MAX_REQUEST_TOKENS
) -> list[list[int]]:
    """Consecutive document indexes, at most ``max_docs`` and ``max_tokens`` per batch (never empty)."""
    batches: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for index, doc in enumerate(documents):
        if current and (len(current) >= max_docs or tokens + doc.tokens > max_tokens):
            batches.append(current)
            current, tokens = [], 0
        current.append(index)
        tokens += doc.tokens
    if current:
        batches.append(current)
    return batches


def pool_scores(plan: DocumentPlan, doc_scores: Sequence[float]) -> list[float]:
    """One score per unit: the max over its documents, 0 for a unit with nothing to score."""
    out = [0.0] * plan.n_units
    for doc, score in zip(plan.documents, doc_scores, strict=True):
        out[doc.unit] = max(out[doc.unit], score)
    return out
