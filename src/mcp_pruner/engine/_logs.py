"""Structure of logs: records, severity, message templates.

* A record is a header line plus its continuation lines (indented lines, ``at
  ...`` frames, ``Caused by``, ``Traceback``, ``... 12 more``, the exception
  line ending a traceback). It is kept or removed whole.
* Stack frames continue a record whatever the indentation of the rest of the
  log (Java ``at``/``Caused by:``/``Suppressed:``/``... N more``, Python ``File
  "..", line N``, Go ``goroutine N [..]:`` and ``file.go:NN``, JS ``at fn
  (file:line:col)``). Once a record holds a trace, its indented lines (Python's
  source lines, Rust's numbered frames) belong to it too. A Go or Rust panic
  (``panic:``, ``fatal error:``, ``goroutine N [..]:``, ``thread '..' panicked
  at``, ``stack backtrace:``) runs to a blank line or a new timestamped record,
  across the blank lines between goroutines; a blank line between chained
  Python tracebacks does not end the record either.
* Severity comes from level fields first (``ERROR``, ``[error]``, ``level=warn``,
  logcat's single letters, a JSON record's ``"level"``/``"severity"``/... key)
  and from alarming words only when no level says otherwise: ``INFO ... parity
  error corrected`` is not an error, nor is ``{"level": "info", "error": null}``.
* A linter's diagnostic carries no level word: ``path:12:5: E501 line too long``
  (ruff, flake8, pylint, eslint's unix format, golangci-lint), or ruff's
  ``F401 [*] ...`` header over a `` --> path:1:1`` location. It is something to
  act on, a little below an explicit error, above a warning.
* A template is the line with its variable parts masked (anything holding a
  digit: timestamps, ids, IPs, counters; hex; long paths). Repeats of a template
  are worth little once one exemplar is kept, and a marker says how many went.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._literals import any_of
from ._structure import Structure, set_groups
from ._types import Unit

__all__ = [
    "DIAGNOSTIC_LEVEL",
    "ERROR_LEVEL",
    "TEST_TITLE",
    "is_diagnostic",
    "is_json_record",
    "json_level",
    "log_structure",
    "severity",
]

ERROR_LEVEL: Final = 1.0
DIAGNOSTIC_LEVEL: Final = 0.9
WARN_LEVEL: Final = 0.6

_LEVEL: Final = re.compile(
    r"\b(EMERG(?:ENCY)?|ALERT|CRIT(?:ICAL)?|FATAL|SEVERE|PANIC|ERROR|ERR|FAILURE|WARN(?:ING)?|"
    r"INFO|NOTICE|DEBUG|TRACE|VERBOSE|FINE(?:R|ST)?|CONFIG)\b"
    r"|\[(emerg|alert|crit|critical|fatal|severe|panic|error|err|warn|warning|notice|info|debug|trace)\]"
    r"|\b(?:level|lvl|severity)[=:]\s*\"?([A-Za-z]+)"
    r"|\b(FAIL(?:ED)?)\b|(?:^|[\d)\]]: )(error|warning|fatal)(?:\[[\w-]+\]| TS\d+)?: "
    r"|\[(Error|Warning)/[\w@/-]*\]"
)
"""A level field; a build or test tool's verdict or diagnostic (``FAILED``, ``error[E0308]: ``, eslint's
``[Warning/semi]``) is one, and so is the level a syslog program writes first (``sshd[24200]: error: ``,
``postfix/smtpd[12]: warning: ``)."""
_LEVEL_HINT: Final = any_of((
    "EMERG", "ALERT", "CRIT", "FATAL", "SEVERE", "PANIC", "ERR", "FAIL", "WARN", "INFO", "NOTICE", "DEBUG",
    "TRACE", "VERBOSE", "FINE", "CONFIG", "[emerg", "[alert", "[crit", "[fatal", "[severe", "[panic", "[err",
    "[warn", "[notice", "[info", "[debug", "[trace", "level", "lvl", "severity", "error", "warning", "fatal",
    "[Error/", "[Warning/",
))  # fmt: skip
"""What every match of :data:`_LEVEL` holds: a line with none of these has no level field, which this
finds at C speed where :data:`_LEVEL` (a word boundary first) takes microseconds a line."""
_DIAGNOSTIC: Final = re.compile(
    r"(?:[A-Za-z]:)?(?!\d+[-./:T ])(?=[^\s:]*[A-Za-z])(?=[^\s:]*[./\\])[^\s:]+:\d+"
    r"(?::\d+: (?!(?:note|info|help|hint|remark)\b)\S|: \[?[A-Z]{1,8}\d{2,5}\b)"
)
"""A linter's ``path:line:col: message`` (or ``path:line: CODE message``): a file path (a letter and a
``.`` or ``/``, no date), a line, a column. ``note:``/``help:`` lines explain another diagnostic."""
_ALERT_TAG: Final = re.compile(r"(-|[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*) \d{10} \d{4}\.\d{2}\.\d{2} ")
"""The alert field of the supercomputer logs (BlueGene/L, Thunderbird, Liberty, Spirit): each line opens
with its alert category (``KERNDTLB``, ``VAPI``), or ``-`` when it is no alert, then a Unix time and a
date. The operators' tag decides, not the words: a tagged ``bad status`` is an alert, an untagged
``FATAL`` is not."""
_UNTAGGED_MAX: Final = 0.8
"""An untagged line's severity at most: below an alert's by more than the gap that makes a line one
(``_analysis._ALERT_GAP``), above an alarm word's (0.7), so an untagged ``FATAL`` still ranks first
among the rest. In a text with no tagged alert, the untagged lines' own levels decide again."""
_LOCATION: Final = re.compile(r"\s+--> [^\s:]+:\d+")
"""The location line under a ruff or rustc diagnostic header."""
_LETTER: Final = re.compile(
    r"^(?:\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+\d+\s+\d+\s+([VDIWEFA])\s"  # logcat threadtime
    r"|([VDIWEFA])/[\w.$ -]+\(\s*\d+\)|([IWEF])\d{4}\s)"  # logcat brief, glog
)
_STAMPED_LEVEL: Final = re.compile(
    r"\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?[,|]?\s*[\[|]?"
    r"(Emergency|Alert|Critical|Fatal|Error|Warning|Warn|Notice|Information|Info|Debug|Trace|Verbose)[\]|:,\s]"
)
"""A level written in title case right after the line's opening date and time: Windows' CBS log
(``2016-09-28 04:30:30, Info      CBS  ...``), NLog (``...|Error|...``), Serilog (``[Warning]``). Only
there: elsewhere in a line, ``Error`` begins a message as often as it is a level."""
_STAMP_FIRST: Final = frozenset("[0123456789")
_CLASS: Final = {
    "emerg": ERROR_LEVEL, "emergency": ERROR_LEVEL, "alert": ERROR_LEVEL, "crit": ERROR_LEVEL,
    "critical": ERROR_LEVEL, "fatal": ERROR_LEVEL, "severe": ERROR_LEVEL, "panic": ERROR_LEVEL,
    "error": ERROR_LEVEL, "err": ERROR_LEVEL, "failure": ERROR_LEVEL, "e": ERROR_LEVEL, "f": ERROR_LEVEL,
    "a": ERROR_LEVEL, "dpanic": ERROR_LEVEL, "fail": ERROR_LEVEL, "failed": ERROR_LEVEL,
    "warn": WARN_LEVEL, "warning": WARN_LEVEL, "w": WARN_LEVEL,
}  # fmt: skip
"""Level word (lower case) to severity; anything not listed (info, debug, ...) is 0."""
_LEVEL_WORDS: Final = frozenset(_CLASS) | {
    "info", "information", "informational", "notice", "debug", "trace", "verbose", "fine", "finer", "finest",
    "config", "i", "d", "v", "t",
}  # fmt: skip
"""Every level name a JSON record may carry."""


def _words(alternatives: str) -> re.Pattern[str]:
    """Alarm words as whole words or identifier parts, in any case.

    A word starts after a non-letter or at a capital (``ConnectionError``, ``ECONNREFUSED``,
    ``error_code``, ``E_FAILED``) and ends before a non-letter or a capital (``ErrorCode``): a crate or
    package that glues one to other letters (``thiserror``, ``errorx``) says nothing is wrong.
    """
    return re.compile(
        r"(?:(?<![A-Za-z])|(?<=[A-Za-z])(?=[A-Z]))(?i:"
        + alternatives
        + r")(?:(?<=[a-z])(?![a-z])|(?<![a-z])(?![A-Z]))"
    )


_STRONG_WORDS: Final = (
    r"exceptions?|tracebacks?|panic(?:ked|king|ing|s)?|fatal(?:ly)?|segfault(?:s|ed)?|segmentation fault"
    r"|core dumped"
)
"""The alarm words that make a line a strong alarm (0.9 rather than 0.7). A shell reports a crashed
child as ``Segmentation fault (core dumped)``: no other alarm word on that line."""
_ALARM: Final = _words(
    _STRONG_WORDS + r"|error(?:s|ed|ing)?|fail(?:s|ed|ing|ures?)?|denied"
    r"|refused|time(?:d)? ?outs?|killed|abort(?:s|ed|ing)?|crash(?:es|ed|ing)?|unreachable|unhandled"
    r"|unable to|cannot|can't|couldn't|invalid|corrupt(?:s|ed|ion)?|unexpected(?:ly)?|out of memory|rejected"
    r"|broken"
)
"""Alarming words, searched only when no level field says otherwise."""
_ALARM_HINT: Final = any_of((
    "exception", "traceback", "panic", "fatal", "segfault", "segmentation fault", "core dumped", "error",
    "fail", "denied", "refused", "time", "killed", "abort", "crash", "unreachable", "unhandled", "unable to",
    "cannot", "can't", "couldn't", "invalid", "corrupt", "unexpected", "out of memory", "rejected", "broken",
))  # fmt: skip
"""What every match of :data:`_ALARM` holds, lower case (see :func:`_may_alarm`)."""
_STRONG: Final = _words(_STRONG_WORDS)
_NONE_BEFORE: Final = re.compile(r"(?i)\b(?:0|no|zero|without) +$")
_NONE_AFTER: Final = re.compile(r" *[:=] *0(?=\s*(?:$|[,;)\]|]|\w+ *[:=]))")
"""A count of none: ``0 errors``, ``no failures``, ``Failures: 0, Errors: 0`` (maven, junit, go vet)."""
_PACKAGE_STEP: Final = re.compile(
    r"\s*(?:Compiling|Checking|Documenting|Fresh|Downloading|Downloaded|Collecting|Installing|Updating|Adding"
    r"|Locking|Removing|Unpacking) (?:crate )?\S+"
    r"|\s*Successfully (?:installed|built|uninstalled) .*"
)
"""A package manager's step names a package first (``Compiling failure v0.1.8``, ``Collecting errorx``):
that name is no alarm, the rest of the line may be."""
_HEAD: Final = 200

_JSON_LEVEL: Final = re.compile(
    r'"(?:@?level|lvl|@l|levelname|level_?name|log[._]?level|severity|severity_?text|syslog[._]severity)"'
    r'\s*:\s*(?:"([A-Za-z]{1,16})"|(\d{1,2})\b)',
    re.IGNORECASE,
)
"""A level-like key of a JSON record and its value: a word (``"warn"``) or a number (pino, syslog)."""

_CONT: Final = re.compile(
    r"^(?:\s|at\s|Caused by\b|Traceback\b|\.\.\.\s*\d*\s*more\b|File \"|goroutine \d+ \[|"
    r"Suppressed:|During handling|The above exception|\}|\]|\d+ *\|(?:\s|$)|(?:help|note): |\.\.\.$)"
)
"""A continuation line: indented, a frame, a closing bracket, a compiler's numbered excerpt or note."""
_EXCERPT: Final = re.compile(r"\s*\d+ +\|(?:\s|$)|\s+(?:\||-->|:::|= (?:note|help):)(?:\s|$)")
"""A line of a compiler's source excerpt under its diagnostic (gcc, clang, rustc): `` --> path:1:2``,
``  12 | code``, ``     |   ^~~``, ``  = note: ...``. It continues the diagnostic even where most lines
are indented (a build's output is mostly such excerpts) and indentation alone says nothing."""
_FRAME: Final = re.compile(
    r"\s*(?:at\s+\S|Caused by:|Suppressed:|\.\.\.\s*\d+\s*(?:more|common frames omitted)\b"
    r"|File \"[^\"]*\", line \d+|[>E] {3})"
    r"|\s+\S*\.go:\d+"
    r"|(?:Traceback \(most recent call last\)|goroutine \d+ \[|stack backtrace:"
    r"|During handling of the above exception|The above exception was the direct cause)"
)
"""A stack frame or trace header (Java, JS, Python, Go, Rust): a continuation whatever the indentation."""
_PANIC: Final = re.compile(
    r"(?:panic: |fatal error: |goroutine \d+ \[|thread '[^']*' panicked at|stack backtrace:)"
)
"""Opens a Go or Rust panic dump: every line up to a blank line or a new timestamped record belongs to it."""
_CHAIN: Final = re.compile(r"During handling of the above exception|The above exception was the direct cause")
_RESUME: Final = re.compile(
    r"goroutine \d+ \[|During handling of the above exception|The above exception was"
)
"""After a blank line inside a trace, these carry the same trace on (next goroutine, chained exception)."""
_NEW_RECORD: Final = re.compile(
    r"\s*[\[(]?(?:\d{2,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}:\d{2}|\d{6} \d{6}|\d{10}|[IWEF]\d{4} "
    r"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    r"|(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|CRITICAL|SEVERE|NOTICE|FAIL|FAILED)\b|\{\s*\""
    r"|=== RUN\b|--- (?:PASS|FAIL|SKIP):|ok(?: {2}|\t))"
)
"""A timestamped (or levelled, or JSON) line, a test verdict: a new record even inside a trace."""
TEST_TITLE: Final = re.compile(r"_{3,} .+ _{3,}$")
"""A test's failure section title (pytest): the section runs to the next title, blank lines and all."""
_RULED: Final = re.compile(r"[_=]{3,} .+ [_=]{3,}$")
_SECTION: Final = re.compile(r"={3,} (.+?) ={3,}$")
"""A pytest section (``= FAILURES =``, ``= PASSES =``): its test titles are failures only in some."""
_EXC_LINE: Final = re.compile(r"^[A-Za-z_$][\w$.]*(?:Error|Exception|Exit|Interrupt|Throwable)(?::|$)")
_TRACE_EXC: Final = re.compile(r"[A-Za-z_$][\w$.]*(?::\s|:?$)")
"""Inside a trace, any ``dotted.Name: message`` line is its exception (``decimal.InvalidOperation: ...``)."""

_MASK: Final = re.compile(r"(?<!\S)[^\s\d]*+\d\S*")
"""Whole whitespace-separated tokens holding a digit (anchored at token starts: linear time)."""
_STARS: Final = re.compile(r"<\*>(?:[\s,:;=]*<\*>)+")
_TEMPLATE_CHARS: Final = 160
_MAX_RECORD: Final = 200


def json_level(line: str) -> str | None:
    """The value of a JSON record's level-like key, lower case (digits for a number).

    ``None`` when the line is no JSON object or has no such key.
    """
    body = line.strip()
    if not (body.startswith("{") and body.endswith("}") and body[1:].lstrip().startswith('"')):
        return None
    m = _JSON_LEVEL.search(body)
    if m is None:
        return None
    return m.group(1).lower() if m.group(1) is not None else m.group(2)


def is_json_record(line: str) -> bool:
    """A JSON object whose level-like key holds a level name: a structured log record."""
    return json_level(line) in _LEVEL_WORDS


def _json_severity(value: str) -> float:
    if not value.isdigit():
        return _CLASS.get(value, 0.0)
    number = int(value)
    if number >= 10:  # pino/bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
        return ERROR_LEVEL if number >= 50 else WARN_LEVEL if number >= 40 else 0.0
    return ERROR_LEVEL if number <= 3 else WARN_LEVEL if number == 4 else 0.0  # syslog


def _level_field(line: str) -> float | None:
    """The severity a level field gives ``line`` (a test failure title counts), ``None`` without one."""
    if line[:3] == "___" and TEST_TITLE.match(line) is not None:
        return ERROR_LEVEL  # a test's failure report
    if line[:1] in ("{", " ", "\t"):
        value = json_level(line)
        if value is not None:
            return _json_severity(value)
    m = _LETTER.match(line)
    if m is None and line[:1] in _STAMP_FIRST:
        m = _STAMPED_LEVEL.match(line)
    if m is None and _LEVEL_HINT.search(line, 0, _HEAD) is not None:
        m = _LEVEL.search(line, 0, _HEAD)
    if m is None:
        return None
    return _CLASS.get(next((g for g in m.groups() if g), "").lower(), 0.0)


def is_diagnostic(line: str) -> bool:
    """A linter's ``path:line:col: message`` line (with or without a level word)."""
    return _DIAGNOSTIC.match(line, 0, _HEAD) is not None


def severity(line: str) -> float:
    """How alarming one line is, in [0, 1]: a level field decides, words matter when there is none.

    A JSON record's level key is the level field: other keys (``"error": null``) are not read.
    A linter's diagnostic without a level word is :data:`DIAGNOSTIC_LEVEL`. A line with an alert tag
    (:data:`_ALERT_TAG`) is an alert; one tagged ``-`` is none, whatever its level or words say.
    """
    tag = _ALERT_TAG.match(line)
    if tag is None:
        return _severity(line)
    return ERROR_LEVEL if tag.group(1) != "-" else min(_severity(line), _UNTAGGED_MAX)


def _severity(line: str) -> float:
    level = _level_field(line)
    head = line[:_HEAD]
    if level is not None:
        if level >= ERROR_LEVEL or level == 0.0:
            return level
        return level + (0.1 if _may_alarm(head) and _ALARM.search(head) else 0.0)
    if is_diagnostic(line):
        return DIAGNOSTIC_LEVEL
    step = _PACKAGE_STEP.match(head)
    if step is not None:
        head = head[step.end() :]
    if not _alarmed(head):
        return 0.0
    return 0.9 if _STRONG.search(head) else 0.7


def _may_alarm(head: str) -> bool:
    """False when ``head`` holds no alarm word for sure: it is ASCII and, lowercased, holds none of
    :data:`_ALARM_HINT` (found at C speed; :data:`_ALARM` starts with lookbehinds, tried at every
    character). Other text is left to :data:`_ALARM`: its case-insensitive match also takes a few
    non-ASCII letters for ASCII ones (``ı`` for ``i``), which lowercasing does not."""
    return not head.isascii() or _ALARM_HINT.search(head.lower()) is not None


def _alarmed(head: str) -> bool:
    """An alarm word that is not counted as none (``0 errors, 0 failures``, ``Errors: 0``): a tool's
    all-clear summary is no alarm; ``1 failed, 0 errors`` still is."""
    if not _may_alarm(head):
        return False
    for m in _ALARM.finditer(head):
        before = head[max(0, m.start() - 24) : m.start()]
        if _NONE_BEFORE.search(before) is None and _NONE_AFTER.match(head, m.end()) is None:
            return True
    return False


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


def _trace_mode(line: str) -> tuple[bool, bool]:
    """(trace, panic) for a record whose latest line is ``line``: does it hold a stack trace, a panic dump?"""
    panic = _PANIC.match(line) is not None
    return panic or _FRAME.match(line) is not None or _EXC_LINE.match(line) is not None, panic


def _after_blank(lines: Sequence[str], i: int) -> str:
    """The line after the blank line ``i``, skipping one more blank line; ``""`` at the end."""
    n = len(lines)
    j = i + 1
    while j < n and j - i < 3 and not lines[j].strip():
        j += 1
    return lines[j] if j < n else ""


def _resumes(lines: Sequence[str], i: int, prev: str) -> bool:
    """Does the trace go on after the blank line ``i`` (the next goroutine, a chained exception)?"""
    if _CHAIN.match(prev) is not None:
        return True
    return _RESUME.match(_after_blank(lines, i)) is not None


def _indented_after(lines: Sequence[str], i: int) -> bool:
    """Is the next non-blank line after the blank line ``i`` (within two lines) indented?"""
    nxt = _after_blank(lines, i)
    return nxt[:1].isspace() and bool(nxt.strip()) and _NEW_RECORD.match(nxt) is None


def _records(lines: Sequence[str]) -> list[tuple[int, int]]:
    """``[start, end)`` of each record: a header plus its continuation lines."""
    n = len(lines)
    indented = sum(1 for line in lines[:2000] if line[:1] in (" ", "\t"))
    use_indent = indented < 0.5 * min(n, 2000)
    out: list[tuple[int, int]] = []
    start = 0
    trace, panic = _trace_mode(lines[0]) if n else (False, False)
    titled = n > 0 and TEST_TITLE.match(lines[0]) is not None
    prev = lines[0] if n else ""  # the last non-blank line
    for i in range(1, n):
        line = lines[i]
        if titled:
            cont = _RULED.match(line) is None
        elif (not line and trace) or (panic and not line.strip()):
            cont = _resumes(lines, i, prev) or (use_indent and not panic and _indented_after(lines, i))
        elif not line.strip():
            # A blank line inside an indented block (a test failure's diff, its source excerpt).
            cont = use_indent and i > start + 1 and _indented_after(lines, i)
        elif _FRAME.match(line) is not None or (not use_indent and _EXCERPT.match(line) is not None):
            cont = True
        elif panic or (trace and line[:1].isspace()):
            # A panic dump's function lines are not indented; a traceback's source lines are.
            cont = _NEW_RECORD.match(line) is None
        elif trace and _TRACE_EXC.match(line) is not None:
            cont = _NEW_RECORD.match(line) is None
        elif _CONT.match(line) is not None:
            cont = use_indent or not line[:1].isspace()
        else:
            # ``java.lang.NullPointerException: ...`` under an ERROR line, ``ValueError: ...``
            # closing a traceback: the exception belongs to the record that reported it.
            cont = _EXC_LINE.match(line) is not None
        if line.strip():
            prev = line
        if cont and i - start < _MAX_RECORD:
            if line.strip():
                t, p = _trace_mode(line)
                trace, panic = trace or t, panic or p
            continue
        out.append((start, i))
        start = i
        titled = TEST_TITLE.match(line) is not None
        if not cont:
            trace, panic = _trace_mode(line)
    if n:
        out.append((start, n))
    return out


_TRANSPORT_STAMP: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) ?")
"""An RFC 3339 timestamp that a log collector writes before every line it relays (GitHub Actions,
``docker logs -t``, ``kubectl logs --timestamps``), whatever the line says."""
_STAMP_SAMPLE: Final = 200
_STAMP_SHARE: Final = 0.9


def _without_transport_stamps(lines: Sequence[str]) -> Sequence[str]:
    """The lines as the program wrote them, when nearly all carry a collector's timestamp.

    Such a prefix makes every line look like the start of a new record: a stack trace or a test
    failure's indented block would fall apart into one-line records.
    """
    sample = [line for line in lines[: 4 * _STAMP_SAMPLE] if line.strip()][:_STAMP_SAMPLE]
    if not sample:
        return lines
    match = _TRANSPORT_STAMP.match
    if sum(1 for line in sample if match(line)) < _STAMP_SHARE * len(sample):
        return lines
    out: list[str] = []
    for line in lines:
        m = match(line)
        out.append(line[m.end() :] if m is not None else line)
    return out


def _headed_diagnostics(lines: Sequence[str], sev: list[float]) -> None:
    """A header with no level field over a `` --> path:line:col`` location (ruff's ``F401 [*] ...``) is a
    diagnostic; a header with a level (rustc's ``warning: ...``, ``note: ...``) keeps it."""
    for i in range(len(lines) - 1):
        nxt = lines[i + 1]
        if (
            sev[i] < DIAGNOSTIC_LEVEL
            and nxt[:1].isspace()
            and "-->" in nxt[:40]
            and _LOCATION.match(nxt) is not None
            and lines[i][:1].strip()
            and _level_field(lines[i]) is None
        ):
            sev[i] = DIAGNOSTIC_LEVEL


def _passed_titles(lines: Sequence[str], sev: list[float]) -> None:
    """``pytest -rP`` titles the captured output of each passing test like a failure, inside a
    ``= PASSES =`` section: there a title is a test's name, not its failure report."""
    passes = False
    for i, line in enumerate(lines):
        if line[:3] == "===":
            m = _SECTION.match(line)
            if m is not None:
                passes = m.group(1) == "PASSES"
        elif passes and line[:3] == "___" and TEST_TITLE.match(line) is not None:
            sev[i] = 0.0


def log_structure(lines: Sequence[str], goal_wants_warnings: bool) -> tuple[Structure, list[float]]:
    """Records as atomic groups and units, templates, and per-line severity (record-wide)."""
    n = len(lines)
    records = _records(_without_transport_stamps(lines))
    sev = [severity(line) if line else 0.0 for line in lines]
    _headed_diagnostics(lines, sev)
    _passed_titles(lines, sev)
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
