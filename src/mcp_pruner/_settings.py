"""Settings, loaded once into one typed object: environment > config.toml > defaults.

Every configuration name of the contract is here. ``config.toml`` keys live in
the ``[mcp_pruner]`` table; secrets (API keys) are accepted from the
environment only and refused, with a clear message, when found in a file.

The merge itself is a few lines written here rather than pydantic-settings:
the contract's names do not share a prefix (``KIMI_PRUNING_BACKEND``,
``DEEPINFRA_*``, ``MCP_PRUNER_*``), have aliases, and differ from the TOML keys;
validation (types, ranges) is still pydantic's.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from ._errors import ConfigError

__all__ = [
    "DEFAULT_DEEPINFRA_URL",
    "SETTING_SOURCES",
    "Settings",
    "default_state_dir",
    "load_settings",
]

DEFAULT_DEEPINFRA_URL: Final = "https://api.deepinfra.com/v1/inference/Qwen/Qwen3-Reranker-0.6B"


def default_state_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/mcp-pruner`` or ``~/.local/state/mcp-pruner``."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "mcp-pruner"


class Settings(BaseModel):
    """All of the server's configuration. Build it with :func:`load_settings`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Backend selection
    backend: Literal["heuristic", "deepinfra", "tei", "openai_rerank"] = "heuristic"
    backend_chain: tuple[str, ...] = ()
    # DeepInfra
    deepinfra_api_key: SecretStr | None = None
    deepinfra_endpoint_url: str = DEFAULT_DEEPINFRA_URL
    deepinfra_timeout_ms: int = Field(default=8000, ge=1)
    deepinfra_max_docs: int = Field(default=256, ge=1, le=1024)
    deepinfra_max_concurrency: int = Field(default=8, ge=1, le=200)
    deepinfra_price_per_mtok: float = Field(default=0.01, ge=0.0)
    deepinfra_max_retries: int = Field(default=2, ge=0, le=10)
    # Other rerank providers (self-hosted or hosted)
    tei_url: str | None = None
    tei_api_key: SecretStr | None = None
    openai_rerank_url: str | None = None
    openai_rerank_api_key: SecretStr | None = None
    openai_rerank_model: str = "rerank"
    tei_max_docs: int = Field(default=32, ge=1, le=1024)
    openai_rerank_max_docs: int = Field(default=128, ge=1, le=1024)
    openai_rerank_price_per_mtok: float = Field(default=0.0, ge=0.0)
    circuit_failure_threshold: int = Field(default=3, ge=1)
    circuit_cooldown_s: float = Field(default=30.0, ge=0.0)
    # HTTP transport
    host: str = "127.0.0.1"
    port: int = Field(default=8006, ge=0, le=65535)
    max_input_chars: int = Field(default=2_000_000, ge=1)
    # Recovery store
    prune_id_ttl_s: int = Field(default=7 * 24 * 3600, ge=1)
    store_path: Path | None = None
    store_max_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    # Result cache
    cache_ttl_s: int = Field(default=3600, ge=0)
    cache_max_entries: int = Field(default=256, ge=0)
    # Defaults of prune_text options
    default_max_prune_ratio: float = Field(default=0.9, ge=0.0, le=1.0)
    default_min_keep_lines: int = Field(default=5, ge=0)
    default_timeout_ms: int = Field(default=15000, ge=1)
    default_annotate_lines: bool = False
    default_include_markers: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("backend", mode="before")
    @classmethod
    def _backend_alias(cls, value: object) -> object:
        if isinstance(value, str):
            v = value.strip().lower()
            return "deepinfra" if v == "cloud" else v
        return value

    @field_validator("backend_chain", mode="before")
    @classmethod
    def _split_chain(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(p.strip().lower() for p in value.split(",") if p.strip())
        return value

    @property
    def resolved_store_path(self) -> Path:
        return self.store_path or default_state_dir() / "store.sqlite3"


@dataclass(frozen=True, slots=True)
class _Source:
    field: str
    env: tuple[str, ...]
    toml: str | None
    secret: bool = False


SETTING_SOURCES: Final[tuple[_Source, ...]] = (
    _Source("backend", ("KIMI_PRUNING_BACKEND", "MCP_PRUNER_BACKEND"), "backend"),
    _Source("backend_chain", ("MCP_PRUNER_BACKEND_CHAIN",), "backend_chain"),
    _Source("deepinfra_api_key", ("DEEPINFRA_API_KEY",), None, secret=True),
    _Source("deepinfra_endpoint_url", ("DEEPINFRA_ENDPOINT_URL",), "deepinfra_endpoint_url"),
    _Source("deepinfra_timeout_ms", ("DEEPINFRA_TIMEOUT_MS",), "deepinfra_timeout_ms"),
    _Source("deepinfra_max_docs", ("DEEPINFRA_MAX_DOCS",), "deepinfra_max_docs"),
    _Source("deepinfra_max_concurrency", ("DEEPINFRA_MAX_CONCURRENCY",), "deepinfra_max_concurrency"),
    _Source("deepinfra_price_per_mtok", ("DEEPINFRA_PRICE_PER_MTOK",), "deepinfra_price_per_mtok"),
    _Source("deepinfra_max_retries", ("DEEPINFRA_MAX_RETRIES",), "deepinfra_max_retries"),
    _Source("tei_url", ("MCP_PRUNER_TEI_URL",), "tei_url"),
    _Source("tei_api_key", ("MCP_PRUNER_TEI_API_KEY",), None, secret=True),
    _Source("openai_rerank_url", ("MCP_PRUNER_RERANK_URL",), "openai_rerank_url"),
    _Source("openai_rerank_api_key", ("MCP_PRUNER_RERANK_API_KEY",), None, secret=True),
    _Source("openai_rerank_model", ("MCP_PRUNER_RERANK_MODEL",), "openai_rerank_model"),
    _Source("tei_max_docs", ("MCP_PRUNER_TEI_MAX_DOCS",), "tei_max_docs"),
    _Source("openai_rerank_max_docs", ("MCP_PRUNER_RERANK_MAX_DOCS",), "openai_rerank_max_docs"),
    _Source(
        "openai_rerank_price_per_mtok", ("MCP_PRUNER_RERANK_PRICE_PER_MTOK",), "openai_rerank_price_per_mtok"
    ),
    _Source("circuit_failure_threshold", ("MCP_PRUNER_CIRCUIT_FAILURES",), "circuit_failure_threshold"),
    _Source("circuit_cooldown_s", ("MCP_PRUNER_CIRCUIT_COOLDOWN_S",), "circuit_cooldown_s"),
    _Source("host", ("MCP_PRUNER_HOST",), "host"),
    _Source("port", ("MCP_PRUNER_PORT",), "port"),
    _Source("max_input_chars", ("MCP_PRUNER_MAX_INPUT_CHARS",), "max_input_chars"),
    _Source("prune_id_ttl_s", ("MCP_PRUNER_PRUNE_ID_TTL_S",), "prune_id_ttl_s"),
    _Source("store_path", ("MCP_PRUNER_STORE_PATH",), "store_path"),
    _Source("store_max_bytes", ("MCP_PRUNER_STORE_MAX_BYTES",), "store_max_bytes"),
    _Source("cache_ttl_s", ("MCP_PRUNER_CACHE_TTL_S",), "cache_ttl_s"),
    _Source(
        "cache_max_entries",
        ("MCP_PRUNER_CACHE_MAX_ITEMS", "MCP_PRUNER_CACHE_MAX_ENTRIES"),
        "cache_max_entries",
    ),
    _Source("default_max_prune_ratio", ("MCP_PRUNER_MAX_PRUNE_RATIO",), "max_prune_ratio"),
    _Source("default_min_keep_lines", ("MCP_PRUNER_MIN_KEEP_LINES",), "min_keep_lines"),
    _Source("default_timeout_ms", ("MCP_PRUNER_TIMEOUT_MS",), "timeout_ms"),
    _Source("default_annotate_lines", ("MCP_PRUNER_ANNOTATE_LINES",), "annotate_lines"),
    _Source("default_include_markers", ("MCP_PRUNER_INCLUDE_MARKERS",), "include_markers"),
    _Source("log_level", ("MCP_PRUNER_LOG_LEVEL",), "log_level"),
)

_SECRET_WORDS: Final = ("api_key", "apikey", "token", "secret", "password")


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:  # TOML is UTF-8 only
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    table = doc.get("mcp_pruner", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [mcp_pruner] must be a table")
    for key in table:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ConfigError(
                f"{path}: key '{key}' looks like a secret; secrets are read from the environment only "
                f"(for example DEEPINFRA_API_KEY). Remove it from the file."
            )
    known = {s.toml for s in SETTING_SOURCES if s.toml}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [mcp_pruner]: {', '.join(unknown)}")
    return dict(table)


def _find_config(env: Mapping[str, str], config_path: Path | None) -> Path | None:
    if config_path is not None:
        return config_path
    if env.get("MCP_PRUNER_CONFIG"):
        return Path(env["MCP_PRUNER_CONFIG"])
    local = Path.cwd() / "config.toml"
    return local if local.is_file() else None


def load_settings(env: Mapping[str, str] | None = None, config_path: Path | None = None) -> Settings:
    """Merge environment > config file > defaults and validate once.

    The config file is ``config_path``, else ``$MCP_PRUNER_CONFIG``, else
    ``./config.toml`` when it exists. Raises :class:`ConfigError` naming the
    setting that is wrong.
    """
    env = os.environ if env is None else env
    path = _find_config(env, config_path)
    file_values = _read_toml(path) if path is not None else {}
    merged: dict[str, object] = {}
    origin: dict[str, str] = {}
    for src in SETTING_SOURCES:
        if src.toml and src.toml in file_values:
            merged[src.field] = file_values[src.toml]
            origin[src.field] = f"{path}: {src.toml}"
        for name in src.env:
            raw = env.get(name)
            if raw is not None and raw.strip() != "":
                merged[src.field] = raw.strip()
                origin[src.field] = name
                break
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        where = origin.get(field, field)
        raise ConfigError(f"invalid setting {where}: {err['msg']}") from exc
