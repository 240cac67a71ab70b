"""Build a provider from settings; a provider that cannot work is a :class:`BackendConfigError`.

The error is raised per call (not at start-up) so that a missing key falls
back to the heuristic with ``deepinfra_config_error`` instead of stopping the
server: an agent loses nothing but the reranker.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from pydantic import SecretStr

from .._errors import BackendConfigError
from .._settings import Settings
from ._base import RerankProvider
from ._deepinfra import DeepInfraProvider
from ._openai import OpenAIRerankProvider
from ._tei import TEIProvider

__all__ = ["PROVIDERS", "build_provider"]

PROVIDERS: Final = ("deepinfra", "tei", "openai_rerank")


def _check_url(url: str | None, setting: str) -> str:
    if not url:
        raise BackendConfigError(f"{setting} is not set")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BackendConfigError(f"{setting} is not an http(s) URL")
    return url


_HEADER_TOKEN: Final = re.compile(r"[\x21-\x7e]+")
"""What a key sent in an ``Authorization`` header can hold: visible ASCII, no space or control."""


def _check_key(key: SecretStr | None, setting: str) -> SecretStr | None:
    """The key, unless an HTTP header cannot carry it (named, never shown)."""
    if key is not None and key.get_secret_value() and not _HEADER_TOKEN.fullmatch(key.get_secret_value()):
        raise BackendConfigError(f"{setting} holds a space, a control or a non-ASCII character")
    return key


def build_provider(name: str, settings: Settings) -> RerankProvider:
    """The provider called ``name``, configured from ``settings``."""
    if name == "deepinfra":
        key = settings.deepinfra_api_key
        if key is None or not key.get_secret_value():
            raise BackendConfigError("DEEPINFRA_API_KEY is not set")
        _check_key(key, "DEEPINFRA_API_KEY")
        return DeepInfraProvider(
            url=_check_url(settings.deepinfra_endpoint_url, "DEEPINFRA_ENDPOINT_URL"),
            api_key=key,
            max_docs=settings.deepinfra_max_docs,
            price_per_mtok=settings.deepinfra_price_per_mtok,
        )
    if name == "tei":
        return TEIProvider(
            base_url=_check_url(settings.tei_url, "MCP_PRUNER_TEI_URL"),
            api_key=_check_key(settings.tei_api_key, "MCP_PRUNER_TEI_API_KEY"),
            max_docs=settings.tei_max_docs,
        )
    if name == "openai_rerank":
        return OpenAIRerankProvider(
            base_url=_check_url(settings.openai_rerank_url, "MCP_PRUNER_RERANK_URL"),
            model=settings.openai_rerank_model,
            api_key=_check_key(settings.openai_rerank_api_key, "MCP_PRUNER_RERANK_API_KEY"),
            max_docs=settings.openai_rerank_max_docs,
            price_per_mtok=settings.openai_rerank_price_per_mtok,
        )
    raise BackendConfigError(f"unknown rerank provider {name!r}")
