"""Which programming language a snippet is written in, from its content alone (no filename is given).

Line-start signals (``def x(...):``, ``package x;``, ``fn x``) are matched once
per sampled line by one alternation; anywhere-signals (``let mut``, ``:=``,
``: string``) are plain substring counts. Each language adds up the weights of
its signals. TypeScript is JavaScript plus type syntax, so it wins only on
type-specific signals; TSX is TypeScript with JSX tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["detect_language"]

_LINE_SIGNALS: Final[list[tuple[str, str, float]]] = [
    ("python", r"[ \t]*def [A-Za-z_]\w*\(.*\)?[^;{]*:[ \t]*$", 3.0),
    ("python", r"[ \t]*class \w+(?:\(.*\))?:[ \t]*$", 3.0),
    ("python", r"from [\w.]+ import ", 3.0),
    ("python", r"import [\w.]+(?: as \w+)?[ \t]*$", 1.0),
    ("python", r"[ \t]*(?:elif |except\b.*:|with .*:$|@[\w.]+(?:\(.*\))?$)", 1.5),
    ("go", r"package \w+[ \t]*$", 6.0),
    ("go", r"func (?:\([^)]*\) )?\w+\(", 4.0),
    ("rust", r"[ \t]*(?:pub(?:\([\w:]+\))? )?(?:async |const |unsafe )*fn \w+", 4.0),
    ("rust", r"[ \t]*(?:impl\b|#!?\[\w)", 3.0),
    ("rust", r"[ \t]*(?:pub )?(?:use|mod) [\w:]+", 2.0),
    ("java", r"package [\w.]+;", 6.0),
    ("java", r"import (?:static )?[\w.]+(?:\.\*)?;", 3.0),
    (
        "java",
        r"[ \t]*(?:public|private|protected)(?: static| final| abstract| synchronized)* [\w<>\[\], ?]+ \w+\(",
        2.5,
    ),
    ("js", r"[ \t]*(?:export )?(?:const|let|var) \w+ =", 1.0),
    ("js", r"import .* from ['\"]|export (?:default )?", 1.5),
    ("ts", r"[ \t]*(?:export )?(?:declare )?(?:interface|type) \w+(?:<.*>)? ?[={]", 4.0),
    ("ts", r"import type ", 2.0),
]
"""Signals matched at the start of a line (tried once per line)."""

_WORD_SIGNALS: Final[list[tuple[str, str, float]]] = [
    ("python", "self.", 0.5),
    ("python", "None", 0.3),
    ("python", "True", 0.3),
    ("python", "False", 0.3),
    ("go", ":= ", 0.6),
    ("go", "err != nil", 2.0),
    ("rust", "let mut ", 2.0),
    ("rust", "&self", 0.5),
    ("rust", "&mut self", 0.5),
    ("rust", "Some(", 0.5),
    ("rust", "Ok(", 0.5),
    ("rust", "->", 0.5),
    ("java", "@Override", 1.0),
    ("java", "System.out", 1.0),
    ("js", "function", 0.8),
    ("js", "=>", 0.8),
    ("js", "require(", 3.0),
    ("js", "module.exports", 3.0),
    ("js", "===", 0.8),
    ("js", "!==", 0.8),
    ("js", "console.", 0.8),
    ("js", "undefined", 0.8),
    ("ts", ": string", 2.0),
    ("ts", ": number", 2.0),
    ("ts", ": boolean", 2.0),
    ("ts", ": any", 2.0),
    ("ts", ": unknown", 2.0),
    ("ts", ": void", 2.0),
    ("ts", "readonly ", 2.0),
    ("ts", "as const", 2.0),
    ("ts", "private ", 0.5),
    ("jsx", "</", 1.0),
    ("jsx", "/>", 1.0),
]
"""Substrings counted anywhere in the sample (``str.count`` is far cheaper than a regex pass)."""

_INDENT: Final = "[ \\t]*"


def _line_re(indented: bool) -> re.Pattern[str]:
    """The line signals as one alternation (group ``g<i>`` = signal i), matched on the stripped line.

    Every signal starts with a letter, ``@`` or ``#``, so ``[ \\t]*`` at the head of a signal can
    only match the whole indentation: matching the rest on the line without its indentation is
    the same test, minus the backtracking over the indentation that each signal would repeat.
    An indented line can only match the signals that allow indentation.
    """
    alts = []
    for i, (_, pat, _) in enumerate(_LINE_SIGNALS):
        flexible = pat.startswith(_INDENT)
        if indented and not flexible:
            continue
        alts.append(f"(?P<g{i}>{pat[len(_INDENT) :] if flexible else pat})")
    return re.compile("|".join(alts))


_LINE_RE: Final = _line_re(False)
_INDENTED_RE: Final = _line_re(True)
_FIRST: Final = frozenset("@#acdefilmptuvw")
"""Every character a line signal can start with (after the indentation): other lines match none."""
_SAMPLE_CHARS: Final = 30_000
_SAMPLE_LINES: Final = 500
_JSON_VALUE: Final = re.compile(r'["{}\[\]\d-]|(?:true|false|null)\b')
"""What every line of pretty-printed JSON starts with, after its indentation."""
_JSON_SHARE: Final = 0.95


def _is_json(sample: Sequence[str]) -> bool:
    """JSON data: it opens with ``{`` or ``[`` and nearly every sampled line starts with a JSON value or
    key. Code held in its strings (a ``package-lock.json``, an API's answer) must not make it code: no
    grammar finds a definition in it, and parsing it as JavaScript only costs (a third of the time of
    a 2,000,000-character JSON text)."""
    bodies = [b for b in (line.lstrip() for line in sample) if b]
    if not bodies or bodies[0][0] not in "{[":
        return False
    match = _JSON_VALUE.match
    return sum(1 for b in bodies if match(b) is not None) >= _JSON_SHARE * len(bodies)


def detect_language(lines: Sequence[str]) -> str | None:
    """``python``/``javascript``/``typescript``/``tsx``/``go``/``rust``/``java``, or None when unsure (and
    for JSON data)."""
    step = max(1, len(lines) // _SAMPLE_LINES)
    sample_lines: list[str] = []
    size = 0
    for line in lines[::step]:
        if len(line) > 500:
            continue
        sample_lines.append(line)
        size += len(line) + 1
        if size > _SAMPLE_CHARS:
            break
    if _is_json(sample_lines):
        return None
    score: dict[str, float] = {}
    match = _LINE_RE.match
    match_indented = _INDENTED_RE.match
    first = _FIRST
    for line in sample_lines:
        body = line.lstrip(" \t")
        if body[:1] not in first:
            continue
        m = match_indented(body) if len(body) < len(line) else match(body)
        if m is not None and m.lastgroup is not None:
            lang, _, w = _LINE_SIGNALS[int(m.lastgroup[1:])]
            score[lang] = score.get(lang, 0.0) + w
    text = "\n".join(sample_lines)
    for lang, needle, w in _WORD_SIGNALS:
        c = text.count(needle)
        if c:
            score[lang] = score.get(lang, 0.0) + w * c
    if not score:
        return None
    js = score.get("js", 0.0)
    tsx = score.get("ts", 0.0)
    jsx = score.get("jsx", 0.0)
    cands = {k: v for k, v in score.items() if k in ("python", "go", "rust", "java")}
    cands["javascript"] = js + tsx
    best = max(cands, key=lambda k: cands[k])
    if cands[best] < 3.0:
        return None
    if best == "javascript":
        if tsx >= 4.0 and tsx >= 0.15 * js:
            return "tsx" if jsx >= 3.0 else "typescript"
        return "javascript"
    return best
