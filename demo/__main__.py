"""``python -m zoo.demo``: the same as ``zoo demo`` (same options)."""

import argparse
import sys
from collections.abc import Sequence

from zoo.cli import demo as demo_command
from zoo.cli.main import main as zoo_main

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``zoo demo``'s options and serve the demo; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m zoo.demo", description=demo_command.HELP)
    demo_command.add_arguments(parser)
    parser.parse_args(argv)  # usage errors and --help here, with this program's name
    return zoo_main(["demo", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
