"""TOML and INI files (``pyproject.toml``, ``Cargo.lock``, ``setup.cfg``, ``tox.ini``): one section per table.

Such a file is flat text: ``[table]`` headers, ``key = value`` lines, comments. Neither the grammar
nor the indentation sees a block in it, so its markers said "12 lines" and the table a goal names
("the ruff settings", "which serde version is locked") was not kept whole. Here each ``[table]`` or
``[[array-of-tables]]`` header heads a section running to the next header, and the selector keeps the
section the goal is about whole, as it does a document's (see :mod:`._sections`). An array table is
named by its ``name = "..."`` key when it has one (``[[package]]`` in a lock file is ``package serde``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._structure import Structure, nest_scopes, sectioned

__all__ = ["is_table_config", "table_structure"]

_HEADER: Final = re.compile(r"(\[\[?)\s*([\w.\"' :*/@~+-]{1,80}?)\s*\]\]?\s*(?:[#;].*)?")
"""A table header; an INI section's name may hold ``:``, ``*``, ``/``, ``@``, ``~`` or ``+`` (tox's
``[testenv:lint]``, mypy's ``[mypy-vendor.*]``, git's ``[includeIf "gitdir:~/work/"]``)."""
_KEY: Final = re.compile(r"[A-Za-z0-9_.\"'-][A-Za-z0-9_.\"' -]{0,80}\s*[=:]")
"""``key = value`` (TOML, INI) or ``key: value`` (INI)."""
_NAME_KEY: Final = re.compile(r"name\s*=\s*[\"']([^\"']{1,60})[\"']")
_SAMPLE: Final = 400
_MIN_SHARE: Final = 0.8
_NAME_LOOKAHEAD: Final = 6
_MULTILINE: Final = ('"""', "'''")


def _header(line: str) -> re.Match[str] | None:
    """The ``[table]`` or ``[[array]]`` header starting ``line``, if it is one."""
    return _HEADER.fullmatch(line.strip()) if line[:1] == "[" else None


def _opened(text: str) -> int:
    """Brackets and braces ``text`` opens and leaves open (negative: closes)."""
    return text.count("[") + text.count("{") - text.count("]") - text.count("}")


def _opened_string(text: str) -> str:
    """The multi-line string delimiter ``text`` leaves open (an odd count of it), or ``""``."""
    return next((q for q in _MULTILINE if text.count(q) % 2), "")


def is_table_config(lines: Sequence[str]) -> bool:
    """At least one ``[table]`` header at the start of a line, and most lines (not counting blank lines,
    comments and the insides of multi-line values: arrays, triple-quoted strings, indented INI
    continuations) are headers or ``key = value`` lines."""
    sample = lines[:_SAMPLE]
    if not any(line[:1] == "[" for line in sample):
        return False  # code and prose: no header at the start of a line
    headers = keys = other = 0
    depth = 0  # open brackets of a multi-line array or inline table
    quote = ""  # the delimiter of the multi-line string value a line is in: its lines are that value
    for line in sample:
        if quote:
            quote = "" if line.count(quote) % 2 else quote
            continue
        body = line.strip()
        if not body or body[0] in "#;":
            continue
        if depth > 0:
            depth = max(0, depth + _opened(body))
            continue
        if line[:1] in " \t" and keys:
            continue  # an INI value going on over indented lines (tox's ``commands =``)
        if _header(line) is not None:
            headers += 1
        elif _KEY.match(body) is not None:
            keys += 1
            value = body.split("=", 1)[1] if "=" in body else ""
            quote = _opened_string(value)
            depth = 0 if quote else max(0, _opened(value))
        else:
            other += 1
    total = headers + keys + other
    return headers >= 1 and keys >= 1 and headers + keys >= _MIN_SHARE * total


def _table_name(lines: Sequence[str], start: int, end: int, bracket: str, name: str) -> str:
    """``name`` as written, or for an array of tables its ``name = "..."`` when it has one."""
    if bracket == "[[":
        for k in range(start + 1, min(end, start + 1 + _NAME_LOOKAHEAD)):
            m = _NAME_KEY.match(lines[k].strip())
            if m is not None:
                return f"{name} {m.group(1)}"
    return name


def table_structure(lines: Sequence[str]) -> Structure:
    """Each table header heads a section to the next header, or to the end of the subtables written right
    after it; the lines before the first header belong to none."""
    n = len(lines)
    heads: list[tuple[int, str, str]] = []
    quote = ""  # the delimiter of the multi-line string a line is in: its ``[x]`` lines are its text
    for i, line in enumerate(lines):
        if quote:
            quote = "" if line.count(quote) % 2 else quote
            continue
        m = _header(line)
        if m is not None:
            heads.append((i, m.group(1), m.group(2).strip()))
        else:
            quote = _opened_string(line)
    ends: list[int] = []
    for k, (start, _, _) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else n
        while end - 1 > start and not lines[end - 1].strip():
            end -= 1  # the blank lines before the next header belong to no table
        ends.append(end)
    raw: list[tuple[int, int, int, str, str]] = []
    for k, (start, bracket, name) in enumerate(heads):
        # A table holds the subtables written right after it: ``[tool.ruff]`` holds ``[tool.ruff.lint]``.
        last = k
        while last + 1 < len(heads) and heads[last + 1][2].startswith(name + "."):
            last += 1
        label = _table_name(lines, start, ends[k], bracket, name)
        raw.append((start, -ends[last], start + 1, "table", label[:80]))
    scopes = nest_scopes(sorted(raw), n)
    return sectioned(lines, scopes, [], "tables")
