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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from mcp_pruner._contract import SourceType
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
    "Metrics",
    "aggregate",
    "budget_for",
    "evaluate_case",
    "hunk_recall",
    "main",
    "recall",
    "reduction",
    "run",
    "size_bucket",
]

DEFAULT_MODES: Final = ("keep_0.3", "keep_0.5", "adaptive")
SYSTEMS: Final = ("engine", *BASELINES)
LABELS: Final = {"engine": "engine", "bm25_w3": "BM25 ±3", "bm25": "BM25 (lines)", "first_n": "first-N"}
METRICS: Final = ("recall", "hunk_recall", "reduction")
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

    def as_dict(self) -> dict[str, float | int]:
        return {
            "recall": round(self.recall, 6),
            "hunk_recall": round(self.hunk_recall, 6),
            "reduction": round(self.reduction, 6),
            "tokens": self.tokens,
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
    )


# ---------------------------------------------------------------- one case


def budget_for(mode: str) -> Budget:
    """``keep_<ratio>`` → that keep_ratio; ``adaptive`` → the engine decides. No hard line bounds."""
    if mode == "adaptive":
        return Budget(max_prune_ratio=1.0, min_keep_lines=0, include_markers=True)
    if mode.startswith("keep_"):
        return Budget(max_prune_ratio=1.0, min_keep_lines=0, keep_ratio=float(mode[5:]), include_markers=True)
    raise ValueError(f"unknown mode {mode!r} (keep_<ratio> or adaptive)")


def _engine(case: Case, lines: list[str], mode: str, ends_nl: bool) -> tuple[list[bool], str, dict[str, Any]]:
    started = time.perf_counter()
    sel = prune_lines(lines, case.goal, SourceType(case.source_type), budget_for(mode))
    ms = (time.perf_counter() - started) * 1000
    info: dict[str, Any] = {
        "ms": round(ms, 2),
        "kept_lines": sum(sel.keep),
        "blocks": len(sel.blocks),
        "consistent": blocks_match_keep(sel.keep, sel.blocks),
    }
    return list(sel.keep), server_render(lines, ends_nl, sel), info


def evaluate_case(
    case: Case, modes: Sequence[str], baselines: Sequence[str] = tuple(BASELINES)
) -> dict[str, Any]:
    """Engine and baselines on one case, per mode; baselines get the engine's rendered token count."""
    lines = split_lines(case.text)
    ends_nl = case.text.endswith("\n")
    before = count_tokens(case.text)
    costs = count_line_tokens(lines)
    paths = {name: BASELINES[name](lines, costs, case.goal, ends_nl) for name in baselines}
    out: dict[str, Any] = {
        "id": case.id,
        "repo": case.repo,
        "language": case.language,
        "source_type": case.source_type,
        "n_lines": len(lines),
        "size": size_bucket(len(lines)),
        "tokens": before,
        "modes": {},
    }
    for mode in modes:
        try:
            keep, text, info = _engine(case, lines, mode, ends_nl)
        except Exception as exc:  # an engine crash is a result, not a reason to stop the run
            out["modes"][mode] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        after = count_tokens(text)
        row: dict[str, Any] = {"engine": {**_metrics(case, keep, before, after).as_dict(), **info}}
        for name, path in paths.items():
            fitted = fit(path, after)
            row[name] = {
                **_metrics(case, fitted.keep, before, fitted.tokens).as_dict(),
                "over_budget": fitted.over_budget,
            }
        out["modes"][mode] = row
    return out


def _evaluate_task(task: tuple[Case, tuple[str, ...], tuple[str, ...]]) -> dict[str, Any]:
    return evaluate_case(*task)


def _worker_init() -> None:
    warm_up()


def evaluate_all(
    cases: Sequence[Case], modes: Sequence[str], baselines: Sequence[str], jobs: int
) -> list[dict[str, Any]]:
    """All cases, in input order; ``jobs`` > 1 spreads them over processes."""
    tasks = [(c, tuple(modes), tuple(baselines)) for c in cases]
    if jobs <= 1 or len(tasks) < 2:
        warm_up()
        return _progress(map(_evaluate_task, tasks), len(tasks))
    ctx = multiprocessing.get_context("spawn")  # no fork: the tokenizer runs native threads
    with ctx.Pool(jobs, initializer=_worker_init) as pool:
        return _progress(pool.imap(_evaluate_task, tasks, chunksize=4), len(tasks))


def _progress(results: Iterable[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for res in results:
        out.append(res)
        if len(out) % 100 == 0 or len(out) == total:
            print(f"  {len(out)}/{total} cases", file=sys.stderr, flush=True)
    return out


# ---------------------------------------------------------------- aggregation


def aggregate(results: Sequence[dict[str, Any]], modes: Sequence[str]) -> dict[str, Any]:
    """Means per mode and system, plus counts (cases, engine errors, inconsistent selections)."""
    out: dict[str, Any] = {"cases": len(results)}
    for mode in modes:
        rows = [r["modes"][mode] for r in results if mode in r["modes"] and "error" not in r["modes"][mode]]
        agg: dict[str, Any] = {
            "errors": len(results) - len(rows),
            "inconsistent": sum(1 for row in rows if not row["engine"]["consistent"]),
            "engine_ms_median": round(statistics.median(row["engine"]["ms"] for row in rows), 2)
            if rows
            else None,
        }
        for system in SYSTEMS:
            vals = [row[system] for row in rows if system in row]
            if not vals:
                continue
            agg[system] = {m: round(statistics.fmean(v[m] for v in vals), 4) for m in METRICS}
            if system != "engine":
                agg[system]["over_budget"] = sum(1 for v in vals if v["over_budget"])
        out[mode] = agg
    return out


def _grouped(
    results: Sequence[dict[str, Any]], key: str, modes: Sequence[str], order: Sequence[str] = ()
) -> dict[str, Any]:
    """Aggregates per value of ``key``: in ``order`` when given, else sorted by name."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[r[key]].append(r)
    rank = {name: k for k, name in enumerate(order)}
    names = sorted(groups, key=lambda name: (rank.get(name, len(rank)), name))
    return {name: aggregate(groups[name], modes) for name in names}


def _by_size(results: Sequence[dict[str, Any]], modes: Sequence[str]) -> dict[str, Any]:
    return _grouped(results, "size", modes, [label for _, label in SIZE_BUCKETS] + [SIZE_LARGEST])


def _log_name(case_id: str) -> str:
    return case_id.rsplit(":", 1)[-1].split("/")[0]


def check_targets(summary: dict[str, Any], partial: bool) -> list[dict[str, Any]]:
    """PASS / FAIL per target of the issue (or n/a when the suite or mode was not run)."""
    out: list[dict[str, Any]] = []
    for t in TARGETS:
        agg = summary.get(t.suite, {}).get("overall", {}).get(t.mode, {}).get("engine")
        if agg is None:
            out.append({"target": t.label, "measured": None, "result": "n/a"})
            continue
        ok = agg["recall"] >= t.min_recall and (
            t.min_reduction is None or agg["reduction"] >= t.min_reduction
        )
        measured = f"recall {agg['recall']:.3f}, reduction {agg['reduction']:.1%}"
        result = ("PASS" if ok else "FAIL") + (" (subset)" if partial else "")
        out.append({"target": t.label, "measured": measured, "result": result})
    return out


# ---------------------------------------------------------------- tables


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _p(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _systems_table(overall: dict[str, Any], modes: Sequence[str]) -> list[str]:
    lines = ["| mode | system | recall | hunk recall | reduction |", "|---|---|---:|---:|---:|"]
    for mode in modes:
        agg = overall.get(mode, {})
        for system in SYSTEMS:
            if system not in agg:
                continue
            v = agg[system]
            name = f"**{LABELS[system]}**" if system == "engine" else LABELS[system]
            lines.append(
                f"| {mode} | {name} | {_f(v['recall'])} | {_f(v['hunk_recall'])} | {_p(v['reduction'])} |"
            )
    return lines


def _by_group_table(groups: dict[str, Any], modes: Sequence[str], label: str) -> list[str]:
    head = f"| {label} | cases |" + "".join(f" {m} engine | {m} BM25 ±3 |" for m in modes)
    head += " adaptive reduction |" if "adaptive" in modes else ""
    lines = [head, "|---|---:|" + "---:|---:|" * len(modes) + ("---:|" if "adaptive" in modes else "")]
    for name, agg in groups.items():
        cells = [f"| {name} | {agg['cases']} |"]
        for m in modes:
            eng = agg.get(m, {}).get("engine", {}).get("recall")
            bm = agg.get(m, {}).get("bm25_w3", {}).get("recall")
            cells.append(f" {_f(eng)} | {_f(bm)} |")
        if "adaptive" in modes:
            cells.append(f" {_p(agg.get('adaptive', {}).get('engine', {}).get('reduction'))} |")
        lines.append("".join(cells))
    return lines


def _logs_table(per_log: dict[str, Any], overall: dict[str, Any], modes: Sequence[str]) -> list[str]:
    head = "| log |" + "".join(f" {m} recall | {m} reduction | {m} BM25 ±3 recall |" for m in modes)
    lines = [head, "|---|" + "---:|---:|---:|" * len(modes)]
    for name, agg in [*per_log.items(), ("**mean**", overall)]:
        cells = [f"| {name} |"]
        for m in modes:
            eng = agg.get(m, {}).get("engine", {})
            bm = agg.get(m, {}).get("bm25_w3", {})
            cells.append(f" {_f(eng.get('recall'))} | {_p(eng.get('reduction'))} | {_f(bm.get('recall'))} |")
        lines.append("".join(cells))
    return lines


def _notes(summary: dict[str, Any], modes: Sequence[str]) -> list[str]:
    notes: list[str] = []
    for suite in ("code", "fragments", "logs"):
        overall = summary.get(suite, {}).get("overall", {})
        for m in modes:
            agg = overall.get(m, {})
            if agg.get("errors"):
                notes.append(
                    f"{suite} {m}: the engine raised on {agg['errors']} case(s) (left out of the means)."
                )
            if agg.get("inconsistent"):
                notes.append(
                    f"{suite} {m}: {agg['inconsistent']} selection(s) with blocks not matching keep."
                )
            over = sum(agg.get(s, {}).get("over_budget", 0) for s in BASELINES)
            if over:
                notes.append(f"{suite} {m}: {over} baseline output(s) could not fit the engine's budget.")
    return notes


def markdown(payload: dict[str, Any]) -> str:
    """The tables, ready for the README."""
    meta, summary, modes = payload["meta"], payload["summary"], payload["meta"]["modes"]
    fp = meta["code"]
    out = [
        f"_Measured {meta['date']} on sources `{fp['sources_sha256']}` (git `{fp['git_head']}`, "
        f"modified since HEAD: {fp['modified_since_head']}); {meta['elapsed_s']:.0f} s with {meta['jobs']} "
        f"process(es). Baselines at the engine's per-case token count, markers counted._",
        "",
    ]
    if "code" in summary:
        code = summary["code"]
        out += [
            f"**Code** — {code['overall']['cases']} cases",
            "",
            *_systems_table(code["overall"], modes),
            "",
        ]
        out += ["Recall per language (BM25 ±3 at the engine's budget):", ""]
        out += [*_by_group_table(code["by_language"], modes, "language"), ""]
        out += ["Recall per file size:", ""]
        out += [*_by_group_table(code["by_size"], modes, "file size"), ""]
    if "fragments" in summary:
        frags = summary["fragments"]
        out += [
            f"**Fragments of code files** — {frags['overall']['cases']} windows cut at random lines of"
            f" the code files of {FRAGMENT_MIN_FILE}+ lines, each holding all its gold lines"
            " (no target: a robustness check)",
            "",
            *_systems_table(frags["overall"], modes),
            "",
            *_by_group_table(frags["by_language"], modes, "language"),
            "",
        ]
    if "logs" in summary:
        logs = summary["logs"]
        out += [
            f"**Logs** — {logs['overall']['cases']} logs",
            "",
            *_logs_table(logs["per_log"], logs["overall"], modes),
        ]
        out += ["", *_systems_table(logs["overall"], modes), ""]
    out += ["**Targets**", "", "| target | measured | result |", "|---|---|---|"]
    out += [f"| {t['target']} | {t['measured'] or '–'} | {t['result']} |" for t in payload["targets"]]
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


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load, evaluate, aggregate; returns the JSON payload."""
    root = data_dir(args.data)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for m in modes:
        budget_for(m)  # fail fast on a bad mode name
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    started = time.perf_counter()
    summary: dict[str, Any] = {}
    cases_out: dict[str, Any] = {}
    partial = args.limit is not None or args.sample is not None
    code = (
        _select(load_cases(root / CODE_FILE), args.limit, args.sample)
        if "code" in suites or "fragments" in suites
        else []
    )
    if "code" in suites:
        res = evaluate_all(code, modes, tuple(BASELINES), args.jobs)
        summary["code"] = {
            "overall": aggregate(res, modes),
            "by_language": _grouped(res, "language", modes),
            "by_repo": _grouped(res, "repo", modes),
            "by_size": _by_size(res, modes),
        }
        cases_out["code"] = res
    if "fragments" in suites:
        frags = [f for c in code if (f := fragment(c)) is not None]
        res = evaluate_all(frags, modes, tuple(BASELINES), args.jobs)
        summary["fragments"] = {
            "overall": aggregate(res, modes),
            "by_language": _grouped(res, "language", modes),
        }
        cases_out["fragments"] = res
    if "logs" in suites:
        logs = load_cases(root / LOGS_FILE)
        res = evaluate_all(logs, modes, tuple(BASELINES), args.jobs)
        summary["logs"] = {
            "overall": aggregate(res, modes),
            "per_log": {_log_name(r["id"]): aggregate([r], modes) for r in res},
        }
        cases_out["logs"] = res
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "data": str(root),
        "modes": modes,
        "suites": suites,
        "limit": args.limit,
        "sample": args.sample,
        "jobs": args.jobs,
        "elapsed_s": round(time.perf_counter() - started, 1),
        "python": sys.version.split()[0],
        "code": code_fingerprint(),
    }
    return {"meta": meta, "summary": summary, "targets": check_targets(summary, partial), "cases": cases_out}


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
    payload = run(args)
    table = markdown(payload)
    print(table)
    print(f"results: {write_json('quality', payload)}")
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
