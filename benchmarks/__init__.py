"""Benchmarks of mcp-pruner: pruning quality (recall vs reduction) and speed. See README.md."""
