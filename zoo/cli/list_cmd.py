"""``zoo list [PATTERN] [--pretrained] [--markdown]``: the registered models."""

import argparse
from typing import Any

HELP = "list registered models (fnmatch PATTERN, e.g. 'durn_*') or shipped weights (--pretrained)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("pattern", nargs="?", default="*", help="wildcard pattern (default: all)")
    parser.add_argument(
        "--pretrained",
        action="store_true",
        help="list the weights: shipped ones (with each architecture's default) and, separately, your own",
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table with parameter counts")


def run(args: argparse.Namespace) -> int:
    """List models."""
    if args.pretrained:
        return _list_weights(args.pattern)
    if args.markdown:
        from zoo.cli.tables import models_markdown
        from zoo.registry import list_models

        print(models_markdown(list_models(args.pattern)))
        return 0
    infos = _model_infos(args.pattern)
    for name, info in infos.items():
        kind = "" if info["learned"] else " [classical]"
        kind += " [oracle]" if info["oracle"] else f" [knows the {info['knows']}]" if info["knows"] else ""
        print(f"{name:24s} {info['task']}{kind}")
    names = list(infos)
    if not names:
        print(f"no model matches {args.pattern!r}")
        return 1
    return 0


def _model_infos(pattern: str) -> dict[str, dict[str, Any]]:
    """``{name: ModelInfo as a dict}`` of the matching architectures, from the shipped index when it is there."""
    from zoo.cli.model_index import match, read_index

    index = read_index()
    if index is None:  # no index (e.g. a source tree without it): ask the registry, which imports every model
        from zoo.registry import get_model_info, list_models

        return {name: get_model_info(name).as_dict() for name in list_models(pattern)}
    return {name: index[name] for name in match(index, pattern)}


def _list_weights(pattern: str) -> int:
    """Shipped weights (defaults marked), then the user's own weights with the folder they are in."""
    from zoo.registry import list_pretrained, pretrained_table
    from zoo.registry.pretrained import default_tags, user_table, user_weights_dir

    shipped, defaults = pretrained_table(), set(default_tags().values())
    print("shipped weights (in the package; [default] is what `-m ARCH` and pretrained=True load):")
    names = list_pretrained(pattern)
    for name in names:
        mark = " [default]" if name in defaults else ""
        print(f"  {name + mark:40s} {shipped[name].metadata.get('summary', '')}")
    if not names:
        print(f"  none matches {pattern!r}")
    yours = user_table()
    mine = list_pretrained(pattern, user=True)
    print(f"your weights ({user_weights_dir()}; used only when named in full):")
    for name in mine:
        note = " (hidden: shipped weights have this name)" if name in shipped else ""
        print(f"  {name:40s} {yours[name].metadata.get('summary', '')}{note}")
    if not mine:
        print("  none" + (f" matches {pattern!r}" if yours else " (`zoo export-weights` puts them here)"))
    return 0
