"""Docs: headings kept with their hierarchy, matching sections kept, fences and tables never cut."""

from __future__ import annotations

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import analyze, prune_lines
from mcp_pruner.engine._docs import doc_structure

from . import samples
from .helpers import budget, check_selection


def lines_of(text: str) -> list[str]:
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


DOC = lines_of(samples.MARKDOWN)


def big_doc() -> list[str]:
    out: list[str] = []
    for k in range(12):
        out += lines_of(samples.MARKDOWN.replace("# Project", f"# Project {k}"))
    return out


def test_sections_nest_by_level() -> None:
    st = doc_structure(DOC)
    names = [(s.name, s.parent) for s in st.scopes]
    assert names[0] == ("# Project", -1)
    assert ("## Installation", 0) in names
    assert ("### Proxy settings", 2) in names


def test_rst_and_setext_headings() -> None:
    lines = [
        "Title",
        "=====",
        "",
        "Intro text here.",
        "",
        "Usage",
        "-----",
        "",
        "Run it.",
        "",
        "Details",
        "~~~~~~~",
        "x",
    ]
    st = doc_structure(lines)
    assert [s.name for s in st.scopes] == ["# Title", "## Usage", "### Details"]
    assert st.scopes[2].parent == 1


def test_matching_section_and_headings_kept() -> None:
    lines = big_doc()
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, "proxy authentication", None, b)
    check_selection(lines, sel, b)
    kept = [line for line, k in zip(lines, sel.keep, strict=True) if k]
    assert any("proxy_auth" in line for line in kept)
    # Breadcrumb of every kept line: its chain of headings.
    st = analyze(lines, "proxy authentication", SourceType.DOCS).structure
    for i, k in enumerate(sel.keep):
        s = st.line_scope[i] if k else -1
        while s >= 0:
            assert sel.keep[st.scopes[s].start]
            s = st.scopes[s].parent


def test_fences_and_tables_never_cut() -> None:
    lines = big_doc()
    for ratio in (0.1, 0.2, 0.4, 0.6):
        for goal in ("pip install extra", "timeout retries", "changelog", ""):
            sel = prune_lines(lines, goal, SourceType.DOCS, budget(keep_ratio=ratio))
            i = 0
            while i < len(lines):
                if lines[i].startswith("```"):
                    j = i + 1
                    while not lines[j].startswith("```"):
                        j += 1
                    assert len(set(sel.keep[i : j + 1])) == 1, (goal, ratio, i)
                    i = j + 1
                    continue
                if lines[i].startswith("|"):
                    j = i
                    while j < len(lines) and lines[j].startswith("|"):
                        j += 1
                    assert len(set(sel.keep[i:j])) == 1, (goal, ratio, i)
                    i = j
                    continue
                i += 1


def test_doc_reasons_name_sections() -> None:
    lines = big_doc()
    sel = prune_lines(lines, "proxy", None, budget(keep_ratio=0.2))
    assert any("Changelog" in blk.reason or "Installation" in blk.reason for blk in sel.blocks)
