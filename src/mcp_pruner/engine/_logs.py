"""Structure of logs: records, severity, message templates.

* A record is a header line plus its continuation lines (indented lines, ``at
  ...`` frames, ``Caused by``, ``Traceback``, ``... 12 more``, the exception
  line ending a traceback). It is kept or removed whole.
* Severity comes from level fields first (``ERROR``, ``[error]``, ``level=warn``,
  logcat's single letters) and from alarming words only when no level says
  otherwise: ``INFO ... parity error corrected`` is not an error.
* A template is the line with its variable parts masked (anything holding a
  digit: timestamps, ids, IPs, counters; hex; long paths). Repeats of a template
  are worth little once one exemplar is kept, and a marker says how many went.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._structure import Structure, set_groups
from ._types import Unit

__all__ = ["ERROR_LEVEL", "log_structure", "severity"]

ERROR_LEVEL: Final = 1.0
WARN_LEVEL: Final = 0.6

_ERR_FIELD: Final = re.compile(
    r"\b(?:ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|ALERT|EMERG|EMERGENCY|PANIC|FAILURE)\b"
    r"|\[(?:error|err|fatal|crit|critical|alert|emerg|severe|panic)\]"
    r"|\blevel[=:]\s*\"?(?:error|err|fatal|critical|crit|panic|alert|emerg)\b"
    r"|^(?:\S+\s+){2,3}\d+\s+\d+\s+[EFA]\s"  # logcat threadtime: date time pid tid LEVEL
    r"|^[EFA]/[\w.$-]+\s*\(|^[EF]\d{4}\s"  # logcat brief, glog
)
_WARN_FIELD: Final = re.compile(
    r"\b(?:WARN|WARNING)\b|\[(?:warn|warning)\]|\blevel[=:]\s*\"?warn(?:ing)?\b"
    r"|^(?:\S+\s+){2,3}\d+\s+\d+\s+W\s|^W/[\w.$-]+\s*\(|^W\d{4}\s"
)
_LOW_FIELD: Final = re.compile(
    r"\b(?:INFO|NOTICE|DEBUG|TRACE|VERBOSE|FINE|FINER|FINEST|CONFIG)\b"
    r"|\[(?:info|notice|debug|trace)\]|\blevel[=:]\s*\"?(?:info|debug|trace)\b"
    r"|^(?:\S+\s+){2,3}\d+\s+\d+\s+[VDI]\s|^[VDI]/[\w.$-]+\s*\(|^[ID]\d{4}\s"
)
_ALARM: Final = re.compile(
    r"(?i)\b(?:exception|traceback|panic(?:ked)?|fatal|errors?|fail(?:ed|ure|s|ing)?|denied|refused|"
    r"time[d ]? ?out|timeout|killed|abort(?:ed|ing)?|crash(?:ed|es)?|segfault|unreachable|unable|"
    r"cannot|can't|couldn't|invalid|corrupt(?:ed)?|unexpected|oom|out of memory|rejected|broken)\b"
)
_STRONG: Final = re.compile(r"(?i)\b(?:exception|traceback|panic(?:ked)?|fatal|segfault|core dumped)\b")

_CONT: Final = re.compile(
    r"^(?:\s|at\s|Caused by\b|Traceback\b|\.\.\.\s*\d*\s*more\b|File \"|goroutine \d+ \[|"
    r"Suppressed:|During handling|The above exception|\}|\])"
)
_EXC_LINE: Final = re.compile(r"^[\w$.]+(?:Error|Exception|Exit|Interrupt|Throwable|Warning)\b")

_MASK: Final = re.compile(
    r"\S*\d\S*|\b[0-9a-fA-F]{8,}\b|(?:/[\w.~-]+){2,}/?|\"[^\"]{24,}\"|'[^']{24,}'",
)
_STARS: Final = re.compile(r"<\*>(?:[\s,:;=]*<\*>)+")
_TEMPLATE_CHARS: Final = 160
_MAX_RECORD: Final = 200


def severity(line: str) -> float:
    """How alarming one line is, in [0, 1]: level fields decide, words matter when no level is given."""
    head = line[:400]
    if _ERR_FIELD.search(head):
        return ERROR_LEVEL
    alarm = _ALARM.search(head) is not None
    if _WARN_FIELD.search(head):
        return WARN_LEVEL + (0.1 if alarm else 0.0)
    if _LOW_FIELD.search(head):
        return 0.2 if alarm else 0.0
    if alarm:
        return 0.9 if _STRONG.search(head) else 0.7
    return 0.0


def template(line: str) -> str:
    """The line with its variable parts masked."""
    t = _MASK.sub("<*>", line[:_TEMPLATE_CHARS * 2])
    t = _STARS.sub("<*>", t)
    return " ".join(t.split())[:_TEMPLATE_CHARS]


def _records(lines: Sequence[str]) -> list[tuple[int, int]]:
    """``[start, end)`` of each record: a header plus its continuation lines."""
    n = len(lines)
    indented = sum(1 for line in lines[:2000] if line[:1] in (" ", "\t"))
    use_indent = indented < 0.5 * min(n, 2000)
    out: list[tuple[int, int]] = []
    start = 0
    in_trace = False
    for i in range(1, n):
        line = lines[i]
        cont = False
        if line and _CONT.match(line) is not None:
            cont = use_indent or not line[:1].isspace()
            if line.startswith(("Traceback", "goroutine ")):
                in_trace = True
        elif in_trace and _EXC_LINE.match(line):
            cont = True
            in_trace = False
        elif _EXC_LINE.match(line) and i - start < _MAX_RECORD and lines[i - 1][:1].isspace():
            cont = True
        if cont and i - start < _MAX_RECORD:
            continue
        in_trace = False
        out.append((start, i))
        start = i
    if n:
        out.append((start, n))
    return out


def log_structure(lines: Sequence[str], goal_wants_warnings: bool) -> tuple[Structure, list[float]]:
    """Records as atomic groups and units, templates, and per-line severity (record-wide)."""
    n = len(lines)
    records = _records(lines)
    sev = [severity(line) if line else 0.0 for line in lines]
    if goal_wants_warnings:
        sev = [max(s, 0.95) if WARN_LEVEL <= s < ERROR_LEVEL else s for s in sev]
    ids: dict[str, int] = {}
    template_of = [0] * n
    templates: list[str] = []
    for i, line in enumerate(lines):
        t = template(line) if line else ""
        k = ids.get(t)
        if k is None:
            k = len(templates)
            ids[t] = k
            templates.append(t)
        template_of[i] = k
    rec_sev = list(sev)
    units: list[Unit] = []
    for a, b in records:
        units.append(Unit(a, b, "record", ""))
        if b - a > 1:
            top = max(sev[a:b])
            for i in range(a, b):
                rec_sev[i] = top
    gs, ge = set_groups(n, [r for r in records if r[1] - r[0] > 1])
    st = Structure(
        line_scope=[-1] * n,
        group_start=gs,
        group_end=ge,
        units=units,
        prior=[0.0] * n,
        must_keep=[False] * n,
        template_of=template_of,
        templates=templates,
    )
    return st, rec_sev
