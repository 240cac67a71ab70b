"""``_render``: how text is split into lines, how a selection is rendered, and the invariant checks."""

from __future__ import annotations

import pytest

from mcp_pruner._contract import MARKER_RE, SourceType
from mcp_pruner._render import allowed_removed, render, selection_problem, split_lines
from mcp_pruner.engine import Budget, RemovedBlock, Selection

PID = "prn_abcdefghij"


def B(max_prune_ratio: float, min_keep_lines: int) -> Budget:  # short, for the tables
    return Budget(max_prune_ratio=max_prune_ratio, min_keep_lines=min_keep_lines)


def selection(keep: list[bool], blocks: list[tuple[int, int, str]]) -> Selection:
    return Selection(
        keep=keep, blocks=[RemovedBlock(s, e, r) for s, e, r in blocks], source_type=SourceType.CODE
    )


@pytest.mark.parametrize(
    ("text", "lines", "ends_nl"),
    [
        ("", [], False),
        ("\n", [""], True),
        ("\n\n", ["", ""], True),
        ("a", ["a"], False),
        ("a\n", ["a"], True),
        ("a\nb", ["a", "b"], False),
        ("a\nb\n", ["a", "b"], True),
        ("a\r\nb\r\n", ["a\r", "b\r"], True),
        ("a\rb\n", ["a\rb"], True),
        ("\r", ["\r"], False),
        ("x\n\n\ny", ["x", "", "", "y"], False),
        ("\ttab \u2028sep\x0bvt\x0cff\x1c\x85", ["\ttab \u2028sep\x0bvt\x0cff\x1c\x85"], False),
    ],
    ids=repr,
)
def test_split_lines(text: str, lines: list[str], ends_nl: bool) -> None:
    assert split_lines(text) == (lines, ends_nl)
    # the split is lossless
    assert "\n".join(lines) + ("\n" if ends_nl else "") == text


@pytest.mark.parametrize(
    ("n", "ratio", "min_keep", "expected"),
    [
        (10, 0.9, 0, 9),
        (10, 0.9, 5, 5),
        (10, 0.95, 0, 9),
        (10, 1.0, 0, 10),
        (10, 0.0, 0, 0),
        (10, 0.5, 20, 0),
        (3, 0.7, 0, 2),
        (10, 0.3, 0, 3),  # 0.3 * 10 is 2.9999999999999996 in floating point
        (100, 0.29, 0, 29),  # 28.999999999999996
        (48, 0.3333333333333333, 0, 15),  # the client's ratio is below 1/3: 16 of 48 is too many
        (3, 0.6666666666666666, 0, 1),
        (10, 1e-300, 0, 0),
        (0, 0.9, 5, 0),
        (7, 1.0, 7, 0),
    ],
)
def test_allowed_removed(n: int, ratio: float, min_keep: int, expected: int) -> None:
    assert allowed_removed(n, B(ratio, min_keep)) == expected


def test_render_markers_and_kept_lines() -> None:
    lines = ["a", "b", "c", "d", "e", "f"]
    sel = selection([True, False, False, True, True, False], [(2, 3, "helpers"), (6, 6, "tail")])
    out = render(lines, True, sel, PID, annotate_lines=False, include_markers=True)
    assert out.pruned_text == (
        f"a\n⟦PRUNÉ: prune_id={PID} lignes 2-3 (2) raison=helpers⟧\n"
        "d\ne\n"
        f"⟦PRUNÉ: prune_id={PID} lignes 6-6 (1) raison=tail⟧\n"
    )
    assert out.kept_lines == 3
    assert [a.model_dump() for a in out.annotations] == [
        {
            "kind": "pruned_block",
            "original_start_line": 2,
            "original_end_line": 3,
            "pruned_line_count": 2,
            "reason": "helpers",
            "marker": f"⟦PRUNÉ: prune_id={PID} lignes 2-3 (2) raison=helpers⟧",
        },
        {
            "kind": "pruned_block",
            "original_start_line": 6,
            "original_end_line": 6,
            "pruned_line_count": 1,
            "reason": "tail",
            "marker": f"⟦PRUNÉ: prune_id={PID} lignes 6-6 (1) raison=tail⟧",
        },
    ]
    for ann in out.annotations:
        m = MARKER_RE.match(ann.marker)
        assert m is not None
        assert m.groups() == (
            PID,
            str(ann.original_start_line),
            str(ann.original_end_line),
            str(ann.pruned_line_count),
            ann.reason,
        )


def test_render_annotated_without_markers() -> None:
    lines = ["a\r", "b", "c\t", "d"]
    sel = selection([True, False, True, True], [(2, 2, "x")])
    out = render(lines, False, sel, PID, annotate_lines=True, include_markers=False)
    assert out.pruned_text == "1│ a\r\n3│ c\t\n4│ d"
    assert len(out.annotations) == 1


def test_render_annotated_with_markers_never_prefixes_a_marker() -> None:
    sel = selection([False, True], [(1, 1, "x")])
    out = render(["gone", "kept"], True, sel, PID, annotate_lines=True, include_markers=True)
    assert out.pruned_text == f"⟦PRUNÉ: prune_id={PID} lignes 1-1 (1) raison=x⟧\n2│ kept\n"


def test_render_everything_removed_without_markers_is_empty() -> None:
    sel = selection([False, False], [(1, 2, "x")])
    out = render(["a", "b"], True, sel, PID, annotate_lines=False, include_markers=False)
    assert out.pruned_text == ""
    assert out.kept_lines == 0


def test_render_keep_all_is_identity() -> None:
    for text in ("a\nb\n", "a\nb", "\n", "x\r\n\r\n"):
        lines, ends_nl = split_lines(text)
        out = render(
            lines,
            ends_nl,
            selection([True] * len(lines), []),
            PID,
            annotate_lines=False,
            include_markers=True,
        )
        assert out.pruned_text == text
        assert out.annotations == []


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("", "low relevance"),
        ("   ", "low relevance"),
        ("a\nb\r\n\tc", "a b c"),
        ("close ⟧ open ⟦", "close ] open ["),
        ("x" * 500, "x" * 159 + "…"),
    ],
    ids=["empty", "blank", "newlines", "brackets", "long"],
)
def test_reasons_are_made_safe_for_one_marker_line(reason: str, shown: str) -> None:
    out = render(
        ["a", "b"],
        False,
        selection([True, False], [(2, 2, reason)]),
        PID,
        annotate_lines=False,
        include_markers=True,
    )
    (ann,) = out.annotations
    assert ann.reason == shown
    assert "\n" not in ann.marker
    m = MARKER_RE.match(ann.marker)
    assert m is not None
    assert m.group(5) == shown
    assert out.pruned_text.split("\n")[1] == ann.marker


@pytest.mark.parametrize(
    ("keep", "blocks", "budget", "problem"),
    [
        ([True, False, True], [(2, 2, "r")], B(0.5, 0), None),
        ([True, True, True], [], B(0.0, 99), None),
        ([True, False], [(2, 2, "r")], B(0.9, 0), "keep has the wrong length"),
        ([False, False, True], [(1, 2, "r")], B(0.5, 0), "hard bounds exceeded"),
        ([False, True, True], [(1, 1, "r")], B(1.0, 3), "hard bounds exceeded"),
        ([True, False, True], [], B(1.0, 0), "blocks do not match keep"),
        ([True, False, False], [(2, 2, "r"), (3, 3, "r")], B(1.0, 0),
         "blocks do not match keep"),
        ([True, True, True], [(2, 2, "r")], B(1.0, 0), "blocks do not match keep"),
    ],
)  # fmt: skip
def test_selection_problem(
    keep: list[bool], blocks: list[tuple[int, int, str]], budget: Budget, problem: str | None
) -> None:
    assert selection_problem(selection(keep, blocks), 3, budget) == problem
