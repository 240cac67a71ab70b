"""One POST to a rerank API, with every failure mapped to a ``Backend*`` error.

* connect/read/write/pool timeouts, or the total     -> :class:`BackendTimeout`
* other transport errors (refused, reset, DNS, TLS)  -> :class:`BackendHTTPError` (no status)
* any non-2xx status                                 -> :class:`BackendHTTPError` with ``status``
  and ``retry_after_s`` from ``Retry-After`` (seconds or an HTTP date)
* a 2xx body that is not JSON (HTML, truncated)      -> :class:`BackendParseError`

Error messages carry the status and a short ``detail`` string when the API sent
one, never the request (its headers hold the key) nor the documents.
"""

from __future__ import annotations

import json
import math
import time
from email.utils import parsedate_to_datetime

import anyio
import httpx

from .._errors import BackendHTTPError, BackendParseError, BackendTimeout
from ._base import RerankRequest

__all__ = ["parse_retry_after", "post_json"]

_DETAIL_MAX = 200


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


def _detail(response: httpx.Response) -> str:
    """The API's ``detail`` when it is a short string (an object/list detail may echo the input)."""
    try:
        data: object = json.loads(response.content)
    except ValueError:
        return ""
    if isinstance(data, dict):
        detail = data.get("detail")
        if isinstance(detail, str):
            return detail[:_DETAIL_MAX]
    return ""


async def post_json(client: httpx.AsyncClient, request: RerankRequest, timeout_s: float) -> object:
    """POST ``request`` and return the decoded JSON body of a 2xx answer."""
    try:
        # httpx's timeout bounds each phase (connect, each read...), not the whole exchange:
        # fail_after makes it a total, so a server that trickles bytes cannot overrun.
        with anyio.fail_after(timeout_s):
            response = await client.post(
                request.url, json=request.body, headers=request.headers, timeout=httpx.Timeout(timeout_s)
            )
    except TimeoutError:
        raise BackendTimeout("request exceeded its timeout") from None
    except httpx.TimeoutException as exc:
        raise BackendTimeout(f"request timed out ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise BackendHTTPError(f"transport error ({type(exc).__name__})") from None
    if not response.is_success:
        detail = _detail(response)
        raise BackendHTTPError(
            f"HTTP {response.status_code}" + (f": {detail}" if detail else ""),
            status=response.status_code,
            retry_after_s=parse_retry_after(response.headers.get("retry-after")),
        )
    try:
        data: object = json.loads(response.content)
    except ValueError:
        ctype = response.headers.get("content-type", "?").split(";")[0]
        raise BackendParseError(f"HTTP {response.status_code} body is not JSON ({ctype})") from None
    return data
