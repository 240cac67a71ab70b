"""Logs: severity, whole stack traces, collapsed templates, first/last lines, adaptive keeps alerts."""

from __future__ import annotations

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import analyze, prune_lines
from mcp_pruner.engine._logs import severity, template

from . import samples
from .helpers import FREE, budget, check_selection, render


def lines_of(text: str) -> list[str]:
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


def noisy_log(errors_at: tuple[int, ...] = (137, 311)) -> list[str]:
    out = []
    for i in range(400):
        ts = f"2024-01-02 10:{i // 60:02d}:{i % 60:02d},000"
        if i in errors_at:
            out.append(f"{ts} ERROR [db] pool exhausted after {i} ms")
        elif i % 3:
            out.append(f"{ts} INFO  [http] GET /api/items/{i} 200 in {i % 17} ms")
        else:
            out.append(f"{ts} DEBUG [cache] hit key=user:{i * 7}")
    return out


def test_severity_levels_win_over_words() -> None:
    assert severity("2024-01-02 ERROR something") == 1.0
    assert severity("[Sun Dec 04 04:47:44 2005] [error] mod_jk child in error state 6") == 1.0
    assert severity("RAS KERNEL INFO instruction cache parity error corrected") == 0.0
    assert 0.5 < severity("2015-07-29 WARN  [x] - connection broken") < 1.0
    assert severity("03-17 16:13:46.764  2227  2794 E KeyguardUpdateMonitor: isSimPinSecure") == 1.0
    assert severity("03-17 16:13:38.811  1702  2395 D WindowManager: error-free") == 0.0
    assert severity("E/AndroidRuntime( 123): FATAL EXCEPTION: main") == 1.0
    assert severity("level=error msg=boom") == 1.0
    assert severity("the request timed out after 3 retries") > 0.5
    assert severity("all good") == 0.0


def test_templates_mask_variables() -> None:
    a = template("2024-01-02 10:00:01 GET /api/items/17 from 10.0.0.1 in 3ms id=0xdeadbeef")
    b = template("2024-01-03 11:20:41 GET /api/items/99 from 10.0.0.7 in 12ms id=0xfeedf00d")
    assert a == b
    assert "<*>" in a


def test_stack_trace_kept_whole_with_context() -> None:
    lines = lines_of(samples.JAVA_LOG)
    for b in (FREE, budget(keep_ratio=0.5)):
        sel = prune_lines(lines, "why did the request fail", None, b)
        check_selection(lines, sel, b)
        assert all(sel.keep[2:9])  # the ERROR line, the exception, its frames, Caused by, "... 4 more"
    lines = lines_of(samples.PY_TRACEBACK_LOG)
    sel = prune_lines(lines, "", SourceType.LOGS, budget(keep_ratio=0.3))
    assert all(sel.keep[1:8])


def test_repeated_templates_collapse_with_count() -> None:
    lines = noisy_log()
    sel = prune_lines(lines, "find the errors", None, FREE)
    check_selection(lines, sel, FREE)
    assert sel.keep[137]
    assert sel.keep[311]
    assert sel.keep[0]
    assert sel.keep[-1]
    assert sum(sel.keep) < 60
    reasons = [blk.reason for blk in sel.blocks]
    assert any("×" in r and "GET <*>" in r for r in reasons), reasons
    assert all(len(r) <= 80 for r in reasons)


def test_adaptive_logs_keep_all_alerts() -> None:
    errors = tuple(range(5, 400, 23))
    lines = noisy_log(errors)
    sel = prune_lines(lines, "", None, FREE)
    assert all(sel.keep[i] for i in errors)
    text = render(lines, sel)
    assert text.count("ERROR") == len(errors)


def test_warnings_are_top_when_asked_or_when_there_is_no_error() -> None:
    lines = noisy_log(())
    lines[50] = "2024-01-02 10:00:50,000 WARN  [db] slow query 1200 ms"
    sel = prune_lines(lines, "", None, FREE)
    assert sel.keep[50]
    a = analyze(lines, "find the warnings", None)
    assert a.alerts[50]


def test_logs_detected_and_units_are_records() -> None:
    lines = lines_of(samples.JAVA_LOG)
    a = analyze(lines, "", None)
    assert a.source_type is SourceType.LOGS
    assert [(u.start, u.end) for u in a.units][:4] == [(0, 1), (1, 2), (2, 9), (9, 10)]
