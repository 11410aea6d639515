"""How much ``--tile`` changes R-MBN's output: the same degraded photos restored whole and in tiles.

R-MBN and MBN pool statistics over their whole input (channel attention, the haze branch's atmospheric light), so a
tile sees other statistics than the whole image and the tiled result differs from the untiled one
(``ModelInfo.tiling = "discouraged"``). This script measures by how much, on the bundled 512x512 test photos::

    OMP_NUM_THREADS=1 python benchmarks/speed/tile_effect.py [--model rmbn.synth4] [--tile 256] [--overlap 32]

For every photo and factor it prints the PSNR (RGB) of the input, of the whole-image and of the tiled restoration
against the clean photo, and the PSNR and largest difference between the tiled and the whole-image output.
"""

import argparse
import sys
import warnings
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from zoo.data.degradations import degrade
from zoo.data.metrics import psnr
from zoo.inference import Restorer
from zoo.inference.samples import assets_dir

PHOTOS = ("aloe", "chicky")  # the 512x512 photos of the bundled test split
FACTORS = ("blur", "haze", "rain", "jpeg")


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per photo and factor."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="rmbn.synth4")
    parser.add_argument("--tile", type=int, default=256)
    parser.add_argument("--overlap", type=int, default=32)
    parser.add_argument("--seed", type=int, default=3, help="seed of the degradations")
    args = parser.parse_args(argv)
    whole_restorer = Restorer(args.model, dtype="fp32", steps="all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the "tiling is discouraged" warning: measuring it is the point
        tiled_restorer = Restorer(args.model, dtype="fp32", steps="all", tile=args.tile, overlap=args.overlap)
    print(f"{args.model}, {args.tile}-pixel tiles, {args.overlap}-pixel overlap; PSNR (RGB) in dB")
    print("photo   factor  input  whole  tiled  tiled-vs-whole  max |tiled - whole|")
    for photo in PHOTOS:
        clean = np.asarray(Image.open(assets_dir() / "test" / f"{photo}.png").convert("RGB"), np.float32) / 255
        gt = torch.from_numpy(clean).permute(2, 0, 1)[None]
        for factor in FACTORS:
            degraded, _ = degrade(clean, [factor], seed=args.seed)
            x = torch.from_numpy(np.ascontiguousarray(degraded)).permute(2, 0, 1)[None].float()
            whole = whole_restorer.restore_tensor(x)["restored"]
            tiled = tiled_restorer.restore_tensor(x)["restored"]
            largest = float((tiled - whole).abs().max())
            print(
                f"{photo:7s} {factor:6s} {float(psnr(x, gt)):6.2f} {float(psnr(whole, gt)):6.2f} "
                f"{float(psnr(tiled, gt)):6.2f} {float(psnr(tiled, whole)):15.1f} {largest:20.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
