"""The ``zoo`` command line: one subcommand per module in ``zoo.cli``.

Each subcommand module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int`` and imports
its heavy dependencies inside ``run``, so ``zoo --help`` stays fast. Whatever goes wrong is reported as one line on
stderr, ``zoo <command>: error: <what> (<file or option>): <how to fix>`` (see :mod:`zoo.cli.errors`), with exit
status 1 (2 for a command line argparse refuses); ``--debug`` also prints the traceback.
"""

import argparse
import importlib
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

from zoo.cli.errors import UsageError, _Parser, error_line, usage_line

__all__ = ["COMMANDS", "main"]

# subcommand -> module in zoo.cli; later work adds its commands here.
COMMANDS: dict[str, str] = {
    "list": "zoo.cli.list_cmd",
    "info": "zoo.cli.info",
    "degrade": "zoo.cli.degrade",
    "restore": "zoo.cli.restore",
    "detect": "zoo.cli.detect",
    "export": "zoo.cli.export",
    "convert-reference": "zoo.cli.convert_reference",
    "train": "zoo.cli.train",
    "export-weights": "zoo.cli.export_weights",
    "bench": "zoo.cli.bench",
    "demo": "zoo.cli.demo",
}

_DEBUG_HELP = "on an error, also print the Python traceback"


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand attached."""
    parser = _Parser(prog="zoo", description="mbn-zoo: restore images with unknown degradations.")
    parser.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP)
        sub.set_defaults(_run=module.run)
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(command)
    return None


def _one_line_warning(command: str) -> Any:
    """A ``warnings.showwarning`` that prints ``zoo <command>: warning: <message>`` on one line."""

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        print(f"zoo {command}: warning: {' '.join(str(message).split())}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage error, 130 interrupted)."""
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # argparse would report these for "zoo", not for the subcommand they were given to
            raise UsageError(f"zoo {args.command}", f"unrecognized arguments: {' '.join(unknown)}")
    except UsageError as err:
        print(usage_line(err), file=sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(args.command)
            return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print(f"zoo {args.command}: interrupted", file=sys.stderr)
        return 130
    except UsageError as err:  # a subcommand's own use of parser.error
        print(usage_line(err), file=sys.stderr)
        return 2
    except Exception as err:  # every failure becomes one line; --debug adds the traceback
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(error_line(err, args, _subparser(parser, args.command)), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
