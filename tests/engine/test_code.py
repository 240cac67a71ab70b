"""Code: tree-sitter blocks per language, the indentation fallback, enclosing signatures, reasons."""

from __future__ import annotations

import pytest
import tree_sitter as ts

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import prune_lines
from mcp_pruner.engine._code import code_structure
from mcp_pruner.engine._indent import indent_scopes
from mcp_pruner.engine._langs import _is_json, detect_language
from mcp_pruner.engine._structure import Scope
from mcp_pruner.engine._treesitter import _DEF_TYPES, _WRAPPED, _WRAPPERS, LANGUAGES, _grammar, parse_scopes

from . import samples
from .helpers import FREE, budget, check_selection


def lines_of(text: str) -> list[str]:
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


CASES = [
    ("python", samples.PYTHON, {"class CookieJar", "def merge_cookies", "def parse_headers"}),
    ("javascript", samples.JAVASCRIPT, {"function createServer", "class Router", "method dispatch"}),
    ("typescript", samples.TYPESCRIPT, {"interface RetryOptions", "class RetryPolicy", "method shouldRetry"}),
    ("tsx", samples.TSX, {"function Button", "function Toolbar"}),
    ("go", samples.GO, {"type Engine", "func New", "func ServeHTTP"}),
    ("rust", samples.RUST, {"impl Walker", "fn is_ignored", "fn count_extensions"}),
    ("java", samples.JAVA, {"class RestAdapter", "method convertBody", "method log"}),
]


@pytest.mark.parametrize(("lang", "text", "names"), CASES)
def test_tree_sitter_blocks(lang: str, text: str, names: set[str]) -> None:
    lines = lines_of(text)
    assert detect_language(lines) == lang
    st = code_structure(lines)
    assert st.notes == [f"lang={lang}"]
    found = {s.name for s in st.scopes}
    assert names <= found, found
    for s in st.scopes:  # nested or disjoint, headers inside their scope
        assert s.start < s.header_end <= s.end
        if s.parent >= 0:
            p = st.scopes[s.parent]
            assert p.start <= s.start
            assert s.end <= p.end


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wrapped_definitions_table_is_every_pair_the_grammar_allows(lang: str) -> None:
    """``_WRAPPED`` lets the definitions outside it skip the climb to their wrappers: a grammar that
    comes to allow one more wrapper-definition pair must show up here."""
    language = _grammar(lang).language
    allowed: dict[str, tuple[str, ...]] = {}
    for wrapper in sorted(_WRAPPERS):
        if language.id_for_node_kind(wrapper, True) is None:
            continue
        defs = []
        for d in _DEF_TYPES[lang]:
            try:
                ts.Query(language, f"({wrapper} ({d}))")
            except ts.QueryError:  # an impossible pattern: the grammar never puts d in wrapper
                continue
            defs.append(d)
        if defs:
            allowed[wrapper] = tuple(defs)
    assert allowed == _WRAPPED[lang]


def test_decorated_and_wrapped_definitions_start_at_their_wrapper() -> None:
    py = parse_scopes(b"@app.route('/')\n@login\ndef index():\n    return 1\n", 5, "python")
    assert py is not None
    assert [(s.start, s.name) for s in py.scopes] == [(0, "def index")]
    js = b"export const handler = async (req) => {\n  return req;\n};\n"
    parsed = parse_scopes(js, 4, "javascript")
    assert parsed is not None
    assert [(s.start, s.end, s.name) for s in parsed.scopes] == [(0, 3, "fn handler")]


def test_indentation_fallback_for_unknown_language() -> None:
    lines = lines_of(samples.RUBY)
    assert detect_language(lines) is None
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    by_name = {s.name: s for s in st.scopes}
    assert {"module Shop", "class Cart", "def add_item", "def total_price"} <= set(by_name)
    total = by_name["def total_price"]
    assert lines[total.end - 1].strip() == "end"  # the closing `end` belongs to its block


def test_json_data_is_not_parsed_as_javascript_even_when_its_strings_hold_code() -> None:
    """A JSON answer or lock file holding code in its strings scored as JavaScript, and a 2,000,000-
    character one spent a third of its time in a parse that found no definition."""
    code = "export const handler = async (req) => {\\n  return req;\\n};"
    record = '  {"id": %d, "text": "' + code + '", "ok": true},'
    lines = ["[", *(record % k for k in range(300)), '  {"id": -1, "ids": [1, 2], "next": null}', "]"]
    assert detect_language(lines) is None
    assert code_structure(lines).notes == ["lang=indent"]
    block = ["{", "  const x = 1;", "  function f() { return x; }", "  let y = f();", "}"]
    assert not _is_json(block)  # a block of code opening with a brace is not data
    assert _is_json(lines)
    assert detect_language(lines_of(samples.JAVASCRIPT)) == "javascript"


@pytest.mark.parametrize(("lang", "text", "names"), CASES)
def test_kept_line_keeps_enclosing_signatures(lang: str, text: str, names: set[str]) -> None:
    lines = lines_of(text)
    st = code_structure(lines)
    # Aim at the last line of the deepest scope's body: its signature chain must come along.
    deepest = max(range(len(st.scopes)), key=lambda k: (_depth(st.scopes, k), k))
    target = lines[st.scopes[deepest].end - 2]
    goal = " ".join(w for w in target.replace("(", " ").replace(".", " ").split() if w.isidentifier())
    b = budget(keep_ratio=0.2)
    sel = prune_lines(lines, goal, SourceType.CODE, b)
    check_selection(lines, sel, b)
    assert sum(sel.keep) < len(lines)
    for i, kept in enumerate(sel.keep):
        s = st.line_scope[i] if kept else -1
        while s >= 0:
            sc = st.scopes[s]
            assert all(sel.keep[sc.start : sc.header_end]), (lang, i, sc.name)
            s = sc.parent


def _depth(scopes: list[Scope], k: int) -> int:
    d = 0
    while scopes[k].parent >= 0:
        k = scopes[k].parent
        d += 1
    return d


def test_relevant_function_kept_and_others_named_in_reasons() -> None:
    lines = lines_of(samples.PYTHON * 3)
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, "fix merge_cookies when expires is a string", None, b)
    check_selection(lines, sel, b)
    kept = "\n".join(line for line, k in zip(lines, sel.keep, strict=True) if k)
    assert "time.mktime(time.strptime(expires" in kept
    reasons = " ".join(blk.reason for blk in sel.blocks)
    assert "def parse_headers" in reasons or "def format_date" in reasons


def test_blank_lines_bordering_kept_lines_are_kept() -> None:
    """Guards the blank-edge pass: a kept block keeps the blank lines around it (a token or none
    each), where a change next to it often lands. Before, 29% of the blank lines a commit touched
    were lost at keep 0.3 on the benchmark, though they cost nothing."""
    lines = lines_of(samples.PYTHON * 3)
    b = budget(keep_ratio=0.3)
    sel = prune_lines(lines, "parse headers", None, b)
    check_selection(lines, sel, b)
    for i, line in enumerate(lines):
        if sel.keep[i] and line.strip():
            for j in (i - 1, i + 1):
                if 0 <= j < len(lines) and not lines[j].strip():
                    assert sel.keep[j], (i, j)


def test_small_gaps_are_not_worth_a_marker() -> None:
    lines = lines_of(samples.JAVA)
    sel = prune_lines(lines, "convert body status 204", None, FREE)
    for blk in sel.blocks:
        assert blk.end - blk.start + 1 >= 2 or lines[blk.start - 1].strip()


def test_question_words_of_the_goal_are_no_terms() -> None:
    """Agents ask questions: "how" and "which" must not outweigh what they ask about (an unmatched
    question word made "how" the goal's rarest, heaviest term); "where" weighs as a generic word,
    since it is also Rust's and SQL's keyword."""
    from mcp_pruner.engine._terms import goal_terms, stem

    g = goal_terms("How and why does the retry backoff work, which one, where?")
    assert {"how", "why", "which"}.isdisjoint(g.weights)
    assert {"how", "why", "which"}.isdisjoint(g.words)
    assert g.weights[stem("where")] < g.weights[stem("retry")]


def _module_with_which() -> list[str]:
    """A module of helpers, one of them named ``which`` (distlib's and shutil's lookup of a command)."""
    out = ["import os", "import sys", ""]
    for k in range(12):
        out += [
            "",
            f"def helper_{k}(path, mode=0):",
            f'    """Normalise path {k} for the platform."""',
            "    if not path:",
            "        return None",
            f"    return os.path.normpath(path) + str(mode + {k})",
        ]
        if k == 6:
            out += [
                "",
                "def which(cmd, mode=os.F_OK | os.X_OK, path=None):",
                "    if sys.platform == 'win32':",
                "        pathext = os.environ.get('PATHEXT', '').split(os.pathsep)",
                "        files = [cmd + ext for ext in pathext]",
                "    else:",
                "        files = [cmd]",
                "    for directory in (path or os.environ.get('PATH', '')).split(os.pathsep):",
                "        for name in files:",
                "            candidate = os.path.join(directory, name)",
                "            if os.access(candidate, mode):",
                "                return candidate",
                "    return None",
            ]
    return out


@pytest.mark.parametrize(
    "goal",
    ["fix which(): it returns None for a command on the PATH", "fix `which` for commands", "shutil.which"],
)
def test_a_question_word_written_as_code_is_a_name(goal: str) -> None:
    """Question words are stop words in prose only: ``which()`` names the function to fix."""
    from mcp_pruner.engine._terms import goal_terms

    assert "which" in goal_terms(goal).weights
    assert "which" not in goal_terms("which helper returns None?").weights
    lines = _module_with_which()
    start = lines.index("def which(cmd, mode=os.F_OK | os.X_OK, path=None):")
    sel = prune_lines(lines, goal, SourceType.CODE, FREE)
    check_selection(lines, sel, FREE)
    assert all(sel.keep[start : start + 12])


def test_goal_terms_split_and_stemmed() -> None:
    from mcp_pruner.engine._terms import goal_terms, stem, word_parts

    g = goal_terms("Fix parse_headers when Session.sendRequest gets cookies")
    assert {"pars", "header", "session", "send", "request", "cooki"} <= set(g.weights)
    assert g.weights["fix"] < g.weights["pars"]
    assert "parse_headers" in g.phrases
    assert "session.sendrequest" in g.phrases
    assert "sendrequest" in g.phrases  # a compound part of the dotted path, on its own
    assert "session" not in g.phrases  # a single word stays a term
    assert word_parts("HTTPServer.parseHeaders(cookies)") == ["http", "server", "pars", "header", "cooki"]
    assert stem("entries") == stem("entry")
    assert stem("parsing") == stem("parse")
    assert stem("negotiation") == stem("negotiate") == stem("negotiates")
    assert stem("redirection") == stem("redirect")
    # A noun in -ation meets a verb with no -ate (an "Installation" heading answers "install").
    assert stem("installation") == stem("install") == stem("installing")
    assert stem("configuration") == stem("configure") == stem("configured")
    assert stem("authentication") == stem("authenticate") == stem("authenticated")
    assert stem("validation") == stem("validate")


@pytest.mark.parametrize(
    ("goal", "left_out", "kept"),
    [
        ("fix(parser): Don't panic on `--=`", {"parser"}, {"panic"}),
        ("feat(completions/zsh.rs): Escape possible values", {"zsh", "completion"}, {"escap", "valu"}),
        ("walk: Flush stdout in batches", {"walk"}, {"flush", "stdout", "batch"}),
        ("requests/auth: Handle an empty 'qop' attribute", {"auth"}, {"qop", "attribut"}),
    ],
)
def test_goal_terms_leave_out_the_part_of_the_project_a_goal_starts_with(
    goal: str, left_out: set[str], kept: set[str]
) -> None:
    """A conventional commit's scope, or a lowercase area before a colon, says which file, not where in it."""
    from mcp_pruner.engine._terms import goal_terms, stem

    weights = goal_terms(goal, frozenset()).weights
    assert not {stem(w) for w in left_out} & set(weights)
    assert {stem(w) for w in left_out} <= set(goal_terms(goal).weights)  # not code: every word counts
    assert {stem(w) for w in kept} <= set(weights)


def test_goal_terms_keep_the_locating_words_when_nothing_specific_is_left() -> None:
    from mcp_pruner.engine._terms import goal_terms

    assert "parser" in goal_terms("fix(parser): typo", frozenset()).weights
    assert "panic" in goal_terms("panic: index out of range in walk", frozenset()).weights
    assert "config" in goal_terms("Update Config", frozenset({"config"})).weights
    # Written as a sentence's word, not as a name: the goal may mean the concept, not the class.
    assert "config" in goal_terms("silence ENOTDIR when loading config file", frozenset({"config"})).weights
    assert "session" in goal_terms("Session.send: retry on reset", frozenset()).weights  # a name, not an area


def _single_class_java() -> list[str]:
    """A Java file: one class holding everything, a constructor of the same name, six parsers alike,
    and one method that throws an exception with a message."""
    out = ["package shop.orders;", "", "import java.util.List;", "import java.util.Map;", ""]
    out += ["final class OrderLineParser {", "  private final Map<String, String> fields;"]
    out += [
        "  private final List<String> rows;",
        "",
        "  OrderLineParser(Map<String, String> fields, List<String> rows) {",
    ]
    out += ["    this.fields = fields;", "    this.rows = rows;", "    checkRows(rows);", "  }", ""]
    for name in ["Quantity", "Price", "Discount", "Currency", "Sku", "Warehouse"]:
        out += [
            f"  int parse{name}(String raw) {{",
            f'    String value = fields.get("{name.lower()}");',
            "    if (value == null) {",
            f"      return default{name}(raw);",
            "    }",
            "    int parsed = Integer.parseInt(value.trim());",
            f'    rows.add("{name.lower()}=" + parsed);',
            "    return parsed;",
            "  }",
            "",
        ]
    out += [
        "  void checkRows(List<String> rows) {",
        "    for (String row : rows) {",
        "      if (row.isEmpty()) {",
    ]
    out += ['        throw new IllegalArgumentException("an order line can only be specifed with a row");']
    out += ["      }", "    }", "  }", "}"]
    return out


def test_a_goal_naming_the_class_that_holds_the_file_does_not_pull_its_constructor() -> None:
    """``in OrderLineParser``: the class is the whole file, so its name says which file; the
    constructor sharing it is no closer to the exception message the goal asks about."""
    lines = _single_class_java()
    sel = prune_lines(
        lines, "Fix the exception message in OrderLineParser", SourceType.CODE, budget(keep_ratio=0.3)
    )
    assert sel.keep[
        lines.index(
            '        throw new IllegalArgumentException("an order line can only be specifed with a row");'
        )
    ]
    assert not sel.keep[lines.index("    this.fields = fields;")]


@pytest.mark.parametrize(
    ("goal", "left_out", "kept"),
    [
        ("Reflect OkHttp Call canceled state", {"ok", "http", "call"}, {"canceled", "reflect"}),
        ("Fix exception message in Order Line Parser", {"order", "line", "parser"}, {"message", "exception"}),
        ("Order the Line Parser rows", set(), {"order", "line", "parser"}),  # not in a row: words
    ],
)
def test_the_name_of_the_class_that_holds_the_file_spelled_in_words_only_locates(
    goal: str, left_out: set[str], kept: set[str]
) -> None:
    """``OkHttp Call`` for ``OkHttpCall``: two or three words in a row that spell the class holding the
    file say which file, as the name written whole does."""
    from mcp_pruner.engine._terms import goal_terms, stem

    containers = frozenset({"okhttpcall", "orderlineparser"})
    weights = goal_terms(goal, containers).weights
    assert not {stem(w) for w in left_out} & set(weights)
    assert {stem(w) for w in kept} <= set(weights)


def test_a_name_ending_in_its_number_is_a_term_when_its_parts_are_not() -> None:
    """``ie9``: ``ie`` is a stop word (i.e.) and a lone digit is dropped, so the goal had no term
    for it; it is matched as written, as a name or the end of one, not inside a longer word."""
    from mcp_pruner.engine._terms import goal_terms, score_lines

    g = goal_terms("Remove ie9 custom launcher")
    assert "ie9" in g.weights
    assert "utf8" not in goal_terms("Skip invalid utf8 filenames").weights  # ``utf`` says it already
    lines = ["launchers.SL_IE9 = make('ie', 9)", "tie9 = 1", "ie90 = 2", "ie9", "launchers.SL_IE10 = x"]
    _, _, hits = score_lines(lines, g)
    assert hits["ie9"] == [0, 3]
    chrome = [f"    launchers.SL_Chrome{v} = make_launcher('chrome', {v})" for v in range(40, 70)]
    ie = [f"    launchers.SL_IE{v} = make_launcher('internet explorer', {v})" for v in range(6, 12)]
    text = ["def setup(launchers):", *chrome[:15], *ie, *chrome[15:], "    return launchers"]
    sel = prune_lines(text, "Remove ie9 custom launcher", SourceType.CODE, budget(keep_ratio=0.3))
    assert sel.keep[text.index("    launchers.SL_IE9 = make_launcher('internet explorer', 9)")]


def _qualified_member_file() -> list[str]:
    """Many classes that all mention requests, errors and configs; one class *is* ``RequestError``."""
    out: list[str] = ["import logging", ""]
    for k, name in enumerate(["Client", "Pool", "Transport", "Retry", "Auth", "Proxy", "Cache", "Hooks"]):
        out += [
            f"class {name}:",
            f'    """Sends a request with its config; an error in {name.lower()} is raised as is."""',
            "",
            "    def __init__(self, config, request=None):",
            "        self.config = config",
            "        self.request = request",
            f"        self.errors = []  # {k}",
            "",
            "    def send(self, request):",
            "        if self.config is None:",
            "            raise ValueError('missing config for request')",
            "        return request",
            "",
        ]
    out += [
        "class RequestError(Exception):",
        '    """Raised when sending fails."""',
        "",
        "    def __init__(self, message, request):",
        "        super().__init__(message)",
        "        self.request = request",
        "        self.config = request.config",
        "",
    ]
    return out


def test_goal_naming_a_qualified_member_keeps_it_in_its_class() -> None:
    """``RequestError.config``: the class is named in the goal only as part of a dotted path."""
    lines = _qualified_member_file()
    target = lines.index("        self.config = request.config")
    sel = prune_lines(lines, "Make RequestError.config optional", SourceType.CODE, budget(keep_ratio=0.2))
    assert sel.keep[target]
    assert sel.keep[lines.index("class RequestError(Exception):")]


CSHARP_ALLMAN = """\
namespace Shop.Billing
{
    public class InvoiceService
    {
        private readonly Dictionary<string, decimal> _rates = new();

        public decimal ConvertAmount(decimal amount, string currency)
        {
            var rate = _rates[currency];
            return Math.Round(amount * rate, 2);
        }

        [HttpGet("overdue")]
        public IEnumerable<string> ListOverdue(IEnumerable<Invoice> invoices)
        {
            foreach (var invoice in invoices)
            {
                if (invoice.Due < DateTime.UtcNow)
                {
                    yield return invoice.Id;
                }
            }
        }

        public string FormatReference(int year, int sequence)
        {
            var prefix = year.ToString().Substring(2);
            return $"INV-{prefix}-{sequence:D6}";
        }
    }
}
"""

C_KNR = """\
#include <string.h>

#define MAX_HEADERS 64

static int
parse_request_line(struct request *req, const char *line)
{
\tconst char *sp = strchr(line, ' ');
\tif (sp == NULL)
\t\treturn -1;
\tmemcpy(req->method, line, sp - line);
\treturn 0;
}

static int
parse_header_line(struct request *req,
                  char *line)
{
\tchar *colon = strchr(line, ':');
\tif (req->nheaders >= MAX_HEADERS)
\t\treturn -2;
\t*colon = '\\0';
\treq->nheaders++;
\treturn 0;
}

void
free_request(struct request *req)
{
\tfor (int i = 0; i < req->nheaders; i++) {
\t\tfree(req->headers[i].name);
\t}
\treq->nheaders = 0;
}
"""


def _header(lines: list[str], sc: Scope) -> list[str]:
    return [line.strip() for line in lines[sc.start : sc.header_end]]


def test_allman_brace_block_takes_the_signature_above_it() -> None:
    """C# with ``{`` alone under the signature: the header is signature + brace, named by it."""
    lines = lines_of(CSHARP_ALLMAN)
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    by_name = {s.name: s for s in st.scopes}
    wanted = {"namespace Shop.Billing", "class InvoiceService", "method ConvertAmount", "method ListOverdue"}
    assert wanted <= set(by_name)
    overdue = by_name["method ListOverdue"]
    assert overdue.kind == "method"
    assert _header(lines, overdue) == [
        '[HttpGet("overdue")]',
        "public IEnumerable<string> ListOverdue(IEnumerable<Invoice> invoices)",
        "{",
    ]
    assert _header(lines, by_name["class InvoiceService"]) == ["public class InvoiceService", "{"]
    # A control statement heads its block but names nothing.
    loops = [s for s in st.scopes if lines[s.start].strip().startswith("foreach")]
    assert len(loops) == 1
    assert loops[0].kind == "block"
    assert loops[0].header_end == loops[0].start + 2


def test_allman_kept_line_keeps_its_signature_and_reasons_name_methods() -> None:
    lines = lines_of(CSHARP_ALLMAN)
    target = lines.index("                if (invoice.Due < DateTime.UtcNow)")
    b = budget(keep_ratio=0.4, include_markers=False)  # a marker costs a fifth of this small file
    sel = prune_lines(lines, "overdue check uses DateTime.UtcNow", SourceType.CODE, b)
    check_selection(lines, sel, b)
    assert sel.keep[target]
    for sig in (
        "        public IEnumerable<string> ListOverdue(IEnumerable<Invoice> invoices)",
        "    public class InvoiceService",
        "namespace Shop.Billing",
    ):
        assert sel.keep[lines.index(sig)], sig
    reasons = " ".join(blk.reason for blk in sel.blocks)
    assert "method ConvertAmount" in reasons or "method FormatReference" in reasons, reasons


def test_knr_c_signature_lines_above_the_brace_are_the_header() -> None:
    """K&R C: return type, then name and (wrapped) parameters, then ``{`` alone."""
    lines = lines_of(C_KNR)
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    by_name = {s.name: s for s in st.scopes}
    wanted = {"function parse_request_line", "function parse_header_line", "function free_request"}
    assert wanted <= set(by_name)
    header = by_name["function parse_header_line"]
    assert header.kind == "function"
    assert header.parent == -1
    signature = ["static int", "parse_header_line(struct request *req,", "char *line)", "{"]
    assert _header(lines, header) == signature
    # The wrapped parameters are part of the header, not a block of their own.
    assert not [s for s in st.scopes if header.start < s.start < header.header_end]
    # A keyword inside the parameters (``struct request``) does not name the function.
    assert "struct request" not in by_name
    # The preprocessor line above a signature stays out of it.
    first = by_name["function parse_request_line"]
    assert lines[first.start] == "static int"

    target = lines.index("\t\treturn -2;")
    b = budget(keep_ratio=0.4, include_markers=False)
    sel = prune_lines(lines, "header count overflow MAX_HEADERS returns -2", SourceType.CODE, b)
    check_selection(lines, sel, b)
    assert sel.keep[target]
    assert all(sel.keep[header.start : header.header_end])
    reasons = " ".join(blk.reason for blk in sel.blocks)
    assert "function parse_request_line" in reasons or "function free_request" in reasons, reasons


def test_brace_after_a_statement_or_on_the_signature_line_is_unchanged() -> None:
    """Only signature-like lines join a lone brace; same-line braces and indentation keep their header."""
    lines = [
        "int total(int n) {",
        "    int s = 0;",
        "    s += n;",
        "    return s;",
        "}",
        "",
        "x = compute();",
        "{",
        "    y = 2;",
        "    z = 3;",
        "}",
        "items = [",
        "    a,",
        "]",
        "{",
        "    b = 1;",
        "}",
    ]
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    headers = {s.start: s.header_end for s in st.scopes}
    assert headers[0] == 1  # `int total(int n) {`
    assert headers[7] == 8  # `{` after a statement: no signature above it
    assert headers[14] == 15  # `{` after a closer


SHELL_FUNCTIONS = """\
#!/bin/sh
say () {
	if test -z "$quiet"
	then
		printf '%s\\n' "$*"
	fi
}

cache_get () {
	for oldrev in "$@"
	do
		cat "$cachedir/$oldrev"
	done
}
"""


def test_same_line_brace_definitions_are_named_calls_and_control_are_not() -> None:
    """``name () {`` (shell), ``int f(int n) {`` (C), ``virtual ~T() {``, ``T::T() {`` name their block;
    a control statement, a loop macro, a call taking a callback or a method call do not."""
    st = code_structure(lines_of(SHELL_FUNCTIONS))
    assert st.notes == ["lang=indent"]
    assert {"function say", "function cache_get"} <= {s.name for s in st.scopes}
    lines = [
        "static int total(struct list *l, int n) {",
        "    if (n > 0) {",
        "        n--;",
        "    }",
        "    LIST_FOREACH(item, l, link) {",
        "        n++;",
        "    }",
        "    return n;",
        "}",
        "class Buffer : public Base {",
        "    virtual ~Buffer() {",
        "        free(data);",
        "    }",
        "};",
        "Buffer::Buffer(int size) : size_(size) {",
        "    data = alloc(size);",
        "}",
        'describe("buffer", () => {',
        "    it.each(cases, (c) => {",
        "        check(c);",
        "    });",
        "});",
        "static int wrapped(int a,",
        "                   int b)",
        "{",
        "    return a + b;",
        "}",
        "result = compute(first,",
        "                 second);",
    ]
    st = code_structure(lines)
    names = {s.start: s.name for s in st.scopes}
    assert names[0] == "function total"
    assert names[1] == "block"  # if
    assert names[4] == "block"  # a loop macro: no type before it, parameters given
    assert names[10] == "method ~Buffer"
    assert names[14] == "function Buffer::Buffer"
    assert names[17] == "block"  # a call with a callback
    assert names[18] == "block"
    assert names[22] == "function wrapped"
    assert names.get(27, "block") == "block"  # an assignment with wrapped arguments


def test_a_comment_heading_a_block_names_no_definition() -> None:
    """Words of a comment (``a module that``, ``the module init function``) are prose, not a keyword and
    a name; a Rust attribute line is no comment."""
    lines = [
        "/* Use this file as a template to start implementing a module that",
        "   also declares object types. */",
        "",
        "static PyTypeObject Xxo_Type = {",
        "    /* The ob_type field must be initialized in the module init function",
        "     * to be portable to Windows without using C++. */",
        "    PyVarObject_HEAD_INIT(NULL, 0)",
        "};",
        "// class Foo is defined in foo.h, see",
        "//     the notes there",
        "#[derive(Debug)]",
        "    struct Wrapped {",
        "        x: u8,",
        "    }",
    ]
    names = {s.name for s in indent_scopes(lines)}
    assert not {n for n in names if n.startswith(("module", "class"))}, names
    assert "struct Wrapped" in names


def test_labels_at_their_brace_level_leave_the_block_whole() -> None:
    """``public:`` at the level of ``class T {`` and ``case x:`` at the level of ``switch (x) {``: the class
    and the switch are still one block each, closing brace included; a YAML ``default:`` key is no label."""
    lines = [
        "class Buffer : public Base {",
        "public:",
        "    Buffer();",
        "    void flush() {",
        "        write(data);",
        "    }",
        "private:",
        "    char *data;",
        "};",
        "static int kind(int c) {",
        "\tswitch (c) {",
        "\tcase 'a':",
        "\t\treturn 1;",
        "\tdefault:",
        "\t\treturn 0;",
        "\t}",
        "}",
        "retries: 3",
        "default:",
        "  timeout: 10",
    ]
    scopes = indent_scopes(lines)
    spans = {s.name: (s.start, s.end) for s in scopes}
    assert spans["class Buffer"] == (0, 9)
    assert spans["method flush"][1] == 6
    switch = [s for s in scopes if lines[s.start].strip().startswith("switch")]
    assert [(s.start, s.end) for s in switch] == [(10, 16)]
    assert spans["function kind"] == (9, 17)
    assert not [s for s in scopes if s.start == 17]  # `retries: 3` opens nothing
    assert [(s.start, s.end) for s in scopes if s.start == 18] == [(18, 20)]


MAKEFILE = """\
# All install targets use the "all" target as synchronization point.
.PHONY: install
install:  commoninstall bininstall maninstall
\tif test "x$(ENSUREPIP)" != "xno"  ; then \\
\t\t$(RUNSHARED) $(PYTHON_FOR_BUILD) -m ensurepip \\
\t\t\t$$ensurepip --root=$(DESTDIR)/ ; \\
\tfi

DESTDIRS=\t$(exec_prefix) $(LIBDIR) $(BINLIBDEST) $(DESTSHARED)

.PHONY: sharedinstall
sharedinstall: all
\t\t@for i in $(DESTDIRS); \\
\t\tdo \\
\t\t\tif test ! -d $(DESTDIR)$$i; then \\
\t\t\t\t$(INSTALL) -d -m $(DIRMODE) $(DESTDIR)$$i; \\
\t\t\tfi; \\
\t\tdone

$(BUILDPYTHON):\tPrograms/python.o $(LINK_PYTHON_DEPS)
\t$(LINKCC) $(PY_CORE_LDFLAGS) $(LINKFORSHARED) -o $@ Programs/python.o $(LIBS)

%.o: %.c
\t$(CC) -c $(PY_CORE_CFLAGS) -o $@ $<

clean:
\tfind . -name '*.o' -exec rm -f {} ';'
\trm -f python
TAGS::
\tcd $(srcdir); ctags -o tags Include/*.h
"""


def test_makefile_targets_name_their_recipe() -> None:
    """A rule (``name: prerequisites`` at column 0, recipe indented by a tab) is one scope named after its
    first target, recipe included, so markers say which targets went and a goal naming one finds it."""
    lines = lines_of(MAKEFILE)
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    spans = {s.name: (s.start, s.end) for s in st.scopes}
    assert spans["target install"] == (2, 7)
    assert spans["target sharedinstall"] == (11, 18)
    assert spans["target $(BUILDPYTHON)"] == (19, 21)
    assert spans["target %.o"] == (22, 24)
    assert spans["target clean"] == (25, 28)
    assert spans["target TAGS"] == (28, 30)
    assert {s.kind for s in st.scopes if s.start in (2, 11, 19, 22, 25)} == {"target"}

    target = lines.index("sharedinstall: all")
    b = budget(keep_ratio=0.3, include_markers=False)
    sel = prune_lines(lines, "what does sharedinstall do", SourceType.CODE, b)
    check_selection(lines, sel, b)
    assert sel.keep[target]
    assert sel.keep[lines.index("\t\tdone")]


def test_labels_at_column_zero_in_c_are_no_make_targets() -> None:
    """A C ``goto`` label alone at column 0 inside a function, a Python ``else:`` at column 0 and the
    headings of a command's help text are no Makefile rules."""
    lines = [
        "static int setup(struct dev *d)",
        "{",
        "\tint ret = probe(d);",
        "\tif (ret)",
        "\t\tgoto out;",
        "\treturn 0;",
        "out:",
        "\tkfree(d);",
        "\treturn ret;",
        "}",
        "try:",
        "\timport fast",
        "except ImportError:",
        "\tfast = None",
        "else:",
        "\tfast.init()",
        'HELP = """claptests 0.0.1',
        "USAGE:",
        "\tclaptests [FLAGS] [OPTIONS] [ARGS]",
        "",
        "FLAGS:",
        "\t-h, --help       Prints help information",
        '"""',
    ]
    names = {s.name for s in indent_scopes(lines)}
    assert not {n for n in names if n.startswith("target")}, names


CMAKE_MODULE = """\
function(PROTOBUF_GENERATE_PYTHON SRCS)
  if(NOT ARGN)
    message(SEND_ERROR "Error: PROTOBUF_GENERATE_PYTHON() called without any proto files")
    return()
  endif()

  set(_outvar)
  protobuf_generate(LANGUAGE python OUT_VAR _outvar PROTOS ${ARGN})
  set(${SRCS} ${_outvar} PARENT_SCOPE)
endfunction()

macro(_gp_append_unique list_var value)
  if(NOT ${value} IN_LIST ${list_var})
    list(APPEND ${list_var} "${value}")
  endif()
endmacro()

if(Protobuf_DEBUG)
  message(STATUS "Protobuf_LIBRARY = ${Protobuf_LIBRARY}")
else ()
  set(Protobuf_FOUND FALSE)
ENDIF ()
FUNCTION (_protobuf_find_libraries name filename)
  foreach(_lib ${filename})
    find_library(${name}_LIBRARY_RELEASE NAMES ${_lib})
  endforeach()
ENDFUNCTION()
"""


def test_cmake_functions_and_macros_are_named_and_end_commands_close_blocks() -> None:
    """``function(name ...)``/``macro(name ...)`` name their block; ``endif()``, ``endfunction()``,
    ``endmacro()``, ``endforeach()`` (any case, space before ``(`` or not) close theirs, included."""
    lines = lines_of(CMAKE_MODULE)
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    spans = {s.name: (s.start, s.end) for s in st.scopes}
    assert spans["function PROTOBUF_GENERATE_PYTHON"] == (0, 10)
    assert spans["macro _gp_append_unique"] == (11, 16)
    assert spans["function _protobuf_find_libraries"] == (22, 27)
    blocks = {(s.start, s.end) for s in st.scopes if s.kind == "block"}
    assert {(1, 5), (12, 15), (17, 19), (19, 22), (23, 26)} <= blocks
    # A call taking a function or a JavaScript callback is no definition.
    names = {s.name for s in indent_scopes(["run(function(err) {", "  done(err);", "});"])}
    assert names == {"block"}


def test_a_variable_named_like_a_closer_does_not_close_the_block() -> None:
    """``done = true`` or ``end = len(ys)`` after a loop belong to the function, not to the loop
    (``_CLOSER`` took any line starting with ``end``/``done``/``fi``/... at the loop's indentation)."""
    lines = [
        "proc run(items) =",
        "    for x in items:",
        "        work(x)",
        "    done = true",
        "    return done",
        "proc stop() =",
        "    for y in ys:",
        "        halt(y)",
        "    end += len(ys)",
        "    report(end)",
        "if ready",
        "  go",
        "end",
    ]
    blocks = {(s.start, s.end) for s in indent_scopes(lines) if s.kind == "block"}
    assert {(1, 3), (6, 8), (10, 13)} <= blocks


KOTLIN = """\
package com.example.shop.cart

import kotlinx.coroutines.flow.Flow

class CartRepository(private val dao: CartDao) : Repository {
    override fun items(): Flow<List<CartItem>> {
        return dao.observeAll()
    }

    suspend fun add(item: CartItem) {
        dao.insert(item)
        log("added ${item.id}")
    }

    private inline fun <reified T : Any> decode(raw: String): T {
        return json.decodeFromString(raw)
    }
}

fun List<CartItem>.total(): Long {
    return sumOf { it.price * it.quantity }
}
@JvmStatic fun parse(raw: String,
                     strict: Boolean): CartItem =
    CartItem.decode(raw, strict)
override fun toString(): String =
    "Cart(${items.size})"
"""


def test_kotlin_fun_is_a_definition_keyword() -> None:
    """``fun``, ``suspend fun``, ``override fun``, generic and extension functions, expression bodies on the
    next line: each names its block, a method in a class."""
    lines = lines_of(KOTLIN)
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    spans = {s.name: (s.start, s.end) for s in st.scopes}
    assert spans["class CartRepository"] == (4, 18)
    assert spans["method items"] == (5, 8)
    assert spans["method add"] == (9, 13)
    assert spans["method decode"] == (14, 17)
    assert spans["function total"] == (19, 22)  # an extension function: named without its receiver
    assert spans["function parse"] == (22, 25)  # parameters wrapped, the body an expression
    assert spans["function toString"] == (25, 27)


C_BLANK_BEFORE_BRACE = """\
static Xtransport *
SelectTransport (const char *protocol)

{
    int i;

    for (i = 0; i < NUMTRANS; i++)
\tif (!strcmp (protocol, Xtransports[i].transport->TransName))
\t    return Xtransports[i].transport;
    return NULL;
}

int
ParseAddress (const char *address,
              char **protocol, char **host, char **port)

{
    *protocol = strdup (address);
    return 1;
}

count = total + 1;

{
    int local = count;
    use (local);
}
x = compute (a)

{
    int other = 2;
}
"""


def test_a_blank_line_between_signature_and_brace_keeps_the_signature_in_the_header() -> None:
    """Xtrans style: the signature, a blank line, then ``{``: the signature heads and names the block. After a
    statement (or a line naming no definition) a blank line still parts it from a bare block."""
    lines = lines_of(C_BLANK_BEFORE_BRACE)
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    by_name = {s.name: s for s in st.scopes}
    select = by_name["function SelectTransport"]
    assert (select.start, select.header_end, select.end) == (0, 4, 11)
    parse = by_name["function ParseAddress"]
    assert (parse.start, parse.header_end, parse.end) == (12, 17, 20)
    bare = [s for s in st.scopes if lines[s.start].strip() == "{"]
    assert [(s.start, s.header_end) for s in bare] == [(23, 24), (29, 30)]


def test_a_name_made_by_a_macro_names_the_function() -> None:
    """X11's ``TRANS(Open) (int type, ...)`` defines ``Open`` (token pasting): the name is the macro's
    argument, whether the brace follows the signature or ends its line."""
    lines = [
        "static XtransConnInfo",
        "TRANS(Open) (int type, const char *address)",
        "",
        "{",
        "    return NULL;",
        "}",
        "int TRANS(Close) (XtransConnInfo ciptr) {",
        "    return close (ciptr->fd);",
        "}",
    ]
    names = {s.name for s in indent_scopes(lines)}
    assert {"function Open", "function Close"} <= names, names


CPP_ACCESS_BLOCKS = """\
class Session : public Connection {
public:
    explicit Session(int fd);
    bool send(const std::string& data) {
        return write(fd_, data.data(), data.size()) >= 0;
    }

private slots:
    void onReadyRead()
    {
        buffer_.append(read());
    }
};

struct Counter {
  public:
    int next() {
        return ++n_;
    }
  private:
    int n_ = 0;
};
"""


def test_functions_under_an_access_specifier_are_methods() -> None:
    """``public:``/``private slots:`` blocks sit between a class and its members: a function in one is a
    method of the class all the same."""
    lines = lines_of(CPP_ACCESS_BLOCKS)
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    kinds = {s.name: s.kind for s in st.scopes}
    assert kinds["method send"] == "method"
    assert kinds["method onReadyRead"] == "method"
    assert kinds["method next"] == "method"
    assert not {n for n in kinds if n.startswith("function")}, kinds


def test_yaml_keys_name_their_nested_blocks() -> None:
    """In YAML a ``key:`` heads the block of what is nested under it: one scope named after the key, so a
    goal naming a service or setting finds its whole block."""
    lines = [
        "services:",
        "  db:",
        "    image: postgres:16",
        "    environment:",
        "      POSTGRES_PASSWORD: example",
        "  web:",
        "    build: .",
        "    command: >",
        "      gunicorn app:server",
        "      --bind 0.0.0.0:8000",
        "    depends_on:",
        "      - db",
        "volumes:",
        "  db-data:",
        "  cache:",
        "    driver: local",
    ]
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    spans = {s.name: (s.start, s.end) for s in st.scopes}
    assert spans["key services"] == (0, 12)
    assert spans["key db"] == (1, 5)
    assert spans["key web"] == (5, 12)
    assert spans["key command"] == (7, 10)
    assert spans["key volumes"] == (12, 16)
    assert spans["key cache"] == (14, 16)
    assert {s.kind for s in st.scopes} == {"key"}
    sel = prune_lines(lines, "which command does the web service run", None, FREE)
    check_selection(lines, sel, FREE)
    assert all(sel.keep[5:12])


def test_json_members_name_their_blocks_and_the_markers() -> None:
    """``"CreateTags": {`` opens a block named after its key (as a YAML ``key:`` does): markers say which
    members went instead of ``block, block``, and a goal naming a member keeps it."""
    members = [
        (name, [f'    "{name}": {{', f'      "operation": "{name}",', '      "retries": 3', "    },"])
        for name in (
            *(
                f"{verb}{noun}"
                for verb in ("Create", "Delete", "Describe")
                for noun in ("Tags", "Images", "Vpcs")
            ),
            "AttachVolume",
            *(f"Modify{noun}" for noun in ("Tags", "Images", "Vpcs", "Routes", "Subnets", "Snapshots")),
        )
    ]
    lines = ["{", '  "actions": {']
    for _, block in members:
        lines += block
    lines += ["  }", "}"]
    spans = {s.name: (s.start, s.end) for s in code_structure(lines).scopes}
    assert spans["key actions"][0] == 1
    assert spans["key CreateTags"] == (2, 6)
    sel = prune_lines(lines, "retries of the AttachVolume call", SourceType.CODE, budget(keep_ratio=0.5))
    start = lines.index('    "AttachVolume": {')
    assert all(sel.keep[start : start + 4])
    reasons = " ".join(b.reason for b in sel.blocks)
    assert "key DeleteTags" in reasons


def test_yaml_list_items_named_by_their_name_key_name_their_block() -> None:
    """A CI step ``- name: Install deps`` opens the block ``Install deps`` (``uses:`` and ``id:`` too):
    markers say which steps went, and a goal naming a step finds it."""
    lines = [
        "jobs:",
        "  test:",
        "    steps:",
        "      - uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.11"',
        "      - name: Install deps",
        "        run: pip install -e .",
        "      - name: Run the tests",
        "        run: |",
        "          pytest -q",
    ]
    names = {s.name: (s.start, s.end) for s in code_structure(lines).scopes}
    assert names["key actions/setup-python@v5"] == (3, 6)
    assert names["key Install deps"] == (6, 8)
    assert names["key Run the tests"] == (8, 11)


def test_sql_definitions_name_their_blocks() -> None:
    """``CREATE OR REPLACE VIEW sales.orders AS`` and its indented body are the block ``view
    sales.orders``; tables, functions and materialized views likewise (any case)."""
    lines = [
        "CREATE TABLE IF NOT EXISTS customers (",
        "    id SERIAL PRIMARY KEY,",
        "    email TEXT NOT NULL",
        ");",
        "",
        "CREATE OR REPLACE VIEW sales.orders AS",
        "    SELECT o.id, c.email",
        "    FROM orders o JOIN customers c ON c.id = o.customer_id;",
        "",
        "create materialized view daily_totals as",
        "    select day, sum(total) from orders group by day;",
        "",
        'CREATE FUNCTION "lpad"(text, integer)',
        " RETURNS text",
        " LANGUAGE sql;",
    ]
    names = {s.name for s in code_structure(lines).scopes}
    assert {"table customers", "view sales.orders", "view daily_totals", "function lpad"} <= names


def test_preprocessor_conditionals_and_goto_labels_at_column_0_stay_inside_the_function() -> None:
    """``#ifdef DEBUG`` and a ``fail:`` label written at column 0 inside a C function ended it there:
    the rest of the body became another block with no name."""
    lines = [
        "static int parse(const char *s, size_t n)",
        "{",
        "    int rc = 0;",
        "#ifdef DEBUG",
        '    fprintf(stderr, "parse %zu", n);',
        "#endif",
        "    rc = do_parse(s, n);",
        "    if (rc < 0)",
        "        goto fail;",
        "    return rc;",
        "fail:",
        "    cleanup();",
        "    return -1;",
        "}",
        "",
        "static void other(void)",
        "{",
        "    work();",
        "}",
    ]
    spans = {s.name: (s.start, s.end) for s in indent_scopes(lines)}
    assert spans["function parse"] == (0, 14)
    assert spans["function other"] == (15, 19)
    # A YAML key at column 0 is no label: no brace is open there.
    yaml = ["services:", "  db:", "    image: postgres", "volumes:", "  data:", "    driver: local"]
    assert {(s.start, s.end) for s in indent_scopes(yaml, keys=True)} >= {(0, 3), (3, 6)}
