"""mcp-pruner: prune long context to what the agent's goal needs; recover any removed line exactly."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mcp-pruner")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
