"""Analysis of a text: its kind, structure, token costs and per-line scores, computed once.

Scoring is split in two on purpose: *relevance* (what the goal asks for; a
reranker may replace it) and *base* (what the structure says regardless of the
goal: signatures, headings, log severity, template novelty). The selector
applies the structure rules whatever the relevance came from.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from .._contract import SourceType
from .._tokens import count_line_tokens
from ._cancel import check_cancel
from ._code import code_structure
from ._detect import detect_source_type
from ._diff import diff_structure, is_diff
from ._docs import doc_structure, version_headings
from ._lexical import local_evidence, repetition_weights
from ._logs import WARN_LEVEL, log_structure
from ._noprune import protected_ranges
from ._relevance import CODE_PROXIMITY, DOC_PROXIMITY, spread, structural_relevance
from ._sections import goal_section
from ._structure import Structure
from ._tables import is_table_config, table_structure
from ._terms import GoalTerms, goal_terms, lowered_heads, phrase_hits, score_lines
from ._types import Unit

__all__ = ["Analysis", "analyze"]

_WARN_GOAL: Final = re.compile(r"(?i)\bwarn(?:ing|ings|s)?\b")
_ALERT_GAP: Final = 0.15
_LOG_DECAY: Final = 0.3
"""Log records are independent: a match lends little to its neighbours."""
_CONTAINER_SHARE: Final = 0.8
_BARE_NAME: Final = re.compile(r"\w{4,}")
_VERSION_MATCH: Final = 3.0
"""A named version is a specific term (weight 1 x IDF around 3): what it earns when nothing else matched."""


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything :func:`select` needs, computed once per text.

    ``line_scores`` is the heuristic relevance in [0, 1] (1 = the best match in
    this text); ``base`` the goal-independent worth of each line; ``evidence``
    the best single-line match (sum of term weight x IDF; 0 = the goal matched
    nothing), which decides how hard adaptive mode prunes; ``alerts`` marks log lines of the top severity;
    ``sections`` are the document section (a diff's file, a TOML table: :mod:`._diff`,
    :mod:`._tables`) the goal is about, then its best subsection and so on down (indices in
    ``structure.scopes``; empty: none), see :mod:`._sections`; ``focus`` (logs only) is
    ``line_scores`` counting only the goal terms found on at most half of the lines: what says which
    alerts of a flood the goal means (see :func:`_focus`).
    """

    lines: Sequence[str]
    source_type: SourceType
    line_tokens: list[int]
    units: list[Unit]
    line_scores: list[float]
    base: list[float] = field(default_factory=list)
    structure: Structure = field(default_factory=Structure)
    evidence: float = 0.0
    alerts: list[bool] = field(default_factory=list)
    protected: list[tuple[int, int]] = field(default_factory=list)
    unit_of_line: list[int] = field(default_factory=list)
    sections: tuple[int, ...] = ()
    focus: list[float] = field(default_factory=list)


def _focus(
    n: int,
    term_weight: dict[str, float],
    hits: dict[str, list[int]],
    phrases: dict[str, tuple[float, list[int]]],
) -> list[float]:
    """A log's relevance counting only the goal terms and compounds found on at most half of its lines.

    A more common one ("errors" in "fix the errors", against mypy's ``error:`` on every line) says
    nothing about which records the goal means: in a flood of alerts it would make every alert look
    named, and a goal that only says "errors" would keep the whole flood.
    """
    focus = [0.0] * n
    matches = [(term_weight.get(t, 0.0), idx) for t, idx in hits.items()]
    for w, idx in [*matches, *phrases.values()]:
        if w > 0.0 and 2 * len(idx) <= n:
            for i in idx:
                focus[i] += w
    return _normalise(spread(focus, _LOG_DECAY))[0]


def _without_cr(lines: Sequence[str]) -> Sequence[str]:
    """``lines`` without the ``\r`` of CRLF line ends: every pattern of the analysis anchored at the
    end of a line (a pytest title, a rule, a heading's closing ``#``) reads a Windows text as it
    reads the same text with ``\n`` ends. The original lines are still what is counted and kept."""
    if "\r" not in "\n".join(lines) or not any(line.endswith("\r") for line in lines):
        return lines  # one C-level search first: most texts hold no ``\r`` at all
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _unit_index(n: int, units: Sequence[Unit]) -> list[int]:
    out = [0] * n
    for k, u in enumerate(units):
        out[u.start : u.end] = [k] * (u.end - u.start)
    return out


def _normalise(values: Sequence[float]) -> tuple[list[float], float]:
    top = max(values, default=0.0)
    if top <= 0.0:
        return [0.0] * len(values), 0.0
    return [v / top if v > 0.0 else 0.0 for v in values], top


def _log_base(st: Structure, sev: Sequence[float], n: int) -> tuple[list[float], list[bool]]:
    """Severity first, then novelty of the template, then a line of context around alerts."""
    top = max(sev, default=0.0)
    alert_at = max(WARN_LEVEL, top - _ALERT_GAP) if top >= WARN_LEVEL else 2.0
    seen: set[int] = set()
    freq: dict[int, int] = {}
    for t in st.template_of:
        freq[t] = freq.get(t, 0) + 1
    base = [0.0] * n
    alerts = [False] * n
    for i in range(n):
        t = st.template_of[i]
        novelty = 0.5 if t not in seen else (0.0 if freq[t] <= 3 else -0.3)
        seen.add(t)
        base[i] = 3.0 * sev[i] + novelty
        alerts[i] = sev[i] >= alert_at
    # Context: the line just before and after an alert record.
    for i in range(n):
        if not alerts[i]:
            continue
        for j in (st.group_start[i] - 1, st.group_end[i]):
            if 0 <= j < n and not alerts[j]:
                base[j] = max(base[j], 1.5 * sev[i] + 0.2)
    return base, alerts


def _version_bonus(raw: list[float], heads: Sequence[int]) -> list[float]:
    """The headings of the sections named by a version of the goal match it as well as its best line."""
    if not heads:
        return raw
    top = max(max(raw, default=0.0), _VERSION_MATCH)
    out = list(raw)
    for i in heads:
        out[i] += top
    return out


def _containers(st: Structure, n: int) -> frozenset[str]:
    """The lowercased bare names of the definitions that hold the whole text (a Java file's class):
    those spanning at least :data:`_CONTAINER_SHARE` of its lines."""
    need = _CONTAINER_SHARE * n
    wide = [sc.bare_name for sc in st.scopes if sc.end - sc.start >= need]
    return frozenset(name.lower() for name in wide if _BARE_NAME.fullmatch(name) is not None)


def _section_terms(
    goal: GoalTerms,
    term_weight: dict[str, float],
    hits: dict[str, list[int]],
    phrases: dict[str, tuple[float, list[int]]],
    version_heads: list[int],
) -> tuple[dict[str, tuple[float, list[int]]], set[str]]:
    """What :func:`goal_section` weighs: the goal's terms, its intact compounds and a named version
    (a specific term: at least as strong as the goal's best, as in :func:`_version_bonus`); then
    the specific ones among them, all but the generic words."""
    out = {t: (term_weight[t], idx) for t, idx in hits.items() if t in term_weight}
    out.update((" " + ph, v) for ph, v in phrases.items())  # a space: no term has one
    if version_heads:
        out[" version"] = (max(max(term_weight.values(), default=0.0), _VERSION_MATCH), version_heads)
    generic = goal.generic
    return out, {t for t in out if t not in generic}


def analyze(
    lines: Sequence[str], goal: str, source_type: SourceType | None, cancel: threading.Event | None = None
) -> Analysis:
    """Detect the kind of text, find its structure and score every line against ``goal``.

    ``cancel``: once set, the next check between phases raises :class:`Cancelled`.
    """
    n = len(lines)
    text = _without_cr(lines)  # a CRLF text reads as its LF twin; its tokens are its own
    st_type = source_type or detect_source_type(text)
    tokens = count_line_tokens(lines) if n else []
    check_cancel(cancel)
    # A diff's files and hunks, or a TOML/INI file's tables: sections, as a document's.
    diff = st_type is not SourceType.LOGS and is_diff(text)
    tables = st_type is not SourceType.LOGS and not diff and is_table_config(text)
    sectioned = diff or tables
    code = code_structure(text) if st_type is SourceType.CODE and not sectioned else None
    check_cancel(cancel)
    goal_t = goal_terms(goal, _containers(code, n) if code is not None else None)
    lowered = lowered_heads(text) if not goal_t.empty else None  # searched by every term scan
    raw, term_weight, hits = score_lines(text, goal_t, lowered)
    local: list[float] | None = None
    if st_type is SourceType.CODE:
        # Boilerplate repeated verbatim points nowhere in particular: its matches weigh less.
        repeat = None if goal_t.empty else repetition_weights(text)
        if repeat is not None:
            raw = [r * w for r, w in zip(raw, repeat, strict=True)]
        local = local_evidence(text, goal_t, lowered, repeat)
    wants_phrases = st_type is SourceType.DOCS or st_type is SourceType.LOGS or sectioned
    phrases = phrase_hits(lowered, goal_t, term_weight) if wants_phrases and lowered is not None else {}
    del lowered  # a copy of the text's heads: not kept through the parse
    check_cancel(cancel)
    alerts: list[bool] = []
    sections: tuple[int, ...] = ()
    focus: list[float] = []
    if st_type is SourceType.LOGS:
        st, sev = log_structure(text, _WARN_GOAL.search(goal) is not None)
        check_cancel(cancel)
        rel, _ = _normalise(spread(raw, _LOG_DECAY))
        focus = _focus(n, term_weight, hits, phrases)
        base, alerts = _log_base(st, sev, n)
    else:
        if diff:
            st = diff_structure(text)
        elif tables:
            st = table_structure(text)
        else:
            st = code if code is not None else doc_structure(text)
        check_cancel(cancel)
        if st_type is SourceType.DOCS or sectioned:
            # The section the goal is about (a document's, a diff's file, a table) is kept whole.
            heads = [] if sectioned else version_headings(text, st, goal)
            sections = goal_section(st, tokens, *_section_terms(goal_t, term_weight, hits, phrases, heads))
            raw = _version_bonus(raw, heads)
        near = CODE_PROXIMITY if st_type is SourceType.CODE else DOC_PROXIMITY
        rel, _ = _normalise(structural_relevance(raw, st, term_weight, hits, goal_t, local, near))
        base = st.prior
    check_cancel(cancel)
    units = (st.units or [Unit(0, n)]) if n else []
    return Analysis(
        lines=lines,
        source_type=st_type,
        line_tokens=tokens,
        units=units,
        line_scores=rel,
        base=base,
        structure=st,
        evidence=max(raw, default=0.0),
        alerts=alerts,
        protected=protected_ranges(text),
        unit_of_line=_unit_index(n, units),
        sections=sections,
        focus=focus,
    )
