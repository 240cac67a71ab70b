"""Every module declares ``__all__`` and everything in it exists (the httpx convention)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import mcp_pruner


def _modules() -> list[str]:
    names = ["mcp_pruner"]
    for info in pkgutil.walk_packages(mcp_pruner.__path__, "mcp_pruner."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_module_all_is_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names missing {item}"
    assert len(set(exported)) == len(exported)
