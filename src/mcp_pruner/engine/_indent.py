"""Blocks of code in a language without a grammar here: indentation and closing braces.

Nearly all code is indented by its structure, whatever the language: a line
followed by more-indented lines opens a block, which runs until a line at the
same or a lower indentation (a closing ``}``/``end`` at the header's level
belongs to the block). Blocks whose header looks like a definition
(``def``/``function``/``fn``/``sub``/``class``...) get a name for markers.

A block that opens with a line starting with ``{`` (Allman braces, K&R C with the
return type on a line of its own) takes the signature lines just above it into its
header, and its name from them: the brace alone says nothing about where a kept
line is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from ._structure import Scope, nest_scopes
from ._yaml import key_label

__all__ = ["indent_scopes", "indent_width"]

_JSON_KEY: Final = re.compile(r'\s*"([^"\\]{1,80})"\s*:\s*[\[{]\s*')
"""A JSON member whose value opens on its line (``"CreateTags": {``, ``"items": [``): its key names the
block, as a YAML ``key:`` does, so a marker says which members went and a goal naming one finds it."""
_SQL_DEF: Final = re.compile(
    r"(?i)\s*(?:CREATE|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?"
    r"(TABLE|VIEW|MATERIALIZED\s+VIEW|FUNCTION|PROCEDURE|UNIQUE\s+INDEX|INDEX|TRIGGER|TYPE|SCHEMA|SEQUENCE"
    r"|DOMAIN|AGGREGATE|POLICY)\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?([\w.\"`\[\]$]+)"
)
"""A SQL statement defining something (``CREATE OR REPLACE VIEW sales.orders AS``): its object names
the block of its body, so markers say ``view sales.orders`` instead of ``block``."""
_DIRECTIVE: Final = re.compile(
    r"#\s*(?:if|ifdef|ifndef|elif|elifdef|elifndef|else|endif|pragma|error|warning)\b"
)
_GOTO_LABEL: Final = re.compile(r"[A-Za-z_]\w*:\s*(?:/[/*].*)?")
_CLOSER: Final = re.compile(
    r"^\s*(?:[}\])]|(?:end|fi|done|esac|until)\b(?!\s*(?:[-+*/%|&^]?=(?!=)|[:(\[,]))"
    r"|(?i:end(?:if|foreach|while|function|macro|block)\s*\())"
)
"""A line closing the block at its indentation: a brace, a shell or Ruby ``end``, a CMake ``endif()``.
A variable of that name (``done = true``, ``end += 1``, ``end: int``, ``done(err)``) closes nothing."""
_DEF: Final = re.compile(
    r"\b(def|class|function|func|fn|sub|proc|procedure|module|struct|interface|impl|trait|enum|"
    r"object|namespace|macro|defmodule|defp?)\s+([A-Za-z_$][\w.:$!?]*)"
)
_FUN: Final = re.compile(
    r"\s*(?:@[\w.]+(?:\([^)]*\))?\s+|[a-z]+\s+)*fun\s+(?:<.*?>\s*)?(?:[\w.]+(?:<.*>)?\??\.)?([A-Za-z_]\w*)\s*\("
)
"""Kotlin's ``fun`` after modifiers and annotations: type parameters (``fun <T> f(``) and a receiver
(``fun List<T>.total(``) are no part of the name."""
_CMAKE_DEF: Final = re.compile(r"\s*(function|macro)\s*\(\s*([A-Za-z_][\w.+-]*)[^(){}]*\)\s*(?:#.*)?", re.I)
"""A CMake ``function(name args)`` or ``macro(name args)``: the whole line, so no call taking a callback."""
_DEF_BODY: Final = re.compile(_DEF.pattern.removeprefix(r"\b"))
_MAX_INDENT_SCAN: Final = 200
_MAX_SIGNATURE_LINES: Final = 4
"""Lines above a lone ``{`` taken as its signature, at most (attributes included)."""

_STATEMENT_END: Final = (";", "}", "{", ",", ":")
"""A line at the brace's indentation ending so is a statement, a label or a list item, not a signature
(a comma before wrapped parameters aside)."""

_NOT_SIGNATURE: Final = re.compile(r"\s*(?:[}\]]|#|//|/\*|\*|--)")
"""Closers, preprocessor lines and comments: where a signature above a brace stops."""

_COMMENT_START: Final = re.compile(r"\s*(?:#(?!\[)|//|/\*|\*|--|<!--)")
"""A line opening with a comment (``#[attr]`` is Rust's attribute, not one): it names no definition."""

_ACCESS_LABEL: Final = re.compile(
    r"\s*(?:(?:public|private|protected|internal)(?:\s+\w+)?\s*:(?!:)|case\b.*:|default\s*:)"
)
"""An access specifier (``public:``, Qt's ``public slots:``) or a switch label."""
_LABEL_WORD: Final = re.compile(r"public|private|protected|internal|case|default")
"""Found in every line :data:`_ACCESS_LABEL` matches."""

_ATTRIBUTE: Final = re.compile(r"\s*(?:\[[^\]]*\]|@[A-Za-z_][\w.]*(?:\(.*\))?)\s*$")
"""An attribute (``[HttpGet]``) or annotation (``@Override``) line: part of a signature, not its name."""

_ANGLED: Final = re.compile(r"<[^<>]*>")
_CALLED: Final = re.compile(r"([A-Za-z_~][\w:~]*)\s*\(")
_MACRO_NAME: Final = re.compile(r"[A-Za-z_]\w*\s*\(\s*([A-Za-z_]\w*)\s*\)\s*\(")
"""A name made by a macro, then the parameters: ``TRANS(Open) (int type)`` (X11) defines ``Open``."""
_CONTROL: Final = frozenset(
    {
        "if", "else", "for", "foreach", "while", "do", "switch", "case", "catch", "try", "finally",
        "using", "lock", "fixed", "unsafe", "checked", "unchecked", "return", "throw", "new",
        "sizeof", "typeof", "await", "yield", "synchronized", "with", "when", "match", "loop",
    }
)  # fmt: skip
_METHOD_OWNERS: Final = frozenset({"class", "struct", "interface", "impl", "trait", "object", "record"})
_MAKE_RULE: Final = re.compile(r"([^\s:=#][^:=#\t]*?)[ \t]*::?(?![=:])")
"""A Makefile rule at column 0: targets, then ``:`` (``::``), not an assignment (``:=``, ``::=``)."""
_NOT_TARGETS: Final = _CONTROL | {"elif", "except", "default", "public", "private"}
_PARAMETER_TYPES: Final = frozenset({"struct", "enum"})
"""Definition keywords that also type a C parameter (``struct request *req``)."""
_TYPE_PREFIX: Final = re.compile(r"[\w\s:~*&<>,\[\]]+")
"""What may stand before a defined name on its line: return type, qualifiers, pointers, templates."""


def indent_width(line: str) -> int:
    """Columns of leading whitespace (a tab counts 4); -1 for a blank line."""
    width = 0
    for ch in line[:_MAX_INDENT_SCAN]:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4
        elif ch in "\r\f\v":
            continue
        else:
            return width
    return -1 if not line.strip() else width


def _indent_widths(lines: Sequence[str]) -> list[int]:
    """:func:`indent_width` of every line, with a fast path for the usual indentation by spaces."""
    out: list[int] = []
    append = out.append
    for line in lines:
        body = line.lstrip(" ")
        ws = len(line) - len(body)
        # Only spaces before a character that indent_width stops at: the width is their count.
        if body and ws < _MAX_INDENT_SCAN and body[0] not in "\t\r\f\v":
            append(ws)
        elif not body:  # empty, or spaces only: blank
            append(-1)
        else:
            append(indent_width(line))
    return out


def _hide_directives(lines: Sequence[str], ind: list[int], text: str) -> None:
    """Read as blank the lines a C function writes at column 0 whose indentation says nothing about its
    blocks: a preprocessor conditional (``#ifdef DEBUG`` ... ``#endif``) and, inside braces, a ``goto``
    label (``fail:``). Each ended the function there.

    ``text``: the lines joined by newlines, searched once at C speed: without a ``#``, nor a ``:`` and
    a brace, no line is either. Else only lines holding a ``#`` (or a ``:`` at column 0) can be, so
    only those are looked at; the brace depth before a label comes from the lines with braces up to
    it, summed as the label needs it.
    """
    if "#" not in text and not (":" in text and "{" in text):
        return
    maybe = [
        i
        for i, (line, w) in enumerate(zip(lines, ind, strict=True))
        if "#" in line or (w == 0 and ":" in line)
    ]
    if not maybe:
        return
    braced = [i for i, line in enumerate(lines) if "{" in line or "}" in line]
    depth = 0  # braces open before line ``braced[b]``
    b = 0
    for i in maybe:
        width = ind[i]
        line = lines[i]
        if width >= 0 and line[width : width + 1] == "#" and _DIRECTIVE.match(line, width) is not None:
            ind[i] = -1
        elif width == 0 and _GOTO_LABEL.fullmatch(line[:_MAX_INDENT_SCAN]) is not None:
            while b < len(braced) and braced[b] < i:
                brace_line = lines[braced[b]]
                depth = max(0, depth + brace_line.count("{") - brace_line.count("}"))
                b += 1
            if depth > 0:
                ind[i] = -1


def _promote_labels(lines: Sequence[str], ind: list[int], text: str) -> None:
    """Indent by one the labels written at their brace's level: ``public:`` in a C++ class, ``case x:``
    in a C or Go switch.

    Written at the level of the ``{`` line, a label hides the block from indentation (the line after
    ``class T {`` is no deeper) and splits it at each label. A label counts when the nearest line
    above at its level or lower opens a brace or is such a label itself (a YAML ``default:`` key
    after a sibling is none).

    Every label holds a ``:`` and one of its words: ``text`` (the lines joined by newlines) without
    them, searched once at C speed, or with no line matching a label (JSON, most YAML and code),
    skips the walk.
    """
    if ":" not in text or _LABEL_WORD.search(text) is None:
        return
    if any(
        w >= 0 and ":" in line and _ACCESS_LABEL.match(line, 0, _MAX_INDENT_SCAN)
        for line, w in zip(lines, ind, strict=True)
    ):
        _promote_walk(lines, ind)


def _promote_walk(lines: Sequence[str], ind: list[int]) -> None:
    """The walk of :func:`_promote_labels` over every line, with no look for a label first."""
    stack: list[tuple[int, bool]] = []  # (width, opens a brace or is a promoted label), widths rising
    for i, line in enumerate(lines):
        width = ind[i]
        if width < 0:
            continue
        while stack and stack[-1][0] > width:
            stack.pop()
        head = line[:_MAX_INDENT_SCAN]
        promoted = bool(stack) and stack[-1][1] and _ACCESS_LABEL.match(head) is not None
        if promoted:
            ind[i] = width + 1
        stack.append((width, promoted or head.rstrip().endswith("{")))


def _label(line: str) -> tuple[str, str]:
    """Keyword and name of the leftmost definition in ``line``, as ``_DEF.search`` finds it.

    The search runs without the leading ``\\b`` (so the regex can skip to the letters keywords
    start with) and checks the boundary itself, searching on after a hit inside a word.
    """
    text = line[:300]
    if _COMMENT_START.match(text) is not None:
        return "block", ""  # ``/* ... a module that ...``: prose, whatever words it uses
    m = _DEF_BODY.search(text)
    while m is not None:
        p = m.start()
        if p == 0:
            break
        prev = text[p - 1]
        if not (prev.isalnum() or prev == "_"):  # \w as the regex module defines it for str
            break
        m = _DEF_BODY.search(text, p + 1)
    if m is None:
        return "block", ""
    return m.group(1), m.group(2)[:60]


def _signature_start(lines: Sequence[str], ind: Sequence[int], brace: int) -> int:
    """First line of the signature just above the block opening at ``brace`` (``brace`` if none).

    Contiguous non-blank lines at the brace's indentation, not ending a statement; lines
    indented deeper are continuations (wrapped parameters) when a line at the brace's
    indentation heads them. The parentheses of the whole signature must balance. One blank
    line may part the signature from the brace (the caller then wants a definition's name).
    """
    width = ind[brace]
    start = brace
    k = brace - 1
    if k > 0 and ind[k] < 0 and ind[k - 1] >= 0:
        k -= 1  # one blank line between signature and brace (X11's Xtrans)
    floor = max(-1, k - _MAX_SIGNATURE_LINES)
    while k > floor:
        w = ind[k]
        if w < width:
            break
        line = lines[k][:300]
        if _NOT_SIGNATURE.match(line) is not None:
            break
        if w == width:
            tail = line.rstrip()
            # A comma heads wrapped parameters (deeper lines follow), else it ends a list item.
            if tail.endswith(_STATEMENT_END) and not (tail.endswith(",") and ind[k + 1] > width):
                break
            start = k
        k -= 1
    if start == brace:
        return brace
    text = " ".join(lines[start:brace])[:1000]
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return brace
    return start


def _signature_label(lines: Sequence[str]) -> tuple[str, str]:
    """Keyword and name of a signature above a brace: a definition keyword, else a function's name."""
    body = [line for line in lines if _ATTRIBUTE.match(line[:300]) is None]
    text = " ".join(line.strip() for line in body)[:300]
    # A keyword in the parameters (``struct request *req``) or type arguments names nothing.
    kw, name = _label(_ANGLED.sub("", text.split("(", 1)[0]))
    if name:
        return kw, name
    first = text.split(None, 1)[0].split("(", 1)[0] if text.strip() else ""
    if first in _CONTROL:
        return "block", ""
    m = _CALLED.search(text)
    if m is None or m.group(1) in _CONTROL or "=" in text[: m.start()]:
        return "block", ""
    return "function", _defined_name(text, m)


def _defined_name(text: str, called: re.Match[str]) -> str:
    """The name ``called`` (a :data:`_CALLED` match in ``text``) defines: the macro's argument when
    a macro makes the name (``TRANS(Open) (int type)``), else the called name itself."""
    # The macro's parameters open a second parenthesis: most definitions have none to try.
    made = _MACRO_NAME.match(text, called.start()) if "(" in text[called.end() :] else None
    return (made.group(1) if made is not None else called.group(1))[:60]


def _in_parentheses(line: str, needle: str) -> bool:
    """``needle`` first occurs inside a parenthesis left open before it."""
    at = line.find(needle)
    return at > 0 and line.count("(", 0, at) > line.count(")", 0, at)


def _inline_label(line: str) -> tuple[str, str]:
    """Name of a definition whose body opens on its own line: ``int total(int n) {``, ``name () {``.

    Control statements, calls and assignments name nothing: the name must follow a return type or
    qualifiers (``static int``, ``virtual``), be qualified (``Cart::add(...)``), or take no
    parameters (a shell function, a method ``render() {``). A ``(`` left open (wrapped parameters)
    counts as the opening brace.
    """
    text = line[:300].strip()
    if text.endswith("{"):
        text = text[:-1]
    elif text.count("(") <= text.count(")"):
        return "block", ""
    m = _CALLED.search(text)
    if m is None or m.group(1) in _CONTROL:
        return "block", ""
    prefix = text[: m.start()].strip()
    if prefix:
        if _TYPE_PREFIX.fullmatch(prefix) is None or prefix.split(None, 1)[0] in _CONTROL:
            return "block", ""
    elif (
        "::" not in m.group(1)
        and not text[m.end() :].lstrip().startswith(")")
        and _MACRO_NAME.match(text, m.start()) is None
    ):
        return "block", ""
    return "function", _defined_name(text, m)


def _make_target(lines: Sequence[str], start: int, end: int) -> str:
    """First target of a Makefile rule opening at ``start``, or ``""``.

    The recipe under it is indented by a tab (what ``make`` demands). A C ``goto`` label at column 0
    opens a block that runs to its function's closing ``}``; Python's ``else:`` names no target, nor does
    an upper-case heading of help text (``USAGE:``, ``OPTIONS:``) without prerequisites (``TAGS::``, a
    double-colon rule, is one).
    """
    line = lines[start][:300]
    m = _MAKE_RULE.match(line)
    if m is None or not lines[start + 1].startswith("\t") or lines[end - 1].startswith(("}", ")", "]")):
        return ""
    first = m.group(1).split(None, 1)[0]
    if first in _NOT_TARGETS or (
        first.isupper() and line[m.end() - 2 : m.end()] != "::" and not line[m.end() :].strip()
    ):
        return ""  # ``USAGE:`` alone over tab-indented lines: a heading of a command's help text
    return first[:60]


def _owner(lines: Sequence[str], scopes: Sequence[Scope], parent: int) -> int:
    """The scope a member belongs to: its parent, or the class around an access specifier's block
    (``public:`` heads the block of the members under it)."""
    sc = scopes[parent]
    if sc.kind == "block" and sc.parent >= 0 and _ACCESS_LABEL.match(lines[sc.start][:_MAX_INDENT_SCAN]):
        return sc.parent
    return parent


def _with_methods(lines: Sequence[str], scopes: list[Scope]) -> list[Scope]:
    """Functions found from signatures directly in a class-like block (or under an access specifier in
    one) are methods."""
    out = scopes
    for k, sc in enumerate(scopes):
        if sc.kind != "function" or sc.parent < 0:
            continue
        owner = _owner(lines, scopes, sc.parent)
        if scopes[owner].kind in _METHOD_OWNERS:
            if out is scopes:
                out = list(scopes)
            out[k] = replace(sc, kind="method", name="method" + sc.name.removeprefix("function"))
    return out


def indent_scopes(lines: Sequence[str], keys: bool = False) -> list[Scope]:
    """Nested blocks found from indentation (sorted by start); with ``keys`` (YAML), a ``key:`` names the
    block under it."""
    n = len(lines)
    ind = _indent_widths(lines)
    text = "\n".join(lines)  # searched by both before they walk the lines
    _hide_directives(lines, ind, text)
    _promote_labels(lines, ind, text)
    filled = [i for i in range(n) if ind[i] >= 0]  # the non-blank lines
    widths = [ind[i] for i in filled]
    nexts = [*widths[1:], -1] if widths else []  # the width of the next non-blank line of each (-1: none)
    raw: list[tuple[int, int, int, str, str]] = []
    stack: list[tuple[int, int]] = []  # (start line, indent)
    top = -1  # the indent on top of the stack (-1: empty)
    last_nb = -1
    for i, width, after in zip(filled, widths, nexts, strict=True):
        opens = after > width
        while width <= top:
            start, sw = stack.pop()
            top = stack[-1][1] if stack else -1
            inclusive = width == sw and not opens and _CLOSER.match(lines[i][:50]) is not None
            end = i + 1 if inclusive else last_nb + 1
            kw, name = _label(lines[start])
            raw.append((start, -end, start + 1, kw, name))
            if inclusive:
                break
        if opens:
            stack.append((i, width))
            top = width
        last_nb = i
    while stack:
        start, _ = stack.pop()
        kw, name = _label(lines[start])
        raw.append((start, -(last_nb + 1), start + 1, kw, name))
    raw = [r for r in raw if -r[1] - r[0] >= 2]
    signed = False
    for k, (start, neg_end, hdr, kw, name) in enumerate(raw):
        if kw in _PARAMETER_TYPES and _in_parentheses(lines[start], f"{kw} {name}"):
            kw = "block"  # ``int f(struct list *l) {``: the keyword types a parameter
        if kw != "block":
            continue
        if keys and (name := key_label(lines[start])):
            raw[k] = (start, neg_end, hdr, "key", name)
            continue
        head = lines[start][:300]
        if (m := _JSON_KEY.fullmatch(head)) is not None:
            raw[k] = (start, neg_end, hdr, "key", m.group(1)[:60])
            continue
        if (m := _SQL_DEF.match(head)) is not None:
            kind = m.group(1).split()[-1].lower()  # MATERIALIZED VIEW is a view, UNIQUE INDEX an index
            raw[k] = (start, neg_end, hdr, kind, m.group(2).strip('"`[]')[:60])
            continue
        if not head[:_MAX_INDENT_SCAN].lstrip().startswith("{"):
            kw, name = _inline_label(lines[start])
            if not name and (m := _CMAKE_DEF.fullmatch(head)) is not None:
                kw, name = m.group(1).lower(), m.group(2)[:60]
            elif not name and (m := _FUN.match(head)) is not None:
                kw, name = "function", m.group(1)[:60]
            if not name and ind[start] == 0:
                kw, name = "target", _make_target(lines, start, -neg_end)
            if name:
                raw[k] = (start, neg_end, hdr, kw, name)
                signed = True
            continue
        first = _signature_start(lines, ind, start)
        if first < start:
            kw, name = _signature_label(lines[first:start])
            if not name and ind[start - 1] < 0:
                continue  # across a blank line, only a definition joins the brace
            raw[k] = (first, neg_end, start + 1, kw, name)
            signed = True
    if signed:
        # Blocks inside a signature (wrapped parameters) are part of its header now.
        sig_end = [-1] * n
        for start, _neg_end, hdr, _kw, _name in raw:
            if hdr - start > 1:
                sig_end[start : hdr - 1] = [hdr - 1] * (hdr - 1 - start)
        raw = [r for r in raw if -r[1] > sig_end[r[0]]]
    raw.sort()
    scopes = nest_scopes(raw, n)
    return _with_methods(lines, scopes) if signed else scopes
