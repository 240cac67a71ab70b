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

_LEVEL: Final = re.compile(
    r"\b(EMERG(?:ENCY)?|ALERT|CRIT(?:ICAL)?|FATAL|SEVERE|PANIC|ERROR|ERR|FAILURE|WARN(?:ING)?|"
    r"INFO|NOTICE|DEBUG|TRACE|VERBOSE|FINE(?:R|ST)?|CONFIG)\b"
    r"|\[(emerg|alert|crit|critical|fatal|severe|panic|error|err|warn|warning|notice|info|debug|trace)\]"
    r"|\b(?:level|lvl|severity)[=:]\s*\"?([A-Za-z]+)"
)
_LETTER: Final = re.compile(
    r"^(?:\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+\d+\s+\d+\s+([VDIWEFA])\s"  # logcat threadtime
    r"|([VDIWEFA])/[\w.$ -]+\(\s*\d+\)|([IWEF])\d{4}\s)"  # logcat brief, glog
)
_CLASS: Final = {
    "emerg": ERROR_LEVEL, "emergency": ERROR_LEVEL, "alert": ERROR_LEVEL, "crit": ERROR_LEVEL,
    "critical": ERROR_LEVEL, "fatal": ERROR_LEVEL, "severe": ERROR_LEVEL, "panic": ERROR_LEVEL,
    "error": ERROR_LEVEL, "err": ERROR_LEVEL, "failure": ERROR_LEVEL, "e": ERROR_LEVEL, "f": ERROR_LEVEL,
    "a": ERROR_LEVEL, "warn": WARN_LEVEL, "warning": WARN_LEVEL, "w": WARN_LEVEL,
}  # fmt: skip
"""Level word (lower case) to severity; anything not listed (info, debug, ...) is 0."""
_ALARM: Final = re.compile(
    r"exception|traceback|panic|fatal|error|fail|denied|refused|timeout|timed out|time out|killed|abort|"
    r"crash|segfault|unreachable|unable to|cannot|can't|couldn't|invalid|corrupt|unexpected|out of memory|"
    r"rejected|broken"
)
"""Alarming words, searched in the lower-cased line only when no level field says otherwise."""
_STRONG: Final = re.compile(r"exception|traceback|panic|fatal|segfault|core dumped")
_HEAD: Final = 200

_CONT: Final = re.compile(
    r"^(?:\s|at\s|Caused by\b|Traceback\b|\.\.\.\s*\d*\s*more\b|File \"|goroutine \d+ \[|"
    r"Suppressed:|During handling|The above exception|\}|\])"
)
_EXC_LINE: Final = re.compile(r"^[A-Za-z_$][\w$.]*(?:Error|Exception|Exit|Interrupt|Throwable)(?::|$)")

_MASK: Final = re.compile(r"(?<!\S)[^\s\d]*+\d\S*")
"""Whole whitespace-separated tokens holding a digit (anchored at token starts: linear time)."""
_STARS: Final = re.compile(r"<\*>(?:[\s,:;=]*<\*>)+")
_TEMPLATE_CHARS: Final = 160
_MAX_RECORD: Final = 200


def severity(line: str) -> float:
    """How alarming one line is, in [0, 1]: a level field decides, words matter when there is none."""
    m = _LETTER.match(line)
    if m is None:
        m = _LEVEL.search(line, 0, _HEAD)
    if m is not None:
        word = (m.group(1) or m.group(2) or m.group(3) or "").lower()
        level = _CLASS.get(word, 0.0)
        if level >= ERROR_LEVEL or level == 0.0:
            return level
        return level + (0.1 if _ALARM.search(line[:_HEAD].lower()) else 0.0)
    low = line[:_HEAD].lower()
    if _ALARM.search(low) is None:
        return 0.0
    return 0.9 if _STRONG.search(low) else 0.7


def template(line: str) -> str:
    """The line with its variable parts masked."""
    t = _MASK.sub("<*>", line[: _TEMPLATE_CHARS * 2])
    t = _STARS.sub("<*>", t)
    return " ".join(t.split())[:_TEMPLATE_CHARS]


_PREFIX: Final = re.compile(
    r"^(?:[\[(]?(?:<\*>|Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|-)"
    r"[\])]?[\s,:]*)+"
)


def display_template(tpl: str) -> str:
    """The template without its leading timestamp/id fields: what a marker reason shows."""
    return _PREFIX.sub("", tpl) or tpl


def _records(lines: Sequence[str]) -> list[tuple[int, int]]:
    """``[start, end)`` of each record: a header plus its continuation lines."""
    n = len(lines)
    indented = sum(1 for line in lines[:2000] if line[:1] in (" ", "\t"))
    use_indent = indented < 0.5 * min(n, 2000)
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, n):
        line = lines[i]
        if line and _CONT.match(line) is not None:
            cont = use_indent or not line[:1].isspace()
        else:
            # ``java.lang.NullPointerException: ...`` under an ERROR line, ``ValueError: ...``
            # closing a traceback: the exception belongs to the record that reported it.
            cont = _EXC_LINE.match(line) is not None
        if cont and i - start < _MAX_RECORD:
            continue
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
            templates.append(display_template(t))
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
        must_keep=[i in (0, n - 1) for i in range(n)],
        template_of=template_of,
        templates=templates,
    )
    return st, rec_sev
