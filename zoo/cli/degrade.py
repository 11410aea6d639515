"""``zoo degrade INPUT -o OUT --factors haze,rain [--seed N]``: synthesise degradations with the paper's recipes."""

import argparse
import json
from pathlib import Path

HELP = "degrade an image (or a folder of images) with rain, blur, jpeg and/or haze; prints the parameters used"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("input", help="image file, or a folder of images")
    parser.add_argument("-o", "--output", required=True, help="output image file (or folder when INPUT is a folder)")
    parser.add_argument(
        "--factors",
        default="random",
        help="comma-separated factors among rain, blur, jpeg, haze (applied in the order haze, rain, blur, jpeg), "
        "or 'random' for 1 to 4 random factors (default: random)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every random parameter (default 0)")
    parser.add_argument("--depth-proxy", choices=("cap", "ramp"), default="cap", help="haze depth proxy (default: cap)")


def run(args: argparse.Namespace) -> int:
    """Degrade the input(s), write PNG (or the output suffix's format) and print the parameters as JSON."""
    from zoo.data.degradations import Haze, check_factors, degrade
    from zoo.data.images import list_images, load_image, save_image

    factors = args.factors if args.factors == "random" else check_factors(args.factors)
    source, target = Path(args.input), Path(args.output)
    if source.is_dir():
        jobs = [(path, target / f"{path.stem}.png") for path in list_images(source)]
        if not jobs:
            raise FileNotFoundError(f"no images in {source}")
    elif source.is_file():
        jobs = [(source, target)]
    else:
        raise FileNotFoundError(f"input {source} does not exist")
    record = {}
    for index, (path, out_path) in enumerate(jobs):
        seed = args.seed + index
        degraded, params = degrade(
            load_image(path), factors, seed=seed, degradations={"haze": Haze(depth_proxy=args.depth_proxy)}
        )
        save_image(degraded, out_path)
        record[str(out_path)] = {"input": str(path), **params}
    print(json.dumps(record if len(record) > 1 else next(iter(record.values())), indent=2))
    return 0
