"""Docs: headings kept with their hierarchy, matching sections kept, fences and tables never cut."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import _docs, analyze, prune_lines
from mcp_pruner.engine._docs import doc_structure

from . import samples
from .helpers import FREE, budget, check_selection
from .samples import flat_changelog, stray_line_doc


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
    named = ("# Project", "Changelog", "Installation")  # whole top sections first, then subsections
    assert any(name in blk.reason for blk in sel.blocks for name in named)


def _filler(title: str, k: int = 4) -> list[str]:
    out = [f"## {title}", ""]
    for j in range(k):
        out += [f"General remarks {j} on {title.lower()}, staffing, rotas and other unrelated matters.", ""]
    return out


def _kept_fences_balanced(lines: list[str], keep: list[bool]) -> bool:
    """No fence opened by a kept line is left open at the end of the kept lines (the reader's view)."""
    mark = ""
    for line, k in zip(lines, keep, strict=True):
        s = line.strip()
        if not k:
            continue
        if not mark:
            if s.startswith(("```", "~~~")):
                mark = s[: len(s) - len(s.lstrip(s[0]))]
        elif s.startswith(mark) and not s.strip(mark[0]):
            mark = ""
    return not mark


def test_fence_indented_in_nested_list_item_is_atomic() -> None:
    fence = ["    ```bash"] + [f"    rsync -a /srv/shard{k:02d}/ vault:/snap/{k:02d}/" for k in range(20)]
    fence[12] = "    pg_dump --format=custom --file=/snap/billing.dump billing"
    fence.append("    ```")
    lines = ["# Handbook", ""]
    for k in range(6):
        lines += _filler(f"Chapter {k}")
    lines += ["## Backups", "", "- Nightly job:", "  - Run the script below on the primary:", ""]
    start = len(lines)
    lines += [*fence, "", "- Weekly: verify restores.", ""]
    end = start + len(fence)
    for k in range(6, 10):
        lines += _filler(f"Chapter {k}")
    st = doc_structure(lines)
    assert (st.group_start[start + 5], st.group_end[start + 5]) == (start, end)
    for ratio in (0.1, 0.3, 0.6):
        b = budget(keep_ratio=ratio)
        sel = prune_lines(lines, "pg_dump billing", SourceType.DOCS, b)
        check_selection(lines, sel, b)
        assert len(set(sel.keep[start:end])) == 1, ratio


def test_indented_code_block_line_of_backticks_opens_no_fence() -> None:
    # Four columns in, not in a list and never closed: a line of an indented code block.
    lines = ["# Doc", "", "Example:", "", "    ```", "    x = 1", "", "## Next", "", "Text."]
    st = doc_structure(lines)
    assert [s.name for s in st.scopes] == ["# Doc", "## Next"]
    assert st.group_end[4] == 5


def test_unclosed_indented_fences_are_each_searched_once_per_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of indented ```` ```py ```` openings never closed (each a line of an indented code block)
    searched the rest of the text each: quadratic. The closing line found for a fence character,
    length and indentation is reused for a later opening of that kind (checked by counting the
    searches, not by the clock: timings belong in ``benchmarks/``); fences and groups are unchanged."""
    lines: list[str] = []
    for k in range(2_000):
        lines += ["- item", "", f"    ```py{k % 3}", f"    code {k}", ""]
    lines += ["~~~", "x = 1", "~~~", "", "    ~~~~", "    y", "    ~~~~"]
    searches = 0
    closing = _docs._closing

    def counted(lines: Sequence[str], i: int, mark: str) -> int:
        nonlocal searches
        searches += 1
        return closing(lines, i, mark)

    monkeypatch.setattr(_docs, "_closing", counted)
    in_fence, ranges, closed = _docs._fences(lines)
    assert searches == 3  # one per kind: ```, ~~~, indented ~~~~
    n = len(lines)
    assert ranges == [(n - 7, n - 4), (n - 3, n)]
    assert closed == {n - 7, n - 3}
    assert sum(in_fence) == 6


def test_tilde_fence_under_a_text_line_is_a_fence_not_an_underline() -> None:
    lines = ["# Output formats", ""]
    for k in range(4):
        lines += _filler(f"Topic {k}")
    lines += ["## Sample run", "", "Output:", "~" * 24]
    start = len(lines) - 1
    lines += [f"step {k:02d} ok  elapsed={13 * k}ms" for k in range(25)]
    lines += ["step 25 FAILED checksum mismatch on shard-7", "~" * 24, ""]
    end = len(lines) - 1
    for k in range(4, 8):
        lines += _filler(f"Topic {k}")
    st = doc_structure(lines)
    assert "# Output:" not in [s.name for s in st.scopes]
    assert ("## Topic 7", 0) in [(s.name, s.parent) for s in st.scopes]  # the fence ended where it closes
    assert (st.group_start[start], st.group_end[start]) == (start, end)
    for ratio in (0.1, 0.3):
        b = budget(keep_ratio=ratio)
        sel = prune_lines(lines, "checksum mismatch shard-7", SourceType.DOCS, b)
        assert len(set(sel.keep[start:end])) == 1, ratio
        assert _kept_fences_balanced(lines, sel.keep)


def test_rst_tilde_underlines_of_equal_length_stay_headings() -> None:
    # Two same-length ``~`` underlines: the second is no closing fence of the first.
    lines = [
        "Guide",
        "=====",
        "",
        "Alpha",
        "~~~~~",
        "",
        "First part.",
        "",
        "Omega",
        "~~~~~",
        "",
        "Last part.",
    ]
    st = doc_structure(lines)
    assert [s.name for s in st.scopes] == ["# Guide", "## Alpha", "## Omega"]
    assert st.group_end[4] == 5


def _acme() -> tuple[list[str], int, int]:
    def part(heading: str, k: int) -> list[str]:
        name = heading.lstrip("# ")
        out = [heading, ""]
        for j in range(k):
            out += [
                f"Filler: this paragraph explains general background unrelated to the question. {name} {j}.",
                "",
            ]
        return out

    lines = ["Acme CLI", "========", "", "The Acme CLI manages deployments.", ""]
    lines += part("## Installation", 4) + part("## Configuration", 2) + part("### Profiles", 3)
    start = len(lines)
    lines += [
        "### Proxy settings",
        "",
        "Set `ACME_PROXY` to route traffic through a corporate proxy.",
        "",
        "- Supported schemes:",
        "  - `http://` proxies",
        "  - `socks5://` proxies, which require the `socks` extra",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
        "| `ACME_PROXY` | unset | proxy URL |",
        "| `ACME_NO_PROXY` | `localhost` | hosts that bypass the proxy |",
        "| `ACME_PROXY_TIMEOUT` | `30` | seconds before a proxy connect fails |",
        "",
        "If the proxy needs credentials, put them in the URL.",
        "",
        "```ini",
        "[proxy]",
        "url = http://user:pass@proxy.corp:3128",
        "```",
        "",
    ]
    end = len(lines)
    lines += part("### Logging", 3) + part("## Commands", 3) + part("### deploy", 4) + part("### rollback", 4)
    lines += part("## FAQ", 5)
    return lines, start, end


def test_matching_section_kept_whole_in_adaptive_mode() -> None:
    lines, start, end = _acme()
    sel = prune_lines(lines, "how do I configure the proxy", None, FREE)
    check_selection(lines, sel, FREE)
    assert all(sel.keep[start:end])
    assert sum(sel.keep) < len(lines) // 2  # still pruned


def test_long_fence_cut_keeps_both_fence_lines() -> None:
    body = [f"row {k:03d} value={k * 7}" for k in range(400)]
    body[200] = "row 200 value=1400 checksum mismatch on shard-7"
    for opening, closing in (("```text", "```"), ("~~~~", "~~~~")):
        lines = [
            "# Dump",
            "",
            "Intro.",
            "",
            "## Raw",
            "",
            opening,
            *body,
            closing,
            "",
            "## After",
            "",
            "Tail text.",
        ]
        a = lines.index(opening)
        z = a + len(body) + 1
        for goal, ratio in (
            ("checksum mismatch shard-7", 0.05),
            ("", 0.05),
            ("tail text", 0.05),
            ("row", 0.5),
        ):
            b = budget(keep_ratio=ratio)
            sel = prune_lines(lines, goal, SourceType.DOCS, b)
            check_selection(lines, sel, b)
            inner = any(sel.keep[a + 1 : z])
            assert sel.keep[a] == sel.keep[z] == inner, (opening, goal, ratio)
            assert _kept_fences_balanced(lines, sel.keep)
        sel = prune_lines(lines, "checksum mismatch shard-7", SourceType.DOCS, budget(keep_ratio=0.05))
        assert sel.keep[a + 1 + 200]  # the match, in a fence cut around it
        assert not all(sel.keep[a:z])


def test_pre_release_version_in_goal_finds_its_own_section() -> None:
    """Regression guard: ``v2.14.0b2`` was no version at all (its tag holds a digit), so the goal
    found the ``v2.14.0a1`` section by its numbers and kept 27 of the right section's 82 lines."""
    from mcp_pruner.engine._docs import _versions

    assert _versions("v2.14.0b2") == _versions("2.14.0-beta.2") == {"2.14-b2"}
    assert _versions("3.0.0rc1 and 1.2.post1") == {"3-rc1", "1.2-post1"}
    assert _versions("2.14.0") == {"2.14"}
    lines = ["# Changelog", ""]
    for tag in ("", "rc1", "b3", "b2", "b1", "a2", "a1"):
        lines += [f"## v2.14.0{tag}", ""]
        lines += [f"- Changed the validator cache, step {k} of release 2.14.0{tag}." for k in range(12)]
        lines += [""]
    target = lines.index("## v2.14.0b2")
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, "what changed in v2.14.0b2", SourceType.DOCS, b)
    check_selection(lines, sel, b)
    assert all(sel.keep[target : target + 15])
    assert not any(sel.keep[lines.index("## v2.14.0a1") + 2 : lines.index("## v2.14.0a1") + 14])


def test_version_in_goal_finds_its_changelog_section() -> None:
    """``2.0.0`` splits into one-digit numbers that match nothing, and ``1.26.0`` into ``26`` that
    matches every 1.26.x: the section titled with the goal's version is the one to keep."""
    lines = ["Release History", "===============", ""]
    for minor in range(20, -1, -1):
        for major in (2, 1):
            lines += [f"{major}.{minor}.0 (2020-01-{minor + 1:02d})", "-" * 18, ""]
            lines += [f"- Changed the connection pool sizing rule number {minor}.", "- Fixed a typo.", ""]
    target = lines.index("2.0.0 (2020-01-01)")
    for goal in ("what changed in 2.0.0", "what changed in 2.0"):
        b = budget(keep_ratio=0.3)
        sel = prune_lines(lines, goal, SourceType.DOCS, b)
        check_selection(lines, sel, b)
        assert all(sel.keep[target : target + 5]), goal
    near = lines.index("1.2.0 (2020-01-03)")
    sel = prune_lines(lines, "what changed in 1.2.0", SourceType.DOCS, budget(keep_ratio=0.3))
    assert all(sel.keep[near : near + 5])


def test_best_matching_section_kept_whole_under_an_explicit_budget() -> None:
    """The heading names the goal, its subsections do not: relevance alone kept about 20 of the
    section's 49 lines (the rest went to chance). The section is kept whole when it fits."""

    def topics(ks: range) -> list[str]:
        out: list[str] = []
        for k in ks:
            out += [f"## Topic {k}", ""]
            out += [
                f"Background paragraph {j} about topic {k}: releases, schedules and owners." for j in range(5)
            ]
            out += [""]
        return out

    lines = ["# Acme CLI", "", "The Acme CLI manages deployments.", "", *topics(range(12))]
    start = len(lines)
    lines += ["## Proxy settings", "", "Set `ACME_PROXY` to route traffic through a corporate proxy.", ""]
    for sub in ("Retries", "Certificates", "Exit codes"):
        lines += [f"### {sub}", ""]
        lines += [f"{sub} note {j}: the command waits, then stops with exit code {j}." for j in range(10)]
        lines += [""]
    end = len(lines)
    lines += topics(range(12, 20))
    for b in (budget(keep_ratio=0.35), budget(keep_ratio=0.45), budget(token_budget=900)):
        sel = prune_lines(lines, "set ACME_PROXY for the proxy", SourceType.DOCS, b)
        check_selection(lines, sel, b)
        assert all(sel.keep[start:end]), b
        assert sel.keep[0]  # the breadcrumb: the document's title
        assert sum(sel.keep) < 0.6 * len(lines)


def test_stray_line_naming_the_goal_does_not_cost_the_named_section_its_space() -> None:
    """The section of the best-scoring line (a "see also" naming every goal word) used to be kept
    whole: the section the goal names lost 3 of its 20 lines at ``keep_ratio=0.3`` and 10 at 400 tokens."""
    lines, start, end = stray_line_doc()
    for b in (FREE, budget(keep_ratio=0.3), budget(token_budget=400)):
        sel = prune_lines(lines, "proxy timeout for slow uploads", SourceType.DOCS, b)
        check_selection(lines, sel, b)
        assert all(sel.keep[start:end]), b
        assert sum(sel.keep) < 0.5 * len(lines)


def test_section_too_big_for_the_budget_keeps_its_best_subsection_whole() -> None:
    """The section the goal is about (its version) does not fit: its best subsection is kept whole."""
    lines = ["# Changelog", ""]
    for minor in range(5, 0, -1):
        lines += [f"## 2.{minor}.0", "", "### Added", ""]
        lines += [f"- Option number {j} for the command line in release {minor}." for j in range(40)]
        lines += ["", "### Connection pool", ""]
        lines += [f"- Pool sizing rule {j} of release {minor} now counts idle sockets." for j in range(6)]
        lines += [""]
    sub = lines.index("### Connection pool", lines.index("## 2.3.0"))
    end = lines.index("## 2.2.0")
    a = analyze(lines, "pool changes in 2.3.0", SourceType.DOCS)
    assert [a.structure.scopes[k].name for k in a.sections] == ["## 2.3.0", "### Connection pool"]
    b = budget(token_budget=400)
    sel = prune_lines(lines, "pool changes in 2.3.0", SourceType.DOCS, b)
    check_selection(lines, sel, b)
    assert all(sel.keep[sub:end])
    assert not all(sel.keep[lines.index("## 2.3.0") : sub])


def test_flat_changelog_keeps_the_mentions_in_every_part_not_one_part_whole() -> None:
    """Adaptive mode kept the biggest part whole (a third of the text, grown into the target) and
    12 of the 29 lines naming the debugger; without a forced part it keeps nearly all of them."""
    lines = flat_changelog()
    goal = "changes to the debugger"
    mentions = [i for i, line in enumerate(lines) if "debugger" in line]
    first_end = lines.index("# Original ChangeLog")
    sel = prune_lines(lines, goal, SourceType.DOCS, FREE)
    check_selection(lines, sel, FREE)
    assert sum(sel.keep[i] for i in mentions) >= 0.9 * len(mentions)
    assert not all(sel.keep[:first_end])
