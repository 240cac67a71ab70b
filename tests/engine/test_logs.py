"""Logs: severity, whole stack traces, collapsed templates, first/last lines, adaptive keeps alerts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as strat

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import _logs, analyze, detect_source_type, prune_lines
from mcp_pruner.engine._logs import (
    DIAGNOSTIC_LEVEL,
    ERROR_LEVEL,
    WARN_LEVEL,
    log_structure,
    severity,
    template,
)

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


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2016-09-28 04:30:30, Info                  CBS    Failed to get session package state", 0.0),
        ("2016-09-28 04:30:31, Error                 CBS    Failed to internally open package.", 1.0),
        ("2016-09-28 04:30:32, Warning               CBS    Unrecognized packageExtended attribute.", 0.6),
        ("2024-01-02 10:00:00.1234|Error|App.Main|connection lost", 1.0),
        ("[2024-01-02T10:00:00.123Z] [Warning] slow query", 0.6),
        ("2024-01-02 10:00:00 INFO Error handling is enabled", 0.0),  # the level field comes first
    ],
)
def test_a_title_case_level_right_after_the_date_is_the_level_field(line: str, expected: float) -> None:
    """Windows' CBS log, NLog and Serilog write ``Info``/``Warning``/``Error``: there, right after the
    date, it is the level field and decides (an ``Info`` line saying ``Failed`` is no alarm)."""
    assert severity(line) == expected


def test_the_level_a_syslog_program_writes_first_is_its_level_field() -> None:
    """sshd and postfix write their level first (``error:``, ``fatal:``, ``warning:``): an error there
    outranks the flood of failed logins that only alarm words mark."""
    error = "Dec 10 07:08:28 LabSZ sshd[24208]: error: Received disconnect from 103.99.0.122: 14: No more"
    fatal = "Dec 10 09:32:20 LabSZ sshd[24680]: fatal: Write failed: Connection reset by peer [preauth]"
    warning = "Nov 10 00:01:21 tbird postfix/postdrop[10896]: warning: unable to look up public/pickup"
    failed = "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user admin from 173.234.31.18"
    assert severity(error) == severity(fatal) == 1.0
    assert 0.6 <= severity(warning) < 0.85
    assert 0.5 < severity(failed) < 0.85


def _hpc_line(tag: str, k: int, message: str) -> str:
    """A line of the supercomputer logs (BlueGene/L, Thunderbird): alert tag, Unix time, date, source."""
    return f"{tag} {1131566400 + k} 2005.11.09 dn{k % 90} Nov 9 12:{k // 60 % 60:02d}:{k % 60:02d} {message}"


def test_the_alert_tag_of_supercomputer_logs_decides_what_is_an_alert() -> None:
    """Their first field is the operators' alert category, ``-`` for none: a tagged line with no alarm
    word is an alert, an untagged FATAL ranks below it (still above plain alarm words)."""
    tagged = _hpc_line("VAPI", 1, "kernel: [KERNEL_IB][ib_mad_dispatch][mad_filter.c:50]bad status")
    untagged_fatal = _hpc_line("-", 2, "RAS KERNEL FATAL instruction address: 0x00004ed8")
    untagged_words = _hpc_line("-", 3, "postfix/postdrop[10896]: warning: unable to look up public/pickup")
    assert severity(tagged) == 1.0
    assert severity(_hpc_line("KERN_DTLB-2", 4, "RAS KERNEL INFO data TLB error interrupt")) == 1.0
    assert severity(untagged_words) < severity(untagged_fatal) < 0.85
    lines = [_hpc_line("-", k, f"crond[{2900 + k}]: session closed for user root") for k in range(300)]
    lines[100], lines[150], lines[200] = untagged_fatal, tagged, untagged_words
    a = analyze(lines, "find the alerts", SourceType.LOGS)
    assert [i for i, alert in enumerate(a.alerts) if alert] == [150]
    sel = prune_lines(lines, "find the alerts", SourceType.LOGS, FREE)
    assert sel.keep[150]
    assert sum(sel.keep) < 40


def test_untagged_lines_keep_their_own_levels_when_no_line_is_tagged() -> None:
    lines = [_hpc_line("-", k, f"RAS KERNEL INFO generating core.{k}") for k in range(200)]
    lines[80] = _hpc_line("-", 80, "RAS KERNEL FATAL data TLB error interrupt")
    a = analyze(lines, "", SourceType.LOGS)
    assert [i for i, alert in enumerate(a.alerts) if alert] == [80]


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


def records(lines: list[str]) -> list[tuple[int, int]]:
    """``[start, end)`` of every record of more than one line."""
    return [(u.start, u.end) for u in analyze(lines, "", SourceType.LOGS).units if u.end - u.start > 1]


def test_stack_frames_continue_a_record_when_most_lines_are_indented() -> None:
    """Indentation stops counting as continuation when most lines are indented; frames still do."""
    head = [f"2024-01-02 10:00:{i:02d},000 INFO  [main] app.Server - request {i} served" for i in range(6)]
    trace = [
        "2024-01-02 10:00:07,000 ERROR [exec-3] app.Handler - request failed",
        "java.lang.IllegalStateException: ledger closed",
        *[f"\tat app.Layer{k}.call(Layer{k}.java:{10 + k})" for k in range(12)],
        "Caused by: java.sql.SQLException: row locked",
        *[f"\tat db.Pool.run{k}(Pool.java:{90 + k})" for k in range(4)],
        "\t... 12 more",
    ]
    tail = [
        f"2024-01-02 10:00:{i:02d},000 INFO  [main] app.Server - request {i} served" for i in range(10, 14)
    ]
    lines = head + trace + tail
    assert sum(line.startswith("\t") for line in lines) >= len(lines) / 2
    a, b = len(head), len(head) + len(trace)
    assert records(lines) == [(a, b)]
    sel = prune_lines(lines, "why did the request fail", None, budget(keep_ratio=0.5))
    assert all(sel.keep[a:b])


def test_go_panic_runs_to_the_end_of_its_goroutine_dump() -> None:
    lines = [
        "2024-01-02T10:00:00Z INFO http: GET /orders/1 200",
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7b4f3a]",
        "",
        "goroutine 14 [running]:",
        "example.com/shop/store.(*Store).Load(0x0, 0x1f4a)",
        "\t/src/store/store.go:88 +0x3a",
        "net/http.HandlerFunc.ServeHTTP(0xc000132a80, 0xc0002d6300)",
        "\t/usr/local/go/src/net/http/server.go:2136 +0x29",
        "",
        "goroutine 1 [IO wait]:",
        "internal/poll.runtime_pollWait(0x7f, 0x72)",
        "\t/usr/local/go/src/runtime/netpoll.go:343 +0x85",
        "exit status 2",
        "",
        "2024-01-02T10:00:05Z INFO service restarted",
    ]
    assert records(lines) == [(1, 14)]


def test_rust_panic_backtrace_is_one_record() -> None:
    lines = [
        "[2024-01-02T10:00:00Z INFO  ingest] processed batch 1",
        "thread 'main' panicked at src/parser.rs:214:37:",
        "called `Option::unwrap()` on a `None` value",
        "stack backtrace:",
        "   0: rust_begin_unwind",
        "             at /rustc/82e1608d/library/std/src/panicking.rs:645:5",
        "   1: ingest::parser::parse_row",
        "             at ./src/parser.rs:214:37",
        "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
        "[2024-01-02T10:00:01Z INFO  ingest] processed batch 2",
    ]
    assert records(lines) == [(1, 9)]


def test_python_traceback_keeps_its_source_lines_and_any_exception_name() -> None:
    """A bare traceback is mostly indented; its source lines and ``decimal.InvalidOperation`` stay in it."""
    frames = [
        part
        for k in range(6)
        for part in (
            f'  File "/srv/app/layer{k}.py", line {k + 10}, in handler_{k}',
            f"    return next_{k}(request)",
        )
    ]
    lines = [
        "Traceback (most recent call last):",
        *frames,
        '  File "/srv/app/views.py", line 212, in refund',
        "    amount = Decimal(payload['amount'])",
        "             ^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
    ]
    assert records(lines) == [(0, len(lines))]


def test_chained_python_tracebacks_are_one_record() -> None:
    lines = [
        "2024-01-02 10:00:01 ERROR job 17 crashed",
        "Traceback (most recent call last):",
        '  File "/srv/app/jobs.py", line 4, in compute',
        "    return 1 / x",
        "ZeroDivisionError: division by zero",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "/srv/app/jobs.py", line 10, in run',
        "    raise JobFailed(17)",
        "jobs.JobFailed: 17",
        "2024-01-02 10:00:02 INFO worker idle",
    ]
    assert records(lines) == [(0, 12)]


def test_javascript_frames_continue_a_record_when_most_lines_are_indented() -> None:
    lines = [
        "2024-01-02T10:00:00.000Z info: listening",
        "2024-01-02T10:00:01.000Z error: unhandled rejection",
        "TypeError: Cannot read properties of undefined (reading 'id')",
        "    at getUser (/app/src/users.js:42:17)",
        "    at async Router.handle (/app/node_modules/express/lib/router/index.js:284:7)",
        "    at /app/src/server.js:12:5",
        "2024-01-02T10:00:02.000Z info: request served",
    ]
    lines = lines[:2] + [f"    continued detail {k}" for k in range(8)] + lines[2:]
    assert sum(line.startswith(" ") for line in lines) >= len(lines) / 2
    exc = lines.index("TypeError: Cannot read properties of undefined (reading 'id')")
    assert any(a <= exc and b == len(lines) - 1 for a, b in records(lines))


def test_json_record_severity_comes_from_its_level_key() -> None:
    assert (
        severity('{"ts": "2024-01-02T10:00:00Z", "level": "info", "msg": "job done", "error": null}') == 0.0
    )
    assert (
        severity('{"ts": "2024-01-02T10:00:00Z", "level": "warn", "msg": "disk usage at 93%"}') == WARN_LEVEL
    )
    assert severity('{"ts": "2024-01-02T10:00:00Z", "level": "error", "msg": "query failed"}') == 1.0
    assert severity('{"severity": "ERROR", "message": "boom"}') == 1.0
    assert severity('{"log.level": "warning", "message": "slow"}') == WARN_LEVEL
    assert severity('{"levelname": "CRITICAL", "message": "down"}') == 1.0
    assert severity('{"lvl": "debug", "msg": "retrying after failure"}') == 0.0
    assert severity('{"level": 50, "time": 1704189600000, "msg": "db down"}') == 1.0  # pino
    assert severity('{"level": 30, "time": 1704189600000, "msg": "fail-over done"}') == 0.0
    assert severity('{"msg": "request failed", "status": 500}') > 0.5  # no level key: words decide


def test_json_record_level_ranks_the_warning_above_the_errors_key() -> None:
    lines = [
        f'{{"ts": "2024-01-02T10:{i // 60:02d}:{i % 60:02d}Z", "level": "info", "msg": "job finished", '
        f'"job_id": {1000 + i}, "error": null}}'
        for i in range(120)
    ]
    lines[70] = '{"ts": "2024-01-02T10:01:10Z", "level": "warn", "msg": "disk usage at 93% on /var/lib/pg"}'
    a = analyze(lines, "", None)
    assert a.source_type is SourceType.LOGS
    assert a.alerts[70]
    assert sum(a.alerts) == 1
    sel = prune_lines(lines, "what happened overnight", SourceType.LOGS, budget(keep_ratio=0.1))
    assert sel.keep[70]


@pytest.mark.parametrize(
    "line",
    [
        "bash: line 133: 11206 Segmentation fault      python -c 'import ctypes; ctypes.string_at(0)'",
        "Segmentation fault (core dumped)",
        "/bin/sh: 1: ./worker: Aborted (core dumped)",
    ],
)
def test_a_shell_reporting_a_crashed_child_is_a_strong_alarm(line: str) -> None:
    """A shell's report of a child killed by SIGSEGV names no other alarm word: it was severity 0, and
    the crash of a run was pruned from its output."""
    assert severity(line) == 0.9
    lines = [
        f"-rw-r--r-- 1 root root {1000 + 37 * k} Dec  2 08:{k % 60:02d} module_{k}.py" for k in range(300)
    ]
    lines.insert(140, line)
    sel = prune_lines(lines, "why did the script stop", SourceType.LOGS, FREE)
    assert sel.keep[140]


def test_build_and_test_tool_verdicts_and_diagnostics_are_error_levels() -> None:
    assert severity("error[E0308]: mismatched types") == 1.0
    assert severity("src/app.ts(48,15): error TS2339: Property 'x' does not exist") == 1.0
    assert severity("src/mod.py:7: error: Incompatible return value type") == 1.0
    assert severity("tests/test_cart.py::test_total FAILED                [ 50%]") == 1.0
    assert severity("--- FAIL: TestOrders (0.01s)") == 1.0
    assert severity("________________________________ test_total ________________________________") == 1.0
    assert severity("warning: unused variable: `retries`") == WARN_LEVEL
    assert severity("2024-01-02 10:00:00 INFO job FAILED over to replica") == 0.0  # the level field decides
    assert severity("tests/test_cart.py::test_add PASSED                  [ 25%]") == 0.0


def _passing(k: int) -> str:
    return f"tests/test_cart.py::test_add[{k}] PASSED                                    [{k // 4:3d}%]"


PYTEST_FAILURE = [
    "________________________________ test_total ________________________________",
    "",
    "    def test_total():",
    "        cart = Cart()",
    ">       assert cart.total() == {'total': 90, 'currency': 'EUR'}",
    "E       AssertionError: assert {'total': 100} == {'total': 90}",
    "E         ",
    "E         Differing items:",
    "E         {'total': 100} != {'total': 90}",
    "",
    "tests/test_cart.py:12: AssertionError",
]


def test_pytest_failure_section_kept_whole_with_its_diff() -> None:
    """A test's failure section (title to next title, blank lines and all) is one alert record."""
    lines = [
        *(_passing(k) for k in range(300)),
        "",
        "=================================== FAILURES ===================================",
        *PYTEST_FAILURE,
        "=========================== short test summary info ============================",
        "FAILED tests/test_cart.py::test_total - AssertionError: assert {'total': 100} == {'total': 90}",
        "======================== 1 failed, 300 passed in 0.41s =========================",
    ]
    for st in (SourceType.LOGS, None):
        sel = prune_lines(lines, "fix the failing test test_total", st, FREE)
        check_selection(lines, sel, FREE)
        out = render(lines, sel)
        assert "\n".join(PYTEST_FAILURE) in out
        assert lines[-2] in out
        assert lines[-1] in out
        assert "PASSED" in sel.blocks[0].reason
        assert sum(sel.keep) < 60


JEST_FAILURE = [
    "FAIL src/cart.test.ts (5.1 s)",
    "  ● Cart › applies discount code",
    "",
    "    expect(received).toEqual(expected) // deep equality",
    "",
    "    - Expected  - 1",
    "    + Received  + 1",
    "",
    "      Object {",
    '    -   "total": 90,',
    '    +   "total": 100,',
    "      }",
    "",
    "      at Object.toEqual (src/cart.test.ts:43:18)",
    "",
    "  ● Cart › rejects expired codes",
    "",
    "    TypeError: Cannot read properties of undefined (reading 'expiresAt')",
    "",
    "      at applyDiscount (src/lib/discount.ts:14:13)",
]


def test_blank_lines_inside_an_indented_failure_block_do_not_split_the_record() -> None:
    """A jest ``●`` block (blank lines between its message, diff and frames) stays with its ``FAIL`` line."""
    lines = [
        *(f"PASS src/widget{k}.test.ts" for k in range(150)),
        *JEST_FAILURE,
        "",
        *(f"PASS src/other{k}.test.ts" for k in range(150)),
        "Tests:       2 failed, 900 passed, 902 total",
    ]
    sel = prune_lines(lines, "fix the failing test applies discount code", SourceType.LOGS, FREE)
    check_selection(lines, sel, FREE)
    assert "\n".join(JEST_FAILURE) in render(lines, sel)


def test_a_test_verdict_ends_a_go_panic_record() -> None:
    """A Go panic dump runs to a blank line or a new record: ``FAIL``/``=== RUN`` lines are new records."""
    panic = [
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "goroutine 34 [running]:",
        "example.com/store.(*Store).Put(0x0)",
        "\t/repo/store/store.go:88 +0x4f",
    ]
    passing = [f"=== RUN   TestUtil{k}\n--- PASS: TestUtil{k} (0.00s)" for k in range(100)]
    lines = [*panic, "FAIL\texample.com/store\t0.093s", *"\n".join(passing).split("\n"), "FAIL"]
    sel = prune_lines(lines, "why does the test crash", SourceType.LOGS, FREE)
    check_selection(lines, sel, FREE)
    assert all(sel.keep[:5])
    assert sum(sel.keep) < 40


def test_an_alert_record_too_big_for_the_budget_does_not_drop_the_smaller_ones_after_it() -> None:
    info = [f"2024-05-01 10:{k // 60:02d}:{k % 60:02d} INFO worker heartbeat seq={k} ok" for k in range(300)]
    trace = ["2024-05-01 11:00:00 ERROR job crashed"]
    trace += ["Traceback (most recent call last):"]
    trace += [
        f'  File "/srv/app/step_{k}.py", line {k + 10}, in run_{k}\n    step_{k}(payload)' for k in range(40)
    ]
    trace += ["RuntimeError: payload rejected"]
    small = [f"2024-05-01 11:0{k}:00 ERROR disk quota exceeded on volume vol-{k}" for k in range(1, 5)]
    text = [
        *info[:100],
        "2024-05-01 10:59:00 ERROR cache miss storm",
        *info[100:200],
        *trace,
        *info[200:],
        *small,
    ]
    lines = "\n".join(text).split("\n")
    sel = prune_lines(lines, "find the errors", SourceType.LOGS, budget(keep_ratio=0.08))
    kept = {line for line, k in zip(lines, sel.keep, strict=True) if k}
    assert "2024-05-01 10:59:00 ERROR cache miss storm" in kept
    assert all(line in kept for line in small)


def test_trace_relayed_with_a_collector_timestamp_on_every_line_stays_one_record() -> None:
    """GitHub Actions, ``docker logs -t`` and ``kubectl logs --timestamps`` put an RFC 3339 stamp
    before every line: each frame looked like a new record and the trace fell apart."""
    body = [
        "INFO ready",
        "ERROR request failed",
        "java.lang.IllegalStateException: pool closed",
        "\tat com.acme.Pool.take(Pool.java:42)",
        "\tat com.acme.Handler.run(Handler.java:17)",
        "Caused by: java.io.IOException: connection reset",
        "\t... 3 more",
        "INFO next request served",
    ]
    lines = [f"2024-05-01T10:00:{k:02d}.123456789Z {line}" for k, line in enumerate(body)]
    st, _ = log_structure(lines, False)
    assert (st.group_start[1], st.group_end[1]) == (1, 7)
    assert st.group_end[7] - st.group_start[7] == 1
    plain, _ = log_structure(body, False)
    assert (plain.group_start[1], plain.group_end[1]) == (1, 7)  # as without the stamps


@pytest.mark.parametrize(
    "line",
    [
        "src/app/views.py:12:5: E501 Line too long (101 > 88)",  # ruff / flake8 / pycodestyle
        "app/models.py:1:0: C0114: Missing module docstring (missing-module-docstring)",  # pylint
        "pkg/db.go:41:12: Error return value of `rows.Close` is not checked (errcheck)",  # golangci-lint
        "app/views.py:75: [SIM105] Use `contextlib.suppress(Exception)`",  # ruff --output-format pylint
        "C:\\work\\app\\main.py:3:1: F401 `os` imported but unused",
    ],
)
def test_linter_diagnostic_without_level_word_is_error_ish(line: str) -> None:
    assert WARN_LEVEL < severity(line) == DIAGNOSTIC_LEVEL < ERROR_LEVEL


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("deploy.sh:3:8: warning: Double quote to prevent globbing [SC2086]", WARN_LEVEL),  # shellcheck gcc
        ("deploy.sh:9:1: note: Use $(...) notation instead of legacy backticks [SC2006]", 0.0),
        ("/src/app.js:1:10: Missing semicolon. [Warning/semi]", WARN_LEVEL),  # eslint --format unix
        ("/src/app.js:2:7: 'x' is assigned a value but never used. [Error/no-unused-vars]", ERROR_LEVEL),
        ("src/mod.py:12: note: See https://mypy.rtfd.io/", 0.0),
        ("2024-01-02T10:00:00: worker started", 0.0),  # a timestamp is no path
        ("12:00:01: worker started", 0.0),
        ("db.example.com:5432: connection ok", 0.0),  # host:port, no column, no rule code
        ("app/legacy.py:42: DeprecationWarning: use load() instead", 0.0),  # python's warnings, no column
    ],
)
def test_diagnostic_level_word_or_non_diagnostic_decides(line: str, expected: float) -> None:
    assert severity(line) == expected


RUFF_FULL = """\
F401 [*] `os` imported but unused
 --> app/io.py:1:8
  |
1 | import os
  |        ^^
  |
help: Remove unused import: `os`

warning: unused variable: `n`
 --> src/main.rs:2:9
  |
2 |     let n = 1;
  |         ^ help: if this is intentional, prefix it with an underscore: `_n`
"""


def test_ruff_header_over_a_location_is_a_diagnostic_but_a_levelled_header_keeps_its_level() -> None:
    lines = lines_of(RUFF_FULL)
    _, sev = log_structure(lines, goal_wants_warnings=False)
    assert sev[0] == DIAGNOSTIC_LEVEL
    assert sev[8] == WARN_LEVEL  # rustc's warning stays a warning


def lint_flood() -> list[str]:
    """A linter's concise output: hundreds of diagnostics over many files, a few named by the goal."""
    rules = [
        ("UP006", "Use `list` instead of `List` for type annotation"),
        ("TRY003", "Avoid specifying long messages outside the exception class"),
        ("EM101", "Exception must not use a string literal, assign to variable first"),
        ("ANN401", "Dynamically typed expressions (typing.Any) are disallowed in `value`"),
        ("S101", "Use of `assert` detected"),
        ("D102", "Missing docstring in public method"),
    ]
    out = []
    for k in range(300):
        code, message = rules[k % len(rules)]
        out.append(f"src/pkg/module_{k % 25}.py:{10 + k}:{1 + k % 7}: {code} {message}")
    out.append("Found 300 errors.")
    return out


def test_diagnostic_flood_keeps_what_the_goal_names_and_collapses_the_rest() -> None:
    """300 diagnostics are alerts, but forcing them all would keep everything: adaptive mode keeps those
    of the file the goal names and lets the rest collapse into counted markers."""
    lines = lint_flood()
    assert detect_source_type(lines) is SourceType.LOGS
    sel = prune_lines(lines, "fix the lint errors in src/pkg/module_7.py", None, FREE)
    check_selection(lines, sel, FREE)
    named = [i for i, line in enumerate(lines) if line.startswith("src/pkg/module_7.py:")]
    assert all(sel.keep[i] for i in named)
    assert sum(sel.keep) < 0.3 * len(lines)
    assert any("×" in b.reason for b in sel.blocks)


def test_diagnostic_flood_keeps_the_rule_the_goal_names() -> None:
    lines = lint_flood()
    sel = prune_lines(lines, "fix TRY003", None, FREE)
    named = [i for i, line in enumerate(lines) if " TRY003 " in line]
    assert all(sel.keep[i] for i in named)
    assert sum(sel.keep) < 0.4 * len(lines)


def mypy_flood() -> list[str]:
    """mypy's output: every diagnostic says ``error:``, over many files, a few in the goal's file."""
    messages = [
        "Function is missing a return type annotation  [no-untyped-def]",
        'Call to untyped function "make" in typed context  [no-untyped-call]',
        'Returning Any from function declared to return "bool"  [no-any-return]',
        'Argument 1 to "get" of "dict" has incompatible type "object"; expected "str"  [arg-type]',
    ]
    out = [f"pkg/tests/test_module_{k % 20}.py:{10 + k}: error: {messages[k % 4]}" for k in range(300)]
    out[150:150] = [f"pkg/cli.py:{k}: error: {messages[k % 4]}" for k in range(8)]
    out.append("Found 308 errors in 21 files (checked 40 source files)")
    return out


@pytest.mark.parametrize(
    "goal", ["fix the errors", "fix the type errors", "fix the errors in pkg/cli.py", "why does mypy fail"]
)
def test_a_goal_word_the_whole_flood_shares_names_no_alert(goal: str) -> None:
    """The word "errors" matches every line of mypy's output: it must not make every alert look named by the
    goal (the whole flood was kept), while the file the goal names is still kept whole."""
    lines = mypy_flood()
    assert detect_source_type(lines) is SourceType.LOGS
    sel = prune_lines(lines, goal, None, FREE)
    check_selection(lines, sel, FREE)
    assert sum(sel.keep) < 0.3 * len(lines)
    if "cli.py" in goal:
        assert all(sel.keep[i] for i, line in enumerate(lines) if line.startswith("pkg/cli.py:"))


def test_few_alerts_are_all_kept_in_adaptive_mode() -> None:
    """Below the flood line every alert is still forced, whatever the goal."""
    lines = noisy_log(errors_at=(37, 137, 211, 311))
    sel = prune_lines(lines, "why is the cache slow", None, FREE)
    assert all(sel.keep[i] for i in (37, 137, 211, 311))


@pytest.mark.parametrize(
    "line",
    [
        "  Downloaded thiserror v1.0.69",
        "   Compiling failure v0.1.8",  # a package step names the package: no alarm
        "   Compiling errorx v0.1.2",
        "   Compiling pretty_assertions v1.4.0",
        "Collecting failure-detector==0.3 (from -r requirements.txt (line 4))",
        "Successfully installed anyhow-1.0 failure-0.1.8 thiserror-1.0.69",
        "cache entry invalidated for user 42",
        "switching to standby: failover complete",
    ],
)
def test_alarm_words_glued_into_other_words_or_package_names_do_not_alarm(line: str) -> None:
    assert severity(line) == 0.0


@pytest.mark.parametrize(
    "line",
    [
        "requests.exceptions.ConnectionError: connection dropped",
        "handler returned error_code=12",
        "call returned E_FAILED",
        "connect ECONNREFUSED 127.0.0.1:5432",
        "upstream timed out after 30s",
        "job errored after 3 retries",
        "Building wheel for psycopg2 (setup.py) ... error",
        "java.lang.NullPointerException",
    ],
)
def test_alarm_words_as_identifier_parts_still_alarm(line: str) -> None:
    assert severity(line) >= 0.7


CARGO_BUILD = """\
    Updating crates.io index
  Downloaded thiserror v1.0.69
  Downloaded failure v0.1.8
  Downloaded anyhow v1.0.86
   Compiling proc-macro2 v1.0.86
   Compiling thiserror v1.0.69
   Compiling failure v0.1.8
   Compiling anyhow v1.0.86
   Compiling app v0.1.0 (/work/app)
error[E0308]: mismatched types
  --> src/main.rs:4:20
   |
4  |     let n: u32 = "3";
   |            ---   ^^^ expected `u32`, found `&str`

error: could not compile `app` (bin "app") due to 1 previous error
"""


def test_crate_names_are_no_alerts_in_a_build_log() -> None:
    lines = lines_of(CARGO_BUILD)
    a = analyze(lines, "why does the build fail", SourceType.LOGS)
    # 12 is the error's numbered source line, part of its record.
    assert [i for i, al in enumerate(a.alerts) if al and not lines[i].startswith(" ")] == [9, 12, 15]
    clean = [*lines[:9], "    Finished `dev` profile [unoptimized + debuginfo] target(s) in 4.12s"]
    assert not any(analyze(clean, "did the build pass", SourceType.LOGS).alerts)


PYTEST_RP = """\
============================= test session starts ==============================
collected 5 items

tests/test_shop.py .F..F                                                 [100%]

=================================== FAILURES ===================================
_______________________________ test_cart_total ________________________________

    def test_cart_total():
        print("adding 3 items")
>       assert 2 + 2 == 5
E       assert (2 + 2) == 5

tests/test_shop.py:11: AssertionError
----------------------------- Captured stdout call -----------------------------
adding 3 items
=================================== ERRORS ====================================
_______________________ ERROR at setup of test_refund ________________________
    @pytest.fixture
    def db():
>       raise ConnectionError("db down")
E       ConnectionError: db down

tests/test_shop.py:5: ConnectionError
==================================== PASSES ====================================
________________________________ test_login_ok _________________________________
----------------------------- Captured stdout call -----------------------------
connecting to db at localhost:5432
________________________________ test_parse_ok _________________________________
----------------------------- Captured stdout call -----------------------------
parsed 12 records
=============== 1 failed, 3 passed, 1 error in 0.12s ===============
"""


def test_pytest_titles_under_passes_are_not_failures() -> None:
    """``pytest -rP`` titles a passing test's captured output like a failure: not error-level there."""
    lines = lines_of(PYTEST_RP)
    _, sev = log_structure(lines, goal_wants_warnings=False)
    title = {line.strip("_ "): i for i, line in enumerate(lines) if line.startswith("___")}
    assert sev[title["test_cart_total"]] == ERROR_LEVEL
    assert sev[title["ERROR at setup of test_refund"]] == ERROR_LEVEL
    assert sev[title["test_login_ok"]] == 0.0
    assert sev[title["test_parse_ok"]] == 0.0
    a = analyze(lines, "why do the tests fail", None)
    assert a.source_type is SourceType.LOGS
    assert not any(a.alerts[title["test_login_ok"] :])


def test_pytest_output_with_crlf_line_ends_is_read_like_its_lf_twin() -> None:
    """Output pasted from Windows ends its lines with ``\r``: a failure's title was no alert there,
    pytest's output read as code, and failure reports the goal did not name were pruned away."""
    lines = lines_of(PYTEST_RP)
    crlf = [line + "\r" for line in lines]
    title = {line.strip("_ "): i for i, line in enumerate(lines) if line.startswith("___")}
    assert analyze(crlf, "", None).source_type is SourceType.LOGS
    a = analyze(crlf, "why do the tests fail", SourceType.LOGS)
    assert a.alerts[title["test_cart_total"]]
    assert a.alerts[title["ERROR at setup of test_refund"]]
    assert not any(a.alerts[title["test_login_ok"] :])


def test_a_few_long_failures_are_no_flood() -> None:
    """A short test run is mostly its failure reports: costly, but a few records, all kept whole."""
    lines = ["=================================== FAILURES ==================================="]
    for k in range(6):
        lines += [
            f"_______________________________ test_case_{k} ________________________________",
            "",
            f"    def test_case_{k}():",
            f"        order = make_order(items={k + 2}, coupon='SPRING{k}')",
            "        total = checkout(order)",
            f">       assert total == {k * 10 + 5}",
            f"E       assert {k * 10 + 4} == {k * 10 + 5}",
            "",
            f"tests/test_checkout.py:{k * 9 + 12}: AssertionError",
        ]
    lines.append("=============== 6 failed, 40 passed in 0.52s ===============")
    sel = prune_lines(lines, "why do the tests fail", None, FREE)
    assert all(sel.keep[i] for i, line in enumerate(lines) if line.startswith(("E ", ">")))


def _parametrized_failures(count: int) -> list[str]:
    lines = ["============================= test session starts ==============================", ""]
    lines += ["=================================== FAILURES ==================================="]
    for k in range(count):
        lines += [
            f"___________________________ test_price_rounding[{k}] ___________________________",
            "",
            f"i = {k}",
            "",
            "    @pytest.mark.parametrize('i', range(12))",
            "    def test_price_rounding(i):",
            "        price = compute_price(i)",
            ">       assert round(price, 2) == expected(i)",
            f"E       assert {k}.004 == {k}.0",
            "",
            "tests/test_price.py:14: AssertionError",
        ]
    lines += ["=========================== short test summary info ============================"]
    lines += [f"FAILED tests/test_price.py::test_price_rounding[{k}] - assert" for k in range(count)]
    lines += [f"============================== {count} failed in 0.31s =============================="]
    return lines


def test_a_parametrized_test_id_in_the_goal_finds_its_own_report() -> None:
    """Regression guard: the goal's ``[7]`` was a lone digit, dropped, so every report of
    ``test_price_rounding`` matched alike and the one asked for was kept only by chance."""
    lines = _parametrized_failures(12)
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, "why does test_price_rounding[7] fail", SourceType.LOGS, b)
    check_selection(lines, sel, b)
    start = lines.index("___________________________ test_price_rounding[7] ___________________________")
    assert all(sel.keep[start : start + 11])


@pytest.mark.parametrize(
    "line",
    [
        "Found 0 errors in 3 files",
        "Success: no issues found, no errors",
        "Tests run: 5, Failures: 0, Errors: 0, Skipped: 0",
        "=== 3 passed, 0 failed in 1.2s ===",
        "Build completed without errors",
        "lint: errors=0 warnings=2",
    ],
)
def test_a_count_of_none_is_no_alarm(line: str) -> None:
    """Regression guard: a tool's all-clear summary ("0 errors", maven's ``Failures: 0``) scored as
    an error line and was kept as one."""
    assert severity(line) == 0.0


@pytest.mark.parametrize(
    "line",
    [
        "Tests run: 5, Failures: 1, Errors: 0, Skipped: 0",
        "1 failed, 0 errors",
        "0 errors, 1 failure",
        "connection failed: 0 bytes read",
        "retry failed (attempts: 0)",
        "Unhandled Rejection at: Promise { <pending> }",  # node: no other alarm word on the line
    ],
)
def test_a_count_of_some_is_still_an_alarm(line: str) -> None:
    assert severity(line) >= 0.7


def cargo_build(error_at: int = 27) -> list[str]:
    """``cargo build`` output: crate steps, then forty rustc warnings and one error, each a header over
    its `` --> path:line:col`` location and a numbered source excerpt (most lines are indented)."""
    out = [f"   Compiling dep{k} v0.{k}.3" for k in range(60)]
    for k in range(40):
        out += [
            f"warning: unused variable: `v{k}`",
            f"  --> src/module{k}.rs:{k + 3}:9",
            "   |",
            f"{k + 3:>2} |     let v{k} = compute({k});",
            f"   |         ^^ help: if this is intentional, prefix it with an underscore: `_v{k}`",
            "   |",
            "   = note: `#[warn(unused_variables)]` on by default",
            "",
        ]
        if k == error_at:
            out += [
                "error[E0308]: mismatched types",
                "  --> src/parser.rs:118:24",
                "    |",
                "118 |     let count: usize = header.len;",
                "    |                -----   ^^^^^^^^^^ expected `usize`, found `u32`",
                "    |                |",
                "    |                expected due to this",
                "",
            ]
    out.append('error: could not compile `app` (bin "app") due to 1 previous error; 40 warnings emitted')
    return out


def gcc_build() -> list[str]:
    """gcc's output: an ``In function`` line, then each diagnostic over its numbered source excerpt."""
    out = []
    for k in range(30):
        out += [
            f"src/unit{k}.c: In function ‘handler{k}’:",
            f"src/unit{k}.c:{k + 9}:13: warning: unused variable ‘tmp{k}’ [-Wunused-variable]",
            f"   {k + 9:>2} |         int tmp{k};",
            "      |             ^~~~",
        ]
        if k == 17:
            out += [
                f"src/unit{k}.c:{k + 12}:21: error: ‘struct point’ has no member named ‘z’",
                f"   {k + 12:>2} |     return p->x * p->z;",
                "      |                     ^~",
            ]
    return out


@pytest.mark.parametrize("make", [cargo_build, gcc_build])
def test_a_compiler_diagnostic_and_its_source_excerpt_are_one_record(make: object) -> None:
    """Most lines of a compiler's output are indented excerpt lines, so indentation stops meaning
    continuation; an excerpt line (`` --> path:1:2``, ``12 | code``, ``   | ^~~``, ``= note:``) still
    belongs to the diagnostic above it: an error without its location and source line says little."""
    assert callable(make)
    lines: list[str] = make()
    assert sum(line[:1].isspace() for line in lines) >= len(lines) / 2
    error = next(i for i, line in enumerate(lines) if "E0308" in line or "no member" in line)
    end = error + 1
    while end < len(lines) and lines[end].strip() and not lines[end].startswith(("src/", "warning", "error")):
        end += 1
    assert end - error >= 3
    assert (error, end) in records(lines)
    for b in (FREE, budget(keep_ratio=0.3)):
        sel = prune_lines(lines, "fix the build error", None, b)
        check_selection(lines, sel, b)
        assert all(sel.keep[error:end]), render(lines, sel)


def test_adaptive_keeps_the_record_the_goal_names_next_to_forced_alerts() -> None:
    """Sixty one-line errors, each between INFO lines: forcing them all (and a marker between each two)
    spends the adaptive target; the one INFO line naming the goal's order must still be kept."""
    lines = []
    for k in range(60):
        ts = f"2024-03-01 10:00:{k:02d}"
        lines += [
            f"{ts} INFO worker handling order ord-{1000 + k} for customer c{k}",
            f"{ts} INFO worker fetched cart with {k % 5 + 1} items",
            f"{ts} ERROR payment gateway rejected the charge",
            f"{ts} INFO worker moving on",
        ]
    sel = prune_lines(lines, "why did order ord-1037 fail", None, FREE)
    check_selection(lines, sel, FREE)
    named = next(i for i, line in enumerate(lines) if "ord-1037" in line)
    assert sel.keep[named]
    assert all(sel.keep[i] for i, line in enumerate(lines) if "ERROR" in line)


_LEVEL_WORDS = [
    "ERROR",
    "Error",
    "error",
    "ERR",
    "WARN",
    "warning",
    "FATAL",
    "fatal",
    "INFO",
    "level=",
    "lvl:",
]
_LEVEL_WORDS += [
    "[err]",
    "[Warning/semi]",
    "FAILED",
    "CRITICAL",
    "severity: ",
    "1: error: ",
    "FINEST",
    "CONFIG",
]
_ALARM_WORDS = ["Exception", "TRACEBACK", "panicked", "segmentation fault", "timed out", "time out", "can't"]
_ALARM_WORDS += ["couldn't", "Unable to", "OUT OF MEMORY", "ConnectionRefused", "E_FAILED", "corruption", "ı"]


@settings(max_examples=400, deadline=None)
@given(
    strat.lists(
        strat.one_of(
            strat.sampled_from(_LEVEL_WORDS + _ALARM_WORDS),
            strat.text(alphabet=' :=[]/_0aZİ\t{}"', max_size=4),
        ),
        max_size=12,
    ).map("".join)
)
def test_severity_skips_its_slow_patterns_only_where_they_find_nothing(line: str) -> None:
    """The hints let :func:`severity` skip the level and alarm patterns on lines without their words:
    with hints that let everything through, every line gets the same severity."""
    fast = severity(line)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_logs, "_LEVEL_HINT", re.compile(""))
        mp.setattr(_logs, "_ALARM_HINT", re.compile(""))
        assert severity(line) == fast


def test_log_severity_is_the_same_without_the_hints_on_the_sample_logs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = [*lines_of(samples.JAVA_LOG), *lines_of(samples.PY_TRACEBACK_LOG), *noisy_log(), *PYTEST_FAILURE]
    fast = [severity(line) for line in lines]
    monkeypatch.setattr(_logs, "_LEVEL_HINT", re.compile(""))
    monkeypatch.setattr(_logs, "_ALARM_HINT", re.compile(""))
    assert [severity(line) for line in lines] == fast
