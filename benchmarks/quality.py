"""Quality benchmark: gold-line recall against token reduction, engine vs baselines at equal budget.

Run from the repo root: ``python -m benchmarks quality [--write-readme]`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from mcp_pruner._contract import SourceType
from mcp_pruner._errors import JSONValue
from mcp_pruner._tokens import count_line_tokens, count_tokens, warm_up
from mcp_pruner.engine import Budget, prune_lines

from ._baselines import BASELINES, fit
from ._data import (
    CODE_FILE,
    FRAGMENT_MIN_FILE,
    LOGS_FILE,
    Case,
    data_dir,
    fragment,
    load_cases,
    split_lines,
    stride_sample,
)
from ._readme import code_fingerprint, replace_section, write_json
from ._render import blocks_match_keep, server_render

__all__ = [
    "DEFAULT_MODES",
    "SYSTEMS",
    "Aggregate",
    "BaselineRun",
    "CaseResult",
    "EngineError",
    "EngineRun",
    "Means",
    "Metrics",
    "ModeRun",
    "ModeSummary",
    "QualityReport",
    "SuiteSummary",
    "TargetCheck",
    "aggregate",
    "budget_for",
    "evaluate_case",
    "hunk_recall",
    "main",
    "recall",
    "reduction",
    "run",
    "size_bucket",
    "targets_table",
]

DEFAULT_MODES: Final = ("keep_0.3", "keep_0.5", "adaptive")
SYSTEMS: Final = ("engine", *BASELINES)
LABELS: Final = {"engine": "engine", "bm25_w3": "BM25 ±3", "bm25": "BM25 (lines)", "first_n": "first-N"}
SIZE_BUCKETS: Final = ((200, "≤ 200 lines"), (500, "201–500 lines"), (1000, "501–1,000 lines"))
SIZE_LARGEST: Final = "> 1,000 lines"
"""File sizes reported apart: on a small file a marker is a large share of the budget."""


@dataclass(frozen=True, slots=True)
class Target:
    """One target of the issue: mean recall (and optionally mean reduction) of the engine in one mode."""

    suite: str
    mode: str
    min_recall: float
    min_reduction: float | None = None

    @property
    def label(self) -> str:
        red = f" at reduction ≥ {self.min_reduction:.0%}" if self.min_reduction is not None else ""
        return f"{self.suite} {self.mode}: recall ≥ {self.min_recall:.2f}{red}"


TARGETS: Final = (
    Target("code", "keep_0.3", 0.77),
    Target("code", "keep_0.5", 0.86),
    Target("code", "adaptive", 0.78, 0.65),
    Target("logs", "adaptive", 0.95, 0.65),
)


# ---------------------------------------------------------------- metrics


@dataclass(frozen=True, slots=True)
class Metrics:
    """What one system achieved on one case in one mode."""

    recall: float
    hunk_recall: float
    reduction: float
    tokens: int

    def rounded(self) -> Metrics:
        """Rounded to 6 decimals as written, so that the means are those of the values in the results file."""
        return Metrics(
            round(self.recall, 6), round(self.hunk_recall, 6), round(self.reduction, 6), self.tokens
        )

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "recall": self.recall,
            "hunk_recall": self.hunk_recall,
            "reduction": self.reduction,
            "tokens": self.tokens,
        }


@dataclass(frozen=True, slots=True)
class EngineRun:
    """The engine on one case in one mode: its metrics, its time and the shape of its selection."""

    metrics: Metrics
    ms: float
    kept_lines: int
    blocks: int
    consistent: bool

    def to_json(self) -> dict[str, JSONValue]:
        return {
            **self.metrics.to_json(),
            "ms": self.ms,
            "kept_lines": self.kept_lines,
            "blocks": self.blocks,
            "consistent": self.consistent,
        }


@dataclass(frozen=True, slots=True)
class BaselineRun:
    """A baseline cut to the engine's token count; ``over_budget`` when it could not fit under it."""

    metrics: Metrics
    over_budget: bool

    def to_json(self) -> dict[str, JSONValue]:
        return {**self.metrics.to_json(), "over_budget": self.over_budget}


@dataclass(frozen=True, slots=True)
class ModeRun:
    """Engine and baselines (by name) on one case in one mode."""

    engine: EngineRun
    baselines: Mapping[str, BaselineRun]

    def to_json(self) -> dict[str, JSONValue]:
        return {"engine": self.engine.to_json(), **{k: v.to_json() for k, v in self.baselines.items()}}


@dataclass(frozen=True, slots=True)
class EngineError:
    """The engine raised on one case in one mode: a result, left out of the means."""

    error: str

    def to_json(self) -> dict[str, JSONValue]:
        return {"error": self.error}


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One case and what every system achieved on it, per mode."""

    id: str
    repo: str
    language: str
    source_type: str
    n_lines: int
    size: str
    tokens: int
    modes: Mapping[str, ModeRun | EngineError]

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "repo": self.repo,
            "language": self.language,
            "source_type": self.source_type,
            "n_lines": self.n_lines,
            "size": self.size,
            "tokens": self.tokens,
            "modes": {mode: run.to_json() for mode, run in self.modes.items()},
        }


@dataclass(frozen=True, slots=True)
class Means:
    """One system's mean metrics over the cases of one mode; ``over_budget`` for baselines only."""

    recall: float
    hunk_recall: float
    reduction: float
    over_budget: int | None = None

    def to_json(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "recall": self.recall,
            "hunk_recall": self.hunk_recall,
            "reduction": self.reduction,
        }
        if self.over_budget is not None:
            out["over_budget"] = self.over_budget
        return out


@dataclass(frozen=True, slots=True)
class ModeSummary:
    """One mode over a group of cases: counts, and the means of each system that ran (in SYSTEMS order)."""

    errors: int
    inconsistent: int
    engine_ms_median: float | None
    systems: Mapping[str, Means]

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "errors": self.errors,
            "inconsistent": self.inconsistent,
            "engine_ms_median": self.engine_ms_median,
            **{name: means.to_json() for name, means in self.systems.items()},
        }


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A group of cases: how many, and the summary of each mode."""

    cases: int
    modes: Mapping[str, ModeSummary]

    def means(self, mode: str, system: str) -> Means | None:
        summary = self.modes.get(mode)
        return None if summary is None else summary.systems.get(system)

    def to_json(self) -> dict[str, JSONValue]:
        return {"cases": self.cases, **{mode: s.to_json() for mode, s in self.modes.items()}}


@dataclass(frozen=True, slots=True)
class SuiteSummary:
    """One suite: all its cases, and its groupings by name (by_language, by_repo, by_size, per_log)."""

    overall: Aggregate
    groups: Mapping[str, Mapping[str, Aggregate]]

    def to_json(self) -> dict[str, JSONValue]:
        groups: dict[str, JSONValue] = {
            name: {key: agg.to_json() for key, agg in group.items()} for name, group in self.groups.items()
        }
        return {"overall": self.overall.to_json(), **groups}


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """One target and how the run fared: ``measured`` is None when its suite or mode was not run."""

    target: str
    measured: str | None
    result: str

    def to_json(self) -> dict[str, JSONValue]:
        return {"target": self.target, "measured": self.measured, "result": self.result}


@dataclass(frozen=True, slots=True)
class QualityMeta:
    """What was run, on what, when, and on which code."""

    date: str
    data: str
    modes: Sequence[str]
    suites: Sequence[str]
    limit: int | None
    sample: int | None
    jobs: int
    elapsed_s: float
    python: str
    code: Mapping[str, str]

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "date": self.date,
            "data": self.data,
            "modes": list(self.modes),
            "suites": list(self.suites),
            "limit": self.limit,
            "sample": self.sample,
            "jobs": self.jobs,
            "elapsed_s": self.elapsed_s,
            "python": self.python,
            "code": dict(self.code),
        }


@dataclass(frozen=True, slots=True)
class QualityReport:
    """A whole run: what ``benchmarks/results/quality.json`` holds, and what the tables are drawn from."""

    meta: QualityMeta
    summary: Mapping[str, SuiteSummary]
    targets: Sequence[TargetCheck]
    cases: Mapping[str, Sequence[CaseResult]]

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "meta": self.meta.to_json(),
            "summary": {suite: s.to_json() for suite, s in self.summary.items()},
            "targets": [t.to_json() for t in self.targets],
            "cases": {suite: [r.to_json() for r in rows] for suite, rows in self.cases.items()},
        }


def size_bucket(n_lines: int) -> str:
    """The size row a case of ``n_lines`` lines is reported in."""
    for top, label in SIZE_BUCKETS:
        if n_lines <= top:
            return label
    return SIZE_LARGEST


def recall(gold: Iterable[int], keep: Sequence[bool]) -> float:
    """|gold ∩ kept| / |gold| for 1-based gold lines (1.0 when there is no gold line)."""
    gold_set = set(gold)
    if not gold_set:
        return 1.0
    return sum(1 for g in gold_set if 0 < g <= len(keep) and keep[g - 1]) / len(gold_set)


def hunk_recall(hunks: Iterable[Iterable[int]], keep: Sequence[bool]) -> float:
    """Share of hunks whose gold lines are all kept (1.0 when there is no hunk)."""
    flags = [all(0 < g <= len(keep) and keep[g - 1] for g in hunk) for hunk in hunks]
    return sum(flags) / len(flags) if flags else 1.0


def reduction(tokens_before: int, tokens_after: int) -> float:
    """1 - after / before (markers counted in ``after``); 0.0 for an empty input."""
    return 1.0 - tokens_after / tokens_before if tokens_before else 0.0


def _metrics(case: Case, keep: Sequence[bool], tokens_before: int, tokens_after: int) -> Metrics:
    return Metrics(
        recall(case.gold_lines, keep),
        hunk_recall(case.hunks, keep),
        reduction(tokens_before, tokens_after),
        tokens_after,
    ).rounded()


# ---------------------------------------------------------------- one case


def budget_for(mode: str) -> Budget:
    """``keep_<ratio>`` → that keep_ratio; ``adaptive`` → the engine decides. No hard line bounds."""
    if mode == "adaptive":
        return Budget(max_prune_ratio=1.0, min_keep_lines=0, include_markers=True)
    if mode.startswith("keep_"):
        return Budget(max_prune_ratio=1.0, min_keep_lines=0, keep_ratio=float(mode[5:]), include_markers=True)
    raise ValueError(f"unknown mode {mode!r} (keep_<ratio> or adaptive)")


def _engine(case: Case, lines: list[str], mode: str, ends_nl: bool, before: int) -> EngineRun:
    started = time.perf_counter()
    sel = prune_lines(lines, case.goal, SourceType(case.source_type), budget_for(mode))
    ms = (time.perf_counter() - started) * 1000
    after = count_tokens(server_render(lines, ends_nl, sel))
    return EngineRun(
        _metrics(case, sel.keep, before, after),
        ms=round(ms, 2),
        kept_lines=sum(sel.keep),
        blocks=len(sel.blocks),
        consistent=blocks_match_keep(sel.keep, sel.blocks),
    )


def evaluate_case(
    case: Case, modes: Sequence[str], baselines: Sequence[str] = tuple(BASELINES)
) -> CaseResult:
    """Engine and baselines on one case, per mode; baselines get the engine's rendered token count."""
    lines = split_lines(case.text)
    ends_nl = case.text.endswith("\n")
    before = count_tokens(case.text)
    costs = count_line_tokens(lines)
    paths = {name: BASELINES[name](lines, costs, case.goal, ends_nl) for name in baselines}
    runs: dict[str, ModeRun | EngineError] = {}
    for mode in modes:
        try:
            engine = _engine(case, lines, mode, ends_nl, before)
        except Exception as exc:  # an engine crash is a result, not a reason to stop the run
            runs[mode] = EngineError(f"{type(exc).__name__}: {exc}")
            continue
        after = engine.metrics.tokens
        fitted = {name: fit(path, after) for name, path in paths.items()}
        runs[mode] = ModeRun(
            engine,
            {
                name: BaselineRun(_metrics(case, f.keep, before, f.tokens), f.over_budget)
                for name, f in fitted.items()
            },
        )
    return CaseResult(
        id=case.id,
        repo=case.repo,
        language=case.language,
        source_type=case.source_type,
        n_lines=len(lines),
        size=size_bucket(len(lines)),
        tokens=before,
        modes=runs,
    )


def _evaluate_task(task: tuple[Case, tuple[str, ...], tuple[str, ...]]) -> CaseResult:
    return evaluate_case(*task)


def _worker_init() -> None:
    warm_up()


def evaluate_all(
    cases: Sequence[Case], modes: Sequence[str], baselines: Sequence[str], jobs: int
) -> list[CaseResult]:
    """All cases, in input order; ``jobs`` > 1 spreads them over processes."""
    tasks = [(c, tuple(modes), tuple(baselines)) for c in cases]
    if jobs <= 1 or len(tasks) < 2:
        warm_up()
        return _progress(map(_evaluate_task, tasks), len(tasks))
    ctx = multiprocessing.get_context("spawn")  # no fork: the tokenizer runs native threads
    with ctx.Pool(jobs, initializer=_worker_init) as pool:
        return _progress(pool.imap(_evaluate_task, tasks, chunksize=4), len(tasks))


def _progress(results: Iterable[CaseResult], total: int) -> list[CaseResult]:
    out: list[CaseResult] = []
    for res in results:
        out.append(res)
        if len(out) % 100 == 0 or len(out) == total:
            print(f"  {len(out)}/{total} cases", file=sys.stderr, flush=True)
    return out


# ---------------------------------------------------------------- aggregation


def _mean(values: Iterable[float]) -> float:
    return round(statistics.fmean(values), 4)


def _means(metrics: Sequence[Metrics], over_budget: int | None = None) -> Means:
    return Means(
        recall=_mean(m.recall for m in metrics),
        hunk_recall=_mean(m.hunk_recall for m in metrics),
        reduction=_mean(m.reduction for m in metrics),
        over_budget=over_budget,
    )


def aggregate(results: Sequence[CaseResult], modes: Sequence[str]) -> Aggregate:
    """Means per mode and system, plus counts (cases, engine errors, inconsistent selections)."""
    summaries: dict[str, ModeSummary] = {}
    for mode in modes:
        rows = [run for r in results if isinstance(run := r.modes.get(mode), ModeRun)]
        systems: dict[str, Means] = {}
        if rows:
            systems["engine"] = _means([row.engine.metrics for row in rows])
        for name in BASELINES:
            runs = [b for row in rows if (b := row.baselines.get(name)) is not None]
            if runs:
                systems[name] = _means([b.metrics for b in runs], sum(b.over_budget for b in runs))
        summaries[mode] = ModeSummary(
            errors=len(results) - len(rows),
            inconsistent=sum(1 for row in rows if not row.engine.consistent),
            engine_ms_median=round(statistics.median(row.engine.ms for row in rows), 2) if rows else None,
            systems=systems,
        )
    return Aggregate(len(results), summaries)


def _grouped(
    results: Sequence[CaseResult],
    key: Callable[[CaseResult], str],
    modes: Sequence[str],
    order: Sequence[str] = (),
) -> dict[str, Aggregate]:
    """Aggregates per value of ``key``: in ``order`` when given, else sorted by name."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    rank = {name: k for k, name in enumerate(order)}
    names = sorted(groups, key=lambda name: (rank.get(name, len(rank)), name))
    return {name: aggregate(groups[name], modes) for name in names}


def _by_size(results: Sequence[CaseResult], modes: Sequence[str]) -> dict[str, Aggregate]:
    order = [label for _, label in SIZE_BUCKETS] + [SIZE_LARGEST]
    return _grouped(results, lambda r: r.size, modes, order)


def _log_name(case_id: str) -> str:
    return case_id.rsplit(":", 1)[-1].split("/")[0]


def check_targets(summary: Mapping[str, SuiteSummary], partial: bool) -> list[TargetCheck]:
    """PASS / FAIL per target of the issue (or n/a when the suite or mode was not run)."""
    out: list[TargetCheck] = []
    for t in TARGETS:
        suite = summary.get(t.suite)
        agg = None if suite is None else suite.overall.means(t.mode, "engine")
        if agg is None:
            out.append(TargetCheck(t.label, None, "n/a"))
            continue
        ok = agg.recall >= t.min_recall and (t.min_reduction is None or agg.reduction >= t.min_reduction)
        measured = f"recall {agg.recall:.3f}, reduction {agg.reduction:.1%}"
        result = ("PASS" if ok else "FAIL") + (" (subset)" if partial else "")
        out.append(TargetCheck(t.label, measured, result))
    return out


# ---------------------------------------------------------------- tables


def targets_table(checks: Sequence[TargetCheck]) -> list[str]:
    """The PASS / FAIL table of targets (the quality's here, the speed's in ``speed.py``)."""
    out = ["| target | measured | result |", "|---|---|---|"]
    return out + [f"| {t.target} | {t.measured or '–'} | {t.result} |" for t in checks]


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _p(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _recall(means: Means | None) -> float | None:
    return None if means is None else means.recall


def _reduction(means: Means | None) -> float | None:
    return None if means is None else means.reduction


def _systems_table(overall: Aggregate, modes: Sequence[str]) -> list[str]:
    lines = ["| mode | system | recall | hunk recall | reduction |", "|---|---|---:|---:|---:|"]
    for mode in modes:
        for system in SYSTEMS:
            v = overall.means(mode, system)
            if v is None:
                continue
            name = f"**{LABELS[system]}**" if system == "engine" else LABELS[system]
            lines.append(f"| {mode} | {name} | {_f(v.recall)} | {_f(v.hunk_recall)} | {_p(v.reduction)} |")
    return lines


def _by_group_table(groups: Mapping[str, Aggregate], modes: Sequence[str], label: str) -> list[str]:
    head = f"| {label} | cases |" + "".join(f" {m} engine | {m} BM25 ±3 |" for m in modes)
    head += " adaptive reduction |" if "adaptive" in modes else ""
    lines = [head, "|---|---:|" + "---:|---:|" * len(modes) + ("---:|" if "adaptive" in modes else "")]
    for name, agg in groups.items():
        cells = [f"| {name} | {agg.cases} |"]
        for m in modes:
            eng = _recall(agg.means(m, "engine"))
            bm = _recall(agg.means(m, "bm25_w3"))
            cells.append(f" {_f(eng)} | {_f(bm)} |")
        if "adaptive" in modes:
            cells.append(f" {_p(_reduction(agg.means('adaptive', 'engine')))} |")
        lines.append("".join(cells))
    return lines


def _logs_table(per_log: Mapping[str, Aggregate], overall: Aggregate, modes: Sequence[str]) -> list[str]:
    head = "| log |" + "".join(f" {m} recall | {m} reduction | {m} BM25 ±3 recall |" for m in modes)
    lines = [head, "|---|" + "---:|---:|---:|" * len(modes)]
    for name, agg in [*per_log.items(), ("**mean**", overall)]:
        cells = [f"| {name} |"]
        for m in modes:
            eng, bm = agg.means(m, "engine"), agg.means(m, "bm25_w3")
            cells.append(f" {_f(_recall(eng))} | {_p(_reduction(eng))} | {_f(_recall(bm))} |")
        lines.append("".join(cells))
    return lines


def _notes(summary: Mapping[str, SuiteSummary], modes: Sequence[str]) -> list[str]:
    notes: list[str] = []
    for suite in ("code", "fragments", "logs"):
        if suite not in summary:
            continue
        for m in modes:
            agg = summary[suite].overall.modes.get(m)
            if agg is None:
                continue
            if agg.errors:
                notes.append(
                    f"{suite} {m}: the engine raised on {agg.errors} case(s) (left out of the means)."
                )
            if agg.inconsistent:
                notes.append(f"{suite} {m}: {agg.inconsistent} selection(s) with blocks not matching keep.")
            over = sum(means.over_budget or 0 for means in agg.systems.values())
            if over:
                notes.append(f"{suite} {m}: {over} baseline output(s) could not fit the engine's budget.")
    return notes


def markdown(report: QualityReport) -> str:
    """The tables, ready for the README."""
    meta, summary, modes = report.meta, report.summary, report.meta.modes
    fp = meta.code
    out = [
        f"_Measured {meta.date} on sources `{fp['sources_sha256']}` (git `{fp['git_head']}`, "
        f"modified since HEAD: {fp['modified_since_head']}); {meta.elapsed_s:.0f} s with {meta.jobs} "
        f"process(es). Baselines at the engine's per-case token count, markers counted._",
        "",
    ]
    if "code" in summary:
        code = summary["code"]
        out += [
            f"**Code** — {code.overall.cases} cases",
            "",
            *_systems_table(code.overall, modes),
            "",
        ]
        out += ["Recall per language (BM25 ±3 at the engine's budget):", ""]
        out += [*_by_group_table(code.groups["by_language"], modes, "language"), ""]
        out += ["Recall per file size:", ""]
        out += [*_by_group_table(code.groups["by_size"], modes, "file size"), ""]
    if "fragments" in summary:
        frags = summary["fragments"]
        out += [
            f"**Fragments of code files** — {frags.overall.cases} windows cut at random lines of"
            f" the code files of {FRAGMENT_MIN_FILE}+ lines, each holding all its gold lines"
            " (no target: a robustness check)",
            "",
            *_systems_table(frags.overall, modes),
            "",
            *_by_group_table(frags.groups["by_language"], modes, "language"),
            "",
        ]
    if "logs" in summary:
        logs = summary["logs"]
        out += [
            f"**Logs** — {logs.overall.cases} logs",
            "",
            *_logs_table(logs.groups["per_log"], logs.overall, modes),
        ]
        out += ["", *_systems_table(logs.overall, modes), ""]
    out += ["**Targets**", "", *targets_table(report.targets)]
    notes = _notes(summary, modes)
    if notes:
        out += ["", *[f"- {n}" for n in notes]]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- driver


def _select(cases: list[Case], limit: int | None, sample: int | None) -> list[Case]:
    if sample is not None:
        cases = stride_sample(cases, sample)
    if limit is not None:
        cases = cases[:limit]
    return cases


def run(args: argparse.Namespace) -> QualityReport:
    """Load, evaluate, aggregate."""
    root = data_dir(args.data)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for m in modes:
        budget_for(m)  # fail fast on a bad mode name
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    started = time.perf_counter()
    summary: dict[str, SuiteSummary] = {}
    cases_out: dict[str, list[CaseResult]] = {}
    partial = args.limit is not None or args.sample is not None
    code = (
        _select(load_cases(root / CODE_FILE), args.limit, args.sample)
        if "code" in suites or "fragments" in suites
        else []
    )
    if "code" in suites:
        res = evaluate_all(code, modes, tuple(BASELINES), args.jobs)
        summary["code"] = SuiteSummary(
            aggregate(res, modes),
            {
                "by_language": _grouped(res, lambda r: r.language, modes),
                "by_repo": _grouped(res, lambda r: r.repo, modes),
                "by_size": _by_size(res, modes),
            },
        )
        cases_out["code"] = res
    if "fragments" in suites:
        frags = [f for c in code if (f := fragment(c)) is not None]
        res = evaluate_all(frags, modes, tuple(BASELINES), args.jobs)
        summary["fragments"] = SuiteSummary(
            aggregate(res, modes), {"by_language": _grouped(res, lambda r: r.language, modes)}
        )
        cases_out["fragments"] = res
    if "logs" in suites:
        logs = load_cases(root / LOGS_FILE)
        res = evaluate_all(logs, modes, tuple(BASELINES), args.jobs)
        summary["logs"] = SuiteSummary(
            aggregate(res, modes), {"per_log": {_log_name(r.id): aggregate([r], modes) for r in res}}
        )
        cases_out["logs"] = res
    meta = QualityMeta(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        data=str(root),
        modes=modes,
        suites=suites,
        limit=args.limit,
        sample=args.sample,
        jobs=args.jobs,
        elapsed_s=round(time.perf_counter() - started, 1),
        python=sys.version.split()[0],
        code=code_fingerprint(),
    )
    return QualityReport(meta, summary, check_targets(summary, partial), cases_out)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data", help="directory holding code_dev.jsonl / logs_dev.jsonl (env MCP_PRUNER_BENCH_DATA)"
    )
    p.add_argument("--limit", type=int, help="first N code cases (after --sample)")
    p.add_argument("--sample", type=int, help="K code cases spread evenly over the file (deterministic)")
    p.add_argument("--modes", default=",".join(DEFAULT_MODES), help="comma list: keep_<ratio>, adaptive")
    p.add_argument("--suites", default="code,fragments,logs", help="comma list: code, fragments, logs")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    p.add_argument("--write-readme", action="store_true", help="update the table in benchmarks/README.md")


def execute(args: argparse.Namespace) -> int:
    report = run(args)
    table = markdown(report)
    print(table)
    print(f"results: {write_json('quality', report.to_json())}")
    if args.write_readme:
        replace_section("quality", table)
        print("benchmarks/README.md updated")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks quality", description=__doc__)
    add_arguments(p)
    return execute(p.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
