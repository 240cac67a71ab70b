"""Is this text code, logs or docs? Decided from a sample of its lines.

Logs are the easiest to tell: most lines open with a timestamp or a level
field, or are JSON objects with a level key. A bare stack trace (a Python
traceback and its source lines, Java/JS frames, a Go goroutine dump) is logs
too. Between code and docs, code lines end with ``;``/``{``/``}``/``:`` or
open with keywords, documents have headings, list items and sentences.
Fenced code inside markdown does not make it code: lines inside fences count
for neither side. Docstring-heavy source reads like prose, so a programming
language recognised outside fences wins a close call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from .._contract import SourceType
from ._langs import detect_language
from ._logs import TEST_TITLE, is_diagnostic, is_json_record
from ._yaml import looks_like_yaml

__all__ = ["detect_source_type"]

_MONTH: Final = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_LOG_STAMP: Final = re.compile(
    r"\[?(?:\d{2,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T]?\d{0,2}|\d{6} \d{6}|\d{2}[-.]\d{2} \d{2}:\d{2}|"
    r"\d{8}[-T]\d{2}:?\d{2}|"
    r"\d{2}:\d{2}:\d{2}|\d{10}|"
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? " + _MONTH + r"|" + _MONTH + r" +\d{1,2} \d{2}:\d{2}|"
    r"(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|CRITICAL|SEVERE|NOTICE)\b|[VDIWEF]/\S+\s*\(|[IWEF]\d{4} )"
)
"""A timestamp or level, matched on the line without its indentation (it starts with a non-space)."""
_LOG_SOURCE: Final = re.compile(r"\S+ \d{10} \d{4}\.\d{2}\.\d{2} |\S+\s+\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_LOG_FIELD: Final = re.compile(r"\b(?:level|lvl|severity)[=:]\s*\"?\w+")
_CODE_HEAD: Final = re.compile(
    r"(?:def|class|import|from|return|if|elif|else|for|while|function|const|let|var|fn|"
    r"func|pub|public|private|protected|package|use|impl|struct|#include|try|catch|except|switch|case)\b"
    r"|//|/\*|\*/|@\w+|[})\]]"
)
"""Matched on the line without its indentation (every alternative starts with a non-space)."""
_CODE_ENDS: Final = (";", "{", "}", ")")
_DOC_HEAD: Final = re.compile(
    r"#{1,6}\s+\S|\s*[-*+]\s+[A-Za-z`*\[]|\s*\d+[.)]\s+\w|\s*>\s"
    r"|[A-Z][a-z]+(?: [\w,'()\"-]+){3,}[.!?:]?\s*$|\s*\.\. \w+::|(?:=|-|~|\^){4,}\s*$|\|.*\|\s*$"
)
_DOC_LINK: Final = re.compile(r"\[[^\]]+\]\([^)]+\)")
_INLINE_CODE: Final = re.compile(r"`[^`]*`")


def _is_log(line: str) -> bool:
    """A timestamp or a level at the start (maybe indented or bracketed), a source then a timestamp,
    or a ``level=`` field anywhere.

    One regex search would try every alternative at every position (and every indentation width);
    the anchored parts are matched once, the one that may occur anywhere only when its word does.
    """
    if _LOG_STAMP.match(line.lstrip()) or _LOG_SOURCE.match(line):
        return True
    return ("level" in line or "lvl" in line or "severity" in line) and _LOG_FIELD.search(line) is not None


def _is_code(line: str) -> bool:
    """Ends with ``;``, ``{``, ``}``, ``)`` or ``):`` (then blanks), holds ``=>``, or opens (after its
    indentation) with a keyword, a comment, a decorator or a closing bracket.

    A document line (a heading, list item, sentence or link) is no code for a ``)`` that closes a link
    target or an aside (``Fixed (#12)``, ``## 2.0 (2024-05-29)``), nor for ``=>`` in inline code.
    Plain string tests for what a regex search would look for at every position of the line.
    """
    end = line.rstrip()
    ends = end.endswith(_CODE_ENDS)
    if (ends and not end.endswith(")")) or ((ends or "=>" in line) and not _prose_ending(line, end)):
        return True
    if end.endswith(":") and end[:-1].rstrip().endswith(")"):
        return True
    return _CODE_HEAD.match(line.lstrip()) is not None


def _prose_ending(line: str, end: str) -> bool:
    """A document line whose closing ``)`` ends a link target or an aside, and whose ``=>`` (if any)
    is in inline code: no call, no arrow function."""
    if not _is_doc(line):
        return False
    if "=>" in line and "=>" in _INLINE_CODE.sub("", line):
        return False
    if not end.endswith(")"):
        return True
    depth = 0
    for k in range(len(end) - 1, -1, -1):
        c = end[k]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
            if depth == 0:
                before = end[:k].rstrip(" \t")
                return not before or end[k - 1] in " \t]"
    return False


def _is_doc(line: str) -> bool:
    """A heading, list item, quote, sentence, directive, underline or table row; or a link anywhere."""
    if _DOC_HEAD.match(line):
        return True
    return "](" in line and _DOC_LINK.search(line) is not None


_FENCE: Final = re.compile(r"^\s*```")  # `~~~` is also a reStructuredText underline: not a signal
_CODE_DIRECTIVE: Final = re.compile(
    r"\.\. (?:code-block|code|sourcecode|parsed-literal|doctest|testcode|testoutput|ipython)::"
)
"""A reStructuredText directive whose indented body is code: like a fence, it counts for no side."""
_STACK: Final = re.compile(
    r"^\s+(?:at |File \")|^Traceback |^\s*\.\.\. \d+ more|^Caused by|^[A-Za-z_$][\w$.]*(?:Error|Exception):"
    r"|^goroutine \d+ \[|^\s+\S*\.go:\d+ |^panic: "
)
"""Stack-trace lines: part of a log record, they count for no side (or for logs when they are most lines)."""
_PY_FRAME: Final = re.compile(r"\s+File \"[^\"]*\", line \d+")
"""A Python traceback frame: the more indented lines under it are its source line (and ``^^^`` marks)."""
_TOOL: Final = re.compile(
    r"(?:error|warning|note|help|fatal)(?:\[[\w-]+\])?: "  # rustc, cargo, gcc, go vet, npm
    r"|\S+?:\d+(?::\d+)?: (?:fatal )?(?:error|warning|note)\b"  # gcc, mypy, go vet
    r"|\S+\(\d+,\d+\): (?:error|warning)\b"  # tsc, msbuild
    r"|(?:PASS|FAIL|FAILED|PASSED|SKIPPED)(?:\s|$)|ok(?: {2}|\t)"  # verdicts
    r"|(?:=== RUN|--- (?:PASS|FAIL|SKIP):) "
    r"|test \S+ \.\.\. |\S+::\S+ (?:PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)\b"  # cargo test, pytest -v
    r"|(?:\S+ )?[.FEsxX]+ +\[ *\d+%\]$|[=_]{3,} .+ [=_]{3,}$"  # pytest progress and section titles
    r"|-{3,} Captured (?:stdout|stderr|log) (?:setup|call|teardown) -{3,}$"  # pytest's captured output
    r"|(?:Tests?|Test Suites|Test Files|Snapshots):  |[\u2713\u2714\u2715\u2717\u00d7\u221a\u25cf] "  # jest
    r"|#\d+ (?:\d+\.\d+ |\[|DONE|CACHED|ERROR)"  # docker buildkit
    r"|@?[\w.-]+(?:/[\w.-]+)?:[\w-]+: "  # a monorepo runner's ``package:task:`` prefix
    r"|(?:Compiling|Checking|Downloading|Downloaded|Collecting|Processing|Installing|Finished|Running"
    r"|Building|Updating) \S"
    r"|> Task :\S|BUILD (?:SUCCESSFUL|FAILED)\b|FAILURE: "  # gradle
    r"|(?:ERROR|WARNING) in \S|webpack \d+\.\d+\.\d+ compiled|asset \S+ \d+(?:\.\d+)? [KMG]?i?B "  # webpack
    r"|[\w.-]+[-_]\d+ +\| "  # docker compose: a service's replica, then its line
    r"|npm (?:ERR!|WARN|warn|error|notice|http|timing|verb|sill) "  # npm's level (``npm info``: a command)
)
"""A line of build or test tool output (matched without the indentation): a diagnostic, a test verdict,
a progress step. It counts for logs: what coding agents paste is mostly such output, with no timestamps.
So does a linter's ``path:line:col: message`` (:func:`is_diagnostic`), which has no level word."""
_GUTTER: Final = re.compile(
    r"\s*(?:\d+\s*)?\|\s*$|\s*\d+\s+\|\s|\s*\|\s+[\^~_|+-]|\s*--> \S+:\d+|\s*= (?:note|help): "
)
"""A compiler's source excerpt (rustc, ruff): numbered lines, carets, ``-->`` locations; neutral."""
_TEST_TRACE: Final = re.compile(r"[>E] {3}|_ _ _ |[A-Za-z_]\w* = \S")
"""Unindented lines that stay in a pytest failure's trace (under its title); ``i = 3`` is how pytest
shows a test's arguments."""
_SAMPLE: Final = 600
_EARLY: Final = 200
"""After this many sampled lines, plain code (hardly a log or stack line, little prose) ends the scan."""


def _sample(lines: Sequence[str], inside: Sequence[bool]) -> list[tuple[str, bool]]:
    """Up to about ``_SAMPLE`` lines (the first half, then evenly spaced ones), cut to 300 characters,
    each with whether it lies inside a fenced block (``inside``, :func:`_inside_fences`).

    Which lines a fence holds is read on the whole text: a sample that skips a fence line would see
    every later block inside out.
    """
    n = len(lines)
    picked = (
        range(n)
        if n <= _SAMPLE
        else [*range(_SAMPLE // 2), *range(_SAMPLE // 2, n, max(1, (n - _SAMPLE // 2) // (_SAMPLE // 2)))]
    )
    return [(lines[i][:300], inside[i]) for i in picked]


def _inside_fences(lines: Sequence[str]) -> list[bool]:
    """Lines strictly between a `````` fence line and the next one, and the lines of reStructuredText
    literal blocks: indented under a line ending in ``::`` or a code directive (``.. code-block::``).
    """
    out = [False] * len(lines)
    text = "\n".join(lines)
    if "```" not in text and "::" not in text:  # no fence, and no line opening a literal block
        return out
    in_fence = False
    literal = -1  # indentation of the line that opened a literal block, -1 if none
    for i, line in enumerate(lines):
        if "```" in line and _FENCE.match(line):
            in_fence = not in_fence
            literal = -1
            continue
        if in_fence:
            out[i] = True
            continue
        if ":" not in line and literal < 0:
            continue
        body = line.lstrip(" \t")
        if not body:
            continue
        indent = len(line) - len(body)
        if literal >= 0:
            if indent > literal:
                out[i] = True
                continue
            literal = -1
        if body.rstrip().endswith("::") or _CODE_DIRECTIVE.match(body):
            literal = indent
    return out


def detect_source_type(lines: Sequence[str]) -> SourceType:
    """The source type of ``lines``; code when there is nothing to go on."""
    fenced = _inside_fences(lines)
    pairs = [(line, inside) for line, inside in _sample(lines, fenced) if line.strip()]
    sample = [line for line, _ in pairs]
    if not sample:
        return SourceType.CODE
    logs = code = docs = stack = 0
    outside: list[str] = []
    frame_indent = -1  # indentation of the Python frame just seen, -1 if none
    for k, (line, in_fence) in enumerate(pairs):
        if k == _EARLY and logs + stack <= 0.02 * k and code >= 0.25 * k and docs <= 0.25 * code:
            return SourceType.CODE
        if frame_indent >= 0:
            indent = len(line) - len(line.lstrip())
            if indent > frame_indent or (frame_indent == 0 and _TEST_TRACE.match(line)):
                stack += 1
                continue
            frame_indent = -1
        if _STACK.match(line) or _GUTTER.match(line):
            stack += 1
            if _PY_FRAME.match(line):
                frame_indent = len(line) - len(line.lstrip())
            continue
        if _FENCE.match(line):
            docs += 1
            continue
        if in_fence:
            continue
        outside.append(line)
        if _is_log(line) or is_json_record(line) or _TOOL.match(line.lstrip()) or is_diagnostic(line):
            logs += 1
            if TEST_TITLE.match(line):  # the test source under it and its ``>``/``E`` lines: a trace
                frame_indent = 0
            continue
        if _is_code(line):
            code += 1
        elif _is_doc(line):
            docs += 1
    total = len(sample) - stack
    if (logs and logs >= 0.4 * total) or stack >= 0.5 * len(sample):
        return SourceType.LOGS
    # Docstrings read like prose: a recognised programming language outside fences tips the balance.
    if (docs > code and (code < 0.5 * docs or detect_language(outside) is None)) or (
        code == 0 and docs == 0 and sum(len(x) for x in sample) / max(1, len(sample)) > 60
    ):
        # YAML reads like a document to this vote; its structure is indentation, as in code.
        return SourceType.CODE if looks_like_yaml(lines, fenced) else SourceType.DOCS
    return SourceType.CODE
