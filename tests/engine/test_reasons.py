"""Marker reasons: what a removed block held, named so that an agent can ask for it."""

from __future__ import annotations

from mcp_pruner.engine._reasons import block_reason
from mcp_pruner.engine._structure import Scope, Structure, build_line_scope


def _structure(n: int, scopes: list[Scope]) -> Structure:
    return Structure(scopes=scopes, line_scope=build_line_scope(n, scopes))


def test_reason_names_definitions_before_unnamed_blocks() -> None:
    """A run of SQL holding comment blocks and views: ``view column_privileges`` is what an agent can
    ask for, three ``block`` entries are not (they were listed first, by position, and hid it)."""
    scopes = [
        Scope(0, 3, 1, -1, "block", "block"),
        Scope(3, 6, 1, -1, "block", "block"),
        Scope(6, 9, 1, -1, "block", "block"),
        Scope(9, 12, 1, -1, "view column_privileges", "view"),
        Scope(12, 15, 1, -1, "view columns", "view"),
    ]
    st = _structure(15, scopes)
    lines = [f"line {k}" for k in range(15)]
    reason = block_reason(lines, st, [s.start for s in scopes], 0, 15)
    assert reason == "view column_privileges, view columns, block +2 more"


def test_reason_of_unnamed_blocks_only_still_counts_them() -> None:
    scopes = [Scope(0, 3, 1, -1, "block", "block"), Scope(3, 6, 1, -1, "block", "block")]
    reason = block_reason([f"x{k}" for k in range(6)], _structure(6, scopes), [0, 3], 0, 6)
    assert reason == "block, block"


def test_reason_names_a_whole_top_level_definition_before_a_member_of_a_kept_one() -> None:
    """A run from the last method of a partly kept class through the whole next class: that a class
    went is the bigger news (in a diff: a whole file before a hunk of a file partly kept)."""
    scopes = [
        Scope(0, 10, 1, -1, "class Store", "class"),
        Scope(1, 4, 2, 0, "def get", "def"),
        Scope(4, 9, 5, 0, "def put", "def"),
        Scope(10, 15, 11, -1, "class Cache", "class"),
    ]
    lines = [f"line {k}" for k in range(15)]
    reason = block_reason(lines, _structure(15, scopes), [s.start for s in scopes], 4, 15)
    assert reason == "class Cache, def put"
