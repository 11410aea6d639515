"""``zoo info NAME``: config, parameter count, GFLOPs and metadata of a model."""

import argparse
import inspect
import json

HELP = "show a model's config, parameter count, GFLOPs at 1x3x256x256 and metadata"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("name", help="architecture or architecture.tag")
    parser.add_argument("--size", type=int, default=256, help="square input size for the FLOP count (default 256)")
    parser.add_argument("--no-flops", action="store_true", help="skip the FLOP count")


def count_flops(name: str, size: int, factor: str | None = None) -> int:
    """FLOPs (2 x multiply-accumulates) of one forward at (1, 3, size, size), counted on the meta device.

    Args:
        name: Model name or tag.
        size: Square input size.
        factor: Passed as ``model(x, factor=...)`` for models that need to be told the factor (MBN).
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from zoo.registry import create_model

    with torch.device("meta"):
        model = create_model(name)
        x = torch.rand(1, 3, size, size)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(x) if factor is None else model(x, factor=factor)
    return counter.get_total_flops()


def needs_factor(model: object) -> bool:
    """Whether the model's forward has a required ``factor`` argument."""
    parameter = inspect.signature(model.forward).parameters.get("factor")
    return parameter is not None and parameter.default is inspect.Parameter.empty


def _config_of(name: str) -> dict:
    from zoo.registry import MODELS, pretrained_table

    arch = name.partition(".")[0]
    target = MODELS.get(arch)
    config = {
        key: param.default
        for key, param in inspect.signature(target).parameters.items()
        if param.default is not inspect.Parameter.empty
    }
    entry = pretrained_table().get(name)
    if entry:
        config.update(entry.config)
    return {"type": arch, **config}


def run(args: argparse.Namespace) -> int:
    """Print the model's card."""
    from zoo.cli.tables import count_parameters
    from zoo.registry import create_model, get_model_info, pretrained_table

    info = get_model_info(args.name)
    model = create_model(args.name)
    print(f"{args.name}: {info.description or info.task}")
    print(f"parameters: {count_parameters(model):,}")
    if info.learned and not args.no_flops:
        try:
            for factor in info.factors if needs_factor(model) else (None,):
                flops = count_flops(args.name, args.size, factor)
                label = f" ({factor} branch)" if factor else ""
                print(f"GFLOPs at 1x3x{args.size}x{args.size}{label}: {flops / 1e9:,.1f}")
        except Exception as err:  # some layers cannot run on the meta device
            print(f"GFLOPs: not available ({type(err).__name__}: {err})")
    print("config:", json.dumps(_config_of(args.name), indent=2, default=str))
    print("metadata:", json.dumps(info.as_dict(), indent=2))
    entry = pretrained_table().get(args.name)
    if entry:
        print("weights:", json.dumps({"file": entry.file, "sha256": entry.sha256, **entry.metadata}, indent=2))
    return 0
