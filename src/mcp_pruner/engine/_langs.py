"""Which programming language a snippet is written in, from its content alone (no filename is given).

One alternation regex with a named group per (language, signal) runs over a
sample of the text in a single C-level pass; each language adds up the weights
of its signals. TypeScript is JavaScript plus type syntax, so it wins only on
type-specific signals; TSX is TypeScript with JSX tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["detect_language"]

_SIGNALS: Final[list[tuple[str, str, float]]] = [
    ("python", r"^[ \t]*def [A-Za-z_]\w*\(.*\)?[^;{]*:[ \t]*$", 3.0),
    ("python", r"^[ \t]*class \w+(?:\(.*\))?:[ \t]*$", 3.0),
    ("python", r"^from [\w.]+ import ", 3.0),
    ("python", r"^import [\w.]+(?: as \w+)?[ \t]*$", 1.0),
    ("python", r"\bself\.\w", 0.5),
    ("python", r"^[ \t]*(?:elif |except\b.*:|with .*:$|@[\w.]+(?:\(.*\))?$)", 1.5),
    ("python", r"\bNone\b|\bTrue\b|\bFalse\b", 0.3),
    ("go", r"^package \w+[ \t]*$", 6.0),
    ("go", r"^func (?:\([^)]*\) )?\w+\(", 4.0),
    ("go", r"\w :?= (?:&|\[\]|make\(|map\[)|:= ", 0.6),
    ("go", r"\berr != nil\b", 2.0),
    ("rust", r"^[ \t]*(?:pub(?:\([\w:]+\))? )?(?:async |const |unsafe )*fn \w+", 4.0),
    ("rust", r"\blet mut\b", 2.0),
    ("rust", r"^[ \t]*impl\b|^[ \t]*#!?\[\w", 3.0),
    ("rust", r"^[ \t]*(?:pub )?(?:use|mod) [\w:]+", 2.0),
    ("rust", r"&(?:mut )?self\b|\bSome\(|\bOk\(|->", 0.5),
    ("java", r"^package [\w.]+;", 6.0),
    ("java", r"^import (?:static )?[\w.]+(?:\.\*)?;", 3.0),
    ("java", r"^[ \t]*(?:public|private|protected)(?: static| final| abstract| synchronized)* [\w<>\[\], ?]+ \w+\(", 2.5),
    ("java", r"@Override|\bSystem\.out\b|\bnew [A-Z]\w*(?:<.*>)?\(", 1.0),
    ("js", r"\bfunction\b|=>", 0.8),
    ("js", r"\brequire\(['\"]|\bmodule\.exports\b|\bexports\.\w+ =", 3.0),
    ("js", r"^[ \t]*(?:export )?(?:const|let|var) \w+ =", 1.0),
    ("js", r"^import .* from ['\"]|^export (?:default )?", 1.5),
    ("js", r"===|!==|\bconsole\.\w+\(|\bundefined\b", 0.8),
    ("ts", r"^[ \t]*(?:export )?(?:declare )?(?:interface|type) \w+(?:<.*>)? ?[={]", 4.0),
    ("ts", r"\w\??: (?:string|number|boolean|any|unknown|void|never)\b", 2.0),
    ("ts", r"\b(?:private|public|protected|readonly) \w+[:(]|\bas const\b|^import type ", 2.0),
    ("ts", r"\)(?:: [\w<>\[\]| .]+)? ?(?:=>|\{)$", 0.2),
    ("jsx", r"</[A-Za-z][\w.]*>|<[A-Z]\w*[ />]|/>$", 1.0),
]
_RE: Final = re.compile(
    "|".join(f"(?P<g{i}>{pat})" for i, (_, pat, _) in enumerate(_SIGNALS)),
    re.MULTILINE,
)
_SAMPLE_CHARS: Final = 120_000


def detect_language(lines: Sequence[str]) -> str | None:
    """``python``/``javascript``/``typescript``/``tsx``/``go``/``rust``/``java``, or None when unsure."""
    sample_lines: list[str] = []
    size = 0
    for line in lines:
        if len(line) > 1000:
            continue
        sample_lines.append(line)
        size += len(line) + 1
        if size > _SAMPLE_CHARS:
            break
    score: dict[str, float] = {}
    for m in _RE.finditer("\n".join(sample_lines)):
        group = m.lastgroup
        if group is None:
            continue
        lang, _, w = _SIGNALS[int(group[1:])]
        score[lang] = score.get(lang, 0.0) + w
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
