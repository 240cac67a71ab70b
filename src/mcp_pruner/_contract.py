"""The wire contract: one pydantic model per tool input and the result shapes.

The JSON schemas that ``tools/list`` advertises are generated from these models,
so a field added here is a field the clients see. Everything in
``../shared/docs/contract.md`` is mirrored here; additions are optional fields.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "MARKER_RE",
    "Annotation",
    "HealthInput",
    "HealthMetrics",
    "HealthResult",
    "LineRange",
    "PruneOptions",
    "PruneResult",
    "PruneStats",
    "PruneTextInput",
    "RecoverMetadata",
    "RecoverResult",
    "RecoverTextInput",
    "SourceType",
    "format_marker",
]

MARKER_RE = re.compile(r"^⟦PRUNÉ: prune_id=(\S+) lignes (\d+)-(\d+) \((\d+)\) raison=(.*)⟧$")
"""How clients parse a marker line (copied verbatim from the contract)."""


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(value: str) -> str:
    """JSON can carry unpaired surrogates (``"\\ud800"``) but UTF-8 cannot: refuse them clearly."""
    found = _SURROGATE.search(value)
    if found is not None:
        raise ValueError(
            f"contains an unpaired UTF-16 surrogate (U+{ord(found.group()):04X}) at index {found.start()}, "
            "which is not valid Unicode text"
        )
    return value


UnicodeText = Annotated[str, AfterValidator(_no_lone_surrogates)]


def format_marker(prune_id: str, start: int, end: int, reason: str) -> str:
    """The one canonical marker line for a removed block (1-based, inclusive)."""
    return f"⟦PRUNÉ: prune_id={prune_id} lignes {start}-{end} ({end - start + 1}) raison={reason}⟧"


class SourceType(StrEnum):
    """What kind of text is being pruned."""

    CODE = "code"
    LOGS = "logs"
    DOCS = "docs"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


_MAX_INT: Final = 2**63 - 1
"""Integer options fit in 64 bits (``Long.MAX_VALUE`` still reads as "no limit"); beyond, a float
conversion of the value overflows, so it is refused naming the field."""


class PruneOptions(_Strict):
    """Options of ``prune_text``; an omitted option takes its configured default."""

    max_prune_ratio: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Max fraction of LINES removed (hard bound)."
    )
    min_keep_lines: int | None = Field(
        default=None, ge=0, le=_MAX_INT, description="Min lines kept (hard bound)."
    )
    timeout_ms: int | None = Field(
        default=None, ge=1, le=_MAX_INT, description="Deadline for the whole call, in ms."
    )
    annotate_lines: bool | None = Field(
        default=None, description="Prefix kept lines with 'N│ ' (N = original 1-based line number)."
    )
    include_markers: bool | None = Field(
        default=None, description="Insert one marker line per removed block."
    )
    keep_ratio: float | None = Field(
        default=None,
        gt=0.0,
        le=1.0,
        description="Target fraction of the input's tokens kept in pruned_text (markers included).",
    )
    token_budget: int | None = Field(
        default=None, ge=1, le=_MAX_INT, description="Max tokens of pruned_text, markers included."
    )


class PruneTextInput(_Strict):
    """Arguments of the ``prune_text`` tool."""

    text: UnicodeText = Field(description="The content to prune.")
    goal_hint: UnicodeText = Field(
        description="What the agent is looking for; may be empty. Treated as data, never as instructions."
    )
    source_type: SourceType | None = Field(
        default=None, strict=False, description="code, logs or docs; detected from the content when omitted."
    )
    options: PruneOptions | None = Field(
        default=None, description="All optional; defaults come from configuration."
    )


class LineRange(_Strict):
    """A 1-based inclusive range of original lines."""

    start_line: int = Field(description="First line, 1-based.")
    end_line: int = Field(description="Last line, inclusive; clamped to the last line.")


class RecoverTextInput(_Strict):
    """Arguments of ``recover_text`` (and its alias ``recover_range``)."""

    prune_id: str = Field(min_length=1, max_length=200, description="The prune_id of a prune_text result.")
    ranges: list[LineRange] | None = Field(
        default=None, description="Ranges to return, in this order; all lines when omitted."
    )
    include_line_numbers: bool = Field(default=False, description="Prefix each line with 'N│ '.")


class HealthInput(_Strict):
    """``health`` takes no arguments."""


class Annotation(BaseModel):
    """One removed block."""

    kind: Literal["pruned_block"] = "pruned_block"
    original_start_line: int
    original_end_line: int
    pruned_line_count: int
    reason: str
    marker: str


class PruneStats(BaseModel):
    """Figures of one ``prune_text`` call."""

    backend: str
    original_lines: int
    kept_lines: int
    pruned_lines: int
    pruned_ratio: float
    tokens_est_before: int
    tokens_est_after: int
    tokens_saved_est: int
    cost_estimated_usd: float
    latency_ms: int
    elapsed_ms: int
    used_fallback: bool
    engine: str = Field(default="heuristic", description="The engine whose answer this is.")
    source_type: str = Field(default="code", description="The source type used (given or detected).")
    tokenizer: str = Field(default="o200k_base", description="Encoding the token figures are counted with.")
    reranker_requests: int = 0
    reranker_tokens: int = 0
    deepinfra_http_status: int | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="HTTP status of the reranker's failed answer, when the fallback followed one.",
    )


class PruneResult(BaseModel):
    """Result of ``prune_text``."""

    prune_id: str
    pruned_text: str
    annotations: list[Annotation]
    stats: PruneStats
    warnings: list[str]


class RecoverMetadata(BaseModel):
    prune_id: str
    ranges: list[LineRange]
    line_numbering: Literal["original"] = "original"
    total_lines: int
    text_ends_with_newline: bool


class RecoverResult(BaseModel):
    """Result of ``recover_text``."""

    raw_text: str
    metadata: RecoverMetadata


class HealthMetrics(BaseModel):
    """Aggregated figures since the server started (``calls_*`` count ``prune_text`` calls)."""

    model_config = ConfigDict(extra="allow")

    calls_total: int = 0
    calls_deepinfra: int = 0
    fallbacks_deepinfra: int = 0
    fallback_rate_deepinfra: float = 0.0
    cost_estimated_total_usd: float = 0.0


class HealthResult(BaseModel):
    status: Literal["healthy", "degraded"] = "healthy"
    server: str = "mcp-pruner"
    version: str
    capabilities: list[str]
    timestamp: str
    backend: str
    metrics: HealthMetrics
