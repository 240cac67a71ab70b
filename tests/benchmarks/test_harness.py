"""Smoke test of the benchmark harness on synthetic in-memory cases (never reads ../shared/bench)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `benchmarks` lives at the repo root, outside the installed package
    sys.path.insert(0, str(ROOT))

from benchmarks._baselines import bm25_path, first_n_path, fit  # noqa: E402
from benchmarks._bm25 import bm25_scores, terms  # noqa: E402
from benchmarks._data import FRAGMENT_MIN_LINES, Case, fragment, split_lines, stride_sample  # noqa: E402
from benchmarks._render import blocks_from_keep, render_keep, server_render  # noqa: E402
from mcp.types import CallToolResult, TextContent  # noqa: E402

from benchmarks import quality, speed  # noqa: E402
from mcp_pruner._contract import SourceType  # noqa: E402
from mcp_pruner._errors import JSONValue  # noqa: E402
from mcp_pruner._tokens import count_line_tokens, count_tokens  # noqa: E402
from mcp_pruner.engine import Selection  # noqa: E402


def _code_case(n: int = 120) -> Case:
    lines = [f"def helper_{i}(value):\n    return value + {i}" for i in range(n // 2)]
    text = "\n".join(lines) + "\n"
    body = split_lines(text)
    target = body.index("def helper_40(value):") + 1
    return Case(
        id="synthetic/code",
        repo="synthetic/repo",
        language="python",
        source_type="code",
        goal="fix helper_40 returning the wrong value",
        text=text,
        gold_lines=(target, target + 1),
        hunks=((target, target + 1),),
    )


def _log_case() -> Case:
    lines = [f"2024-01-01 10:00:{i % 60:02d} INFO worker started task {i}" for i in range(200)]
    lines[150] = "2024-01-01 10:02:30 ERROR worker crashed: connection refused"
    return Case(
        "synthetic/log",
        "synthetic/logs",
        "log",
        "logs",
        "find the errors",
        "\n".join(lines),
        (151,),
        ((151,),),
    )


def test_split_lines_trailing_newline_opens_no_line() -> None:
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("") == []
    assert split_lines("a\n\n") == ["a", ""]


def test_metrics() -> None:
    keep = [True, False, True, True]
    assert quality.recall([1, 2, 3], keep) == pytest.approx(2 / 3)
    assert quality.recall([], keep) == 1.0
    assert quality.hunk_recall([[1, 3], [2, 4]], keep) == 0.5
    assert quality.reduction(200, 50) == pytest.approx(0.75)
    assert quality.reduction(0, 0) == 0.0


def test_bm25_terms_and_scores() -> None:
    assert terms("parseHTTPHeader_value x") == ["parse", "http", "header", "value"]
    scores = bm25_scores(["alpha beta", "gamma", "beta beta delta"], "beta")
    assert scores[1] == 0.0
    assert scores[0] > 0
    assert scores[2] > 0


def test_markers_are_rendered_and_counted() -> None:
    lines = ["a", "b", "c", "d"]
    keep = [True, False, False, True]
    assert [(b.start, b.end) for b in blocks_from_keep(keep, "r")] == [(2, 3)]
    text = render_keep(lines, keep, "r")
    assert text.split("\n")[0] == "a"
    assert "lignes 2-3 (2) raison=r" in text.split("\n")[1]
    assert text.split("\n")[2] == "d"


@pytest.mark.parametrize("ends_nl", [False, True])
def test_lean_renderer_matches_the_server_renderer(ends_nl: bool) -> None:
    lines = [f"line {i}" for i in range(30)]
    keep = [i % 7 in (0, 1) or i > 27 for i in range(30)]
    blocks = blocks_from_keep(keep, "low bm25 score")
    expected = server_render(lines, ends_nl, Selection(keep, blocks, SourceType.CODE))
    assert render_keep(lines, keep, "low bm25 score", ends_nl) == expected


@pytest.mark.parametrize("window", [0, 3])
def test_bm25_baseline_respects_the_budget(window: int) -> None:
    case = _code_case()
    lines = split_lines(case.text)
    path = bm25_path(lines, count_line_tokens(lines), case.goal, window)
    for budget in (40, 150, 400, count_tokens(case.text)):
        fitted = fit(path, budget)
        assert fitted.tokens == count_tokens(fitted.text) <= budget
        assert not fitted.over_budget
    assert fit(path, 150).keep[case.gold_lines[0] - 1]  # the best BM25 line comes first


def test_first_n_respects_the_budget_and_pays_its_marker() -> None:
    case = _code_case()
    lines = split_lines(case.text)
    fitted = fit(first_n_path(lines, count_line_tokens(lines)), 100)
    assert fitted.tokens <= 100
    assert fitted.text.split("\n")[-1].startswith("⟦PRUNÉ:")
    kept = sum(fitted.keep)
    assert 0 < kept < len(lines)
    assert fitted.keep == [True] * kept + [False] * (len(lines) - kept)
    assert fit(first_n_path(lines, count_line_tokens(lines)), 5).over_budget  # a marker alone does not fit


def test_evaluate_case_and_aggregate_on_synthetic_cases() -> None:
    cases = [_code_case(), _code_case(100), _log_case()]
    results = [quality.evaluate_case(c, ("keep_0.3", "adaptive")) for c in cases]
    for res in results:
        for mode in ("keep_0.3", "adaptive"):
            row = res.modes[mode]
            assert isinstance(row, quality.ModeRun), row
            for name in ("bm25_w3", "bm25", "first_n"):
                base = row.baselines[name]
                assert base.metrics.tokens <= row.engine.metrics.tokens or base.over_budget
                assert 0.0 <= base.metrics.recall <= 1.0
    summary = quality.aggregate(results, ("keep_0.3", "adaptive"))
    assert summary.cases == 3
    assert set(summary.modes["keep_0.3"].systems) >= {"engine", "bm25_w3", "bm25", "first_n"}


def _obj(value: JSONValue) -> dict[str, JSONValue]:
    assert isinstance(value, dict)
    return value


def test_results_json_keeps_its_layout() -> None:
    """The results files are read by people and scripts: the typed rows write the keys they always had."""
    res = quality.evaluate_case(_log_case(), ("keep_0.3",))
    case = res.to_json()
    assert list(case) == ["id", "repo", "language", "source_type", "n_lines", "size", "tokens", "modes"]
    row = _obj(_obj(case["modes"])["keep_0.3"])
    assert list(row) == ["engine", "bm25_w3", "bm25", "first_n"]
    engine = ["recall", "hunk_recall", "reduction", "tokens"]
    assert list(_obj(row["engine"])) == [*engine, "ms", "kept_lines", "blocks", "consistent"]
    assert list(_obj(row["bm25"])) == [*engine, "over_budget"]
    agg = quality.aggregate([res], ("keep_0.3",)).to_json()
    assert list(agg) == ["cases", "keep_0.3"]
    mode = _obj(agg["keep_0.3"])
    assert list(mode) == ["errors", "inconsistent", "engine_ms_median", *row]
    assert list(_obj(mode["engine"])) == ["recall", "hunk_recall", "reduction"]
    assert list(_obj(mode["first_n"])) == ["recall", "hunk_recall", "reduction", "over_budget"]
    assert speed.Skipped("--skip-stdio").to_json() == {"skipped": "--skip-stdio"}
    assert speed.Skipped("failed", stderr_tail="").to_json() == {"skipped": "failed", "stderr_tail": ""}


def test_tool_json_prefers_structured_content_then_reads_the_text_block() -> None:
    assert speed._tool_json(CallToolResult(content=[], structured_content={"a": 1})) == {"a": 1}
    assert speed._tool_json(CallToolResult(content=[TextContent(text='{"b": 2}')])) == {"b": 2}
    with pytest.raises(RuntimeError, match="tool error"):
        speed._tool_json(CallToolResult(content=[TextContent(text="boom")], is_error=True))


def test_size_buckets_are_reported_in_size_order() -> None:
    sizes = [1, 200, 201, 500, 501, 1000, 1001, 50_000]
    labels = [quality.size_bucket(n) for n in sizes]
    assert labels == [
        "≤ 200 lines",
        "≤ 200 lines",
        "201–500 lines",
        "201–500 lines",
        "501–1,000 lines",
        "501–1,000 lines",
        "> 1,000 lines",
        "> 1,000 lines",
    ]
    res = quality.evaluate_case(_code_case(), ("keep_0.3",))
    assert res.size == quality.size_bucket(res.n_lines)
    results = [replace(res, size=quality.size_bucket(n)) for n in reversed(sizes)]
    groups = quality._by_size(results, ())
    assert list(groups) == ["≤ 200 lines", "201–500 lines", "501–1,000 lines", "> 1,000 lines"]
    assert [g.cases for g in groups.values()] == [2, 2, 2, 2]


def test_budget_modes() -> None:
    assert quality.budget_for("keep_0.3").keep_ratio == 0.3
    adaptive = quality.budget_for("adaptive")
    assert adaptive.keep_ratio is None
    assert adaptive.token_budget is None
    assert adaptive.max_prune_ratio == 1.0
    with pytest.raises(ValueError, match="unknown mode"):
        quality.budget_for("fast")


def test_stride_sample_is_deterministic() -> None:
    assert stride_sample(list(range(10)), 3) == [0, 3, 6]
    assert stride_sample([1, 2], 5) == [1, 2]


def test_fragment_holds_the_gold_lines_and_is_stable() -> None:
    case = _code_case(600)
    frag = fragment(case)
    assert frag is not None
    assert frag == fragment(case)  # seeded by the case id: every run measures the same window
    whole, part = split_lines(case.text), split_lines(frag.text)
    assert FRAGMENT_MIN_LINES <= len(part) <= len(whole)
    start = int(frag.id.rsplit("#L", 1)[1].split("-")[0])
    assert part == whole[start - 1 : start - 1 + len(part)]
    assert [part[g - 1] for g in frag.gold_lines] == [whole[g - 1] for g in case.gold_lines]
    assert frag.hunks == (frag.gold_lines,)
    assert fragment(_code_case(120)) is None  # a short file gives no fragment


def test_speed_concat_of_only_empty_texts_returns_instead_of_cycling() -> None:
    assert speed._concat(["", ""], max_chars=100) == []
    assert speed._concat([], max_chars=100) == []
    assert speed._concat(["a\nbb", ""], max_chars=10) == ["a", "bb", "a", "bb"]


def _timing(name: str, source_type: str, chars: int, seconds: float, peak: int) -> speed.InputTiming:
    return speed.InputTiming(
        input=name,
        source_type=source_type,
        lines=0,
        chars=chars,
        tokens=0,
        repeats=1,
        engine_s=seconds,
        engine_all_s=[seconds],
        bm25_w3_s=seconds,
        bm25_w3_all_s=[seconds],
        time_ratio=1.0,
        engine_peak_bytes=peak,
        bm25_w3_peak_bytes=peak,
        memory_ratio=1.0,
    )


def test_speed_targets_are_checked_on_the_rows_they_name() -> None:
    rows = [
        _timing("python 200 lines", "code", 5_000, 0.002, 90_000),
        _timing("python 2,000 lines", "code", 70_000, 0.009, 1_200_000),
        _timing("rust 2,000 lines", "code", 70_000, 0.012, 1_300_000),
        _timing("python 2,000,000 chars", "code", 2_000_000, 0.6, 34_000_000),
        _timing("python tiny functions 2,000,000 chars", "code", 2_000_000, 2.3, 110_000_000),
        _timing("logs 2,000,000 chars", "logs", 2_000_000, 0.4, 9_000_000),
    ]
    checks = {c.target.split(" (")[0]: c for c in speed.check_targets(rows)}
    two_k = checks["a 2,000-line code file in ≤ 10 ms in process"]
    assert two_k.result == "FAIL"
    assert two_k.measured is not None
    assert "rust 2,000 lines 12.0 ms" in two_k.measured
    assert checks["2,000,000 characters in ≤ 1 s, every shape"].result == "FAIL"  # the tiny functions
    assert checks["logs as fast as code"].result == "PASS"
    assert checks["memory linear in the input"].result.startswith("PASS")  # 17-18 bytes a character
    assert [c.result for c in speed.check_targets([])] == ["n/a"] * 4


def test_phase_timings_time_each_step_and_the_table_sets_them_beside_bm25(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(speed, "_PHASE_TOTAL_S", 0.0)  # one run of each step
    case = _code_case()
    python = speed.Input("python 2,000 lines", "code", case.goal, split_lines(case.text))
    plain = speed.Input("text 2,000 lines", "code", "helper", ["alpha beta", "  gamma delta"] * 40)
    assert speed._phase_inputs([python, plain, replace(python, name="python 200 lines")]) == [python, plain]
    phases = [speed.measure_phases(python, 1), speed.measure_phases(plain, 1)]
    step = phases[0]
    assert (step.parser, phases[1].parser) == ("python", "indent")  # no grammar takes the plain text
    assert 0.0 < step.tokens_s < step.analysis_s
    assert 0.0 < step.parse_s <= step.structure_s * 3  # each step timed alone: medians, not sums
    assert step.selection_s > 0.0
    steps = ["tokens_s", "parse_s", "structure_s", "analysis_s", "selection_s", "render_s"]
    assert list(step.to_json()) == ["input", "repeats", "parser", *steps]
    table = speed._phase_table(phases, [_timing("python 2,000 lines", "code", 70_000, 0.02, 1)])
    rows = [line for line in table if line.startswith(("| python", "| text"))]
    assert len(rows) == 2
    assert rows[0].endswith("| 20.0 ms |")  # BM25 ±3's whole job on the same input
    assert "(python)" in rows[0]
    assert "(indent)" in rows[1]
    assert rows[1].endswith("| – |")  # no BM25 row of that name
    assert speed._phase_table([], []) == []
