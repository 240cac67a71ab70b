"""Fixtures of the end-to-end tests: one real HTTP server process per test session."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pruner_testkit import HttpServer, start_http_server, stop_process


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    """``mcp-pruner serve --transport http --port 0`` with its store in a temp dir."""
    server = start_http_server(tmp_path_factory.mktemp("http-server"))
    try:
        yield server
    finally:
        stop_process(server.process)


@pytest.fixture(scope="session")
def small_limit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    """A second server whose ``MCP_PRUNER_MAX_INPUT_CHARS`` is 1000."""
    server = start_http_server(tmp_path_factory.mktemp("http-small"), MCP_PRUNER_MAX_INPUT_CHARS="1000")
    try:
        yield server
    finally:
        stop_process(server.process)


@pytest.fixture
def client(http_server: HttpServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=http_server.base_url, timeout=60) as c:
        yield c
