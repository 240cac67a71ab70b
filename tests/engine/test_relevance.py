"""Relevance rules for code: comment damping, exact definition names, block cohesion."""

from __future__ import annotations

import re

import pytest

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import _relevance, analyze

FILLER = [f"def helper_{k}(x):\n    y = x + {k}\n    return y\n" for k in range(12)]


def _lines(*parts: str) -> list[str]:
    return "\n".join(parts).split("\n")


def _score(lines: list[str], goal: str, needle: str) -> float:
    a = analyze(lines, goal, SourceType.CODE)
    return max(s for line, s in zip(lines, a.line_scores, strict=True) if needle in line)


def test_match_in_code_beats_match_in_comment() -> None:
    lines = _lines(
        *FILLER[:6],
        "def alpha(x):\n    # the throttle is applied by the caller\n    return x\n",
        *FILLER[6:],
        "def beta(x):\n    limit = throttle(x)\n    return limit\n",
    )
    assert _score(lines, "throttle", "limit = throttle(x)") > _score(lines, "throttle", "# the throttle")


def test_goal_about_comments_counts_a_match_in_a_comment_in_full() -> None:
    lines = _lines(
        *FILLER[:6],
        "def alpha(x):\n    # the throttle is applied by the caller\n    return x\n",
        *FILLER[6:],
        "def beta(x):\n    limit = throttle(x)\n    return limit\n",
    )
    about = _score(lines, "Fix the typo in the comment about throttle", "# the throttle")
    assert about > 1.5 * _score(lines, "Fix throttle", "# the throttle")
    assert about > 0.75 * _score(lines, "Fix the typo in the comment about throttle", "limit = throttle(x)")


def test_definition_named_after_goal_word_wins() -> None:
    lines = _lines(
        "class Store:",
        *("    " + line for part in FILLER[:6] for line in part.split("\n")),
        "    def get_value(self, key):\n        found = self.keys[key]\n        return found",
        "    def value(self, key):\n        return self.get_value(key)",
        *("    " + line for part in FILLER[6:] for line in part.split("\n")),
        "    def set_value(self, key, item):\n        self.keys[key] = item",
    )
    goal = "value method must follow the standard"
    named = _score(lines, goal, "def value(self, key):")
    assert named > 1.1 * _score(lines, goal, "def get_value(self, key):")
    assert named > 1.1 * _score(lines, goal, "def set_value(self, key, item):")


def test_small_matched_block_is_read_whole() -> None:
    body = "\n".join(f"    step_{k}(token)" for k in range(20))
    lines = _lines(*FILLER[:6], f"def rotate(token):\n{body}\n    return token\n", *FILLER[6:])
    a = analyze(lines, "rotate", SourceType.CODE)
    start = lines.index("def rotate(token):")
    block = a.line_scores[start : start + 22]
    assert min(block) >= 0.75 * max(block)
    assert min(block) > max(a.line_scores[: start - 3])


def test_line_near_several_goal_terms_outranks_a_table_repeating_one() -> None:
    """Guards ``CODE_PROXIMITY``: a table naming one goal term on every line (an exception map)
    stays well below the lines where the goal's distinct terms meet, a line or two apart (the raise
    to change). The selector's utility is relevance ** 6: 0.8 of the top is a quarter of its worth."""
    table = "\n".join(f"    httpcore.ProtocolError{k}: ProtocolError{k}," for k in range(8))
    lines = _lines(
        f"ERRORS = {{\n{table}\n}}\n",
        *FILLER[:6],
        "def check(proxy):",
        "    if proxy.url.scheme not in ('http', 'https'):",
        "        raise ValueError(",
        "            'Proxy protocol must be http or https,'",
        "            f' but got {proxy.url.scheme!r}.'",
        "        )",
        *FILLER[6:],
    )
    goal = "Display proxy protocol scheme on error"
    a = analyze(lines, goal, SourceType.CODE)
    table_top = max(s for line, s in zip(lines, a.line_scores, strict=True) if "ProtocolError" in line)
    assert table_top < 0.8 * _score(lines, goal, "but got")


@pytest.mark.parametrize(
    "goal",
    ["fix parse_headers when cookies are empty", "Entries of the retry budget", "helper_3 ie9 views.py"],
)
def test_names_skipped_by_the_stems_hint_are_those_that_hold_no_goal_term(
    goal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scope names are split only where the stems hint is found: scores as if every name were split."""
    lines = _lines(
        *FILLER,
        "class CookieEntries:\n    def parse_headers(self, raw):\n        return raw\n",
        "def retry_budget(entry):\n    return entry\n",
        "def Ie9Fix():\n    return 1\n",
    )
    fast = analyze(lines, goal, SourceType.CODE).line_scores
    monkeypatch.setattr(_relevance, "stems_hint", lambda stems: re.compile(""))
    assert analyze(lines, goal, SourceType.CODE).line_scores == fast
