"""Configuration: environment > config.toml > defaults, secrets refused in files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mcp_pruner._errors import ConfigError
from mcp_pruner._settings import SETTING_SOURCES, Settings, default_state_dir, load_settings

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    s = load_settings(env={}, config_path=write(tmp_path, ""))
    assert s.backend == "heuristic"
    assert (s.host, s.port) == ("127.0.0.1", 8006)
    assert s.max_input_chars == 2_000_000
    assert s.prune_id_ttl_s >= 3600


def test_env_beats_file_beats_default(tmp_path: Path) -> None:
    cfg = write(tmp_path, '[mcp_pruner]\nport = 9000\ncache_ttl_s = 5\nbackend = "deepinfra"\n')
    s = load_settings(env={"MCP_PRUNER_PORT": "9100"}, config_path=cfg)
    assert s.port == 9100
    assert s.cache_ttl_s == 5
    assert s.backend == "deepinfra"


def test_backend_cloud_alias() -> None:
    assert load_settings(env={"KIMI_PRUNING_BACKEND": "cloud"}, config_path=None).backend == "deepinfra"


def test_cache_max_items_alias() -> None:
    s = load_settings(env={"MCP_PRUNER_CACHE_MAX_ENTRIES": "7"}, config_path=None)
    assert s.cache_max_entries == 7
    s = load_settings(
        env={"MCP_PRUNER_CACHE_MAX_ITEMS": "9", "MCP_PRUNER_CACHE_MAX_ENTRIES": "7"}, config_path=None
    )
    assert s.cache_max_entries == 9


def test_every_contract_variable_is_read() -> None:
    names = {n for src in SETTING_SOURCES for n in src.env}
    for required in (
        "KIMI_PRUNING_BACKEND",
        "DEEPINFRA_API_KEY",
        "DEEPINFRA_ENDPOINT_URL",
        "DEEPINFRA_TIMEOUT_MS",
        "DEEPINFRA_MAX_DOCS",
        "MCP_PRUNER_HOST",
        "MCP_PRUNER_PORT",
        "MCP_PRUNER_MAX_INPUT_CHARS",
        "MCP_PRUNER_PRUNE_ID_TTL_S",
        "MCP_PRUNER_CACHE_TTL_S",
        "MCP_PRUNER_CACHE_MAX_ITEMS",
        "MCP_PRUNER_CACHE_MAX_ENTRIES",
        "MCP_PRUNER_STORE_PATH",
    ):
        assert required in names


def test_secret_in_file_is_refused(tmp_path: Path) -> None:
    cfg = write(tmp_path, '[mcp_pruner]\ndeepinfra_api_key = "sk-123"\n')
    with pytest.raises(ConfigError, match="secret") as info:
        load_settings(env={}, config_path=cfg)
    assert "sk-123" not in str(info.value)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="bogus_key"):
        load_settings(env={}, config_path=write(tmp_path, "[mcp_pruner]\nbogus_key = 1\n"))


def test_bad_value_names_its_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MCP_PRUNER_PORT"):
        load_settings(env={"MCP_PRUNER_PORT": "not-a-port"}, config_path=None)
    with pytest.raises(ConfigError, match="deepinfra_max_docs"):
        load_settings(env={}, config_path=write(tmp_path, "[mcp_pruner]\ndeepinfra_max_docs = 5000\n"))


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(env={}, config_path=write(tmp_path, "[mcp_pruner\n"))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(env={}, config_path=tmp_path / "nope.toml")


def test_config_env_variable_points_to_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[mcp_pruner]\nport = 9555\n")
    assert load_settings(env={"MCP_PRUNER_CONFIG": str(cfg)}, config_path=None).port == 9555


def test_secret_is_not_in_repr() -> None:
    s = load_settings(env={"DEEPINFRA_API_KEY": "super-secret-key"}, config_path=None)
    assert s.deepinfra_api_key is not None
    assert "super-secret-key" not in repr(s)
    assert "super-secret-key" not in s.model_dump_json()


def test_state_dir_follows_xdg(tmp_path: Path) -> None:
    assert default_state_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "mcp-pruner"


def test_repo_config_toml_documents_the_defaults() -> None:
    """Regression guard: config.toml at the repo root shows each key with its built-in default."""
    doc = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))["mcp_pruner"]
    loaded = load_settings(env={}, config_path=REPO / "config.toml")
    assert loaded == Settings()
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    for src in SETTING_SOURCES:
        if src.toml:
            assert src.toml in text, f"config.toml does not document {src.toml}"
        for env in src.env:
            if not src.secret:
                assert env in text, f"config.toml does not name {env}"
    assert doc
