"""The ``zoo`` command line: one subcommand per module in ``zoo.cli``.

Each subcommand module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int`` and imports
its heavy dependencies inside ``run``, so ``zoo --help`` stays fast.
"""

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["COMMANDS", "main"]

# subcommand -> module in zoo.cli; later work adds its commands here.
COMMANDS: dict[str, str] = {
    "list": "zoo.cli.list_cmd",
    "info": "zoo.cli.info",
    "degrade": "zoo.cli.degrade",
    "restore": "zoo.cli.restore",
    "export": "zoo.cli.export",
    "convert-reference": "zoo.cli.convert_reference",
    "train": "zoo.cli.train",
    "export-weights": "zoo.cli.export_weights",
    "bench": "zoo.cli.bench",
    "demo": "zoo.cli.demo",
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand attached."""
    parser = argparse.ArgumentParser(prog="zoo", description="mbn-zoo: restore images with unknown degradations.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("zoo: interrupted", file=sys.stderr)
        return 130
    except (KeyError, ValueError, FileNotFoundError, RuntimeError, OSError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"zoo {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
