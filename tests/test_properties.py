"""Properties of ``prune_text`` + ``recover_text`` for any text and options (hypothesis)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_pruner._contract import MARKER_RE, PruneResult, RecoverResult
from mcp_pruner._service import PrunerService
from pruner_testkit import NO_PRUNE_BEGIN, NO_PRUNE_END, make_settings

_PREFIX = re.compile(r"^(\d+)│ (.*)$", re.DOTALL)

_CODE_LINES = [
    "def handler(request):",
    "    return response",
    "class Config:",
    "    timeout = 30",
    "import os",
    "# TODO: remove",
    "    if x is None:",
    "        raise ValueError('bad')",
    "}",
    "2024-01-01T00:00:00Z ERROR db connection refused",
    "2024-01-01T00:00:01Z INFO retrying",
    "## Installation",
    "Run `pip install foo`.",
    "\tindented with a tab\r",
    "trailing spaces   ",
    "😀 emoji line 漢字",
]

_free_line = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n"), max_size=40
)
_line = st.one_of(st.sampled_from(_CODE_LINES), st.just(""), _free_line)


@st.composite
def texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_line, max_size=60))
    protect = draw(st.booleans())
    crlf = draw(st.booleans())
    final_newline = draw(st.booleans())
    if lines and protect:
        start = draw(st.integers(0, len(lines) - 1))
        end = draw(st.integers(start, len(lines)))
        lines = [*lines[:start], NO_PRUNE_BEGIN, *lines[start:end], NO_PRUNE_END, *lines[end:]]
    text = "\n".join(lines)
    if crlf:
        text = text.replace("\n", "\r\n")
    if lines and final_newline:
        text += "\n"
    return text


@st.composite
def option_sets(draw: st.DrawFn) -> dict[str, object]:
    options: dict[str, object] = {
        "max_prune_ratio": draw(st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.9, 1.0]) | st.floats(0.0, 1.0)),
        "min_keep_lines": draw(st.integers(0, 30)),
        "annotate_lines": draw(st.booleans()),
        "include_markers": draw(st.booleans()),
        "timeout_ms": 60_000,
    }
    if draw(st.booleans()):
        options["keep_ratio"] = draw(st.floats(0.05, 1.0))
    if draw(st.booleans()):
        options["token_budget"] = draw(st.integers(1, 400))
    return options


@dataclass(frozen=True)
class Case:
    text: str
    lines: list[str]
    options: dict[str, object]
    result: PruneResult
    recovered_all: RecoverResult
    recovered_blocks: list[RecoverResult]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrunerService]:
    svc = PrunerService(make_settings(tmp_path_factory.mktemp("props")))
    try:
        yield svc
    finally:
        anyio.run(svc.aclose)


def run_case(service: PrunerService, text: str, goal: str, options: dict[str, object]) -> Case:
    async def go() -> Case:
        result = await service.prune_text({"text": text, "goal_hint": goal, "options": options})
        n = result.stats.original_lines
        everything = await service.recover_text(
            {"prune_id": result.prune_id, "ranges": [{"start_line": 1, "end_line": max(n, 1)}]}
            if n
            else {"prune_id": result.prune_id}
        )
        blocks = [
            await service.recover_text(
                {
                    "prune_id": result.prune_id,
                    "ranges": [{"start_line": a.original_start_line, "end_line": a.original_end_line}],
                }
            )
            for a in result.annotations
        ]
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        return Case(text, lines if text else [], options, result, everything, blocks)

    return anyio.run(go)


def max_removed(ratio: object, n: int) -> int:
    assert isinstance(ratio, float)
    return math.floor(Fraction(repr(ratio)) * n)  # the ratio as the client wrote it, exactly


def check(case: Case) -> None:
    r, lines, opts = case.result, case.lines, case.options
    n = len(lines)
    annotate = opts["annotate_lines"] is True
    markers = opts["include_markers"] is True
    assert r.stats.original_lines == n
    assert "constraints_unmet" not in r.warnings, "the engine broke an invariant (the service caught it)"

    # annotations: ordered, disjoint, non-empty blocks; count matches; markers parse
    removed: set[int] = set()
    previous_end = 0
    for a in r.annotations:
        assert previous_end < a.original_start_line <= a.original_end_line <= n
        assert a.pruned_line_count == a.original_end_line - a.original_start_line + 1
        m = MARKER_RE.match(a.marker)
        assert m is not None, a.marker
        assert m.groups() == (
            r.prune_id,
            str(a.original_start_line),
            str(a.original_end_line),
            str(a.pruned_line_count),
            a.reason,
        )
        removed.update(range(a.original_start_line, a.original_end_line + 1))
        previous_end = a.original_end_line

    # pruned_text: kept lines in order, exactly the original lines; one marker per block where it was
    # the renderer joins its output lines with "\n" and adds one "\n" when the input ended with one
    if not r.pruned_text:
        out = [""] if r.stats.kept_lines == 1 else []  # one kept empty line renders as ""
    else:
        body = r.pruned_text.removesuffix("\n") if case.text.endswith("\n") else r.pruned_text
        out = body.split("\n")
    kept: list[int] = []
    marker_lines: list[str] = []
    cursor = 0
    for line in out:
        if MARKER_RE.match(line) and line in {a.marker for a in r.annotations}:
            assert markers
            marker_lines.append(line)
            continue
        if annotate:
            m = _PREFIX.match(line)
            assert m is not None, line
            number = int(m.group(1))
            assert m.group(2) == lines[number - 1]
        else:
            number = cursor + 1
            while number <= n and (number in removed or lines[number - 1] != line):
                number += 1
            assert number <= n, f"{line!r} is not an original line in order"
        assert number > cursor
        assert number not in removed
        kept.append(number)
        cursor = number
    assert marker_lines == ([a.marker for a in r.annotations] if markers else [])
    if case.text.endswith("\n") and out:
        assert r.pruned_text.endswith("\n")
    assert set(kept) | removed == set(range(1, n + 1)), "annotations cover exactly the removed lines"
    assert r.stats.kept_lines == len(kept) == n - len(removed)
    assert r.stats.pruned_lines == len(removed)

    # hard bounds
    assert len(removed) <= max_removed(opts["max_prune_ratio"], n)
    min_keep = opts["min_keep_lines"]
    assert isinstance(min_keep, int)
    assert len(kept) >= min(n, min_keep)

    # NO_PRUNE regions are kept
    inside = False
    for i, line in enumerate(lines, start=1):
        if line.rstrip("\r") == NO_PRUNE_BEGIN:
            inside = True
        if inside:
            assert i not in removed, f"line {i} is inside a NO_PRUNE region"
        if line.rstrip("\r") == NO_PRUNE_END:
            inside = False

    # recovery is exact
    assert case.recovered_all.raw_text == case.text.removesuffix("\n")
    for a, got in zip(r.annotations, case.recovered_blocks, strict=True):
        assert got.raw_text == "\n".join(lines[a.original_start_line - 1 : a.original_end_line])

    # stats arithmetic
    s = r.stats
    assert s.tokens_saved_est == max(0, s.tokens_est_before - s.tokens_est_after)
    assert s.pruned_ratio == (round(len(removed) / n, 4) if n else 0.0)
    assert s.cost_estimated_usd == 0.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=texts(),
    options=option_sets(),
    goal=st.sampled_from(["", "handler", "ERROR db", "Installation", "😀"]),
)
def test_prune_then_recover_properties(
    service: PrunerService, text: str, options: dict[str, object], goal: str
) -> None:
    check(run_case(service, text, goal, options))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(_CODE_LINES), min_size=30, max_size=120),
    options=option_sets(),
)
def test_properties_on_longer_structured_texts(
    service: PrunerService, lines: list[str], options: dict[str, object]
) -> None:
    check(run_case(service, "\n".join(lines) + "\n", "handler raise ValueError", options))


def test_properties_hold_on_a_known_example(service: PrunerService) -> None:
    text = "\n".join(_CODE_LINES * 4) + "\n"
    case = run_case(
        service,
        text,
        "ERROR db",
        {"max_prune_ratio": 0.5, "min_keep_lines": 3, "annotate_lines": True, "include_markers": True},
    )
    check(case)
    assert case.result.annotations, "64 lines with a narrow goal should lose some"


def test_marker_regex_is_the_contracts() -> None:
    assert MARKER_RE.pattern == r"^⟦PRUNÉ: prune_id=(\S+) lignes (\d+)-(\d+) \((\d+)\) raison=(.*)⟧$"
