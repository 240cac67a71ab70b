"""Docs: the section the goal is about is chosen by the section (its heading, its body), not by one line."""

from __future__ import annotations

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import analyze

from .samples import flat_changelog, stray_line_doc, topics


def chosen(lines: list[str], goal: str) -> list[str]:
    a = analyze(lines, goal, SourceType.DOCS)
    return [a.structure.scopes[k].name for k in a.sections]


def test_section_named_by_the_goal_beats_a_stray_line_elsewhere() -> None:
    lines, start, _ = stray_line_doc()
    a = analyze(lines, "proxy timeout for slow uploads", SourceType.DOCS)
    best_line = max(range(len(lines)), key=a.line_scores.__getitem__)
    assert lines[best_line].startswith("See also")  # the weakness: the best line is the stray one
    assert a.sections
    assert a.structure.scopes[a.sections[0]].start == start


def test_subsection_holding_the_evidence_is_preferred_to_its_parent() -> None:
    lines = ["# Manual", "", *topics(range(6)), "## Networking", "", "The network layer.", ""]
    lines += ["### Proxy", "", *[f"Proxy rule {j} routes traffic." for j in range(8)], ""]
    lines += ["### DNS cache", "", *[f"Entry {j} of the DNS cache expires." for j in range(8)], ""]
    lines += topics(range(6, 10))
    assert chosen(lines, "dns cache expiry")[0] == "### DNS cache"


def test_parent_named_by_the_goal_beats_subsections_that_are_not() -> None:
    """A changelog: the version heading names the goal, its ``Added``/``Fixed`` subsections do not."""
    lines = ["# Changelog", ""]
    for minor in range(9, -1, -1):
        lines += [f"## 2.{minor}.0", "", "### Added", "", f"- Option number {minor} for the pool.", ""]
        lines += ["### Fixed", "", f"- A crash in the pool sizing rule {minor}.", ""]
    assert chosen(lines, "what changed in 2.3.0")[0] == "## 2.3.0"


def test_no_section_when_the_goal_matches_nothing() -> None:
    lines, _, _ = stray_line_doc()
    assert analyze(lines, "kubernetes helm chart", SourceType.DOCS).sections == ()
    assert analyze(lines, "", SourceType.DOCS).sections == ()


def test_no_section_when_the_evidence_is_before_the_first_heading() -> None:
    lines = ["Acme keeps a proxy timeout for slow uploads; the proxy timeout is the key setting.", ""]
    lines += ["The proxy timeout defaults to 30 seconds for uploads.", "", *topics(range(8))]
    lines += ["## Uploads", "", "Uploads are sent in chunks.", ""]
    assert chosen(lines, "proxy timeout for slow uploads") == []


def test_no_section_when_the_goal_is_spread_over_a_flat_changelog() -> None:
    """The biggest part won by a hair (its heading names "ChangeLog", a generic goal word) and was
    kept whole, which lost the mentions in the other parts."""
    assert chosen(flat_changelog(), "changes to the debugger") == []


def test_section_standing_out_by_its_body_is_chosen_though_its_heading_names_no_goal_term() -> None:
    lines = ["# Client", "", *topics(range(6)), "## Sessions", "", "A session keeps settings across calls."]
    lines += [f"Calls {j} through one session reuse its pooled TCP connection." for j in range(6)]
    lines += ["", "## Keep-alive", "", "Idle TCP sockets are closed after a minute.", ""]
    lines += topics(range(6, 10))
    assert chosen(lines, "reuse tcp connections") == ["## Sessions"]


def test_walk_down_stops_where_no_subsection_stands_out() -> None:
    """The section is named by the goal; its subsections hold the goal alike: none is chosen over it."""
    lines = ["# Manual", "", *topics(range(6)), "## Proxy", "", "Route traffic through a proxy.", ""]
    for system in ("Linux", "macOS", "Windows"):
        lines += [f"### {system}", "", f"Set the proxy in the {system} network settings.", ""]
        lines += [f"Step {j} of the {system} setup." for j in range(4)]
        lines += [""]
    lines += topics(range(6, 10))
    assert chosen(lines, "configure the proxy") == ["## Proxy"]
