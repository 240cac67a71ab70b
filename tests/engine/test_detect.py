"""Source type detection from content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcp_pruner import engine
from mcp_pruner._contract import SourceType
from mcp_pruner.engine import _detect, detect_source_type
from mcp_pruner.engine._yaml import looks_like_yaml

from . import samples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (samples.PYTHON, SourceType.CODE),
        (samples.JAVASCRIPT, SourceType.CODE),
        (samples.TYPESCRIPT, SourceType.CODE),
        (samples.GO, SourceType.CODE),
        (samples.RUST, SourceType.CODE),
        (samples.JAVA, SourceType.CODE),
        (samples.RUBY, SourceType.CODE),
        (samples.JAVA_LOG, SourceType.LOGS),
        (samples.PY_TRACEBACK_LOG, SourceType.LOGS),
        (samples.MARKDOWN, SourceType.DOCS),
        (
            "03-17 16:13:38.811  1702  2395 D WindowManager: x\n03-17 16:13:38.819  1702  8671 I Power: y\n",
            SourceType.LOGS,
        ),
        ("[Sun Dec 04 04:47:44 2005] [notice] ok\n[Sun Dec 04 04:47:44 2005] [error] bad\n", SourceType.LOGS),
        ("081109 203615 148 INFO dfs.DataNode: x\n081109 203807 222 INFO dfs.DataNode: y\n", SourceType.LOGS),
        (  # a date with no year (Proxifier), a compact date and time (HealthApp)
            "[10.30 16:49:06] chrome.exe - proxy.example.edu:5070 open through proxy proxy.example.edu:5070\n"
            "[10.30 16:49:07] chrome.exe - proxy.example.edu:5070 close, 403 bytes sent, lifetime 00:02\n",
            SourceType.LOGS,
        ),
        (
            "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579\n"
            "20171223-22:15:29:615|Step_LSC|30002312|onExtend:1514038530000 14 0 4\n",
            SourceType.LOGS,
        ),
        (
            "This is a plain paragraph of text that explains things.\nAnother sentence follows here, too.\n",
            SourceType.DOCS,
        ),
        ("", SourceType.CODE),
    ],
)
def test_detect(text: str, expected: SourceType) -> None:
    assert detect_source_type(text.split("\n")) is expected


BARE_TRACEBACK = (
    "Traceback (most recent call last):\n"
    + "".join(
        f'  File "/srv/app/layer{k}.py", line {k + 10}, in handler_{k}\n    response = next_{k}(request)\n'
        for k in range(8)
    )
    + "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]\n"
)
GO_PANIC = (
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7b4f3a]\n\n"
    "goroutine 14 [running]:\n"
    + "".join(
        f"example.com/shop/store.(*Store).Load{k}(0x0, 0x1f4a)\n\t/src/store/store.go:{k + 80} +0x3a\n"
        for k in range(6)
    )
    + "exit status 2\n"
)
JSON_LINES = "".join(
    f'{{"ts": "2024-01-02T10:00:{i:02d}Z", "{key}": "{lvl}", "msg": "job done", "id": {i}, "error": null}}\n'
    for i, (key, lvl) in enumerate(
        [("level", "info"), ("lvl", "warn"), ("severity", "INFO"), ("log.level", "error")] * 5
    )
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BARE_TRACEBACK, SourceType.LOGS),
        (GO_PANIC, SourceType.LOGS),
        (JSON_LINES, SourceType.LOGS),
    ],
)
def test_bare_traces_and_json_records_detected_as_logs(text: str, expected: SourceType) -> None:
    assert detect_source_type(text.split("\n")) is expected


def test_json_object_without_a_level_name_is_no_log_record() -> None:
    assert detect_source_type(['{"name": "pkg", "version": "1.0.0", "level": 3}']) is SourceType.CODE


def _corpus_lines() -> list[str]:
    """Every line of the samples and of this package's sources, plus 1,000 of them re-indented."""
    texts = [getattr(samples, name) for name in dir(samples) if name.isupper()]
    texts += [p.read_text() for p in Path(engine.__file__).parent.parent.rglob("*.py")]
    lines = [line for text in texts for line in text.splitlines()]
    return lines + ["\t" + line for line in lines[:500]] + ["    " + line.lstrip() for line in lines[:500]]


def test_line_signal_prefilter_agrees_with_the_plain_alternation() -> None:
    """Language detection skips lines by their first character and strips indentation before matching.

    Guards that shortcut: on every line of the samples and of this package's own sources, indented
    or not, it must find the same signal as the full alternation tried on the raw line.
    """
    from mcp_pruner.engine import _langs

    plain = re.compile("|".join(f"(?P<g{i}>{pat})" for i, (_, pat, _) in enumerate(_langs._LINE_SIGNALS)))
    lines = _corpus_lines()
    for line in lines:
        expected = plain.match(line)
        body = line.lstrip(" \t")
        fast = None
        if body[:1] in _langs._FIRST:
            fast = (_langs._INDENTED_RE if len(body) < len(line) else _langs._LINE_RE).match(body)
        assert (fast.lastgroup if fast else None) == (expected.lastgroup if expected else None), line


def test_source_type_signals_agree_with_the_plain_regexes() -> None:
    """Source-type detection tests lines with anchored matches and substring prefilters.

    Guards that shortcut: on every line of the samples and of this package's own sources, indented
    or not, each test must agree with the single regex search it replaces.
    """
    month = _detect._MONTH
    log = re.compile(
        r"^\s*\[?(?:\d{2,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T]?\d{0,2}|\d{6} \d{6}|\d{2}-\d{2} \d{2}:\d{2}|"
        r"\d{2}:\d{2}:\d{2}|\d{10}|"
        r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? " + month + r"|" + month + r" +\d{1,2} \d{2}:\d{2}|"
        r"(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|CRITICAL|SEVERE|NOTICE)\b"
        r"|[VDIWEF]/\S+\s*\(|[IWEF]\d{4} )"
        r"|^\S+ \d{10} \d{4}\.\d{2}\.\d{2} |^\S+\s+\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"
        r"|\b(?:level|lvl|severity)[=:]\s*\"?\w+"
    )
    code = re.compile(
        r"[;{}]\s*$|^\s*(?:def|class|import|from|return|if|elif|else|for|while|function|const|let|var|fn|"
        r"func|pub|public|private|protected|package|use|impl|struct|#include|try|catch|except|switch|case)\b"
        r"|=>|^\s*(?://|/\*|\*/|@\w+)|\)\s*:?\s*$|^\s*[})\]]"
    )
    doc = re.compile(
        r"^#{1,6}\s+\S|^\s*[-*+]\s+[A-Za-z`*\[]|^\s*\d+[.)]\s+\w|^\s*>\s|\[[^\]]+\]\([^)]+\)"
        r"|^[A-Z][a-z]+(?: [\w,'()\"-]+){3,}[.!?:]?\s*$|^\s*\.\. \w+::|^(?:=|-|~|\^){4,}\s*$|^\|.*\|\s*$"
    )
    edge_cases = ["  2024-01-02 12:00:01 x", " [INFO] x", "host 2024-01-02T12:00 x", "a level=warn", "f(x): "]
    lines = [*_corpus_lines(), *edge_cases]
    for line in lines:
        assert _detect._is_log(line) is (log.search(line) is not None), line
        plain_code = code.search(line) is not None
        if _detect._is_code(line) is not plain_code:  # only a document line's link, aside or inline code
            assert plain_code, line
            assert _detect._prose_ending(line, line.rstrip()), line
        assert _detect._is_doc(line) is (doc.search(line) is not None), line


def test_fence_state_is_read_on_the_whole_text_not_the_sample() -> None:
    """A long text is sampled every few lines: a sample that skips a closing fence line saw the prose
    after it as fenced and the next block's code as prose, so a tutorial full of examples was code."""
    block = "```python\n" + "".join(f"client.call{j}(timeout={j})\n" for j in range(7))
    block += "```\n\nThe example above reads every item once.\n\n"
    lines = ("# Guide\n\n" + block * 100).split("\n")
    assert len(lines) > 1000
    assert detect_source_type(lines) is SourceType.DOCS


CHANGELOG_MD = "# Changelog\n\n" + "".join(
    f"## v2.{k}.0 (2024-05-{k + 1:02d})\n\n[GitHub release](https://example.com/releases/v2.{k}.0)\n\n"
    f"* Fix parsing of nested models by [@dev{k}](https://example.com/dev{k}) in [#{k}](https://example.com/{k})\n"
    f"* Add `strict` mode to validators (#{k + 100})\n\n"
    for k in range(20)
)
RST_LITERAL_BLOCKS = "Advanced usage\n==============\n\n" + "".join(
    f"Session objects\n---------------\n\nThe session keeps cookies across requests, like this::\n\n"
    f"    s = requests.Session()\n    s.get('https://example.com/{k}')\n    r = s.get('https://example.com')\n"
    f"    print(r.text)\n\n.. code-block:: python\n\n    with requests.Session() as s:\n"
    f"        s.get('https://example.com/{k}')\n\nSessions can also provide default data.\n\n"
    for k in range(12)
)
API_LIST_MD = "# Dispatcher\n\n## Parameters\n\n" + "".join(
    f"* **callback{k}** `(error: Error | null, data: Data{k}) => void` (optional)\n"
    f"* **onData{k}** `(chunk: Buffer) => boolean` - Invoked when response payload data is received.\n"
    for k in range(20)
)


@pytest.mark.parametrize("text", [CHANGELOG_MD, RST_LITERAL_BLOCKS, API_LIST_MD])
def test_docs_with_link_lines_literal_blocks_or_inline_signatures_are_docs(text: str) -> None:
    """A changelog's link lines and dated headings end with ``)``, a reStructuredText literal block
    (``::``, ``.. code-block::``) holds code like a fence, an API list shows ``=>`` in inline code:
    none of them makes a document code."""
    assert detect_source_type(text.split("\n")) is SourceType.DOCS


@pytest.mark.parametrize(
    "line",
    ["print(item)", "    foo(bar)", "if (ready)", "const f = (x) => x + 1", "(defun f (x) (g x))", "  b=2)"],
)
def test_calls_and_arrows_stay_code(line: str) -> None:
    assert _detect._is_code(line)


CARGO_BUILD = "\n".join(
    [*(f"   Compiling dep{k} v0.{k}.0" for k in range(12)),
     "error[E0308]: mismatched types",
     "  --> src/config.rs:42:20",
     "   |",
     "42 |         return secs * 1000;",
     "   |                ^^^^^^^^^^^ expected `Duration`, found `u64`",
     "",
     "error: could not compile `app` (bin \"app\") due to 1 previous error"]
)  # fmt: skip
GO_TEST = "\n".join(
    [*(f"=== RUN   TestCase{k}\n--- PASS: TestCase{k} (0.00s)" for k in range(8)),
     "    store_test.go:42: got 3, want 4",
     "--- FAIL: TestCase8 (0.00s)",
     "FAIL",
     "FAIL\texample.com/store\t0.012s"]
)  # fmt: skip
PYTEST_QUIET = "\n".join(
    ["============================= test session starts ==============================",
     "collected 120 items",
     "",
     "tests/test_cart.py ..................................F........... [ 50%]",
     "tests/test_user.py ............................................... [100%]",
     "",
     "=================================== FAILURES ===================================",
     "________________________________ test_total ____________________________________",
     "",
     "    def test_total():",
     "        cart = Cart()",
     "        cart.add(3, 2)",
     ">       assert cart.total() == 6",
     "E       assert 5 == 6",
     "",
     "tests/test_cart.py:12: AssertionError",
     "=========================== short test summary info ============================",
     "FAILED tests/test_cart.py::test_total - assert 5 == 6",
     "========================= 1 failed, 119 passed in 0.41s ========================="]
)  # fmt: skip
TYPE_CHECK = "\n".join(
    [*(f"src/mod{k}.py:{k + 3}: error: Incompatible return value type  [return-value]" for k in range(5)),
     "src/app.ts(48,15): error TS2339: Property 'retry' does not exist on type 'Options'.",
     "Found 5 errors in 5 files (checked 40 source files)"]
)  # fmt: skip

LINT_CONCISE = "\n".join(
    [*(f"src/pkg/mod{k}.py:{k + 3}:5: F401 [*] `os{k}` imported but unused" for k in range(6)),
     "src/pkg/util.go:12:2: Error return value of `f.Close` is not checked (errcheck)",
     "Found 7 errors."]
)  # fmt: skip

NPM_VERBOSE = "\n".join(
    [*(f"npm http fetch GET 200 https://registry.npmjs.org/pkg{k} {k + 9}ms (cache hit)" for k in range(12)),
     "npm timing reifyNode:node_modules/react Completed in 41ms",
     "npm ERR! code ERESOLVE",
     "npm ERR! ERESOLVE unable to resolve dependency tree",
     "npm ERR! While resolving: app@1.0.0"]
)  # fmt: skip
"""``npm install --verbose``: its lines end with ``(cache hit)``, a closing bracket like a call's; npm's
own level field (``http``, ``timing``, ``ERR!``) says log."""
GRADLE = "\n".join(
    [*(f"> Task :lib{k}:compileJava UP-TO-DATE" for k in range(10)),
     "> Task :app:compileJava FAILED",
     "/app/src/main/java/App.java:12: error: cannot find symbol",
     "FAILURE: Build failed with an exception.",
     "BUILD FAILED in 3s"]
)  # fmt: skip
"""Its ``> Task`` lines read as a document's quotes."""
WEBPACK = "\n".join(
    [*(f"asset chunk-{k}.js {k + 1}.5 KiB [emitted] [minimized] (name: chunk{k})" for k in range(10)),
     "ERROR in ./src/index.js 12:4",
     "Module parse failed: Unexpected token (12:4)",
     "webpack 5.90.0 compiled with 1 error in 2345 ms"]
)  # fmt: skip
"""Its ``asset`` lines end with a closing bracket, like calls."""
COMPOSE = "\n".join(
    [*(f'web-1  | 172.18.0.1 - - "GET /api/items/{k} HTTP/1.1" 200 {k + 100}' for k in range(10)),
     "web-1  | Traceback (most recent call last):",
     "web-1  | KeyError: 'item_id'",
     "db-1   | ready to accept connections"]
)  # fmt: skip
"""``docker compose logs``: each line behind its service's replica name."""


@pytest.mark.parametrize(
    "text",
    [CARGO_BUILD, GO_TEST, PYTEST_QUIET, TYPE_CHECK, LINT_CONCISE, NPM_VERBOSE, GRADLE, WEBPACK, COMPOSE],
)
def test_build_and_test_output_without_timestamps_detected_as_logs(text: str) -> None:
    """Compiler diagnostics, test verdicts and progress steps are logs even with no timestamp or level."""
    assert detect_source_type(text.split("\n")) is SourceType.LOGS


def test_go_code_assigning_ok_stays_code() -> None:
    """``ok  \\tpkg\\t0.01s`` is a go test verdict; ``ok := check()`` is Go code."""
    lines = [
        "package store",
        "",
        "func lookup(m map[string]int, k string) int {",
        *(f"\tok := m[k{j}] > 0\n\tif !ok {{\n\t\treturn {j}\n\t}}" for j in range(30)),
        "\treturn 0",
        "}",
    ]
    assert detect_source_type("\n".join(lines).split("\n")) is SourceType.CODE


def _pytest_parametrized_failures(count: int) -> list[str]:
    """pytest's default report of failing parametrized tests: each report shows the test's argument
    (``i = 3``) and then the test's source, which reads like code."""
    out = [
        "============================= test session starts ==============================",
        f"collected {count} items",
        "",
        "test_prices.py " + "F" * count + "                                  [100%]",
        "",
        "=================================== FAILURES ===================================",
    ]
    for i in range(count):
        out += [
            f"____________________________ test_price_rounding[{i}] ____________________________",
            "",
            f"i = {i}",
            "",
            '    @pytest.mark.parametrize("i", range(45))',
            "    def test_price_rounding(i):",
            "        price = i * 1.1",
            '>       assert round(price, 2) == round(price, 0), f"item {i}"',
            f"E       AssertionError: item {i}",
            f"E       assert {i}.1 == {i}.0",
            "",
            "test_prices.py:5: AssertionError",
        ]
    out.append(f"============================== {count} failed in 0.90s ==============================")
    return out


def test_pytest_reports_showing_test_arguments_are_logs() -> None:
    """The ``i = 3`` line under a failure title ended the trace, so the test's source counted as code
    and a run of 40 failing parametrized tests was detected as code."""
    assert detect_source_type(_pytest_parametrized_failures(40)) is SourceType.LOGS


COMPOSE_YAML = """\
# Services for local development.
version: "3.9"
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
    volumes:
      - db-data:/var/lib/postgresql/data
  web:
    build: .
    command: >
      gunicorn app:server
      --bind 0.0.0.0:8000
    depends_on:
      - db
volumes:
  db-data:
"""

MARKDOWN_WITH_FRONT_MATTER = """\
---
title: Configuring the cache
tags:
  - cache
---
# Configuring the cache

The cache keeps rendered pages for a while. Set these options:

- ttl: how long a page stays, in seconds.
- size: the most pages kept at once.

Note: the cache is per process.
"""

EMAIL_HEADERS = """\
Return-Path: <bbb@zzz.org>
Delivered-To: bbb@zzz.org
Received: by mail.zzz.org (Postfix, from userid 889)
\tid 27CEAD38CC; Fri,  4 May 2001 14:05:44 -0400 (EDT)
From: bbb@ddd.com (John X. Doe)
To: bbb@zzz.org
Subject: This is a test message
Date: Fri, 4 May 2001 14:05:44 -0400

Hi, this is the body of the message.
"""


def test_yaml_config_is_code_markdown_and_flat_headers_are_not() -> None:
    """Nested ``key:`` lines and list items are YAML: code (indentation structure), not a document. Markdown
    with YAML front matter and ``- key: text`` list items, and flat ``Name: value`` headers, stay docs."""
    assert detect_source_type(COMPOSE_YAML.splitlines()) == SourceType.CODE
    assert detect_source_type(MARKDOWN_WITH_FRONT_MATTER.splitlines()) == SourceType.DOCS
    assert not looks_like_yaml(EMAIL_HEADERS.splitlines())
