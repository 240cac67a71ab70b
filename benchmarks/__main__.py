"""``python -m benchmarks [quality|speed|all] [options]`` from the repo root."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import quality, speed


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = p.add_subparsers(dest="command")
    quality.add_arguments(sub.add_parser("quality", help="recall vs token reduction, engine vs baselines"))
    speed.add_arguments(sub.add_parser("speed", help="latency and memory, in process and over MCP stdio"))
    both = sub.add_parser("all", help="quality, then speed")
    quality.add_arguments(both)
    speed.add_arguments(both, shared=True)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command or "all"
    if args.command is None:
        args = both.parse_args([])
    if command == "quality":
        return quality.execute(args)
    if command == "speed":
        return speed.execute(args)
    return quality.execute(args) or speed.execute(args)


if __name__ == "__main__":
    raise SystemExit(main())
