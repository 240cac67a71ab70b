"""Adaptive mode (no keep_ratio, no token_budget): prune hard when nothing matches, keep what does."""

from __future__ import annotations

from mcp_pruner._tokens import count_tokens
from mcp_pruner.engine import prune_lines

from . import samples
from .helpers import FREE, budget, rendered_tokens


def big_file() -> list[str]:
    """15 copies of a module, each with its own names (``expires_3``): distinct places that share
    words, not verbatim copies, whose matches weigh less (see ``repetition_weights``)."""
    out: list[str] = []
    for k in range(15):
        out += (
            samples.PYTHON.replace("CookieJar", f"CookieJar{k}")
            .replace("merge_cookies", f"merge_{k}")
            .replace("expires", f"expires_{k}")
            .split("\n")
        )
    return out


def test_irrelevant_goal_prunes_hard() -> None:
    lines = big_file()
    sel = prune_lines(lines, "kubernetes ingress controller", None, FREE)
    assert rendered_tokens(lines, sel) < 0.2 * count_tokens("\n".join(lines))


def test_relevant_goal_keeps_the_match() -> None:
    lines = big_file()
    sel = prune_lines(lines, "merge_7 expires", None, FREE)
    kept = "\n".join(line for line, k in zip(lines, sel.keep, strict=True) if k)
    assert "def merge_7(self, other):" in kept
    assert "class CookieJar7:" in kept
    # "merge" and "expires" occur in all 15 copies: a diffuse match keeps more, but at most half.
    assert rendered_tokens(lines, sel) < 0.56 * count_tokens("\n".join(lines))


def test_focused_goal_keeps_less_than_a_diffuse_one() -> None:
    lines = big_file()
    total = count_tokens("\n".join(lines))
    focused = prune_lines(lines, "merge_7", None, FREE)
    diffuse = prune_lines(lines, "merge_7 expires", None, FREE)
    assert rendered_tokens(lines, focused) < 0.36 * total
    assert rendered_tokens(lines, focused) < rendered_tokens(lines, diffuse)


def test_small_text_is_left_alone() -> None:
    lines = samples.GO.split("\n")[:12]
    sel = prune_lines(lines, "nothing relevant", None, FREE)
    assert all(sel.keep)


def test_small_text_with_line_numbers_is_kept_whole() -> None:
    """Line-number prefixes made every line of a small text dearer than the adaptive target (the
    text's own tokens): the whole of a 6-line function went, for one marker dearer than the text."""
    lines = samples.PYTHON.split("\n")[9:15]
    b = budget(annotate_lines=True)
    for goal in ("", "cookies", "kubernetes"):
        sel = prune_lines(lines, goal, None, b)
        assert all(sel.keep), goal
