"""Token counting with a real BPE (OpenAI's o200k_base), fully offline.

The encoding's ranks ship inside the ``bpe-openai`` wheel, so nothing is
downloaded. The tokenizer refuses single chunks of 1,000,000 characters and
more, so long texts are counted in chunks cut at line ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final, Protocol, cast

__all__ = ["ENCODING_NAME", "count_line_tokens", "count_tokens", "warm_up"]

ENCODING_NAME: Final = "o200k_base"
_CHUNK_CHARS: Final = 200_000


class _Encoding(Protocol):
    def encode_ordinary(self, text: str) -> list[int]: ...
    def encode_ordinary_batch(self, texts: Sequence[str]) -> list[list[int]]: ...


@lru_cache(maxsize=1)
def _encoding() -> _Encoding:
    import bpe_openai

    return cast(_Encoding, bpe_openai.get_encoding(ENCODING_NAME))


def _chunks(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + _CHUNK_CHARS)
        if end < n:
            cut = text.rfind("\n", start, end)
            if cut > start:
                end = cut + 1
        out.append(text[start:end])
        start = end
    return out


def count_tokens(text: str) -> int:
    """Tokens of ``text`` in o200k_base (chunked at line ends for long texts)."""
    if not text:
        return 0
    enc = _encoding()
    if len(text) <= _CHUNK_CHARS:
        return len(enc.encode_ordinary(text))
    return sum(len(t) for t in enc.encode_ordinary_batch(_chunks(text)))


def count_line_tokens(lines: Sequence[str]) -> list[int]:
    """Cost of each line in tokens, at least 1.

    The newline before an indented line merges with its indentation in
    o200k_base, so the sum of these costs is within a few percent of the
    count of the joined text (measured on the benchmark files: 1.00-1.04).
    """
    enc = _encoding()
    short = [line if len(line) <= _CHUNK_CHARS else "" for line in lines]
    counts = enc.encode_ordinary_batch(short)
    out: list[int] = []
    for line, toks in zip(lines, counts, strict=True):
        n = len(toks) if len(line) <= _CHUNK_CHARS else count_tokens(line)
        out.append(max(1, n))
    return out


def warm_up() -> None:
    """Load the encoding now (about 0.5 s) instead of on the first call."""
    _encoding()
