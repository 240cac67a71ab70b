"""Unified diffs (``git diff``, ``diff -u``): one section per file, one subsection per hunk.

An agent is often handed a whole diff (a pull request, the changes of a branch) and asked about one
part of it ("what changed in _terms.py", "the retry change"). Read as code, a diff has no blocks the
grammar or the indentation can see, so the lines of the file the goal names came back scattered
among every other file's. Here a file's diff is a section headed by its ``diff --git``/``---``/``+++``
lines and each hunk a subsection headed by its ``@@`` line, so the selector keeps the section the goal
is about whole, as it does a document's (see :mod:`._sections`), and a marker names the files and
hunks it removed (``file src/a.py, file src/b.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from ._structure import Scope, Structure, sectioned

__all__ = ["diff_structure", "is_diff"]

_GIT_HEADER: Final = re.compile(r"diff (?:--git (?:\"?a/)?|--(?:cc|combined) \"?)(\S+)")
"""``diff --git a/path b/path``, or a merge's combined diff ``diff --cc path`` (``git show`` of a merge,
``git diff`` amid a conflicted merge)."""
_QUOTED_GIT_HEADER: Final = re.compile(r'diff --git "a/((?:[^"\\]|\\.)*)" "b/((?:[^"\\]|\\.)*)"')
_OLD_FILE: Final = re.compile(r"--- (?:\"?a/)?([^\t]+)")
_NEW_FILE: Final = re.compile(r"\+\+\+ (?:\"?b/)?([^\t]+)")
"""The path runs to a tab (``diff -u`` puts the date after one, git one after a path with a space)."""
_HUNK: Final = re.compile(r"(@@+) ((?:-\d+(?:,\d+)? )+)\+\d+(?:,(\d+))? \1 ?(.*)")
"""A hunk header: its old and new line counts (1 when left out) say where its body ends. A combined
diff's (``@@@ -1,5 -1,6 +1,7 @@@``) has one old range per parent, and as many ``@`` plus one."""
_OLD_COUNT: Final = re.compile(r"-\d+(?:,(\d+))?")
_FILE_META: Final = re.compile(
    r"(?:index |(?:old |new |deleted file |new file )?mode |similarity index |dissimilarity index |"
    r"rename (?:from|to) |copy (?:from|to) |Binary files )"
)
"""The lines between ``diff --git`` and ``---`` (or instead of them, for a rename or a binary file)."""
_OLD_NEW: Final = ("--- ", "+++ ")
_NEXT_HEADER: Final = ("@@", "diff --")
_SAMPLE: Final = 2000
_FIRST_FILE: Final = 40
"""A diff names its first file within its first lines (``git log -p`` and ``format-patch`` after a
commit message); a document quoting a diff further down stays a document."""
_STAT: Final = re.compile(
    r" \S.* \| +(?:\d+ ?[+-]*|Bin .*)$| \d+ files? changed|"
    r" (?:create|delete) mode \d| rename .+\(\d+%\)$| mode change \d"
)
"""A diffstat line and its summary (``format-patch``, ``git show --stat``): one a file, before the
first file's header, so they do not count towards :data:`_FIRST_FILE`."""
_C_ESCAPE: Final = re.compile(r"\\([0-7]{3}|.)")
_C_ESCAPES: Final = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}
"""What git writes for a byte of a path it quotes: ``\\ooo`` (octal), a C escape, or ``\\"`` / ``\\\\``."""
_DIFF_FIRST: Final = frozenset(" +-@\\")
_DIFF_HEADS: Final = ("diff ", "index ")
_COMBINED_OR_GIT: Final = ("diff --git ", "diff --cc ", "diff --combined ")


def is_diff(lines: Sequence[str]) -> bool:
    """A unified diff: a file header (``diff --git``, or ``---`` then ``+++``) within the first lines
    (a diffstat not counted), then a hunk header, and most lines from there on in diff form. A
    document or a review comment that quotes a diff further down is not one."""
    head = lines[:_SAMPLE]
    files = hunk = -1
    stat = 0  # diffstat lines seen before the first file
    for i, line in enumerate(head):
        if files < 0 and line[:1] == " " and _STAT.match(line) is not None:
            stat += 1
        elif files < 0 and i - stat > _FIRST_FILE:
            return False  # the common case, code or prose: decided on its first lines
        if line.startswith(_COMBINED_OR_GIT) or (
            line.startswith("+++ ") and i > 0 and head[i - 1].startswith("--- ")
        ):
            files = i if files < 0 else files
        elif line.startswith("@@") and files >= 0 and _HUNK.match(line) is not None:
            hunk = i
            break
    if hunk < 0:
        return False
    body = head[files:]
    shaped = sum(1 for line in body if not line or line[0] in _DIFF_FIRST or line.startswith(_DIFF_HEADS))
    return 4 * shaped >= 3 * len(body)


def _unquoted(path: str) -> str:
    """A path git quoted (``"a/\\303\\251t\\303\\251.txt"``: C escapes, octal bytes of UTF-8), as the
    name it stands for (``été.txt``); a byte sequence that is no UTF-8 is shown as U+FFFD."""
    out = bytearray()
    pos = 0
    for m in _C_ESCAPE.finditer(path):
        out += path[pos : m.start()].encode("utf-8", "surrogatepass")
        code = m.group(1)
        out += bytes([int(code, 8) & 0xFF]) if len(code) == 3 else _C_ESCAPES.get(code, code).encode("utf-8")
        pos = m.end()
    out += path[pos:].encode("utf-8", "surrogatepass")
    return out.decode("utf-8", "replace")


def _file_start(lines: Sequence[str], i: int) -> str | None:
    """The path a file header starting at line ``i`` names, or ``None`` when no file header starts there."""
    path = _header_path(lines, i)
    if path is not None and "\\" in path and '"' in lines[i]:  # git quotes a path it escapes
        return _unquoted(path)
    return path


def _header_path(lines: Sequence[str], i: int) -> str | None:
    line = lines[i]
    q = _QUOTED_GIT_HEADER.match(line)
    if q is not None:  # both paths quoted: the only form in which a path may hold `"` or end in a space
        was, now = q.group(1), q.group(2)
        return was if was == now else f"{now} (from {was})"
    m = _GIT_HEADER.match(line)
    if m is not None:
        rest = line[m.start(1) :].rstrip()
        if not line.startswith("diff --git "):
            return rest.strip('"')  # diff --cc path: the path alone
        half = (len(rest) - 3) // 2
        if rest[half : half + 3] == " b/" and rest[:half] == rest[half + 3 :]:
            return rest[:half]  # a/my file.py b/my file.py: a path with a space, the same on both sides
        was = m.group(1).strip('"')
        now = rest[len(m.group(1)) :].strip().strip('"').removeprefix("b/")
        if now and now != was and " " not in now:  # a rename: what the file is called now, and was
            return f"{now} (from {was})"
        return was
    if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
        old = _OLD_FILE.match(line)
        new = _NEW_FILE.match(lines[i + 1])
        path = new.group(1) if new is not None else (old.group(1) if old is not None else "")
        if path.rstrip() == "/dev/null" and old is not None:  # a deleted file
            path = old.group(1)
        return path.rstrip().strip('"')
    return None


def _header_end(lines: Sequence[str], i: int) -> int:
    """The end of the file header starting at ``i``: ``diff --git`` runs on through its metadata and
    its ``---``/``+++`` lines."""
    j = i + 1
    n = len(lines)
    while j < n and (_FILE_META.match(lines[j]) is not None or lines[j].startswith(_OLD_NEW)):
        j += 1
    return j


def _hunk_end(lines: Sequence[str], i: int, old: list[int], new: int) -> int:
    """The end of the hunk whose header is line ``i``, counted by its old and new line counts, so that
    a removed ``-- comment`` (``--- comment``) or an added ``++i`` is body, not a file header.

    ``old`` holds one count per parent, each read in its column of marks: a combined diff's ``- `` line
    is in the first parent only, `` +`` in the result and the first parent, ``  `` in all of them."""
    j = i + 1
    n = len(lines)
    width = len(old)
    while j < n and (new > 0 or any(c > 0 for c in old)):
        line = lines[j]
        if line.startswith(_NEXT_HEADER) and (line[0] == "d" or _HUNK.match(line) is not None):
            break  # counts that overstate the body (a hand-edited or cut diff): the next header wins
        j += 1
        if line[:1] == "\\":
            continue
        marks = line[:width].ljust(width)  # context may come as "" where a tool stripped the space
        removed = "-" in marks
        if not removed:
            new -= 1
        for k, mark in enumerate(marks):
            if mark == "-" or (mark != "+" and not removed):
                old[k] -= 1
    while j < n and lines[j].startswith("\\"):  # "\\ No newline at end of file"
        j += 1
    return j


def _hunk_name(line: str, m: re.Match[str]) -> str:
    """``@@`` and git's function context (``@@ def goal_terms(…)``), or the hunk's ranges when it has
    none (``@@ -12,5 +12,7``): a marker then still says which part of the file went."""
    context = m.group(4).strip()
    if not context:
        marks = m.group(1)
        context = line[len(marks) : line.find(marks, len(marks))].strip()
    return f"@@ {context}"[:60].strip()


def diff_structure(lines: Sequence[str]) -> Structure:
    """Files as sections headed by their header lines, hunks as subsections headed by ``@@``.

    A file's section ends with its last hunk: what follows before the next file (the next commit's
    message in ``git log -p``) belongs to no file.
    """
    n = len(lines)
    scopes: list[Scope] = []
    atomic: list[tuple[int, int]] = []
    current = -1  # index in ``scopes`` of the file whose hunks may follow
    i = 0
    while i < n:
        path = _file_start(lines, i)
        if path is not None:
            header_end = _header_end(lines, i)
            current = len(scopes)
            scopes.append(Scope(i, header_end, header_end, -1, f"file {path}"[:80], "file"))
            if header_end - i > 1:
                atomic.append((i, header_end))
            i = header_end
            continue
        m = _HUNK.match(lines[i]) if current >= 0 and lines[i].startswith("@@") else None
        if m is None:
            i += 1
            continue
        old = [int(c or 1) for c in _OLD_COUNT.findall(m.group(2))]
        end = _hunk_end(lines, i, old, int(m.group(3) or 1))
        scopes.append(Scope(i, end, i + 1, current, _hunk_name(lines[i], m), "hunk"))
        scopes[current] = replace(scopes[current], end=end)
        i = end
    return sectioned(lines, scopes, atomic, "diff")
