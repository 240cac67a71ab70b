"""Unified diffs: files as sections, hunks as subsections, the file the goal names kept whole."""

from __future__ import annotations

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import analyze, prune_lines
from mcp_pruner.engine._diff import diff_structure, is_diff

from .helpers import FREE, budget, check_selection, render


def _file_diff(path: str, funcs: list[str], start: int = 10) -> list[str]:
    out = [
        f"diff --git a/{path} b/{path}",
        "index 3f2a1b0..8c9d4e2 100644",
        f"--- a/{path}",
        f"+++ b/{path}",
    ]
    for k, func in enumerate(funcs):
        line = start + 40 * k
        out += [
            f"@@ -{line},8 +{line},9 @@ def {func}(request):",
            f"     timeout = request.{func}_timeout",
            "     if timeout is None:",
            f"-        timeout = DEFAULT_{func.upper()}",
            f"+        timeout = settings.{func}_default()",
            f"+        log.debug('{func}: default timeout %s', timeout)",
            "     for attempt in range(request.retries):",
            f"         result = send_{func}(request, timeout)",
            "         if result.ok:",
            "             return result",
        ]
    return out


def _diff() -> list[str]:
    return [
        *_file_diff("src/client/session.py", ["open_session", "close_session", "renew_session"]),
        *_file_diff("src/client/cookies.py", ["parse_cookie", "merge_cookies", "expire_cookies"]),
        *_file_diff("src/transport/pool.py", ["acquire", "release", "drain"]),
        "diff --git a/docs/old.md b/docs/old.md",
        "deleted file mode 100644",
        "index 1111111..0000000",
        "--- a/docs/old.md",
        "+++ /dev/null",
        "@@ -1,2 +0,0 @@",
        "-# Old notes",
        "-nothing here",
    ]


def test_a_unified_diff_is_recognised_and_other_texts_are_not() -> None:
    assert is_diff(_diff())
    plain = ["--- a/x.py", "+++ b/x.py", "@@ -1,2 +1,2 @@", "-a = 1", "+a = 2", " b = 3"]
    assert is_diff(plain)
    python = ["import functools", "", "@@decorator", "def f():", "    return '@@ -1 +1 @@'", ""] * 20
    assert not is_diff(python)
    # A document that quotes a small diff far down is still a document.
    doc = [f"Paragraph {k} of the guide, about sessions and cookies." for k in range(60)]
    assert not is_diff([*doc, "```diff", *plain, "```", *doc])


def test_files_are_sections_and_hunks_their_subsections() -> None:
    lines = _diff()
    st = diff_structure(lines)
    files = [s for s in st.scopes if s.kind == "file"]
    assert [s.name for s in files] == [
        "file src/client/session.py",
        "file src/client/cookies.py",
        "file src/transport/pool.py",
        "file docs/old.md",  # a deleted file is named by its old path
    ]
    assert files[0].header_end - files[0].start == 4  # diff --git, index, ---, +++
    hunks = [s for s in st.scopes if s.kind == "hunk"]
    assert len(hunks) == 10
    assert hunks[1].name == "@@ def close_session(request):"
    assert all(st.scopes[h.parent].kind == "file" for h in hunks)
    changed = lines.index("+        timeout = settings.merge_cookies_default()")
    assert st.line_scope[changed] == st.scopes.index(hunks[4])


def test_goal_naming_a_file_keeps_its_whole_diff_and_markers_name_the_other_files() -> None:
    lines = _diff()
    goal = "what changed in cookies.py"
    a = analyze(lines, goal, None)
    assert a.source_type is SourceType.CODE
    sel = prune_lines(lines, goal, None, FREE)
    check_selection(lines, sel, FREE)
    first = lines.index("diff --git a/src/client/cookies.py b/src/client/cookies.py")
    last = lines.index("diff --git a/src/transport/pool.py b/src/transport/pool.py")
    assert all(sel.keep[first:last])
    assert not any(sel.keep[lines.index("diff --git a/src/transport/pool.py b/src/transport/pool.py") + 4 :])
    text = render(lines, sel)
    assert "file src/transport/pool.py" in text  # the marker says which file's diff went


def test_goal_naming_a_function_keeps_its_hunk() -> None:
    lines = _diff()
    sel = prune_lines(lines, "the renew_session default timeout change", SourceType.CODE, FREE)
    start = lines.index("@@ -90,8 +90,9 @@ def renew_session(request):")
    assert all(sel.keep[start : start + 10])
    assert sel.keep[0]  # its file's header stays as context


def test_a_file_named_by_the_goal_is_not_the_file_ending_in_its_name() -> None:
    """``views.py`` names ``app/views.py``, not ``tests/test_views.py`` (nor ``views.pyc``): a goal's
    compound ending in an extension is matched as a whole file name."""
    lines = [
        *_file_diff("tests/test_views.py", ["index_view", "detail_view", "list_view"]),
        *_file_diff("app/views.py", ["render_page"]),
        *_file_diff("app/models.py", ["save_model"]),
    ]
    a = analyze(lines, "what changed in views.py", None)
    assert [a.structure.scopes[s].name for s in a.sections][:1] == ["file app/views.py"]
    sel = prune_lines(lines, "what changed in views.py", None, FREE)
    first = lines.index("diff --git a/app/views.py b/app/views.py")
    assert all(sel.keep[first : first + 14])
    assert not all(sel.keep[:first])  # test_views.py is not the section kept whole


def test_hunk_lines_that_look_like_file_headers_are_its_body() -> None:
    """A removed SQL comment (``-- old``) shows as ``--- old`` and an added ``++ x`` as ``+++ x``: the
    hunk's line counts say they are body, not the header of another file. Counts that overstate the
    body (a hand-edited diff) stop at the next header."""
    lines = [
        "diff --git a/db/schema.sql b/db/schema.sql",
        "--- a/db/schema.sql",
        "+++ b/db/schema.sql",
        "@@ -1,3 +1,3 @@",
        " CREATE TABLE users (",
        "--- old note about ids",
        "+++ new note about ids",
        "   id INTEGER PRIMARY KEY",
        "@@ -20,9 +20,2 @@ CREATE TABLE orders (",
        "-  total REAL",
        "+  total NUMERIC",
        "diff --git a/db/seed.sql b/db/seed.sql",
        "--- a/db/seed.sql",
        "+++ b/db/seed.sql",
        "@@ -1 +1 @@",
        "-INSERT INTO users VALUES (1);",
        "+INSERT INTO users VALUES (2);",
    ]
    st = diff_structure(lines)
    assert [(s.name, s.start, s.end) for s in st.scopes] == [
        ("file db/schema.sql", 0, 11),
        ("@@ -1,3 +1,3", 3, 8),
        ("@@ CREATE TABLE orders (", 8, 11),
        ("file db/seed.sql", 11, 17),
        ("@@ -1 +1", 14, 17),
    ]


def test_combined_diff_of_a_merge_is_read_as_files_and_hunks() -> None:
    """``git show`` of a merge and ``git diff`` amid a conflicted merge print a combined diff:
    ``diff --cc path`` headers and ``@@@`` hunks with one column of marks per parent. A ``--`` line
    (removed from both parents) is body, counted by the hunk's per-parent line counts."""
    lines = [
        "commit 383442091bf5c98b9751b1e913ce080e6d67785c",
        "Merge: 4cf0f92 bb36d63",
        "",
        "    Merge branch 'retry'",
        "",
        "diff --cc src/client/session.py",
        "index 4612c55,c35894e..e72b39f",
        "--- a/src/client/session.py",
        "+++ b/src/client/session.py",
        "@@@ -18,6 -18,6 +18,7 @@@ def open_session(request):",
        "  timeout = request.timeout",
        "- retries = 3",
        " -retries = 5",
        "++retries = settings.retries",
        "++backoff = settings.backoff",
        "--- obsolete: see RFC 12",
        "  return send(request, timeout)",
        "diff --cc src/client/cookies.py",
        "index 1111111,2222222..0000000",
        "--- a/src/client/cookies.py",
        "+++ b/src/client/cookies.py",
        "@@@ -3,5 -3,5 +3,9 @@@ def parse_cookie(raw):",
        "  jar = {}",
        "++<<<<<<< HEAD",
        " +    name, _, value = raw.partition('=')",
        "++=======",
        "+     name, value = raw.split('=', 1)",
        "++>>>>>>> retry",
        "  jar[name.strip()] = value",
        "  return jar",
        "  ",
    ]
    assert is_diff(lines)
    st = diff_structure(lines)
    assert [(s.name, s.start, s.end) for s in st.scopes] == [
        ("file src/client/session.py", 5, 17),
        ("@@ def open_session(request):", 9, 17),
        ("file src/client/cookies.py", 17, 31),
        ("@@ def parse_cookie(raw):", 21, 31),
    ]
    b = budget(keep_ratio=0.6)
    sel = prune_lines(lines, "what changed in cookies.py", None, b)
    check_selection(lines, sel, b)
    assert all(sel.keep[17:31])
    assert "file src/client/session.py" in render(lines, sel)


def test_a_path_with_a_space_names_its_whole_file() -> None:
    """git writes ``diff --git a/my file.py b/my file.py`` and a tab after such a path on its
    ``---``/``+++`` lines; ``diff -u`` a tab before the date: the file is ``my file.py``, not ``my``."""
    lines = [
        "diff --git a/docs/user guide.md b/docs/user guide.md",
        "index ce01362..94954ab 100644",
        "--- a/docs/user guide.md\t",
        "+++ b/docs/user guide.md\t",
        "@@ -1 +1,2 @@",
        " # Guide",
        "+Install with pip.",
        '--- "d1/release notes.txt"\t2024-05-02 10:00:00.000000000 +0000',
        '+++ "d2/release notes.txt"\t2024-05-02 10:05:00.000000000 +0000',
        "@@ -1 +1 @@",
        "-1.0",
        "+1.1",
    ]
    names = [s.name for s in diff_structure(lines).scopes if s.kind == "file"]
    assert names == ["file docs/user guide.md", "file d2/release notes.txt"]


def test_a_patch_whose_diffstat_is_long_is_still_a_diff() -> None:
    """``format-patch`` and ``git show --stat -p`` list every file before the first diff: a commit
    touching fifty files puts its first ``diff --git`` past line 40, and it is a diff all the same."""
    paths = [f"src/pkg/module_{k}.py" for k in range(50)]
    lines = [
        "From 03837b7a7dd3a2b3c05f4e3b4e8e2c1f0e5d9a11 Mon Sep 17 00:00:00 2001",
        "From: Dev <dev@example.com>",
        "Date: Mon, 6 May 2024 10:00:00 +0000",
        "Subject: [PATCH] Rename the timeout settings",
        "",
        "---",
        *[f" {p} | 4 ++--" for p in paths],
        " create mode 100644 src/pkg/timeouts.py",
        f" {len(paths)} files changed, 100 insertions(+), 100 deletions(-)",
        "",
    ]
    for p in paths:
        lines += _file_diff(p, ["open_session"])
    assert is_diff(lines)
    assert sum(1 for s in diff_structure(lines).scopes if s.kind == "file") == 50


def test_a_renamed_file_is_named_by_its_new_path_and_its_old_one() -> None:
    """``git mv`` then an edit: the file is now ``diff_renamed.py``; a goal may name either path."""
    lines = [
        "diff --git a/pkg/diffmod.py b/pkg/diff_renamed.py",
        "similarity index 90%",
        "rename from pkg/diffmod.py",
        "rename to pkg/diff_renamed.py",
        "index 1111111..2222222 100644",
        "--- a/pkg/diffmod.py",
        "+++ b/pkg/diff_renamed.py",
        "@@ -1,2 +1,2 @@",
        "-x = 1",
        "+x = 2",
        " y = 3",
    ]
    names = [s.name for s in diff_structure(lines).scopes if s.kind == "file"]
    assert names == ["file pkg/diff_renamed.py (from pkg/diffmod.py)"]


def test_a_hunk_without_function_context_is_named_by_its_ranges() -> None:
    """A hunk at the top of a file, or in a file git has no function pattern for, has no context
    after ``@@``: its ranges still tell a marker's reader which part of the file went."""
    lines = [
        "diff --git a/notes.txt b/notes.txt",
        "--- a/notes.txt",
        "+++ b/notes.txt",
        "@@ -12,3 +12,4 @@",
        " a",
        "+b",
        " c",
        " d",
    ]
    hunks = [s.name for s in diff_structure(lines).scopes if s.kind == "hunk"]
    assert hunks == ["@@ -12,3 +12,4"]


def test_a_path_git_quoted_is_named_as_the_file_it_stands_for() -> None:
    """git quotes a path holding non-ASCII bytes, a quote or a backslash, and writes those bytes as
    octal escapes: ``"a/\\303\\251t\\303\\251.txt"`` is ``été.txt``, as a goal or a person writes it."""
    lines = [
        'diff --git "a/my \\"q\\".txt" "b/my \\"q\\".txt"',
        "index 587be6b..975fbec 100644",
        '--- "a/my \\"q\\".txt"\t',
        '+++ "b/my \\"q\\".txt"\t',
        "@@ -1 +1 @@",
        "-x",
        "+y",
        'diff --git "a/\\303\\251t\\303\\251.txt" "b/\\303\\251t\\303\\251.txt"',
        "index 422c2b7..3e3e8bf 100644",
        '--- "a/\\303\\251t\\303\\251.txt"',
        '+++ "b/\\303\\251t\\303\\251.txt"',
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "+c",
        '--- "d1/\\303\\251t\\303\\251.txt"\t2024-05-02 10:00:00.000000000 +0000',
        '+++ "d2/\\303\\251t\\303\\251.txt"\t2024-05-02 10:05:00.000000000 +0000',
        "@@ -1 +1 @@",
        "-1.0",
        "+1.1",
    ]
    names = [s.name for s in diff_structure(lines).scopes if s.kind == "file"]
    assert names == ['file my "q".txt', "file été.txt", "file d2/été.txt"]
