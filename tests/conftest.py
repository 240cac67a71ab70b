"""Fixtures shared by the in-process tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mcp_pruner._service import PrunerService
from pruner_testkit import make_settings


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[PrunerService]:
    """A service on a fresh SQLite store under ``tmp_path``, closed after the test."""
    async with PrunerService(make_settings(tmp_path)) as svc:
        yield svc
