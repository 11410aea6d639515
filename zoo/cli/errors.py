"""One line per failure: every exception of a ``zoo`` subcommand becomes ``error: <what> (<where>): <how to fix>``.

``where`` is the file or option the problem is about: the command-line value that the message mentions (shown with
its option, e.g. ``--checkpoint w.pth``), else the subcommand's main input. ``how to fix`` is the part of the message
after its first ``"; "`` (the project's messages say what was wrong, then what to do), else a hint for the kind of
error. Exceptions the project does not expect (an ``AttributeError`` from a library, say) are named by type and point
to ``--debug``, which prints the traceback.
"""

import argparse
import errno
import re
from typing import Any

__all__ = ["CliError", "UsageError", "error_line", "usage_line"]

MAX_WHAT = 300  # characters of a message kept in the line (some library messages run to thousands)
_SKIP_DESTS = {"_run", "command", "debug"}


class CliError(Exception):
    """A failure whose three parts the code that raises it already knows.

    Args:
        what: What was wrong.
        where: The file or option it is about.
        fix: How to fix it.
    """

    def __init__(self, what: str, where: str, fix: str) -> None:
        super().__init__(f"{what} ({where}): {fix}")
        self.what, self.where, self.fix = what, where, fix


class UsageError(Exception):
    """argparse refused the command line (raised instead of argparse's two-line usage message and exit)."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog, self.message = prog, message


class _Parser(argparse.ArgumentParser):
    """argparse parser whose errors are raised as :class:`UsageError` (then printed as one line)."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        """Raise instead of printing usage and exiting."""
        raise UsageError(self.prog, message)


def one_line(text: str, limit: int = MAX_WHAT) -> str:
    """Whitespace collapsed to single spaces, cut to ``limit`` characters (with an ellipsis)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def usage_line(err: UsageError) -> str:
    """``<prog>: error: <what> (<option>): run `<prog> --help` ...`` for an argparse refusal."""
    message = one_line(err.message)
    where = "command line"
    if message.startswith("argument ") and ": " in message:
        where, message = message.removeprefix("argument ").split(": ", 1)
    elif ": " in message:  # "the following arguments are required: -o/--output", "unrecognized arguments: --x"
        message, where = message.split(": ", 1)
    return f"{err.prog}: error: {message} ({where}): run `{err.prog} --help` for the options"


def _values(args: argparse.Namespace, parser: argparse.ArgumentParser | None) -> list[tuple[str, str, bool]]:
    """``(label, text, by_name)`` of every value on the command line, labelled with its option (or bare).

    Strings are found in a message by their text; numbers by their argument's name (``by_name``).
    """
    options = {}
    if parser is not None:
        for action in parser._actions:
            if action.option_strings:
                options[action.dest] = max(action.option_strings, key=len)
    found = []
    for dest, value in vars(args).items():
        if dest in _SKIP_DESTS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > 1:
                label = f"{options[dest]} {item}" if dest in options else item
                found.append((label, item, False))
            elif dest in options and item is not None and not isinstance(item, bool):  # numbers: found by name
                # (the message names the argument, e.g. "max_memory must be ...")
                found.append((f"{options[dest]} {item}", dest, True))
    return found


def _where(message: str, args: argparse.Namespace, parser: argparse.ArgumentParser | None) -> tuple[str, str]:
    """The command-line value the message is about (longest mentioned), else the first positional input."""
    values = _values(args, parser)
    words = set(re.findall(r"\w+", message.replace("-", "_")))
    mentioned = [(label, text) for label, text, by_name in values if (text in words if by_name else text in message)]
    if mentioned:
        return max(mentioned, key=lambda pair: len(pair[1]))
    positional = [(label, text) for label, text, by_name in values if label == text]
    if positional:
        return positional[0]
    return f"zoo {args.command}", ""


_EXPECTED = (ValueError, KeyError, OSError, RuntimeError, TypeError, ImportError, MemoryError)


def _fix_for(err: BaseException, message: str, command: str) -> str:
    if isinstance(err, MemoryError) or "can't allocate memory" in message or "out of memory" in message:
        return "use a smaller --tile (e.g. --tile 512) or a lower --max-memory, or a smaller image"
    if isinstance(err, ImportError):
        return "install the missing package, or fix the module name (e.g. custom_imports in the config)"
    if isinstance(err, FileNotFoundError):
        return "check the path"
    if isinstance(err, PermissionError):
        return "check the file's permissions, or choose another path"
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return "free some disk space, or write somewhere else"
    if isinstance(err, OSError):
        return "check the path and that the disk is readable and writable"
    if isinstance(err, KeyError):
        return "check the name (`zoo list` lists every model, `zoo list --pretrained` every weights tag)"
    return f"check the values given; `zoo {command} --help` describes the options"


def error_line(err: BaseException, args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> str:
    """The one line that reports ``err`` for the subcommand in ``args``.

    Args:
        err: The exception the subcommand raised.
        args: The parsed command line (``args.command`` names the subcommand).
        parser: The subcommand's parser, to show values with their option names.
    """
    prefix = f"zoo {args.command}: error:"
    if isinstance(err, CliError):
        return f"{prefix} {one_line(err.what)} ({err.where}): {one_line(err.fix)}"
    raw = err.args[0] if isinstance(err, KeyError) and err.args else err
    message = one_line(str(raw), 10 * MAX_WHAT)
    expected = isinstance(err, _EXPECTED) and type(err) is not AssertionError
    if not message:
        message = f"{type(err).__name__} without a message"
    where, value = _where(message, args, parser)
    if expected and "; " in message:
        what, fix = message.split("; ", 1)
    else:
        what = message if expected else f"unexpected {type(err).__name__}: {message}"
        fix = (
            _fix_for(err, message, args.command)
            if expected
            else "rerun with --debug to see the traceback, and report it as a bug if the input looks right"
        )
    if value and what.startswith(value + ": "):  # the path is shown as <where>; do not repeat it
        what = what[len(value) + 2 :]
    return f"{prefix} {one_line(what)} ({where}): {one_line(fix)}"
