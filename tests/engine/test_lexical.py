"""The line-local lexical channel: BM25 over lines, the goal's words as written, a ±3-line window."""

from __future__ import annotations

import pytest

from mcp_pruner._contract import SourceType
from mcp_pruner.engine import analyze
from mcp_pruner.engine._code import code_structure
from mcp_pruner.engine._lexical import blend_local, local_evidence, repetition_weights
from mcp_pruner.engine._relevance import structural_relevance
from mcp_pruner.engine._terms import goal_terms, score_lines

FILLER = [f"    value_{k} = compute_{k}(value_{k - 1})" for k in range(1, 40)]


def _evidence(lines: list[str], goal: str) -> list[float]:
    return local_evidence(lines, goal_terms(goal))


def test_match_lights_three_lines_each_side_and_no_further() -> None:
    lines = [*FILLER[:15], "    retry_budget = 3", *FILLER[15:]]
    ev = _evidence(lines, "lower the retry budget")
    at = 15
    assert ev[at] == 1.0
    assert all(ev[i] == 1.0 for i in range(at - 3, at + 4))
    assert all(v == 0.0 for i, v in enumerate(ev) if abs(i - at) > 3)


def test_stop_words_of_the_goal_light_nothing() -> None:
    lines = ["    # it is in the list of the things to do", *FILLER]
    assert _evidence(lines, "it is in the list of the things") != [0.0] * len(lines)  # "list", "things"
    assert _evidence(lines, "it is in the of to") == [0.0] * len(lines)


def test_generic_words_count_in_full_here() -> None:
    """The structural channel discounts ``remove`` and ``default``; this one takes them as written."""
    lines = [*FILLER[:10], "    remove_default(handler)", *FILLER[10:]]
    assert _evidence(lines, "remove default")[10] == 1.0


def test_words_are_matched_as_written_not_stemmed() -> None:
    lines = [*FILLER[:10], "    cookie = jar.get(name)", *FILLER[10:]]
    assert _evidence(lines, "cookies") == [0.0] * len(lines)
    assert _evidence(lines, "cookie")[10] == 1.0


def test_short_line_with_the_words_beats_a_long_one() -> None:
    long = "    # the header is parsed here, then merged, then validated, then cached for the next request"
    lines = [*FILLER[:10], long, *FILLER[10:30], "    parse(header)", *FILLER[30:]]
    ev = local_evidence(lines, goal_terms("parse header"))
    short_at = lines.index("    parse(header)")
    assert ev[short_at] == 1.0
    assert ev[10] < 0.8


@pytest.mark.parametrize("goal", ["", "fix it", "zebra"])
def test_no_usable_word_or_no_match_gives_zeros(goal: str) -> None:
    assert _evidence(FILLER, goal) == [0.0] * len(FILLER)
    assert local_evidence([], goal_terms(goal)) == []


def test_blend_keeps_the_order_when_the_channel_is_silent() -> None:
    rel = [0.5, 2.0, 1.0, 0.0]
    mixed = blend_local(rel, [0.0] * 4)
    assert mixed == [0.25, 1.0, 0.5, 0.0]


def test_blend_lets_a_strong_local_match_overtake_a_weak_structural_lead() -> None:
    mixed = blend_local([1.0, 0.9, 0.2], [0.0, 1.0, 0.0])
    assert max(mixed) == 1.0
    assert mixed[1] > mixed[0] > mixed[2]


def _rank(scores: list[float], i: int) -> int:
    return sorted(range(len(scores)), key=lambda k: -scores[k]).index(i)


def test_short_line_with_the_goals_exact_words_gains_rank() -> None:
    """Guards the channel's purpose: small blocks whose names share the goal's stems lead the
    structural ranking; the one short line that says exactly what the goal says climbs."""
    lines = ["public final class Client {"]
    for k in range(6):
        lines += [
            f"  /** Returns the list of factories number {k}, each one a converter. */",
            f"  public List<Factory> convertersList{k}() {{",
            f"    return unmodifiableList(factories{k});",
            "  }",
            "",
        ]
    lines += ["  public Client build() {", *(f"    Option option{k} = this.option{k};" for k in range(30))]
    lines += ["    List<Converter> converters = new ArrayList<>(4);"]
    lines += [
        *(f"    Setting setting{k} = this.setting{k};" for k in range(30)),
        "    return new Client(converters);",
    ]
    lines += ["  }", "}"]
    goal = goal_terms("Add initial capacity for converter list")
    raw, weight, hits = score_lines(lines, goal)
    st = code_structure(lines)
    at = lines.index("    List<Converter> converters = new ArrayList<>(4);")
    without = structural_relevance(raw, st, weight, hits, goal)
    with_channel = structural_relevance(raw, st, weight, hits, goal, local_evidence(lines, goal))
    assert _rank(with_channel, at) < _rank(without, at)
    assert max(with_channel) == 1.0


def test_repetition_weights_discount_verbatim_copies_only() -> None:
    lines = ["    headers=headers,", "headers=headers,  ", "    headers = headers,", "}", "}", "    x = 1"]
    w = repetition_weights(lines)
    assert w[0] == w[1] == pytest.approx(2**-0.3)  # same text once the blanks around it go
    assert w[2] == 1.0  # not the same text
    assert w[3] == w[4] == 1.0  # punctuation is not boilerplate
    assert w[5] == 1.0
    assert repetition_weights([]) == []


def test_boilerplate_repeated_in_every_sibling_ranks_below_the_line_found_once() -> None:
    """Guards the repetition discount: eight request methods each pass ``headers=headers,``, two
    matches in a short line; the goal's word also occurs once, in the line that merges the
    headers, and that line must lead."""
    lines = ["class Client:"]
    for verb in ("get", "post", "put", "patch", "delete", "head", "options", "trace"):
        lines += [
            f"    def {verb}(self, url, headers=None, cookies=None):",
            "        return self.request(",
            f'            "{verb.upper()}",',
            "            url,",
            "            headers=headers,",
            "            cookies=cookies,",
            "        )",
            "",
        ]
    lines += [
        "    def build_request(self, method, url, headers=None):",
        "        merged = self.merge(headers)",
        "        return Request(method, url, headers=merged)",
    ]
    a = analyze(lines, "pass the headers on", SourceType.CODE)
    merged_at = lines.index("        merged = self.merge(headers)")
    repeated = [i for i, line in enumerate(lines) if line == "            headers=headers,"]
    assert len(repeated) == 8
    assert all(a.line_scores[merged_at] > a.line_scores[i] for i in repeated)
