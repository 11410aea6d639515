"""``zoo convert-reference MBN.pt -o mbn.safetensors``: convert the authors' released MBN / R-MBN weights."""

import argparse

HELP = "convert the authors' released MBN.pt / R-MBN.pt (EnDNet state dict) to a zoo safetensors file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("source", help="released checkpoint (a plain torch state dict; read with weights_only=True)")
    parser.add_argument("-o", "--output", required=True, help="destination .safetensors file")
    parser.add_argument(
        "--arch", choices=("mbn", "rmbn"), default="mbn", help="architecture recorded in the metadata (default mbn)"
    )


def run(args: argparse.Namespace) -> int:
    """Convert, verify by loading into the model, save, print the sha256."""
    from pathlib import Path

    from zoo.registry import create_model, get_model_info, load_state_dict, save_release_weights, sha256_file

    output = Path(args.output)
    if output.suffix != ".safetensors":
        raise ValueError(f"output must end in .safetensors, got {output}")
    model = create_model(args.arch, reference_compat=True)
    state = get_model_info(args.arch).checkpoint_filter(load_state_dict(args.source), model)
    model.load_state_dict(state, strict=True)
    metadata = {
        "arch": args.arch,
        "config": {"reference_compat": True},
        "source": Path(args.source).name,
        "source_sha256": sha256_file(args.source),
        "converted_by": "zoo convert-reference",
        "note": "weights of the authors' released network (6272code/6272-code); use reference_compat=True to "
        "reproduce its outputs",
    }
    digest = save_release_weights(model.state_dict(), output, metadata)
    print(f"wrote {output} ({len(state)} tensors, sha256 {digest})")
    print(f'load with create_model("{args.arch}", checkpoint="{output}", reference_compat=True)')
    return 0
