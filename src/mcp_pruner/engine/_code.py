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
from itertools import compress
from typing import Final

from ._indent import indent_scopes
from ._langs import detect_language
from ._structure import Structure, build_line_scope, merge_ranges, set_groups, units_from_scopes
from ._treesitter import Parsed, parse_scopes
from ._yaml import looks_like_yaml

__all__ = ["code_structure"]

_MAX_ERROR_SHARE: Final = 0.2
_UNIT_LINES: Final = 60
_MAX_PARSE_CHARS: Final = 3_000_000
_IMPORT_FLOOR: Final = 0.6
"""Imports change with the code that uses them and cost little: worth keeping when budget allows."""

_COMMENT_PRIOR: Final = -0.05
_HEADER_PRIOR: Final = 0.15

_IMPORT: Final = (
    r"import\b|from\s+[\w.]+\s+import\b|use\s+[\w:{]|using\s+[\w.]+;|#include\b|require\b|"
    r"package\s+[\w.]+|(?:const|let|var)\s+[\w{}\s,]+=\s*require\("
)
_COMMENT: Final = r"#|//|/\*|\*|\"\"\"|'''|--|;;"
_LOOK: Final = re.compile(f"(?P<comment>{_COMMENT})|(?P<import>{_IMPORT})")
"""A comment, else an import, at the start of a line stripped of its indentation. Every
alternative starts with a non-space, so this is ``^\\s*(?:...)`` on the line, minus the regex
scanning the indentation again for each alternative (most of the time it took)."""


def _parse(lines: Sequence[str]) -> tuple[Parsed, str]:
    lang = detect_language(lines)
    n = len(lines)
    if lang is not None:
        text = "\n".join(lines)
        if len(text) <= _MAX_PARSE_CHARS:
            parsed = parse_scopes(text.encode("utf-8", "surrogatepass"), n, lang, _MAX_ERROR_SHARE)
            if parsed is not None and parsed.error_share <= _MAX_ERROR_SHARE and (parsed.scopes or n < 20):
                return parsed, lang
    return _fallback(lines), "indent"


def _fallback(lines: Sequence[str]) -> Parsed:
    """Indentation scopes; comments and imports by their look."""
    comments: list[tuple[int, int]] = []
    imports: list[tuple[int, int]] = []
    look = _LOOK.match
    for i in compress(range(len(lines)), lines):  # the empty lines, skipped at C speed, match nothing
        m = look(lines[i][:200].lstrip())
        if m is not None:
            (comments if m.lastgroup == "comment" else imports).append((i, i + 1))
    return Parsed(indent_scopes(lines, keys=looks_like_yaml(lines)), 0.0, comments, imports)


def code_structure(lines: Sequence[str]) -> Structure:
    """Scopes, header groups, units and the structural prior of a source file."""
    n = len(lines)
    parsed, lang = _parse(lines)
    scopes = parsed.scopes
    line_scope = build_line_scope(n, scopes)
    header_groups = [(s.start, s.header_end) for s in scopes if s.header_end - s.start > 1]
    header_groups = merge_ranges(header_groups)
    gs, ge = set_groups(n, header_groups)
    prior = [-0.2 if not line.strip() else 0.0 for line in lines]
    comment = [False] * n
    for a, b in parsed.comment_rows:
        for i in range(a, min(b, n)):
            prior[i] = _COMMENT_PRIOR
            comment[i] = True
    floor = [0.0] * n
    for a, b in parsed.import_rows:
        for i in range(a, min(b, n)):
            floor[i] = _IMPORT_FLOOR
    for s in scopes:
        for i in range(s.start, s.header_end):
            prior[i] += _HEADER_PRIOR
    st = Structure(
        scopes=scopes,
        line_scope=line_scope,
        group_start=gs,
        group_end=ge,
        units=units_from_scopes(n, scopes, line_scope, _UNIT_LINES),
        prior=prior,
        must_keep=[False] * n,
        floor=floor,
        comment=comment,
        notes=[f"lang={lang}"],
    )
    return st
