"""TOML and INI files: tables as sections, the table the goal is about kept whole."""

from __future__ import annotations

from mcp_pruner.engine import analyze, prune_lines
from mcp_pruner.engine._tables import is_table_config, table_structure

from .helpers import FREE, budget, check_selection, render

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "shop"
version = "1.4.0"
dependencies = [
    "httpx>=0.27",
    "pydantic>=2.7",
]

[tool.pytest.ini_options]
addopts = "-q --strict-markers"
testpaths = ["tests"]

[tool.mypy]
strict = true
warn_unreachable = true

[[tool.mypy.overrides]]
module = "vendor.*"
ignore_missing_imports = true

[tool.ruff]
line-length = 110
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "B"]
ignore = ["E501"]

[tool.coverage.run]
branch = true
source = ["shop"]
"""

LOCK = "\n".join(
    f'[[package]]\nname = "{name}"\nversion = "{version}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
    for name, version in [
        ("anyhow", "1.0.86"),
        ("clap", "4.5.9"),
        ("serde", "1.0.204"),
        ("serde_json", "1.0.120"),
        ("tokio", "1.38.0"),
    ]
    * 4
)


FILLER = "\n".join(
    f'[tool.plugin{k}]\nenabled = true\nlevel = {k}\npaths = ["src/m{k}", "tests/m{k}"]\ntimeout = {k * 10}\n'
    for k in range(12)
)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def test_toml_and_ini_are_recognised_and_code_is_not() -> None:
    assert is_table_config(_lines(PYPROJECT))
    assert is_table_config(_lines(LOCK))
    assert is_table_config(["[flake8]", "max-line-length = 110", "exclude =", "    .git,", "    build"])
    settings = [
        "import os",
        "",
        "DEBUG = True",
        "NAME = 'shop'",
        "[x for x in range(3)]",
        "def f():",
        "    pass",
    ]
    assert not is_table_config(settings)
    assert not is_table_config(["# Title", "", "Some [text] here.", "key = value in prose"])


def test_tables_are_sections_and_hold_their_subtables() -> None:
    lines = _lines(PYPROJECT)
    st = table_structure(lines)
    spans = {s.name: (s.start, s.end) for s in st.scopes}
    ruff = lines.index("[tool.ruff]")
    assert spans["table tool.ruff"] == (ruff, lines.index('ignore = ["E501"]') + 1)
    lint = next(s for s in st.scopes if s.name == "table tool.ruff.lint")
    assert st.scopes[lint.parent].name == "table tool.ruff"
    assert "table tool.mypy.overrides" in spans  # an array of tables, without a name key
    names = {s.name for s in table_structure(_lines(LOCK)).scopes}
    assert "table package serde" in names  # ``[[package]]`` named by its ``name = "..."``


def test_goal_about_a_table_keeps_it_whole_and_markers_name_the_others() -> None:
    lines = _lines(PYPROJECT + "\n" + FILLER)
    goal = "which ruff rules are selected"
    a = analyze(lines, goal, None)
    assert [a.structure.scopes[s].name for s in a.sections][:1] == ["table tool.ruff"]
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, goal, None, b)
    check_selection(lines, sel, b)
    ruff = lines.index("[tool.ruff]")
    assert all(sel.keep[ruff : lines.index('ignore = ["E501"]') + 1])
    assert "raison=table project, " in render(lines, sel)


def test_lock_file_goal_naming_a_package_keeps_its_entry() -> None:
    lines = _lines(LOCK)
    sel = prune_lines(lines, "which serde_json version is locked", None, FREE)
    start = lines.index('name = "serde_json"') - 1
    assert all(sel.keep[start : start + 4])


TOX = """\
[tox]
envlist = py311,lint

[testenv]
deps =
    pytest
commands =
    pytest {posargs}

[testenv:lint]
deps =
    ruff
commands =
    ruff check src

[testenv:docs]
deps =
    sphinx
commands =
    sphinx-build docs html

[coverage:run]
branch = true
"""

GITCONFIG = """\
[user]
\tname = QA Person
[remote "origin"]
\turl = git@github.com:org/repo.git
[includeIf "gitdir:~/work/"]
\tpath = ~/.gitconfig-work
[url "git@github.com:"]
\tinsteadOf = https://github.com/
[credential "https://github.com"]
\thelper = !gh auth git-credential
[mypy-vendor.*]
\tignore_errors = True
"""


def test_ini_section_names_with_colons_slashes_and_stars_are_headers() -> None:
    """tox's ``[testenv:lint]``, setup.cfg's ``[tool:pytest]``, mypy's ``[mypy-vendor.*]`` and git's
    ``[includeIf "gitdir:~/work/"]`` head their own section, not lines of the table before them."""
    lines = _lines(TOX)
    assert is_table_config(lines)
    spans = {s.name: (s.start, s.end) for s in table_structure(lines).scopes}
    lint = lines.index("[testenv:lint]")
    assert spans["table testenv:lint"] == (lint, lint + 5)
    assert spans["table testenv"][1] == lines.index("    pytest {posargs}") + 1
    assert "table coverage:run" in spans
    git = _lines(GITCONFIG)
    assert is_table_config(git)
    names = [s.name for s in table_structure(git).scopes]
    assert names[2:] == [
        'table includeIf "gitdir:~/work/"',
        'table url "git@github.com:"',
        'table credential "https://github.com"',
        "table mypy-vendor.*",
    ]


TOWNCRIER = """\
[tool.towncrier]
directory = "changes"
title_format = '''
[{version}] - {project_date}
[Unreleased]
'''
issue_format = "#{issue}"
underlines = ["-", "~"]
"""


def test_bracketed_lines_of_a_multi_line_string_are_not_tables() -> None:
    """``[{version}]`` inside a ``'''`` string is its text: the table holding the string runs on
    past it, and a goal about that table keeps it whole."""
    lines = _lines(PYPROJECT + "\n" + TOWNCRIER + "\n" + FILLER)
    st = table_structure(lines)
    start = lines.index("[tool.towncrier]")
    assert [s.name for s in st.scopes if s.start > start][:1] == ["table tool.plugin0"]
    goal = "the towncrier issue_format and underlines"
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, goal, None, b)
    check_selection(lines, sel, b)
    assert all(sel.keep[start : lines.index('underlines = ["-", "~"]') + 1])


DESCRIBED = '''\
[project]
name = "shop"
description = """
A shop.

Usage: shop serve --port 8000
See the docs for more; this line has no key.
"""
version = "1.4.0"
'''


def test_toml_with_a_multi_line_string_early_is_still_a_config_file() -> None:
    """A ``\"\"\"`` value in the first lines (a long ``description``) made the file code or prose: its
    tables had no names and a goal about one did not keep it whole."""
    lines = _lines(DESCRIBED + "\n" + PYPROJECT.split("\n", 11)[11] + "\n" + FILLER)
    assert is_table_config(lines)
    a = analyze(lines, "mypy strict warn_unreachable", None)
    assert any(s.name == "table tool.mypy" for s in a.structure.scopes)
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, "mypy strict warn_unreachable", None, b)
    check_selection(lines, sel, b)
    mypy = lines.index("[tool.mypy]")
    assert all(sel.keep[mypy : mypy + 3])
    assert all(blk.reason.startswith("table ") for blk in sel.blocks)
