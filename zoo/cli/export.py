"""``zoo export``: write a zoo model as ONNX or TorchScript and report how close it is to eager PyTorch."""

import argparse
import json

HELP = "export a model to ONNX or TorchScript (checked against eager PyTorch)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("name", help="architecture.tag (shipped weights), a non-learned method, or see --untrained")
    parser.add_argument("--format", required=True, choices=["onnx", "torchscript"], help="file format")
    parser.add_argument("-o", "--output", required=True, help="file to write")
    parser.add_argument("--size", type=int, default=256, help="example input height and width (default 256)")
    parser.add_argument("--factor", help="branch to export for models with factor branches (mbn needs one)")
    parser.add_argument("--checkpoint", help="weights file to load instead of the shipped weights")
    parser.add_argument("--untrained", action="store_true", help="export the architecture with random weights")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="architecture argument (JSON value), repeatable"
    )
    parser.add_argument("--dynamic", action="store_true", help="ONNX: any batch and image size (slow to export)")
    parser.add_argument("--exporter", default="dynamo", choices=["dynamo", "legacy"], help="ONNX exporter")


def _overrides(pairs: list[str]) -> dict:
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {pair!r} is not KEY=VALUE")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def run(args: argparse.Namespace) -> int:
    """Export and print the measured differences."""
    from zoo.export import export_model
    from zoo.registry import create_model

    overrides = _overrides(args.set)
    if overrides and not (args.untrained or args.checkpoint):
        raise ValueError("--set changes the architecture, so it needs --untrained or --checkpoint")
    model = create_model(args.name, **overrides) if args.untrained else args.name
    if args.untrained and args.checkpoint:
        raise ValueError("--untrained and --checkpoint exclude each other")
    if args.checkpoint:
        model = create_model(args.name, checkpoint=args.checkpoint, **overrides)
    report = export_model(
        model,
        args.output,
        format=args.format,
        size=args.size,
        factor=args.factor,
        dynamic=args.dynamic,
        exporter=args.exporter,
    )
    print(f"wrote {report.path} ({report.format}, {report.name}, input 1x3x{report.size}x{report.size})")
    print(f"max |exported - eager| at {report.size}x{report.size}: {report.max_abs_diff:.2e}")
    height, width = report.other_size
    if report.other_size_diff is None:
        print(f"at {height}x{width}: does not run (fixed-size export; pad or resize inputs to {report.size})")
    else:
        print(f"max |exported - eager| at {height}x{width}: {report.other_size_diff:.2e}")
    return 0
