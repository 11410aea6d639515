"""``zoo list [PATTERN] [--pretrained] [--markdown]``: the registered models."""

import argparse

HELP = "list registered models (fnmatch PATTERN, e.g. 'durn_*') or shipped weights (--pretrained)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("pattern", nargs="?", default="*", help="wildcard pattern (default: all)")
    parser.add_argument("--pretrained", action="store_true", help="list architecture.tag names of shipped weights")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table with parameter counts")


def run(args: argparse.Namespace) -> int:
    """List models."""
    from zoo.registry import get_model_info, list_models, list_pretrained, pretrained_table

    if args.pretrained:
        table = pretrained_table()
        for name in list_pretrained(args.pattern):
            print(f"{name:32s} {table[name].metadata.get('summary', '')}")
        return 0
    names = list_models(args.pattern)
    if args.markdown:
        from zoo.cli.tables import models_markdown

        print(models_markdown(names))
        return 0
    for name in names:
        info = get_model_info(name)
        kind = "" if info.learned else " [classical]"
        kind += " [oracle]" if info.oracle else f" [knows the {info.knows}]" if info.knows else ""
        print(f"{name:24s} {info.task}{kind}")
    if not names:
        print(f"no model matches {args.pattern!r}")
        return 1
    return 0
