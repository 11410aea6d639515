"""``zoo degrade INPUT -o OUT --factors haze,rain [--seed N] [--preset broad]``: synthesise degradations."""

import argparse
import json
from pathlib import Path

WRITABLE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")

HELP = "degrade an image (or a folder of images) with rain, blur, jpeg and/or haze; prints the parameters used"

# Depth proxies of the haze of each preset (``--depth-proxy``).
DEPTH_PROXIES = {"paper": ("cap", "ramp"), "broad": ("cap", "field", "vertical", "oblique", "constant")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("input", help="image file, or a folder of images")
    parser.add_argument("-o", "--output", required=True, help="output image file (or folder when INPUT is a folder)")
    parser.add_argument(
        "--factors",
        default="random",
        help="comma-separated factors among rain, blur, jpeg, haze, 'none', or 'random' for a random subset "
        "(paper: 1 to 4 factors, applied in the order haze, rain, blur, jpeg; broad: 0 to 4 factors in a random "
        "order) (default: random)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every random parameter (default 0)")
    parser.add_argument(
        "--preset",
        choices=("paper", "broad"),
        default="paper",
        help="synthesis recipes: 'paper' (the paper's Appendix C) or 'broad' (wide ranges, several kernel and depth "
        "families, random order; see docs/degradations.md) (default: paper)",
    )
    parser.add_argument(
        "--depth-proxy",
        choices=sorted({name for names in DEPTH_PROXIES.values() for name in names}),
        default=None,
        help="haze depth proxy; paper: cap (default) or ramp; broad: cap, field, vertical, oblique or constant "
        "(default: drawn at random)",
    )


def run(args: argparse.Namespace) -> int:
    """Degrade the input(s), write PNG (or the output suffix's format) and print the parameters as JSON."""
    from zoo.cli.errors import CliError
    from zoo.data.degradations import BroadHaze, Haze, check_factors, degrade
    from zoo.data.images import list_images, load_image, save_image

    factors = args.factors if args.factors in ("random", "none") else check_factors(args.factors)
    preset = args.preset
    proxy = args.depth_proxy
    if proxy is not None and proxy not in DEPTH_PROXIES[preset]:
        raise CliError(
            f"depth proxy {proxy!r} is not one of the {preset} preset's",
            f"--depth-proxy {proxy}",
            f"use one of {', '.join(DEPTH_PROXIES[preset])} with --preset {preset}",
        )
    if preset == "paper":
        degradations = {"haze": Haze(depth_proxy=proxy or "cap")}
    else:
        degradations = {"haze": BroadHaze(proxies={proxy: 1.0})} if proxy else None
    source, target = Path(args.input), Path(args.output)
    if source.is_dir():
        jobs = [(path, target / f"{path.stem}.png") for path in list_images(source)]
        if not jobs:
            raise FileNotFoundError(f"no images in {source}")
    elif source.is_file():
        if target.suffix.lower() not in WRITABLE_SUFFIXES:
            raise CliError(
                f"cannot write a {target.suffix or 'suffix-less'} image file",
                f"-o {target}",
                f"end the name in one of {', '.join(WRITABLE_SUFFIXES)}",
            )
        jobs = [(source, target)]
    else:
        raise FileNotFoundError(f"input {source} does not exist")
    record = {}
    for index, (path, out_path) in enumerate(jobs):
        seed = args.seed + index
        degraded, params = degrade(load_image(path), factors, seed=seed, degradations=degradations, preset=preset)
        save_image(degraded, out_path)
        record[str(out_path)] = {"input": str(path), "preset": preset, **params}
    print(json.dumps(record if len(record) > 1 else next(iter(record.values())), indent=2))
    return 0
