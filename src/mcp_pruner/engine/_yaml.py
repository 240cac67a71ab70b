"""YAML (and other indentation-nested ``key:`` configuration): told apart from documents, keys named.

A YAML file reads like a document to the code/docs vote (few lines end with ``;`` or
``{``, ``#`` comments look like headings), but its structure is indentation: a ``key:``
with nothing after it opens the block of its nested keys. Config files are mostly
``key:`` lines and ``- item`` lines, and at least one key opens a nested block: that
tells them apart from Markdown (prose, headings, lists of sentences) and from flat
``Name: value`` texts (email headers, grammars), which have no nesting to find.
Lines under a ``key: value`` more indented than it (a block scalar, a folded value)
are that value: they count for no side. A key whose value is a sentence is a document's
labelled list item or remark (``- ttl: how long a page stays.``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["key_label", "looks_like_yaml"]

_KEY: Final = re.compile(r"(?:-\s+)?[\w.$/@-]+\s*:(?:\s+(\S)|$)")
"""A mapping key (maybe a list item's first key), matched on the line without its indentation; group 1
is the first character of its value, if any."""
_ITEM: Final = re.compile(r"-(?:\s|$)")
_OPENER: Final = re.compile(r"\s*(?:-\s+)?([\w.$/@-]+)\s*:\s*(?:[|>][-+]?\d*|&\S+)?\s*(?:#.*)?")
"""A key whose value is the block under it: nothing, a block scalar indicator or an anchor after ``:``."""
_NAMED_ITEM: Final = re.compile(r"\s*-\s+(?:name|id|uses)\s*:\s+([^#]+?)\s*(?:#.*)?")
"""A list item whose first key names it (``- name: Set up Python``, ``- uses: actions/checkout@v4``)."""
_SENTENCE: Final = re.compile(r":\s+(?:\S+\s+){3,}\S*[a-z)][.!?]\s*$")
"""A value of four words or more ending a sentence: prose after a label, rarely a config value."""
_SAMPLE: Final = 400
_MIN_KEY_SHARE: Final = 0.25
_MIN_CONFIG_SHARE: Final = 0.8


def looks_like_yaml(lines: Sequence[str], inside: Sequence[bool] | None = None) -> bool:
    """Mostly keys and list items (outside fenced blocks, ``inside``), with a key opening a nested block."""
    keys = items = other = opens = 0
    scalar = -1  # indentation of a key whose value may go on over deeper lines, -1 if none
    opener = -1  # indentation of a key with nothing after it, -1 if none
    for i, line in enumerate(lines[:_SAMPLE]):
        if inside is not None and inside[i]:
            continue
        body = line[:300].lstrip()
        if not body or body[0] == "#" or body.rstrip() in ("---", "..."):
            continue
        indent = len(line) - len(body)
        if 0 <= scalar < indent:
            continue
        if 0 <= opener < indent:
            opens += 1
        scalar = opener = -1
        m = _KEY.match(body)
        if m is not None and _SENTENCE.search(body) is not None:
            other += 1  # ``- ttl: how long a page stays.``, ``Note: ...``: a document's list item or remark
        elif m is not None:
            keys += 1
            if m.group(1) is not None and m.group(1) != "#":
                scalar = indent
            else:
                opener = indent
        elif _ITEM.match(body):
            items += 1
        else:
            other += 1
    total = keys + items + other
    return (
        keys >= 2
        and opens >= 1
        and keys >= _MIN_KEY_SHARE * total
        and keys + items >= _MIN_CONFIG_SHARE * total
    )


def key_label(line: str) -> str:
    """The key a block opens with (``services:``, ``- build:``, ``script: |``), or ``""``.

    A list item opening a block with a ``name:`` (``id:``, ``uses:``) and a value is named by that
    value: a CI workflow's step ``- name: Install deps`` is the block ``Install deps``."""
    text = line[:300]
    m = _OPENER.fullmatch(text)
    if m is not None:
        return m.group(1)[:60]
    named = _NAMED_ITEM.fullmatch(text)
    return named.group(1).strip().strip("\"'")[:60] if named is not None else ""
