"""``zoo export-weights CHECKPOINT --name ARCH.TAG``: release weights (safetensors + sha256 + metadata).

The weights go to your user weights folder (``--out-dir``; default ``$ZOO_HOME/weights``, else the platform's user
data folder such as ``~/.local/share/mbn-zoo/weights``), never into the installed package. ``--into-package`` is the
developer path that adds shipped weights to ``zoo/weights`` of a source checkout.
"""

import argparse
import json
from pathlib import Path

HELP = "turn a training checkpoint into release weights (safetensors, sha256, metadata, measured scores)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("checkpoint", help="mmengine checkpoint written by `zoo train` (e.g. work_dirs/x/iter_N.pth)")
    parser.add_argument("--name", required=True, help="architecture.tag, e.g. rmbn.mydata")
    parser.add_argument(
        "--out-dir",
        default=None,
        help="weights folder (default: your user weights folder, $ZOO_HOME/weights or ~/.local/share/mbn-zoo/weights)",
    )
    parser.add_argument(
        "--into-package",
        action="store_true",
        help="developers: add the weights to the shipped ones in zoo/weights of this source checkout",
    )
    parser.add_argument(
        "--default",
        action="store_true",
        help="with --into-package: declare these weights the architecture's default (manifest 'defaults')",
    )
    parser.add_argument("--summary", default="", help="one line shown by `zoo list --pretrained`")
    parser.add_argument("--training", default="{}", help="JSON describing data, budget and hardware of the run")
    parser.add_argument("--half", action="store_true", help="store bf16 tensors (half the size)")
    parser.add_argument("--no-evaluate", action="store_true", help="skip measuring PSNR/SSIM per factor")


def run(args: argparse.Namespace) -> int:
    """Export and print the manifest entry."""
    from zoo.cli.errors import CliError
    from zoo.registry import pretrained_table
    from zoo.registry.pretrained import user_weights_dir, weights_dir
    from zoo.training.release import export_release

    example = 'give a JSON object, e.g. \'{"data": "my photos", "budget": "3,000 iterations"}\''
    try:
        training = json.loads(args.training)
    except json.JSONDecodeError as err:
        raise CliError(f"not valid JSON ({err.msg})", "--training", example) from None
    if not isinstance(training, dict):
        raise CliError("not a JSON object", "--training", example)
    if args.into_package:
        if args.out_dir:
            raise CliError("--into-package and --out-dir exclude each other", "--into-package", "give one of them")
        out_dir = weights_dir()
    else:
        if args.default:
            raise CliError(
                "your own weights never become a default", "--default", f"load them by full name ({args.name})"
            )
        if args.name in pretrained_table():
            raise CliError(
                f"{args.name} is the name of shipped weights", "--name", "choose another tag for your weights"
            )
        out_dir = args.out_dir or user_weights_dir()
    entry = export_release(
        args.checkpoint,
        args.name,
        out_dir,
        args.summary,
        training,
        half=args.half,
        evaluate=not args.no_evaluate,
        make_default=args.default,
    )
    print(json.dumps(entry, indent=2))
    path = Path(out_dir) / entry["file"]
    if Path(out_dir).resolve() in (user_weights_dir().resolve(), weights_dir().resolve()):
        print(f"wrote {path}; load it by name: create_model({args.name!r}, pretrained=True), -m {args.name}")
    else:
        arch = args.name.partition(".")[0]
        print(f"wrote {path}; load it with create_model({arch!r}, checkpoint={str(path)!r})")
    return 0
