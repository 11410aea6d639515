"""``zoo info NAME``: config, parameter count, GFLOPs and metadata of the model ``zoo restore -m NAME`` would run.

For an architecture with default weights (``rmbn``) that is the shipped default tag (``rmbn.synth4``), not the
untrained network at its default size; the first lines say which, and give the default size's parameter count too.
"""

import argparse
import inspect
import json

HELP = (
    "describe the model `zoo restore -m NAME` would run (for an architecture: its default weights): config, "
    "parameters, GFLOPs at 1x3x256x256, metadata, precision and tiling"
)

TILING = {
    "supported": "tiles blend seamlessly: --tile gives the untiled result up to rounding",
    "discouraged": "the model pools whole-image statistics, so a tiled result differs slightly from an untiled one "
    "(the repository's benchmarks/speed/tile_effect.py measures it); zoo restore tiles by itself only when an image "
    "would not fit the memory budget (--max-memory), and --tile is for images too large for memory",
    "unsupported": "the model cannot be tiled; --tile is refused",
}


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


def resolve_weights(name: str) -> tuple[str, str]:
    """The name ``zoo restore -m name`` would load, and one line saying so.

    Raises:
        zoo.registry.UnknownModelError: ``name`` is not registered.
    """
    from zoo.registry import get_model_info
    from zoo.registry.pretrained import default_tags

    arch, _, tag = name.partition(".")
    info = get_model_info(arch)
    if tag:
        return name, f"`zoo restore -m {name}` loads these weights"
    if not info.learned:
        return name, f"`zoo restore -m {name}` runs this method (not learned, no weights)"
    default = default_tags().get(arch)
    if default is None:
        return name, f"no weights ship for {arch}: `zoo restore -m {arch}` refuses; below is the untrained architecture"
    return default, f"`zoo restore -m {arch}` uses the shipped default weights {default}, described below"


def _default_size_parameters(arch: str) -> int:
    """Parameters of the architecture at its default size (built on the meta device: no memory, no weights)."""
    import torch

    from zoo.cli.tables import count_parameters
    from zoo.registry import create_model

    with torch.device("meta"):
        return count_parameters(create_model(arch))


def run(args: argparse.Namespace) -> int:
    """Print the model's card."""
    from zoo.cli.tables import count_parameters
    from zoo.registry import create_model, get_model_info, pretrained_table

    asked = args.name
    name, used = resolve_weights(asked)
    args.name = name
    info = get_model_info(name)
    model = create_model(name)
    print(f"{name}: {info.description or info.task}")
    print(used)
    if name != asked:  # an architecture, resolved to its default weights
        print(f"({asked} at its default size, untrained: {_default_size_parameters(asked):,} parameters)")
    print(f"parameters: {count_parameters(model):,}")
    if info.learned and not args.no_flops:
        try:
            from zoo.cli.flops_table import listed_flops

            for factor in info.factors if needs_factor(model) else (None,):
                flops = listed_flops(args.name, args.size, factor) or count_flops(args.name, args.size, factor)
                label = f" ({factor} branch)" if factor else ""
                print(f"GFLOPs at 1x3x{args.size}x{args.size}{label}: {flops / 1e9:,.1f}")
        except Exception as err:  # some layers cannot run on the meta device
            print(f"GFLOPs: not available ({type(err).__name__}: {err})")
    print("config:", json.dumps(_config_of(args.name), indent=2, default=str))
    print("metadata:", json.dumps(info.as_dict(), indent=2))
    entry = pretrained_table().get(args.name)
    if entry:
        print("weights:", json.dumps({"file": entry.file, "sha256": entry.sha256, **entry.metadata}, indent=2))
    print(f"tiling: {info.tiling}: {TILING.get(info.tiling, '')}")
    if info.learned:
        from zoo.inference.precision import resolve_precision
        from zoo.inference.restore import resolve_device

        shipped = args.name if entry else None
        precision = resolve_precision("auto", resolve_device("cpu"), shipped, supports_bf16=info.supports_bf16)
        print(f"precision on this machine's CPU with --dtype auto: {precision.dtype} ({precision.reason})")
    return 0
