"""A fake rerank server on 127.0.0.1 for in-process and process-level tests (no real DeepInfra).

It speaks three wire formats on one port, chosen by path:

* ``POST /v1/inference/<model>``: DeepInfra (``{queries, documents}`` -> ``{scores, input_tokens, ...}``)
* ``POST /rerank``: text-embeddings-inference (``{query, texts}`` -> ``[{index, score}]``)
* ``POST /v1/rerank``: Cohere/Jina/vLLM (``{model, query, documents, top_n}`` -> ``{results}``)

Scores are deterministic: 0.9 for a document containing one of ``keywords``
(case-insensitive), else 0.0. With no keywords configured, the words of 4+
letters after "goal:" in the query are used.

``mode`` switches it into a failure: ``slow`` (answer after ``delay_s``), ``401``,
``403``, ``404``, ``422``, ``429`` (with ``Retry-After: retry_after``), ``500``,
``503``, ``html``, ``broken_json``, ``wrong_length``, ``non_numeric``, ``nan``,
``out_of_range``, ``reset`` (close the connection without answering). With
``fail_times=N`` only the first N requests fail, then it answers normally.

Every request is recorded (path, format, number of queries and documents, whether
the Authorization header carried the expected key).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

__all__ = ["FAILURE_MODES", "FakeReranker", "RecordedRequest"]

FAILURE_MODES = (
    "slow", "401", "403", "404", "422", "429", "500", "503",
    "html", "broken_json", "wrong_length", "non_numeric", "nan", "out_of_range", "reset",
)  # fmt: skip

DEEPINFRA_PATH = "/v1/inference/Qwen/Qwen3-Reranker-0.6B"
_DETAILS = {
    401: "User is not authorized to access this resource",
    403: "Forbidden",
    404: "Model is not available",
    422: [{"loc": ["body", "queries"], "msg": "validation error", "type": "value_error"}],
    429: "Rate limited",
    500: "Internal server error",
    503: "Service unavailable",
}


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    format: str
    n_queries: int
    n_docs: int
    auth_ok: bool
    auth_present: bool
    body_bytes: int
    documents: tuple[str, ...] = field(repr=False, default=())
    query: str = field(repr=False, default="")


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeReranker:
    """Start with ``with FakeReranker() as fake:``; ``fake.url`` is the DeepInfra endpoint."""

    def __init__(self, *, keywords: tuple[str, ...] = (), api_key: str = "test-key") -> None:
        self.keywords = tuple(k.lower() for k in keywords)
        self.api_key = api_key
        self.mode = "ok"
        self.delay_s = 0.0
        self.retry_after: str | None = "1"
        self.fail_times: int | None = None
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._failures = 0
        self._stop = threading.Event()
        self._in_flight = 0
        self.max_in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-reranker",
            daemon=True,
        )

    # -- control -----------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + DEEPINFRA_PATH

    def set_mode(
        self,
        mode: str,
        *,
        times: int | None = None,
        delay_s: float | None = None,
        retry_after: str | None = "1",
    ) -> None:
        with self._lock:
            self.mode = mode
            self.fail_times = times
            self._failures = 0
            self.retry_after = retry_after
            if delay_s is not None:
                self.delay_s = delay_s
            elif mode == "slow":
                self.delay_s = 5.0

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.max_in_flight = 0
        self.set_mode("ok", delay_s=0.0)

    @property
    def docs_scored(self) -> int:
        return sum(r.n_docs for r in self.requests)

    def start(self) -> FakeReranker:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeReranker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- scoring -----------------------------------------------------------------------------------
    def score(self, query: str, doc: str) -> float:
        words = self.keywords
        if not words:
            goal = query.lower().split("goal:", 1)[-1]
            words = tuple(w for w in re.findall(r"[a-z_]{4,}", goal))
        low = doc.lower()
        return 0.9 if any(w in low for w in words) else 0.0

    def _decide(self) -> str:
        """The mode for this request (``ok`` once ``fail_times`` failures were served)."""
        with self._lock:
            if self.mode == "ok":
                return "ok"
            if self.fail_times is not None and self._failures >= self.fail_times:
                return "ok"
            self._failures += 1
            return self.mode

    # -- HTTP ----------------------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body meet delayed ACKs (+40 ms)
            wbufsize = 1 << 16  # headers and body in one write

            def log_message(self, format: str, *args: object) -> None:
                return None

            def _send(
                self, status: int, body: bytes, ctype: str = "application/json", **headers: str
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k.replace("_", "-"), v)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def _json(self, status: int, obj: object, **headers: str) -> None:
                self._send(status, json.dumps(obj).encode(), **headers)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    fake._in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake._in_flight)
                try:
                    self._handle(raw)
                finally:
                    with fake._lock:
                        fake._in_flight -= 1

            def _handle(self, raw: bytes) -> None:
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._json(422, {"detail": "body is not JSON"})
                    return
                path = self.path
                if path.endswith("/v1/rerank"):
                    fmt, query, docs, n_queries = (
                        "openai",
                        body.get("query", ""),
                        body.get("documents", []),
                        1,
                    )
                elif path.endswith("/rerank"):
                    fmt, query, docs, n_queries = "tei", body.get("query", ""), body.get("texts", []), 1
                else:
                    queries = body.get("queries", [])
                    fmt, docs, n_queries = "deepinfra", body.get("documents", []), len(queries)
                    query = queries[0] if queries else ""
                auth = self.headers.get("Authorization")
                expected = f"bearer {fake.api_key}".lower()
                record = RecordedRequest(
                    path=path, format=fmt, n_queries=n_queries, n_docs=len(docs),
                    auth_ok=auth is not None and auth.lower() == expected, auth_present=auth is not None,
                    body_bytes=len(raw), documents=tuple(docs), query=query,
                )  # fmt: skip
                with fake._lock:
                    fake.requests.append(record)
                mode = fake._decide()
                if fake.delay_s and (mode in ("ok", "slow")) and fake._stop.wait(fake.delay_s):
                    return
                if mode == "reset":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if mode.isdigit():
                    status = int(mode)
                    headers = {"Retry_After": fake.retry_after} if status == 429 and fake.retry_after else {}
                    self._json(status, {"detail": _DETAILS.get(status, "error")}, **headers)
                    return
                if mode == "html":
                    self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
                    return
                if mode == "broken_json":
                    self._send(200, b'{"scores": [0.1, 0.2')
                    return
                if fmt == "deepinfra" and not record.auth_ok:
                    self._json(401, {"detail": _DETAILS[401]})
                    return
                if fmt == "deepinfra" and (n_queries not in (1, len(docs)) or len(docs) > 1024 or not docs):
                    self._json(422, {"detail": _DETAILS[422]})
                    return
                scores: list[object] = [fake.score(query, d) for d in docs]
                if mode == "wrong_length":
                    scores = scores[:-1] if len(scores) > 1 else [*scores, 0.5]
                elif mode == "non_numeric":
                    scores = ["high" for _ in scores]
                elif mode == "out_of_range":
                    scores = [fake.score(query, d) + 1.5 for d in docs]
                if mode == "nan":
                    text = json.dumps({"scores": [0.5] * len(docs)}).replace("0.5", "NaN", 1)
                    self._send(200, text.encode())
                    return
                tokens = _tokens(query) + sum(_tokens(d) for d in docs)
                if fmt == "deepinfra":
                    self._json(200, {
                        "scores": scores, "input_tokens": tokens, "request_id": None,
                        "inference_status": {"status": "succeeded", "runtime_ms": 1,
                                             "cost": tokens * 0.01 / 1e6, "tokens_input": tokens},
                    })  # fmt: skip
                    return
                ranked = sorted(range(len(docs)), key=lambda i: -fake.score(query, docs[i]))
                if fmt == "tei":
                    self._json(200, [{"index": i, "score": scores[i]} for i in ranked])
                else:
                    results = [{"index": i, "relevance_score": scores[i]} for i in ranked]
                    self._json(200, {"results": results, "usage": {"total_tokens": tokens}})

        return Handler
