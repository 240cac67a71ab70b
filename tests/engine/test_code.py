"""Code: tree-sitter blocks per language, the indentation fallback, enclosing signatures, reasons."""

from __future__ import annotations

import pytest

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import prune_lines
from mcp_pruner.engine._code import code_structure
from mcp_pruner.engine._langs import detect_language
from mcp_pruner.engine._structure import Scope

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


def test_indentation_fallback_for_unknown_language() -> None:
    lines = lines_of(samples.RUBY)
    assert detect_language(lines) is None
    st = code_structure(lines)
    assert st.notes == ["lang=indent"]
    by_name = {s.name: s for s in st.scopes}
    assert {"module Shop", "class Cart", "def add_item", "def total_price"} <= set(by_name)
    total = by_name["def total_price"]
    assert lines[total.end - 1].strip() == "end"  # the closing `end` belongs to its block


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


def test_small_gaps_are_not_worth_a_marker() -> None:
    lines = lines_of(samples.JAVA)
    sel = prune_lines(lines, "convert body status 204", None, FREE)
    for blk in sel.blocks:
        assert blk.end - blk.start + 1 >= 2 or lines[blk.start - 1].strip()


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
