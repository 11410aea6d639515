"""``zoo export-weights CHECKPOINT --name ARCH.TAG``: release weights (safetensors + sha256 + metadata)."""

import argparse
import json

HELP = "turn a training checkpoint into shipped weights (safetensors, sha256, metadata, measured scores)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("checkpoint", help="mmengine checkpoint written by `zoo train` (e.g. work_dirs/x/iter_N.pth)")
    parser.add_argument("--name", required=True, help="architecture.tag, e.g. rmbn.synth4")
    parser.add_argument("--out-dir", default=None, help="weights folder (default: zoo/weights in the package)")
    parser.add_argument("--summary", default="", help="one line shown by `zoo list --pretrained`")
    parser.add_argument("--training", default="{}", help="JSON describing data, budget and hardware of the run")
    parser.add_argument("--half", action="store_true", help="store bf16 tensors (half the size)")
    parser.add_argument("--no-evaluate", action="store_true", help="skip measuring PSNR/SSIM per factor")


def run(args: argparse.Namespace) -> int:
    """Export and print the manifest entry."""
    from zoo.registry import weights_dir
    from zoo.training.release import export_release

    entry = export_release(
        args.checkpoint,
        args.name,
        args.out_dir or weights_dir(),
        args.summary,
        json.loads(args.training),
        half=args.half,
        evaluate=not args.no_evaluate,
    )
    print(json.dumps(entry, indent=2))
    return 0
