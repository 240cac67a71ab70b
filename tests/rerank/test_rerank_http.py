"""The HTTP side with respx: error mapping, retries, Retry-After, deadline, concurrency."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from email.utils import formatdate

import anyio
import httpx
import pytest
import respx
from pydantic import SecretStr

from mcp_pruner._errors import BackendError, BackendHTTPError, BackendParseError, BackendTimeout
from mcp_pruner.rerank import (
    DeepInfraProvider,
    Document,
    Usage,
    parse_retry_after,
    post_json,
    retry_delay,
    score_documents,
)
from mcp_pruner.rerank._http import MAX_BODY_BYTES

URL = "https://api.deepinfra.test/v1/inference/Qwen/Qwen3-Reranker-0.6B"
PROVIDER = DeepInfraProvider(url=URL, api_key=SecretStr("k"), max_docs=2, price_per_mtok=0.01)


def docs(n: int) -> list[Document]:
    return [Document(i, f"doc {i}", 3) for i in range(n)]


def ok(request: httpx.Request) -> httpx.Response:
    import json

    body = json.loads(request.content)
    n = len(body["documents"])
    return httpx.Response(200, json={"scores": [0.5] * n, "input_tokens": 10 * n})


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


async def score(
    client: httpx.AsyncClient, n: int = 4, *, timeout_s: float = 5.0, retries: int = 2
) -> tuple[list[float], Usage]:
    usage = Usage()
    got = await score_documents(
        PROVIDER, client, "q", docs(n), usage,
        deadline=anyio.current_time() + timeout_s, limiter=anyio.CapacityLimiter(4), max_retries=retries,
        rng=lambda: 0.0,
    )  # fmt: skip
    return got, usage


# -- post_json --------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 429, 500, 502, 503])
@respx.mock
async def test_non_2xx_is_an_http_error_with_status(client: httpx.AsyncClient, status: int) -> None:
    respx.post(URL).mock(return_value=httpx.Response(status, json={"detail": "Model is not available"}))
    with pytest.raises(BackendHTTPError) as info:
        await post_json(client, PROVIDER.build_request("q", ["a"]), 1.0)
    assert info.value.status == status
    assert info.value.warning_code == "deepinfra_http_error"


@respx.mock
async def test_object_details_are_not_copied_into_messages(client: httpx.AsyncClient) -> None:
    respx.post(URL).mock(return_value=httpx.Response(422, json={"detail": [{"input": "secret document"}]}))
    with pytest.raises(BackendHTTPError) as info:
        await post_json(client, PROVIDER.build_request("q", ["a"]), 1.0)
    assert "secret document" not in str(info.value)


@pytest.mark.parametrize(
    ("effect", "kind"),
    [
        (httpx.ReadTimeout("slow"), BackendTimeout),
        (httpx.ConnectTimeout("slow"), BackendTimeout),
        (httpx.ConnectError("refused"), BackendHTTPError),
        (httpx.RemoteProtocolError("reset"), BackendHTTPError),
    ],
)
@respx.mock
async def test_transport_failures(
    client: httpx.AsyncClient, effect: Exception, kind: type[BackendError]
) -> None:
    respx.post(URL).mock(side_effect=effect)
    with pytest.raises(kind) as info:
        await post_json(client, PROVIDER.build_request("q", ["a"]), 1.0)
    assert info.value.status is None


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>Bad gateway</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, text='{"scores": [0.1,'),
        httpx.Response(200, text=""),
    ],
)
@respx.mock
async def test_non_json_bodies_are_parse_errors(client: httpx.AsyncClient, response: httpx.Response) -> None:
    respx.post(URL).mock(return_value=response)
    with pytest.raises(BackendParseError):
        await post_json(client, PROVIDER.build_request("q", ["a"]), 1.0)


async def _spaces_without_length(total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * 65536
        sent += 65536


@pytest.mark.parametrize("declared", [True, False])
@respx.mock
async def test_a_body_over_the_cap_is_a_parse_error_read_no_further(
    client: httpx.AsyncClient, declared: bool
) -> None:
    """Regression guard: ten valid 50 MB answers at once took the server to 650 MB of memory."""
    size = MAX_BODY_BYTES + 65536
    if declared:
        response = httpx.Response(200, content=b"[" + b"0," * (size // 2) + b"0]")
    else:  # chunked, no content-length: counted while reading
        response = httpx.Response(200, content=_spaces_without_length(size))
    respx.post(URL).mock(return_value=response)
    with pytest.raises(BackendParseError, match="bytes"):
        await post_json(client, PROVIDER.build_request("q", ["a"]), 5.0)


@respx.mock
async def test_the_key_is_sent_as_bearer(client: httpx.AsyncClient) -> None:
    route = respx.post(URL).mock(side_effect=ok)
    await post_json(client, PROVIDER.build_request("q", ["a"]), 1.0)
    assert route.calls.last.request.headers["authorization"] == "bearer k"


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = time.time()
    assert parse_retry_after(formatdate(now + 10, usegmt=True), now=now) == pytest.approx(10, abs=1)


def test_retry_delay_uses_retry_after_with_jitter_else_backoff() -> None:
    exc = BackendHTTPError("x", status=429, retry_after_s=2.0)
    assert retry_delay(exc, 0, lambda: 0.0) == 2.0
    assert 2.0 < retry_delay(exc, 0, lambda: 1.0) <= 2.21
    plain = BackendHTTPError("x", status=503)
    assert retry_delay(plain, 0, lambda: 1.0) < retry_delay(plain, 3, lambda: 1.0) <= 2.0


# -- score_documents ----------------------------------------------------------------------------------
@respx.mock
async def test_batches_respect_max_docs_and_usage_adds_up(client: httpx.AsyncClient) -> None:
    route = respx.post(URL).mock(side_effect=ok)
    got, usage = await score(client, 5)
    assert got == [0.5] * 5
    assert route.call_count == 3  # 2 + 2 + 1
    assert (usage.requests, usage.tokens, usage.documents) == (3, 50, 5)
    assert usage.cost_usd == pytest.approx(50 * 0.01 / 1e6)


@pytest.mark.parametrize(
    ("body", "tokens", "cost"),
    [
        ({"input_tokens": 1e300}, 4 * 3, 4 * 3 * 0.01 / 1e6),  # an impossible count: our estimate
        ({"input_tokens": 10**15}, 4 * 3, 4 * 3 * 0.01 / 1e6),
        ({"inference_status": {"cost": 1e6}}, 4 * 3, 4 * 3 * 0.01 / 1e6),  # an impossible price
        ({"input_tokens": 60}, 2 * 60, 2 * 60 * 0.01 / 1e6),  # another tokenizer's count: believed
        ({"inference_status": {"cost": 2e-6}}, 4 * 3, 2 * 2e-6),  # a believable price: booked as said
    ],
)
@respx.mock
async def test_usage_the_provider_reports_is_booked_only_when_believable(
    client: httpx.AsyncClient, body: dict[str, object], tokens: int, cost: float
) -> None:
    """Regression guard: ``input_tokens: 1e300`` made health report $1e292 for the process's life.

    Four documents of 3 tokens in two requests (max_docs 2); figures are per request."""
    import json

    def answer(request: httpx.Request) -> httpx.Response:
        n = len(json.loads(request.content)["documents"])
        return httpx.Response(200, json={"scores": [0.5] * n, **body})

    respx.post(URL).mock(side_effect=answer)
    got, usage = await score(client, 4)
    assert got == [0.5] * 4
    assert usage.tokens == tokens
    assert usage.cost_usd == pytest.approx(cost)


@respx.mock
async def test_429_then_success_honours_retry_after(client: httpx.AsyncClient) -> None:
    answers = [httpx.Response(429, json={"detail": "Rate limited"}, headers={"Retry-After": "0.3"})]

    def first_429(request: httpx.Request) -> httpx.Response:
        return answers.pop() if answers else ok(request)

    route = respx.post(URL).mock(side_effect=first_429)
    started = time.perf_counter()
    got, usage = await score(client, 2)
    assert time.perf_counter() - started >= 0.3
    assert got == [0.5, 0.5]
    assert route.call_count == 2
    assert usage.requests == 2


@respx.mock
async def test_retries_stop_at_max_retries(client: httpx.AsyncClient) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(503, json={"detail": "busy"}))
    with pytest.raises(BackendHTTPError):
        await score(client, 2, retries=2)
    assert route.call_count == 3


@respx.mock
async def test_no_retry_when_retry_after_does_not_fit_the_deadline(client: httpx.AsyncClient) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "10"}))
    started = time.perf_counter()
    with pytest.raises(BackendHTTPError) as info:
        await score(client, 2, timeout_s=1.0)
    assert info.value.status == 429
    assert route.call_count == 1
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
@respx.mock
async def test_client_errors_are_not_retried(client: httpx.AsyncClient, status: int) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(status, json={"detail": "no"}))
    with pytest.raises(BackendHTTPError):
        await score(client, 2)
    assert route.call_count == 1


@respx.mock
async def test_deadline_cuts_a_slow_answer(client: httpx.AsyncClient) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)
        return ok(request)

    respx.post(URL).mock(side_effect=slow)
    started = time.perf_counter()
    with pytest.raises(BackendTimeout):
        await score(client, 2, timeout_s=0.3)
    assert time.perf_counter() - started < 1.0


@respx.mock
async def test_the_per_request_timeout_applies_within_a_longer_deadline(client: httpx.AsyncClient) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)
        return ok(request)

    respx.post(URL).mock(side_effect=slow)
    started = time.perf_counter()
    with pytest.raises(BackendTimeout):
        await score_documents(
            PROVIDER, client, "q", docs(2), Usage(),
            deadline=anyio.current_time() + 10, limiter=anyio.CapacityLimiter(2), max_retries=2,
            request_timeout_s=0.2,
        )  # fmt: skip
    assert time.perf_counter() - started < 1.0


@respx.mock
async def test_concurrency_is_bounded_and_a_failure_cancels_the_rest(client: httpx.AsyncClient) -> None:
    in_flight = 0
    peak = 0
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak, calls
        calls += 1
        mine = calls
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await anyio.sleep(0.05)
            if mine == 3:
                return httpx.Response(401, json={"detail": "no"})
            return ok(request)
        finally:
            in_flight -= 1

    respx.post(URL).mock(side_effect=handler)
    usage = Usage()
    with pytest.raises(BackendHTTPError):
        await score_documents(
            PROVIDER, client, "q", docs(40), usage,
            deadline=anyio.current_time() + 5, limiter=anyio.CapacityLimiter(2), max_retries=0,
        )  # fmt: skip
    assert peak <= 2
    assert calls < 20  # the remaining batches were never sent
