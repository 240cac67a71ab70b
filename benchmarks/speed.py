"""Speed benchmark: engine latency and peak memory next to BM25 ±3 on the same input, MCP stdio, store.

Run from the repo root: ``python -m benchmarks speed [--write-readme]`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult, TextContent

from mcp_pruner._contract import PruneResult, RecoverResult, SourceType
from mcp_pruner._errors import JSONValue
from mcp_pruner._tokens import count_line_tokens, count_tokens, warm_up
from mcp_pruner.engine import Budget, analyze, prune_lines, select
from mcp_pruner.engine._code import _parse as parse_code
from mcp_pruner.engine._code import code_structure

from ._baselines import BM25_WINDOW, bm25_path
from ._data import CODE_FILE, LOGS_FILE, REPO_ROOT, Case, data_dir, load_cases, split_lines
from ._readme import code_fingerprint, replace_section, write_json
from ._render import render_keep, server_render
from .quality import TargetCheck, targets_table

__all__ = [
    "Input",
    "InputTiming",
    "PhaseTiming",
    "Skipped",
    "SpeedReport",
    "StdioTiming",
    "StoreTiming",
    "add_arguments",
    "build_inputs",
    "check_targets",
    "execute",
    "main",
    "measure_phases",
    "run",
]

KEEP_RATIO: Final = 0.3
CODE_SIZES: Final = (200, 2_000, 20_000)
BIG_CHARS: Final = 2_000_000
STORE_CHARS: Final = 1_000_000
FALLBACK_GOAL: Final = "fix the token budget when markers are included"
_MAX_REPEATS: Final = 50
TARGET_2K_S: Final = 0.010
TARGET_BIG_S: Final = 1.0
LINEAR_SPREAD: Final = 2.0
"""Memory counts as linear when the peak per character of the Python inputs (200 lines to 2,000,000
characters, the same kind of text at sizes 400 times apart) stays within this factor."""
_MIN_TOTAL_S: Final = 1.0
_PHASE_TOTAL_S: Final = 0.3
"""Each step of :func:`measure_phases` runs until about this long (``--repeats`` times at least)."""


@dataclass(frozen=True, slots=True)
class Input:
    """One timed input."""

    name: str
    source_type: str
    goal: str
    lines: list[str]

    @property
    def chars(self) -> int:
        return sum(len(line) for line in self.lines) + max(0, len(self.lines) - 1)


@dataclass(frozen=True, slots=True)
class InputTiming:
    """Engine and BM25 ±3 on one input: median and all run times (s), peak traced bytes, and their ratios."""

    input: str
    source_type: str
    lines: int
    chars: int
    tokens: int
    repeats: int
    engine_s: float
    engine_all_s: Sequence[float]
    bm25_w3_s: float
    bm25_w3_all_s: Sequence[float]
    time_ratio: float | None
    engine_peak_bytes: int
    bm25_w3_peak_bytes: int
    memory_ratio: float | None

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "input": self.input,
            "source_type": self.source_type,
            "lines": self.lines,
            "chars": self.chars,
            "tokens": self.tokens,
            "repeats": self.repeats,
            "engine_s": self.engine_s,
            "engine_all_s": [*self.engine_all_s],
            "bm25_w3_s": self.bm25_w3_s,
            "bm25_w3_all_s": [*self.bm25_w3_all_s],
            "time_ratio": self.time_ratio,
            "engine_peak_bytes": self.engine_peak_bytes,
            "bm25_w3_peak_bytes": self.bm25_w3_peak_bytes,
            "memory_ratio": self.memory_ratio,
        }


@dataclass(frozen=True, slots=True)
class PhaseTiming:
    """Where the engine's time goes on one code input: the median seconds of each step run alone.

    ``analysis_s`` holds ``tokens_s`` and ``structure_s``, which holds ``parse_s``: the language guess
    and tree-sitter's parse, query and walk over the definitions, or the indentation fallback when no
    grammar takes the text (``parser`` says which: a language, or ``indent``).
    """

    input: str
    repeats: int
    parser: str
    tokens_s: float
    parse_s: float
    structure_s: float
    analysis_s: float
    selection_s: float
    render_s: float

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "input": self.input,
            "repeats": self.repeats,
            "parser": self.parser,
            "tokens_s": self.tokens_s,
            "parse_s": self.parse_s,
            "structure_s": self.structure_s,
            "analysis_s": self.analysis_s,
            "selection_s": self.selection_s,
            "render_s": self.render_s,
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """A measurement that did not run, and why (with the server's last words when it failed)."""

    reason: str
    stderr_tail: str | None = None

    def to_json(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"skipped": self.reason}
        if self.stderr_tail is not None:
            out["stderr_tail"] = self.stderr_tail
        return out


@dataclass(frozen=True, slots=True)
class PruneCalls:
    """``prune_text`` over stdio: the first call, then ``calls`` more (wall time client side, latency server
    side); the last call's id and text, for :func:`_recover_calls`."""

    calls: int
    first_s: float
    stats: Mapping[str, JSONValue]
    median_s: float | None
    server_latency_ms_median: float | None
    warnings: Sequence[str]
    last_prune_id: str
    last_text: str


@dataclass(frozen=True, slots=True)
class RecoverCalls:
    """``recover_text`` of every line: median time, and whether the text came back exactly."""

    median_s: float
    exact: bool


@dataclass(frozen=True, slots=True)
class StdioTiming:
    """Round trips over MCP stdio against ``mcp-pruner serve``."""

    command: str
    initialize_s: float
    tools_list_s: float
    tools: Sequence[str]
    prune: PruneCalls
    recover: RecoverCalls

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "command": self.command,
            "initialize_s": self.initialize_s,
            "tools_list_s": self.tools_list_s,
            "tools": [*self.tools],
            "prune_calls": self.prune.calls,
            "prune_first_s": self.prune.first_s,
            "prune_stats": dict(self.prune.stats),
            "prune_median_s": self.prune.median_s,
            "prune_server_latency_ms_median": self.prune.server_latency_ms_median,
            "prune_warnings": [*self.prune.warnings],
            "recover_median_s": self.recover.median_s,
            "recover_exact": self.recover.exact,
        }


@dataclass(frozen=True, slots=True)
class StoreTiming:
    """put / get of one text through the recovery store: medians in seconds."""

    chars: int
    bytes_utf8: int
    repeats: int
    put_new_s: float
    put_same_s: float
    get_cold_s: float
    get_warm_s: float

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "chars": self.chars,
            "bytes_utf8": self.bytes_utf8,
            "repeats": self.repeats,
            "put_new_s": self.put_new_s,
            "put_same_s": self.put_same_s,
            "get_cold_s": self.get_cold_s,
            "get_warm_s": self.get_warm_s,
        }


@dataclass(frozen=True, slots=True)
class SpeedMeta:
    """When, where and on which code."""

    date: str
    machine: str
    repeats: int
    keep_ratio: float
    code: Mapping[str, str]

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "date": self.date,
            "machine": self.machine,
            "repeats": self.repeats,
            "keep_ratio": self.keep_ratio,
            "code": dict(self.code),
        }


@dataclass(frozen=True, slots=True)
class SpeedReport:
    """A whole run: what ``benchmarks/results/speed.json`` holds, and what the tables are drawn from."""

    meta: SpeedMeta
    engine: Sequence[InputTiming]
    phases: Sequence[PhaseTiming]
    stdio_input: str
    stdio: StdioTiming | Skipped
    store: StoreTiming | Skipped
    notes: Sequence[str]

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "meta": self.meta.to_json(),
            "engine": [row.to_json() for row in self.engine],
            "phases": [row.to_json() for row in self.phases],
            "stdio_input": self.stdio_input,
            "stdio": self.stdio.to_json(),
            "store": self.store.to_json(),
            "notes": [*self.notes],
        }


# ---------------------------------------------------------------- inputs


def _concat(texts: Sequence[str], max_chars: int) -> list[str]:
    """Lines of ``texts`` one after the other (cycling if needed), cut at a char count.

    Texts without a line (all empty) cannot fill anything: they give no lines instead of cycling forever.
    """
    out: list[str] = []
    chars = 0
    while any(split_lines(text) for text in texts):
        for text in texts:
            for line in split_lines(text):
                if chars + len(line) + 1 > max_chars:
                    return out
                out.append(line)
                chars += len(line) + 1
    return out


def _whole_files(
    texts: Sequence[str], *, max_lines: int | None = None, max_chars: int | None = None
) -> list[str]:
    """Whole files, in order, skipping those that do not fit, until the size is (nearly) reached.

    A file cut at an exact size ends inside a function: tree-sitter then rejects the whole parse
    and the indentation fallback runs after it. That is the cost of a pasted fragment (the quality
    benchmark's fragments suite), not of files; so code sizes here are "about N".
    """
    out: list[str] = []
    chars = 0
    line_cap = max_lines if max_lines is not None else math.inf
    char_cap = max_chars if max_chars is not None else math.inf
    for text in texts:
        lines = split_lines(text)
        size = sum(len(line) + 1 for line in lines)
        if len(out) + len(lines) <= line_cap and chars + size <= char_cap:
            out.extend(lines)
            chars += size
        if len(out) >= 0.98 * line_cap or chars >= 0.98 * char_cap:
            break
    return out


def _repo_files() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "src").rglob("*.py"))]


def _tiny_functions(max_chars: int) -> list[str]:
    """Python made of one-line functions (``def fK(x):``, ``return x + K``, a blank line), cut to
    ``max_chars``: the most definitions a text of that size holds, and what the engine pays per
    definition (tree-sitter nodes, scopes, units) at its highest."""
    k = 0
    chars = 0
    out: list[str] = []
    while True:
        for line in (f"def f{k}(x):", f"    return x + {k}", ""):
            if chars + len(line) + 1 > max_chars:
                return out
            out.append(line)
            chars += len(line) + 1
        k += 1


def _pretty_json(by_lang: dict[str, list[Case]]) -> list[str]:
    """The code cases as records in pretty-printed JSON (``indent=2``, each with its first lines), cut to
    :data:`BIG_CHARS`: data with no grammar here, read by the indentation fallback."""
    records = [
        {"id": c.id, "repo": c.repo, "language": c.language, "goal": c.goal, "head": split_lines(c.text)[:40]}
        for cases in by_lang.values()
        for c in cases
    ]
    return _concat([json.dumps(records, indent=2)], max_chars=BIG_CHARS)


def build_inputs(root: Path) -> tuple[list[Input], list[str]]:
    """The timed inputs, from the benchmark data when present (else this repo's sources), and notes."""
    notes: list[str] = []
    code_path, logs_path = root / CODE_FILE, root / LOGS_FILE
    by_lang: dict[str, list[Case]] = {}
    if code_path.is_file():
        for case in load_cases(code_path):
            by_lang.setdefault(case.language, []).append(case)
    else:
        notes.append(f"{code_path} not found: code inputs are built from this repo's Python sources.")
        by_lang["python"] = [
            Case("repo", "", "python", "code", FALLBACK_GOAL, t, (), ()) for t in _repo_files()
        ]
    inputs: list[Input] = []
    for lang in [lang for lang in ("python", "rust") if lang in by_lang]:
        cases = by_lang[lang]
        texts = [c.text for c in cases]
        for size in CODE_SIZES:
            lines = _whole_files(texts, max_lines=size)
            inputs.append(Input(f"{lang} {size:,} lines", "code", cases[0].goal, lines))
    py = by_lang["python"]
    inputs.append(
        Input(
            f"python {BIG_CHARS:,} chars",
            "code",
            py[0].goal,
            _whole_files([c.text for c in py], max_chars=BIG_CHARS),
        )
    )
    inputs.append(
        Input(f"python tiny functions {BIG_CHARS:,} chars", "code", py[0].goal, _tiny_functions(BIG_CHARS))
    )
    inputs.append(
        Input(f"json {BIG_CHARS:,} chars", "code", "find the cases of pallets/flask", _pretty_json(by_lang))
    )
    if logs_path.is_file():
        logs = load_cases(logs_path)
        first = logs[0]
        name = first.id.rsplit(":", 1)[-1].split("/")[0]
        inputs.append(Input(f"log {name} 2,000 lines", "logs", first.goal, split_lines(first.text)))
        big = _concat([c.text for c in logs], max_chars=BIG_CHARS)
        inputs.append(Input(f"logs {BIG_CHARS:,} chars", "logs", "find the errors and failures", big))
    else:
        notes.append(f"{logs_path} not found: log inputs skipped.")
    return inputs, notes


# ---------------------------------------------------------------- in-process timing


def _budget() -> Budget:
    return Budget(max_prune_ratio=1.0, min_keep_lines=0, keep_ratio=KEEP_RATIO, include_markers=True)


def engine_run(inp: Input) -> str:
    """What the server does for one call, minus I/O: select, then render with markers."""
    sel = prune_lines(inp.lines, inp.goal, SourceType(inp.source_type), _budget())
    return server_render(inp.lines, False, sel)


def bm25_run(inp: Input, budget_tokens: int) -> str:
    """The BM25 ±3 baseline doing the same job: line costs, scores, growth path, cut at the budget, render."""
    costs = count_line_tokens(inp.lines)
    path = bm25_path(inp.lines, costs, inp.goal, BM25_WINDOW)
    k = max(0, next((i for i, e in enumerate(path.est) if e > budget_tokens), len(path.est)) - 1)
    return render_keep(inp.lines, path.keep(k), path.reason)


def _run_count(one_s: float, repeats: int, total_s: float) -> int:
    """``repeats`` runs, or as many as fit in about ``total_s`` when one takes ``one_s``, whichever is
    more (at most :data:`_MAX_REPEATS`): small inputs get more runs, so that their medians are not noise."""
    return max(repeats, min(_MAX_REPEATS, int(total_s / max(one_s, 1e-6))))


def _input_repeats(inp: Input, repeats: int) -> int:
    """``--repeats`` for an input under 500,000 characters; half (3 at least) for the big ones."""
    return repeats if inp.chars < 500_000 else max(3, repeats // 2)


def _paired_times(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Run times of two jobs, alternated so that a busy machine slows both alike.

    One untimed warm-up each (first-call caches are not what we measure); small inputs get
    more runs, up to about a second per job, so that their medians are not noise.
    """
    first()
    t0 = time.perf_counter()
    second()
    one = time.perf_counter() - t0
    runs = _run_count(one, repeats, _MIN_TOTAL_S)
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for fn, out in ((first, a), (second, b)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return a, b


def _peak_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure_input(inp: Input, repeats: int) -> InputTiming:
    """Engine and BM25 ±3 on one input: median seconds, peak traced bytes, and their ratio."""
    reps = _input_repeats(inp, repeats)
    budget = count_tokens(engine_run(inp))
    eng_all, bm_all = _paired_times(lambda: engine_run(inp), lambda: bm25_run(inp, budget), reps)
    eng_s, bm_s = statistics.median(eng_all), statistics.median(bm_all)
    eng_mem = _peak_bytes(lambda: engine_run(inp))
    bm_mem = _peak_bytes(lambda: bm25_run(inp, budget))
    return InputTiming(
        input=inp.name,
        source_type=inp.source_type,
        lines=len(inp.lines),
        chars=inp.chars,
        tokens=count_tokens("\n".join(inp.lines)),
        repeats=len(eng_all),
        engine_s=round(eng_s, 5),
        engine_all_s=[round(t, 5) for t in eng_all],
        bm25_w3_s=round(bm_s, 5),
        bm25_w3_all_s=[round(t, 5) for t in bm_all],
        time_ratio=round(eng_s / bm_s, 3) if bm_s else None,
        engine_peak_bytes=eng_mem,
        bm25_w3_peak_bytes=bm_mem,
        memory_ratio=round(eng_mem / bm_mem, 3) if bm_mem else None,
    )


def _phase_inputs(inputs: Sequence[Input]) -> list[Input]:
    """The code inputs the speed targets name: 2,000 lines and 2,000,000 characters."""
    return [
        i for i in inputs if i.source_type == "code" and i.name.endswith((" 2,000 lines", " 2,000,000 chars"))
    ]


def _median_s(fn: Callable[[], object], repeats: int) -> tuple[float, int]:
    """Median seconds of ``fn``, each run after a garbage collection (every run starts from the same
    heap: what the last one left is not its cost), over :func:`_run_count` runs for
    :data:`_PHASE_TOTAL_S`, their collections counted."""
    t0 = time.perf_counter()
    gc.collect()
    fn()
    one = time.perf_counter() - t0
    runs = _run_count(one, repeats, _PHASE_TOTAL_S)
    times: list[float] = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), runs


def measure_phases(inp: Input, repeats: int) -> PhaseTiming:
    """Each step of what :func:`engine_run` does, timed alone on ``inp`` (a code input)."""
    reps = _input_repeats(inp, repeats)
    kind = SourceType(inp.source_type)
    analysis = analyze(inp.lines, inp.goal, kind)
    sel = select(analysis, _budget())
    tokens_s, runs = _median_s(lambda: count_line_tokens(inp.lines), reps)
    return PhaseTiming(
        input=inp.name,
        repeats=runs,
        parser=parse_code(inp.lines)[1],
        tokens_s=round(tokens_s, 5),
        parse_s=round(_median_s(lambda: parse_code(inp.lines), reps)[0], 5),
        structure_s=round(_median_s(lambda: code_structure(inp.lines), reps)[0], 5),
        analysis_s=round(_median_s(lambda: analyze(inp.lines, inp.goal, kind), reps)[0], 5),
        selection_s=round(_median_s(lambda: select(analysis, _budget()), reps)[0], 5),
        render_s=round(_median_s(lambda: server_render(inp.lines, False, sel), reps)[0], 5),
    )


# ---------------------------------------------------------------- MCP stdio


def _server_command() -> tuple[str, list[str]] | None:
    if importlib.util.find_spec("mcp_pruner._cli") is None:
        return None
    script = Path(sys.executable).parent / "mcp-pruner"
    if script.is_file():
        return str(script), ["serve"]
    return sys.executable, ["-m", "mcp_pruner", "serve"]


def _tool_json(result: CallToolResult) -> dict[str, JSONValue]:
    """The tool's answer as a JSON object: its structured content, else the JSON text of its first block."""
    if result.is_error:
        raise RuntimeError(f"tool error: {result.content}")
    if isinstance(result.structured_content, dict) and result.structured_content:
        return dict(result.structured_content)
    block = result.content[0]
    if not isinstance(block, TextContent):
        raise RuntimeError(f"tool answered {block.type} content, not JSON text")
    payload = json.loads(block.text)
    assert isinstance(payload, dict)
    return payload


def _prune_args(inp: Input, i: int) -> tuple[list[str], dict[str, JSONValue]]:
    """Call i's arguments; the last line differs per call so that no call is a result-cache hit."""
    lines = [*inp.lines[:-1], f"# benchmark call {i}"]
    options: dict[str, JSONValue] = {
        "keep_ratio": KEEP_RATIO,
        "max_prune_ratio": 1.0,
        "min_keep_lines": 0,
        "include_markers": True,
    }
    args: dict[str, JSONValue] = {
        "text": "\n".join(lines),
        "goal_hint": inp.goal,
        "source_type": inp.source_type,
        "options": options,
    }
    return lines, args


async def _prune_calls(session: ClientSession, inp: Input, calls: int) -> PruneCalls:
    """One first call (fresh process), then ``calls`` more; wall time client side, latency server side."""
    wall: list[float] = []
    server_ms: list[float] = []
    warnings: set[str] = set()
    first_s = 0.0
    for i in range(calls + 1):
        lines, args = _prune_args(inp, i)
        t0 = time.perf_counter()
        answer = _tool_json(await session.call_tool("prune_text", args))
        elapsed = time.perf_counter() - t0
        result = PruneResult.model_validate(answer)
        if i == 0:
            first_s = elapsed
        else:
            wall.append(elapsed)
            server_ms.append(float(result.stats.latency_ms))
        warnings.update(result.warnings)
    stats = answer["stats"]  # the last call's, as the server sent it
    assert isinstance(stats, dict)
    return PruneCalls(
        calls=calls,
        first_s=first_s,
        stats=stats,
        median_s=statistics.median(wall) if wall else None,
        server_latency_ms_median=statistics.median(server_ms) if server_ms else None,
        warnings=sorted(warnings),
        last_prune_id=result.prune_id,
        last_text="\n".join(lines),
    )


async def _recover_calls(session: ClientSession, prune_id: str, text: str, calls: int) -> RecoverCalls:
    """``recover_text`` of every line, median time, and whether the text came back exactly."""
    args: dict[str, JSONValue] = {
        "prune_id": prune_id,
        "ranges": [{"start_line": 1, "end_line": text.count("\n") + 1}],
    }
    times: list[float] = []
    raw = ""
    for _ in range(calls):
        t0 = time.perf_counter()
        answer = _tool_json(await session.call_tool("recover_text", args))
        times.append(time.perf_counter() - t0)
        raw = RecoverResult.model_validate(answer).raw_text
    return RecoverCalls(median_s=statistics.median(times), exact=raw == text)


async def _stdio_session(inp: Input, calls: int, tmp: Path) -> StdioTiming:
    command = _server_command()
    assert command is not None
    env = {
        "XDG_STATE_HOME": str(tmp / "state"),
        "MCP_PRUNER_STORE_PATH": str(tmp / "store.sqlite3"),
        "KIMI_PRUNING_BACKEND": "heuristic",
    }
    params = StdioServerParameters(command=command[0], args=command[1], env=env, cwd=tmp)
    with (tmp / "server-stderr.log").open("w", encoding="utf-8") as errlog, anyio.fail_after(300):
        t0 = time.perf_counter()
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            initialize_s = time.perf_counter() - t0
            t1 = time.perf_counter()
            tools = await session.list_tools()
            tools_list_s = time.perf_counter() - t1
            prune = await _prune_calls(session, inp, calls)
            recover = await _recover_calls(session, prune.last_prune_id, prune.last_text, 5)
    return StdioTiming(
        command=" ".join([Path(command[0]).name, *command[1]]),
        initialize_s=initialize_s,
        tools_list_s=tools_list_s,
        tools=sorted(t.name for t in tools.tools),
        prune=prune,
        recover=recover,
    )


def measure_stdio(inp: Input, calls: int) -> StdioTiming | Skipped:
    """Round trips over MCP stdio against ``mcp-pruner serve``; a note instead when it cannot run."""
    if _server_command() is None:
        return Skipped("mcp_pruner._cli not available yet (no `mcp-pruner serve`)")
    with tempfile.TemporaryDirectory(prefix="mcp-pruner-bench-") as tmp:
        try:
            return anyio.run(_stdio_session, inp, calls, Path(tmp))
        except Exception as exc:  # the server is someone else's work in progress: report, don't crash
            log = Path(tmp) / "server-stderr.log"
            tail = log.read_text(encoding="utf-8", errors="replace")[-600:] if log.is_file() else ""
            return Skipped(f"stdio round trip failed: {type(exc).__name__}: {exc}", stderr_tail=tail)


# ---------------------------------------------------------------- store


def measure_store(text: str, repeats: int) -> StoreTiming | Skipped:
    """put / get of a ~1 MB text through ``mcp_pruner._store.TextStore`` (skipped if absent)."""
    try:
        from mcp_pruner._store import TextStore
    except ImportError as exc:
        return Skipped(f"mcp_pruner._store not available: {exc}")
    with tempfile.TemporaryDirectory(prefix="mcp-pruner-store-") as tmp:
        path = Path(tmp) / "store.sqlite3"
        store = TextStore(path, ttl_s=3600, max_bytes=512 * 1024 * 1024)
        put_new, put_same, get_cold, get_warm = [], [], [], []
        try:
            for i in range(repeats):
                body = f"{i}\n{text}"
                t0 = time.perf_counter()
                pid = store.put(body)
                put_new.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                store.put(body)
                put_same.append(time.perf_counter() - t0)
                fresh = TextStore(path, ttl_s=3600, max_bytes=512 * 1024 * 1024)
                try:
                    t0 = time.perf_counter()
                    ok = fresh.get(pid) == body
                    get_cold.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    fresh.get(pid)
                    get_warm.append(time.perf_counter() - t0)
                finally:
                    fresh.close()
                if not ok:
                    return Skipped("store returned a different text")
        finally:
            store.close()
    return StoreTiming(
        chars=len(text),
        bytes_utf8=len(text.encode("utf-8", "surrogatepass")),
        repeats=repeats,
        put_new_s=statistics.median(put_new),
        put_same_s=statistics.median(put_same),
        get_cold_s=statistics.median(get_cold),
        get_warm_s=statistics.median(get_warm),
    )


# ---------------------------------------------------------------- tables


def _ms(s: float | None) -> str:
    if s is None:
        return "–"
    return f"{s * 1000:,.1f} ms" if s < 10 else f"{s:,.1f} s"


def _mb(b: int) -> str:
    return f"{b / 1e6:,.1f} MB"


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}×"


def _engine_table(rows: Sequence[InputTiming]) -> list[str]:
    out = [
        "| input | lines | tokens | runs | engine | BM25 ±3 | time engine/BM25 "
        "| peak mem engine | peak mem BM25 | mem engine/BM25 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r.input} | {r.lines:,} | {r.tokens:,} | {r.repeats} "
            f"| {_ms(r.engine_s)} | {_ms(r.bm25_w3_s)} "
            f"| {_ratio(r.time_ratio)} | {_mb(r.engine_peak_bytes)} | {_mb(r.bm25_w3_peak_bytes)} "
            f"| {_ratio(r.memory_ratio)} |"
        )
    return out


def _phase_table(phases: Sequence[PhaseTiming], rows: Sequence[InputTiming]) -> list[str]:
    """Each step's median next to BM25 ±3's whole job on the same input (a step that holds another
    is shown without it)."""
    if not phases:
        return []
    bm25 = {r.input: r.bm25_w3_s for r in rows}
    out = [
        "**Where the engine's time goes** (the code inputs the targets name; each step run alone, medians "
        "after a garbage collection; steps are timed apart, so one smaller than the noise can show as 0)",
        "",
        "| input | token count | parse (by) | rest of the structure | rest of the analysis | selection | "
        "render | sum | BM25 ±3, whole job |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        rest_structure = max(0.0, p.structure_s - p.parse_s)
        rest_analysis = max(0.0, p.analysis_s - p.structure_s - p.tokens_s)
        total = p.analysis_s + p.selection_s + p.render_s
        out.append(
            f"| {p.input} | {_ms(p.tokens_s)} | {_ms(p.parse_s)} ({p.parser}) | {_ms(rest_structure)} "
            f"| {_ms(rest_analysis)} | {_ms(p.selection_s)} | {_ms(p.render_s)} | {_ms(total)} "
            f"| {_ms(bm25.get(p.input))} |"
        )
    return out


def _stdio_table(s: StdioTiming | Skipped, inp_name: str) -> list[str]:
    if isinstance(s, Skipped):
        return [f"MCP stdio: skipped — {s.reason}"]
    rows = [
        ("`initialize` answered, from process start", _ms(s.initialize_s)),
        ("`tools/list`", _ms(s.tools_list_s)),
        (f"`prune_text` first call ({inp_name})", _ms(s.prune.first_s)),
        (f"`prune_text` median of {s.prune.calls} calls (wall, client side)", _ms(s.prune.median_s)),
        ("`prune_text` median `stats.latency_ms` (server side)", f"{s.prune.server_latency_ms_median} ms"),
        ("`recover_text` of all lines, median", _ms(s.recover.median_s)),
        ("`recover_text` returned the exact original", "yes" if s.recover.exact else "**NO**"),
    ]
    head = [f"MCP stdio (`{s.command}`, SDK stdio client):", "", "| measure | value |", "|---|---:|"]
    return head + [f"| {a} | {b} |" for a, b in rows]


def _store_table(s: StoreTiming | Skipped) -> list[str]:
    if isinstance(s, Skipped):
        return [f"Store: skipped — {s.reason}"]
    return [
        f"Recovery store (`TextStore`, SQLite, {s.bytes_utf8 / 1e6:.1f} MB text, median of {s.repeats}):",
        "",
        "| put (new text) | put (same text again) | get (fresh handle) | get (cached) |",
        "|---:|---:|---:|---:|",
        f"| {_ms(s.put_new_s)} | {_ms(s.put_same_s)} | {_ms(s.get_cold_s)} | {_ms(s.get_warm_s)} |",
    ]


def check_targets(rows: Sequence[InputTiming]) -> list[TargetCheck]:
    """PASS / FAIL per speed target of the issue, from the in-process rows (n/a when an input is absent)."""
    out: list[TargetCheck] = []
    two_k = [r for r in rows if r.source_type == "code" and r.input.endswith(" 2,000 lines")]
    out.append(
        _check(
            f"a 2,000-line code file in ≤ {TARGET_2K_S * 1000:.0f} ms in process",
            [(r.input, r.engine_s) for r in two_k],
            all(r.engine_s <= TARGET_2K_S for r in two_k),
        )
    )
    big = [r for r in rows if r.chars >= 0.9 * BIG_CHARS]
    out.append(
        _check(
            f"{BIG_CHARS:,} characters in ≤ {TARGET_BIG_S:.0f} s, every shape",
            [(r.input, r.engine_s) for r in big],
            all(r.engine_s <= TARGET_BIG_S for r in big),
        )
    )
    logs = next((r for r in big if r.source_type == "logs"), None)
    code = next((r for r in big if r.input.startswith("python ") and r.input.endswith(" chars")), None)
    pair = [(x.input, x.engine_s) for x in (logs, code) if x is not None]
    out.append(
        _check(
            "logs as fast as code (the same number of characters)",
            pair if len(pair) == 2 else [],
            logs is not None and code is not None and logs.engine_s <= code.engine_s,
        )
    )
    py = [r for r in rows if r.input.startswith("python ") and "tiny" not in r.input and r.chars]
    per_char = [r.engine_peak_bytes / r.chars for r in py]
    target = (
        f"memory linear in the input (peak per character of the Python inputs within {LINEAR_SPREAD:.0f}×)"
    )
    if not per_char or min(per_char) <= 0:
        out.append(TargetCheck(target, None, "n/a"))
    else:
        spread = max(per_char) / min(per_char)
        measured = ", ".join(f"{r.input} {b:,.0f} B" for r, b in zip(py, per_char, strict=True))
        verdict = "PASS" if spread <= LINEAR_SPREAD else "FAIL"
        out.append(TargetCheck(target, measured, f"{verdict} ({spread:.2f}×)"))
    return out


def _check(target: str, measured: Sequence[tuple[str, float]], ok: bool) -> TargetCheck:
    if not measured:
        return TargetCheck(target, None, "n/a")
    times = ", ".join(f"{name} {_ms(t)}" for name, t in measured)
    return TargetCheck(target, times, "PASS" if ok else "FAIL")


def _targets_table(checks: Sequence[TargetCheck]) -> list[str]:
    head = ["**Speed targets** (absolute times: they depend on the machine, unlike the ratios)", ""]
    return head + targets_table(checks)


def markdown(report: SpeedReport) -> str:
    meta = report.meta
    fp = meta.code
    out = [
        f"_Measured {meta.date} on sources `{fp['sources_sha256']}` (git `{fp['git_head']}`, "
        f"modified since HEAD: {fp['modified_since_head']}); {meta.machine}; keep_ratio {KEEP_RATIO}; "
        "times are medians of `runs` runs, engine and BM25 alternated, after one warm-up each._",
        "",
        *_engine_table(report.engine),
        "",
        *_targets_table(check_targets(report.engine)),
        "",
        *_phase_table(report.phases, report.engine),
        "",
        *_stdio_table(report.stdio, report.stdio_input),
        "",
        *_store_table(report.store),
    ]
    if report.notes:
        out += ["", *[f"- {n}" for n in report.notes]]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- driver


def _machine() -> str:
    return f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPU(s)"


def run(args: argparse.Namespace) -> SpeedReport:
    warm_up()
    inputs, notes = build_inputs(data_dir(args.data))
    rows: list[InputTiming] = []
    for inp in inputs:
        print(f"  timing {inp.name} …", file=sys.stderr, flush=True)
        rows.append(measure_input(inp, args.repeats))
    phases: list[PhaseTiming] = []
    for inp in _phase_inputs(inputs):
        print(f"  steps of {inp.name} …", file=sys.stderr, flush=True)
        phases.append(measure_phases(inp, args.repeats))
    stdio_input = next(
        (i for i in inputs if i.name.endswith(" 2,000 lines") and i.source_type == "code"), inputs[0]
    )
    stdio: StdioTiming | Skipped
    if args.skip_stdio:
        stdio = Skipped("--skip-stdio")
    else:
        print("  MCP stdio round trips …", file=sys.stderr, flush=True)
        stdio = measure_stdio(stdio_input, args.stdio_calls)
    store_text = "\n".join(
        _concat(["\n".join(i.lines) for i in inputs if i.source_type == "code"], max_chars=STORE_CHARS)
    )
    store = Skipped("--skip-store") if args.skip_store else measure_store(store_text, args.repeats)
    meta = SpeedMeta(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=_machine(),
        repeats=args.repeats,
        keep_ratio=KEEP_RATIO,
        code=code_fingerprint(),
    )
    return SpeedReport(meta, rows, phases, stdio_input.name, stdio, store, notes)


def add_arguments(p: argparse.ArgumentParser, shared: bool = False) -> None:
    """Speed options; ``shared`` when the quality options (--data, --write-readme) are already there."""
    if not shared:
        p.add_argument(
            "--data", help="directory holding code_dev.jsonl / logs_dev.jsonl (env MCP_PRUNER_BENCH_DATA)"
        )
        p.add_argument("--write-readme", action="store_true", help="update the table in benchmarks/README.md")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per input (median reported)")
    p.add_argument("--stdio-calls", type=int, default=10, help="prune_text calls over MCP stdio")
    p.add_argument("--skip-stdio", action="store_true", help="do not start the server")
    p.add_argument("--skip-store", action="store_true", help="do not measure the recovery store")


def execute(args: argparse.Namespace) -> int:
    report = run(args)
    table = markdown(report)
    print(table)
    print(f"results: {write_json('speed', report.to_json())}")
    if args.write_readme:
        replace_section("speed", table)
        print("benchmarks/README.md updated")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks speed", description=__doc__)
    add_arguments(p)
    return execute(p.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
