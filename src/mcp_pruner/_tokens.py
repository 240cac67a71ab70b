"""Token counting with a real BPE (OpenAI's o200k_base), fully offline.

The encoding's ranks ship inside the ``bpe-openai`` wheel, so nothing is
downloaded. The tokenizer refuses single chunks of 1,000,000 characters and
more, so long texts are counted in chunks cut at line ends.

Counting goes straight to the wheel's native ``count`` when it is there: the
public ``encode_ordinary_batch`` starts a thread pool per call, which cost
35-60 ms per 2,000 lines against ~4 ms for a plain loop over ``count``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Final, Protocol, cast

__all__ = ["ENCODING_NAME", "count_line_tokens", "count_tokens", "warm_up"]

ENCODING_NAME: Final = "o200k_base"
_CHUNK_CHARS: Final = 200_000


class _Encoding(Protocol):
    def encode_ordinary(self, text: str) -> list[int]: ...


_lock = threading.Lock()
_counter: Callable[[str], int] | None = None
_native: Callable[[str], int] | None = None
"""The wheel's own ``count`` when there is one (raises on text UTF-8 cannot carry)."""


def _load() -> Callable[[str], int]:
    """Build the counting function once (thread-safe; loading takes ~0.5 s)."""
    global _counter, _native
    with _lock:
        if _counter is None:
            import bpe_openai

            enc = cast(_Encoding, bpe_openai.get_encoding(ENCODING_NAME))
            native = getattr(getattr(enc, "_backend", None), "count", None)

            def slow(text: str) -> int:
                return len(enc.encode_ordinary(text))

            if callable(native):
                fast = cast(Callable[[str], int], native)
                _native = fast

                def count(text: str) -> int:
                    try:
                        return fast(text)
                    except (UnicodeError, ValueError, TypeError):
                        return slow(text)  # sanitises what UTF-8 cannot carry

                _counter = count
            else:
                _counter = slow
        return _counter


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
    count = _counter or _load()
    if len(text) <= _CHUNK_CHARS:
        return count(text)
    return sum(count(chunk) for chunk in _chunks(text))


def count_line_tokens(lines: Sequence[str]) -> list[int]:
    """Cost of each line in tokens, at least 1.

    The newline before an indented line merges with its indentation in
    o200k_base, so the sum of these costs is within a few percent of the
    count of the joined text (measured on the benchmark files: 1.00-1.04).
    """
    count = _counter or _load()
    native = _native
    if native is not None and (not lines or max(map(len, lines)) <= _CHUNK_CHARS):
        # Each distinct line is counted once (blank lines, ``}``, a repeated record: often a third
        # of a text and more), then looked up, all in C-level loops without a Python call per line.
        distinct = set(lines)
        try:
            cost = {line: c or 1 for line, c in zip(distinct, map(native, distinct), strict=True)}
        except (UnicodeError, ValueError, TypeError):
            pass  # a line UTF-8 cannot carry: count line by line, sanitising that one
        else:
            return list(map(cost.__getitem__, lines))
    return [max(1, count(line) if len(line) <= _CHUNK_CHARS else count_tokens(line)) for line in lines]


def warm_up() -> None:
    """Load the encoding now instead of on the first call."""
    _load()
