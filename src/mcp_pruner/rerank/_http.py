"""One POST to a rerank API, with every failure mapped to a ``Backend*`` error.

* connect/read/write/pool timeouts, or the total     -> :class:`BackendTimeout`
* other transport errors (refused, reset, DNS, TLS)  -> :class:`BackendHTTPError` (no status)
* any non-2xx status                                 -> :class:`BackendHTTPError` with ``status``
  and ``retry_after_s`` from ``Retry-After`` (seconds or an HTTP date)
* a 2xx body that is not JSON (HTML, truncated)      -> :class:`BackendParseError`
* a body over :data:`MAX_BODY_BYTES` (read no further) -> :class:`BackendParseError`

Error messages carry the status and a short ``detail`` string when the API sent
one, never the request (its headers hold the key) nor the documents.
"""

from __future__ import annotations

import json
import math
import time
from email.utils import parsedate_to_datetime
from typing import Final

import anyio
import httpx

from .._errors import BackendHTTPError, BackendParseError, BackendTimeout
from ._base import RerankRequest

__all__ = ["MAX_BODY_BYTES", "parse_retry_after", "post_json"]

_DETAIL_MAX = 200
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
"""Scores for 1,024 documents take ~20 KB: a body this large is not an answer, and reading it
whole (ten at a time) would cost the server hundreds of MB."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), ``None`` if unusable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _detail(body: bytes) -> str:
    """The API's ``detail`` when it is a short string (an object/list detail may echo the input)."""
    try:
        data: object = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict):
        detail = data.get("detail")
        if isinstance(detail, str):
            return detail[:_DETAIL_MAX]
    return ""


async def _read_capped(response: httpx.Response) -> bytes:
    """The body, unless it is over :data:`MAX_BODY_BYTES` (then stop reading: a parse error)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BackendParseError(f"HTTP {response.status_code} body of {declared} bytes is too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BackendParseError(f"HTTP {response.status_code} body over {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def post_json(client: httpx.AsyncClient, request: RerankRequest, timeout_s: float) -> object:
    """POST ``request`` and return the decoded JSON body of a 2xx answer."""
    try:
        # httpx's timeout bounds each phase (connect, each read...), not the whole exchange:
        # fail_after makes it a total, so a server that trickles bytes cannot overrun.
        with anyio.fail_after(timeout_s):
            async with client.stream(
                "POST",
                request.url,
                json=request.body,
                headers=request.headers,
                timeout=httpx.Timeout(timeout_s),
            ) as response:
                body = await _read_capped(response)
    except TimeoutError:
        raise BackendTimeout("request exceeded its timeout") from None
    except httpx.TimeoutException as exc:
        raise BackendTimeout(f"request timed out ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise BackendHTTPError(f"transport error ({type(exc).__name__})") from None
    if not response.is_success:
        detail = _detail(body)
        raise BackendHTTPError(
            f"HTTP {response.status_code}" + (f": {detail}" if detail else ""),
            status=response.status_code,
            retry_after_s=parse_retry_after(response.headers.get("retry-after")),
        )
    try:
        data: object = json.loads(body)
    except ValueError:
        ctype = response.headers.get("content-type", "?").split(";")[0]
        raise BackendParseError(f"HTTP {response.status_code} body is not JSON ({ctype})") from None
    return data
