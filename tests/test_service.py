"""``PrunerService`` in process: options and defaults, hard bounds, fail-open, stats and metrics."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import anyio
import pytest

from mcp_pruner._contract import MARKER_RE, PruneResult, SourceType
from mcp_pruner._errors import InvalidParams, InvalidRange, PruneIdNotFound
from mcp_pruner._manager import BackendOutcome
from mcp_pruner._service import PrunerService
from mcp_pruner._tokens import count_tokens
from mcp_pruner.engine import Budget, RemovedBlock, Selection
from pruner_testkit import (
    NO_PRUNE_BEGIN,
    NO_PRUNE_END,
    assert_markers_match_annotations,
    make_settings,
    synthetic_python,
)

_PREFIX = re.compile(r"^(\d+)│ (.*)$", re.DOTALL)


def lines_of(text: str) -> list[str]:
    out = text.split("\n")
    if text.endswith("\n"):
        out.pop()
    return out if text else []


def kept_lines(result: PruneResult) -> list[str]:
    """The non-marker lines of pruned_text."""
    return [line for line in lines_of(result.pruned_text) if not MARKER_RE.match(line)]


def assert_is_subsequence(kept: Sequence[str], original: Sequence[str]) -> None:
    it = iter(original)
    for line in kept:
        assert any(line == candidate for candidate in it), f"{line!r} is not next in the original"


async def recover_all(service: PrunerService, prune_id: str) -> str:
    return (await service.recover_text({"prune_id": prune_id})).raw_text


def fake_outcome(keep: list[bool], blocks: list[RemovedBlock], cost: float = 0.0) -> BackendOutcome:
    return BackendOutcome(
        selection=Selection(keep=keep, blocks=blocks, source_type=SourceType.CODE),
        backend="heuristic",
        engine="fake",
        cost_usd=cost,
    )


def install_engine(monkeypatch: pytest.MonkeyPatch, service: PrunerService, outcome: BackendOutcome) -> None:
    async def prune(
        lines: Sequence[str], goal: str, source_type: SourceType | None, budget: Budget, deadline: float
    ) -> BackendOutcome:
        return outcome

    monkeypatch.setattr(service.manager, "prune", prune)


# --------------------------------------------------------------------------------------------------
# Options and their defaults
# --------------------------------------------------------------------------------------------------
async def test_omitted_options_take_the_built_in_defaults(service: PrunerService) -> None:
    text = synthetic_python(30)
    result = await service.prune_text({"text": text, "goal_hint": "func_4"})
    assert result.annotations, "the default max_prune_ratio (0.9) lets a 300-line module shrink"
    assert result.stats.pruned_lines <= math.floor(0.9 * 300)
    # defaults: markers on, no line numbers
    assert_markers_match_annotations(
        result.pruned_text, [a.model_dump() for a in result.annotations], result.prune_id
    )
    assert all(not _PREFIX.match(line) for line in kept_lines(result))
    assert result.stats.used_fallback is False
    assert result.warnings == []


async def test_omitted_options_take_configured_defaults(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        MCP_PRUNER_ANNOTATE_LINES="true",
        MCP_PRUNER_INCLUDE_MARKERS="false",
        MCP_PRUNER_MIN_KEEP_LINES="280",
    )
    service = PrunerService(settings)
    try:
        text = synthetic_python(30)
        result = await service.prune_text({"text": text, "goal_hint": "func_4", "options": {}})
        assert result.stats.kept_lines >= 280
        assert all(_PREFIX.match(line) for line in lines_of(result.pruned_text))
        assert not any(MARKER_RE.match(line) for line in lines_of(result.pruned_text))
        # A partial options object overrides only what it names.
        partial = await service.prune_text(
            {"text": text, "goal_hint": "func_4", "options": {"annotate_lines": False}}
        )
        assert partial.stats.kept_lines >= 280
        assert not any(_PREFIX.match(line) for line in lines_of(partial.pruned_text))
        assert not any(MARKER_RE.match(line) for line in lines_of(partial.pruned_text))
    finally:
        await service.aclose()


async def test_annotate_lines_prefixes_kept_lines_and_never_markers(service: PrunerService) -> None:
    text = synthetic_python(20)
    original = lines_of(text)
    result = await service.prune_text(
        {"text": text, "goal_hint": "func_9", "options": {"annotate_lines": True, "include_markers": True}}
    )
    assert result.annotations
    numbers: list[int] = []
    for line in lines_of(result.pruned_text):
        if MARKER_RE.match(line):
            assert not _PREFIX.match(line)
            continue
        m = _PREFIX.match(line)
        assert m is not None, line
        n = int(m.group(1))
        assert m.group(2) == original[n - 1]
        numbers.append(n)
    assert numbers == sorted(numbers)
    removed = {i for a in result.annotations for i in range(a.original_start_line, a.original_end_line + 1)}
    assert set(numbers) | removed == set(range(1, len(original) + 1))
    assert not set(numbers) & removed


async def test_include_markers_false_omits_marker_lines_but_keeps_annotations(service: PrunerService) -> None:
    text = synthetic_python(20)
    result = await service.prune_text(
        {"text": text, "goal_hint": "func_2", "options": {"include_markers": False, "annotate_lines": False}}
    )
    assert result.annotations
    out = lines_of(result.pruned_text)
    assert not any("⟦PRUNÉ" in line for line in out)
    assert len(out) == result.stats.kept_lines
    assert_is_subsequence(out, lines_of(text))
    for ann in result.annotations:
        assert MARKER_RE.match(ann.marker)


async def test_no_prune_regions_are_kept(service: PrunerService) -> None:
    head = synthetic_python(10)
    protected = [NO_PRUNE_BEGIN, "SECRET_SAUCE = 42  # must stay", "    unrelated_line = 1", NO_PRUNE_END]
    text = head + "\n".join(protected) + "\n" + synthetic_python(10)
    result = await service.prune_text(
        {
            "text": text,
            "goal_hint": "func_1",
            "options": {"max_prune_ratio": 1.0, "min_keep_lines": 0, "keep_ratio": 0.05},
        }
    )
    assert result.annotations
    out = kept_lines(result)
    for line in protected:
        assert line in out
    start = len(lines_of(head)) + 1
    for ann in result.annotations:
        assert ann.original_end_line < start or ann.original_start_line > start + 3


@pytest.mark.parametrize("ratio", [0.0, 0.1, 0.33, 0.5])
async def test_max_prune_ratio_is_a_hard_bound(service: PrunerService, ratio: float) -> None:
    text = synthetic_python(25)
    n = len(lines_of(text))
    result = await service.prune_text(
        {
            "text": text,
            "goal_hint": "func_3",
            "options": {"max_prune_ratio": ratio, "min_keep_lines": 0, "keep_ratio": 0.05},
        }
    )
    assert result.stats.pruned_lines <= math.floor(ratio * n)
    assert sum(a.pruned_line_count for a in result.annotations) == result.stats.pruned_lines
    if ratio == 0.0:
        assert result.pruned_text == text
        assert result.annotations == []


def _many_small_functions(ends_with_newline: bool) -> str:
    text = "".join(
        f"def f{i}(x):\n    y = x + {i}\n    if y > 3:\n        raise ValueError('bad {i}')\n    return y\n\n"
        for i in range(60)
    )
    return text if ends_with_newline else text.rstrip("\n")


@pytest.mark.parametrize("tokens", [500, 1000])
@pytest.mark.parametrize("annotate", [False, True])
@pytest.mark.parametrize("ends_with_newline", [True, False])
async def test_token_budget_caps_the_exact_tokens_of_pruned_text(
    service: PrunerService, tokens: int, annotate: bool, ends_with_newline: bool
) -> None:
    """Per-line costs undercount the joined text by a few percent: the ceiling is checked on the real text."""
    text = _many_small_functions(ends_with_newline)
    result = await service.prune_text(
        {"text": text, "goal_hint": "", "options": {"token_budget": tokens, "annotate_lines": annotate}}
    )
    assert result.stats.tokens_est_after == count_tokens(result.pruned_text)
    assert result.stats.tokens_est_after <= tokens
    assert "budget_unmet" not in result.warnings
    assert result.stats.tokens_est_after >= 0.8 * tokens  # a ceiling, not an excuse to keep little


async def test_64_bit_max_integer_options_read_as_no_limit(service: PrunerService) -> None:
    """``Long.MAX_VALUE`` is how many clients say "no limit": accepted, and nothing overflows."""
    big = 2**63 - 1
    text = _many_small_functions(True)
    result = await service.prune_text(
        {"text": text, "goal_hint": "f3", "options": {"timeout_ms": big, "token_budget": big}}
    )
    assert "internal_error" not in result.warnings
    assert result.stats.tokens_est_after <= result.stats.tokens_est_before
    kept_all = await service.prune_text({"text": text, "goal_hint": "f3", "options": {"min_keep_lines": big}})
    assert kept_all.pruned_text == text


@pytest.mark.parametrize("ends_with_newline", [True, False])
async def test_token_budget_of_the_whole_text_keeps_it_without_a_false_budget_unmet(
    service: PrunerService, ends_with_newline: bool
) -> None:
    """Regression guard: the ceiling counted a trailing newline the output does not have."""
    text = "\n".join(f"def f{i}(x):\n    return x + {i}" for i in range(40)) + (
        "\n" if ends_with_newline else ""
    )
    whole = count_tokens(text)
    result = await service.prune_text(
        {"text": text, "goal_hint": "f3", "options": {"token_budget": whole, "max_prune_ratio": 0.9}}
    )
    assert result.warnings == []
    assert result.pruned_text == text


async def test_token_budget_the_hard_bounds_cannot_meet_is_reported(service: PrunerService) -> None:
    """The default max_prune_ratio keeps more than 120 tokens of this text: said, not hidden."""
    result = await service.prune_text(
        {"text": _many_small_functions(True), "goal_hint": "", "options": {"token_budget": 120}}
    )
    assert result.stats.tokens_est_after > 120
    assert "budget_unmet" in result.warnings


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("\n" * 500, {"keep_ratio": 0.3}),  # 386 blank lines went for one marker dearer than them
        ("\n" * 500, {}),
        ("x = 1\n" * 3, {"token_budget": 5}),  # a budget smaller than one marker
    ],
)
async def test_pruning_never_returns_more_tokens_than_the_text(
    service: PrunerService, text: str, options: dict[str, object]
) -> None:
    """Regression guard: a text whose removed lines cost less than their marker came back longer
    (500 blank lines: 32 tokens in, 40 out), or as one marker of the text's own size."""
    opts: dict[str, object] = {"max_prune_ratio": 1.0, "min_keep_lines": 0, **options}
    result = await service.prune_text({"text": text, "goal_hint": "anything", "options": opts})
    assert result.stats.tokens_est_after <= result.stats.tokens_est_before
    assert result.pruned_text == text
    assert result.annotations == []
    assert result.stats.pruned_lines == 0
    assert ("budget_unmet" in result.warnings) == bool(options)
    assert await recover_all(service, result.prune_id) == text.removesuffix("\n")


async def test_annotated_text_is_left_whole_when_pruning_would_not_shorten_it(
    service: PrunerService,
) -> None:
    """With line numbers the whole text costs more than the original: pruning is kept when it is
    the shorter of the two, and the whole numbered text only when pruning saves nothing."""
    text = "\n" * 300
    opts = {"keep_ratio": 0.3, "max_prune_ratio": 1.0, "min_keep_lines": 0, "annotate_lines": True}
    result = await service.prune_text({"text": text, "goal_hint": "x", "options": opts})
    whole = "".join(f"{i}│ \n" for i in range(1, 301))
    assert count_tokens(result.pruned_text) <= count_tokens(whole)


@pytest.mark.parametrize("min_keep", [0, 150, 249, 250, 10_000])
async def test_min_keep_lines_is_a_hard_bound(service: PrunerService, min_keep: int) -> None:
    text = synthetic_python(25)
    n = len(lines_of(text))
    assert n == 250
    result = await service.prune_text(
        {
            "text": text,
            "goal_hint": "func_3",
            "options": {"max_prune_ratio": 1.0, "min_keep_lines": min_keep, "token_budget": 50},
        }
    )
    assert result.stats.kept_lines >= min(n, min_keep)
    if min_keep >= n:
        assert result.pruned_text == text


async def test_trailing_newline_is_kept_when_something_is_kept(service: PrunerService) -> None:
    for text in (synthetic_python(10), synthetic_python(10).removesuffix("\n")):
        result = await service.prune_text({"text": text, "goal_hint": "func_1"})
        assert result.pruned_text.endswith("\n") == text.endswith("\n")


# --------------------------------------------------------------------------------------------------
# Fail-open
# --------------------------------------------------------------------------------------------------
async def test_timeout_is_fail_open_with_text_unchanged(service: PrunerService) -> None:
    text = synthetic_python(200)
    result = await service.prune_text({"text": text, "goal_hint": "func_1", "options": {"timeout_ms": 1}})
    assert "timeout" in result.warnings
    assert result.stats.used_fallback is True
    assert result.pruned_text == text
    assert result.annotations == []
    assert await recover_all(service, result.prune_id) == text.removesuffix("\n")


async def test_short_timeout_leaves_a_small_text_time_to_be_pruned(service: PrunerService) -> None:
    """The time kept back to render and store grows with the text: a fixed 50 ms made every
    ``timeout_ms`` up to 51 time out, even on a few lines."""
    text = "def a():\n    return 1\n\ndef b():\n    return 2\n"
    await service.prune_text({"text": text, "goal_hint": "b"})  # loads the tokenizer and parsers
    result = await service.prune_text({"text": text, "goal_hint": "b", "options": {"timeout_ms": 40}})
    assert "timeout" not in result.warnings
    assert result.stats.engine == "heuristic"


async def test_slow_engine_is_cut_at_the_deadline(
    service: PrunerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(
        lines: Sequence[str], goal: str, source_type: SourceType | None, budget: Budget, deadline: float
    ) -> BackendOutcome:
        await anyio.sleep(30)
        raise AssertionError("not reached")

    monkeypatch.setattr(service.manager, "prune", slow)
    text = "a\nb\nc\nd\ne\nf\ng\n"
    with anyio.fail_after(10):
        result = await service.prune_text({"text": text, "goal_hint": "", "options": {"timeout_ms": 300}})
    assert result.warnings == ["timeout"]
    assert result.stats.used_fallback is True
    assert result.pruned_text == text
    assert result.stats.elapsed_ms < 5000
    assert await recover_all(service, result.prune_id) == text.removesuffix("\n")


async def test_engine_exception_is_fail_open(service: PrunerService, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(
        lines: Sequence[str], goal: str, source_type: SourceType | None, budget: Budget, deadline: float
    ) -> BackendOutcome:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(service.manager, "prune", broken)
    text = synthetic_python(3)
    result = await service.prune_text({"text": text, "goal_hint": "x"})
    assert result.pruned_text == text
    assert result.stats.used_fallback is True
    assert result.warnings
    assert await recover_all(service, result.prune_id) == text.removesuffix("\n")


@pytest.mark.parametrize(
    ("keep", "blocks"),
    [
        ([False] * 10, [RemovedBlock(1, 10, "everything")]),  # beyond max_prune_ratio 0.9 / min_keep_lines 5
        ([True] * 9, []),  # wrong length
        ([True] * 5 + [False] + [True] * 4, []),  # a removed line without a block
        ([True] * 10, [RemovedBlock(3, 4, "phantom")]),  # a block over kept lines
        ([True] * 4 + [False] * 2 + [True] * 4, [RemovedBlock(5, 5, "short")]),  # block shorter than the run
    ],
    ids=["too-many-removed", "wrong-length", "missing-block", "phantom-block", "block-mismatch"],
)
async def test_engine_breaking_an_invariant_returns_text_unchanged(
    service: PrunerService, monkeypatch: pytest.MonkeyPatch, keep: list[bool], blocks: list[RemovedBlock]
) -> None:
    install_engine(monkeypatch, service, fake_outcome(keep, blocks))
    text = "".join(f"line {i}\n" for i in range(1, 11))
    result = await service.prune_text({"text": text, "goal_hint": ""})
    assert result.warnings == ["constraints_unmet"]
    assert result.stats.used_fallback is True
    assert result.pruned_text == text
    assert result.annotations == []
    assert result.stats.kept_lines == 10
    assert await recover_all(service, result.prune_id) == text.removesuffix("\n")


async def test_sound_fake_selection_is_rendered_as_given(
    service: PrunerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep = [True, True, False, False, False, True, True, True, True, False]
    install_engine(
        monkeypatch,
        service,
        fake_outcome(keep, [RemovedBlock(3, 5, "helpers ⟧ odd\nreason"), RemovedBlock(10, 10, "")]),
    )
    # The removed lines are long: their markers save tokens (else the whole text comes back).
    text = "".join(f"line {i}" + ("" if k else " word" * 60) + "\n" for i, k in enumerate(keep, 1))
    result = await service.prune_text(
        {"text": text, "goal_hint": "", "options": {"max_prune_ratio": 0.4, "min_keep_lines": 6}}
    )
    pid = result.prune_id
    assert result.pruned_text == (
        "line 1\nline 2\n"
        f"⟦PRUNÉ: prune_id={pid} lignes 3-5 (3) raison=helpers ] odd reason⟧\n"
        "line 6\nline 7\nline 8\nline 9\n"
        f"⟦PRUNÉ: prune_id={pid} lignes 10-10 (1) raison=low relevance⟧\n"
    )
    assert [
        (a.original_start_line, a.original_end_line, a.pruned_line_count) for a in result.annotations
    ] == [
        (3, 5, 3),
        (10, 10, 1),
    ]
    assert result.warnings == []
    assert result.stats.engine == "fake"


async def test_store_unavailable_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    service = PrunerService(make_settings(tmp_path, MCP_PRUNER_STORE_PATH=str(blocker / "store.sqlite3")))
    try:
        service.open_store()  # logs, does not raise
        text = "one\ntwo\n"
        result = await service.prune_text({"text": text, "goal_hint": ""})
        assert "store_unavailable" in result.warnings
        assert result.pruned_text == text
        assert await recover_all(service, result.prune_id) == "one\ntwo"
        health = await service.health(None)
        assert health.status == "degraded"
    finally:
        await service.aclose()


async def test_memory_fallback_store_is_bounded_by_store_max_bytes(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    settings = make_settings(
        tmp_path, MCP_PRUNER_STORE_PATH=str(blocker / "store.sqlite3"), MCP_PRUNER_STORE_MAX_BYTES="4096"
    )
    service = PrunerService(settings)
    try:
        texts = [f"text {k}\n" + "x" * 1500 + "\n" for k in range(6)]
        ids = []
        for text in texts:
            result = await service.prune_text({"text": text, "goal_hint": ""})
            assert "store_unavailable" in result.warnings
            ids.append(result.prune_id)
        with pytest.raises(PruneIdNotFound):
            await recover_all(service, ids[0])  # the oldest went first
        for pid, text in zip(ids[-2:], texts[-2:], strict=True):
            assert await recover_all(service, pid) == text.rstrip("\n")
    finally:
        await service.aclose()


# --------------------------------------------------------------------------------------------------
# Stats and metrics
# --------------------------------------------------------------------------------------------------
async def test_stats_arithmetic(service: PrunerService) -> None:
    text = synthetic_python(30)
    result = await service.prune_text({"text": text, "goal_hint": "func_8", "source_type": "code"})
    s = result.stats
    n = len(lines_of(text))
    assert s.backend == "heuristic"
    assert s.original_lines == n
    assert s.kept_lines + s.pruned_lines == n
    assert s.pruned_lines == sum(a.pruned_line_count for a in result.annotations)
    assert s.pruned_ratio == round(s.pruned_lines / n, 4)
    assert s.tokens_est_before == count_tokens(text)
    assert s.tokens_est_after == count_tokens(result.pruned_text)
    assert s.tokens_saved_est == max(0, s.tokens_est_before - s.tokens_est_after)
    assert s.tokens_saved_est > 0
    assert s.cost_estimated_usd == 0.0
    assert s.latency_ms == s.elapsed_ms >= 0
    assert s.source_type == "code"


async def test_tokens_saved_is_never_negative(
    service: PrunerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Line numbers make even the whole text dearer than the original: no negative saving."""
    install_engine(
        monkeypatch, service, fake_outcome([True] * 9 + [False], [RemovedBlock(10, 10, "x")], cost=-1.0)
    )
    text = "".join(f"{i}\n" for i in range(10))
    result = await service.prune_text({"text": text, "goal_hint": "", "options": {"annotate_lines": True}})
    s = result.stats
    assert s.tokens_est_after > s.tokens_est_before
    assert s.tokens_saved_est == 0
    assert s.cost_estimated_usd == 0.0


async def test_empty_text(service: PrunerService) -> None:
    result = await service.prune_text({"text": "", "goal_hint": "anything"})
    assert result.pruned_text == ""
    assert result.annotations == []
    assert (result.stats.original_lines, result.stats.kept_lines, result.stats.pruned_lines) == (0, 0, 0)
    assert result.stats.pruned_ratio == 0.0
    recovered = await service.recover_text({"prune_id": result.prune_id})
    assert recovered.raw_text == ""
    assert recovered.metadata.total_lines == 0
    assert recovered.metadata.ranges == []
    with pytest.raises(InvalidRange) as info:
        await service.recover_text(
            {"prune_id": result.prune_id, "ranges": [{"start_line": 1, "end_line": 1}]}
        )
    assert info.value.max_line == 0


async def test_health_metrics_count_prune_calls(service: PrunerService) -> None:
    first = await service.health(None)
    assert first.status == "healthy"
    assert first.metrics.calls_total == 0
    assert first.metrics.cost_estimated_total_usd == 0.0
    made = await service.prune_text({"text": "a\nb\n", "goal_hint": ""})
    await service.prune_text({"text": "c\nd\n", "goal_hint": "", "options": {"timeout_ms": 1}})
    await service.recover_text({"prune_id": made.prune_id})
    with pytest.raises(InvalidParams):
        await service.prune_text({"text": 1, "goal_hint": ""})
    with pytest.raises(PruneIdNotFound):
        await service.recover_text({"prune_id": "prn_unknown"})
    health = await service.health({})
    m = health.metrics
    assert m.calls_total == 2
    assert m.calls_deepinfra == 0
    assert m.fallbacks_deepinfra == 0
    assert m.fallback_rate_deepinfra == 0.0
    dumped = health.model_dump()
    assert dumped["capabilities"] == ["prune_text", "recover_text", "annotations", "markers"]
    assert dumped["server"] == "mcp-pruner"


async def test_recover_ranges_in_the_order_given_with_line_numbers(service: PrunerService) -> None:
    text = "l1\r\nl2\t\nl3  \n😀\n\nl6"
    made = await service.prune_text({"text": text, "goal_hint": ""})
    got = await service.recover_text(
        {
            "prune_id": made.prune_id,
            "ranges": [{"start_line": 4, "end_line": 9}, {"start_line": 1, "end_line": 2}],
            "include_line_numbers": True,
        }
    )
    assert got.raw_text == "4│ 😀\n5│ \n6│ l6\n1│ l1\r\n2│ l2\t"
    assert [r.model_dump() for r in got.metadata.ranges] == [
        {"start_line": 4, "end_line": 6},
        {"start_line": 1, "end_line": 2},
    ]
    assert got.metadata.text_ends_with_newline is False


async def test_recover_answer_size_is_bounded_whatever_the_ranges_repeat(service: PrunerService) -> None:
    """2,000 copies of a whole text is refused naming the range that crosses the bound; the store
    still serves the text, and overlapping ranges within the bound are answered in full."""
    text = "\n".join(f"line {i:05d} " + "x" * 40 for i in range(5000))
    made = await service.prune_text({"text": text, "goal_hint": ""})
    whole = {"start_line": 1, "end_line": 5000}
    with pytest.raises(InvalidParams) as err:
        await service.recover_text({"prune_id": made.prune_id, "ranges": [whole] * 2000})
    assert err.value.field.startswith("ranges[")
    twice = await service.recover_text(
        {"prune_id": made.prune_id, "ranges": [whole, whole], "include_line_numbers": True}
    )
    assert len(twice.raw_text.split("\n")) == 10_000
    assert (await recover_all(service, made.prune_id)) == text


async def test_recover_of_every_line_numbered_is_never_refused(service: PrunerService) -> None:
    """Line numbers can outweigh short lines (``999000│ a``): the bound counts them."""
    text = "a\n" * 200_000
    made = await service.prune_text({"text": text, "goal_hint": ""})
    for ranges in (None, [{"start_line": 1, "end_line": 200_000}] * 2):
        args: dict[str, object] = {"prune_id": made.prune_id, "include_line_numbers": True}
        if ranges is not None:
            args["ranges"] = ranges
        got = await service.recover_text(args)
        assert got.raw_text.startswith("1│ a\n2│ a\n")
