"""Benchmark cases: where they live, how they are read, how their text is split into lines.

The cases are read at run time from ``<repo>/../shared/bench`` (override with
``--data DIR`` or ``MCP_PRUNER_BENCH_DATA``); they are never copied into the repo.
"""

from __future__ import annotations

import json
import os
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

__all__ = [
    "CODE_FILE",
    "DATA_ENV",
    "LOGS_FILE",
    "REPO_ROOT",
    "RESULTS_DIR",
    "Case",
    "data_dir",
    "fragment",
    "load_cases",
    "split_lines",
    "stride_sample",
]

FRAGMENT_MIN_FILE: Final = 200
"""Files shorter than this many lines give no fragment: a window of them is nearly the whole file."""
FRAGMENT_MIN_LINES: Final = 100
FRAGMENT_MARGIN: Final = 5
"""A fragment keeps at least this many lines of context on each side of the gold lines (file allowing)."""
REPO_ROOT: Final = Path(__file__).resolve().parent.parent
RESULTS_DIR: Final = REPO_ROOT / "benchmarks" / "results"
T = TypeVar("T")
DATA_ENV: Final = "MCP_PRUNER_BENCH_DATA"
CODE_FILE: Final = "code_dev.jsonl"
LOGS_FILE: Final = "logs_dev.jsonl"


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled text: the goal, the 1-based gold lines and their grouping in hunks."""

    id: str
    repo: str
    language: str
    source_type: str
    goal: str
    text: str
    gold_lines: tuple[int, ...]
    hunks: tuple[tuple[int, ...], ...]


def split_lines(text: str) -> list[str]:
    """Split on "\\n"; a trailing newline opens no extra line."""
    if not text:
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def data_dir(override: str | None = None) -> Path:
    """``--data`` > ``$MCP_PRUNER_BENCH_DATA`` > ``<repo>/../shared/bench``."""
    chosen = override or os.environ.get(DATA_ENV)
    return Path(chosen) if chosen else REPO_ROOT.parent / "shared" / "bench"


def _case(row: dict[str, object]) -> Case:
    gold = row.get("gold_lines") or []
    hunks = row.get("hunks") or []
    assert isinstance(gold, list)
    assert isinstance(hunks, list)
    return Case(
        id=str(row["id"]),
        repo=str(row.get("repo", "")),
        language=str(row.get("language", "")),
        source_type=str(row.get("source_type", "code")),
        goal=str(row.get("goal", "")),
        text=str(row["text"]),
        gold_lines=tuple(int(x) for x in gold),
        hunks=tuple(tuple(int(x) for x in h) for h in hunks),
    )


def load_cases(path: Path) -> list[Case]:
    """All cases of one JSONL file, in file order."""
    with path.open(encoding="utf-8") as fh:
        return [_case(json.loads(line)) for line in fh if line.strip()]


def stride_sample(items: Sequence[T], k: int) -> list[T]:
    """``k`` items spread evenly over ``items`` (deterministic; all of them when ``k >= len``)."""
    n = len(items)
    if k >= n:
        return list(items)
    if k <= 0:
        return []
    return [items[(i * n) // k] for i in range(k)]


def fragment(case: Case) -> Case | None:
    """A window of ``case``'s file that still holds all its gold lines, or ``None`` if too small.

    Agents often paste part of a file (``sed -n 120,900p``, a truncated tool output): the window
    starts and ends at random lines, often inside a function, which is hard on parsers. The cut
    is drawn from a generator seeded with the case id, so every run measures the same fragments.
    """
    lines = split_lines(case.text)
    n = len(lines)
    if n < FRAGMENT_MIN_FILE or not case.gold_lines:
        return None
    rnd = random.Random(zlib.crc32(case.id.encode("utf-8")))
    first, last = min(case.gold_lines) - 1, max(case.gold_lines)
    a = rnd.randint(0, max(0, first - FRAGMENT_MARGIN))
    b = rnd.randint(min(n, last + FRAGMENT_MARGIN), n)
    if b - a < FRAGMENT_MIN_LINES:
        return None
    return Case(
        id=f"{case.id}#L{a + 1}-{b}",
        repo=case.repo,
        language=case.language,
        source_type=case.source_type,
        goal=case.goal,
        text="\n".join(lines[a:b]) + "\n",
        gold_lines=tuple(g - a for g in case.gold_lines),
        hunks=tuple(tuple(g - a for g in h) for h in case.hunks),
    )
