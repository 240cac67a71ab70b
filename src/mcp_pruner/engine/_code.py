"""Structure of source code: definition scopes (tree-sitter, else indentation), signatures, priors.

Tree-sitter gives exact blocks for the languages it knows here; a parse full of
errors means the guess of language was wrong, and indentation (right for nearly
all code) takes over. The prior says which lines are worth something before the
goal is even read: signatures locate code, blank lines and comment rulers carry
nothing, imports are cheap context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._indent import indent_scopes
from ._langs import detect_language
from ._structure import Scope, Structure, build_line_scope, merge_ranges, set_groups, units_from_scopes
from ._treesitter import parse_scopes

__all__ = ["code_structure"]

_MAX_ERROR_SHARE: Final = 0.2
_UNIT_LINES: Final = 60
_MAX_PARSE_CHARS: Final = 3_000_000

_IMPORT: Final = re.compile(
    r"^\s*(?:import\b|from\s+[\w.]+\s+import\b|use\s+[\w:{]|using\s+[\w.]+;|#include\b|require\b|"
    r"package\s+[\w.]+|(?:const|let|var)\s+[\w{}\s,]+=\s*require\()"
)
_COMMENT: Final = re.compile(r"^\s*(?:#|//|/\*|\*|\"\"\"|'''|--|;;)")


def _scopes_for(lines: Sequence[str]) -> tuple[list[Scope], str]:
    lang = detect_language(lines)
    n = len(lines)
    if lang is not None:
        text = "\n".join(lines)
        if len(text) <= _MAX_PARSE_CHARS:
            parsed = parse_scopes(text.encode("utf-8", "surrogatepass"), n, lang)
            if parsed is not None:
                scopes, err = parsed
                if err <= _MAX_ERROR_SHARE and (scopes or n < 20):
                    return scopes, lang
    return indent_scopes(lines), "indent"


def code_structure(lines: Sequence[str]) -> Structure:
    """Scopes, header groups, units and the structural prior of a source file."""
    n = len(lines)
    scopes, lang = _scopes_for(lines)
    line_scope = build_line_scope(n, scopes)
    header_groups = [(s.start, s.header_end) for s in scopes if s.header_end - s.start > 1]
    header_groups = merge_ranges(header_groups)
    gs, ge = set_groups(n, header_groups)
    prior = [0.0] * n
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            prior[i] = -0.2
        elif _COMMENT.match(line[:40]):
            prior[i] = -0.05
        elif _IMPORT.match(line[:200]):
            prior[i] = 0.05
    for s in scopes:
        for i in range(s.start, s.header_end):
            prior[i] += 0.15
    st = Structure(
        scopes=scopes,
        line_scope=line_scope,
        group_start=gs,
        group_end=ge,
        units=units_from_scopes(n, scopes, line_scope, _UNIT_LINES),
        prior=prior,
        must_keep=[False] * n,
        notes=[f"lang={lang}"],
    )
    return st

