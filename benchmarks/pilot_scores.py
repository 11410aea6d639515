"""Score stage-1 training checkpoints on the broad validation set: the pilot runs that choose width and rain steps.

``python -m zoo.benchmarks.pilot_scores CKPT [CKPT ...] [--per-photo 2] [--json OUT]`` loads each MBN checkpoint of
``zoo train`` (weights only) or release file (``.safetensors``), runs each factor's branch with the factor given on
the ``broad`` single-factor cases of the validation photos (``PresetTestSet(images="validation")``; never the test
photos, since these scores choose what to train), and prints the mean PSNR gain per factor (``rgb`` protocol) with
the checkpoint's iteration.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch

from zoo.factors import FACTORS

__all__ = ["network_from", "score_checkpoint"]


def network_from(checkpoint: Path) -> tuple[torch.nn.Module, int]:
    """A network and its iteration from a ``zoo train`` checkpoint (weights only) or a release file."""
    from mmengine.config import Config

    from zoo.registry import create_model

    if checkpoint.suffix == ".safetensors":  # a release file: the architecture is in its header
        from zoo.registry.checkpoint import read_release_metadata

        metadata = read_release_metadata(checkpoint)
        model = create_model(metadata["architecture"]["type"], checkpoint=str(checkpoint))
        return model.eval(), int(metadata.get("training", {}).get("iterations") or 0)
    from zoo.training.release import checkpoint_net_config
    from zoo.training.safe_checkpoint import checkpoint_config, load_training_checkpoint

    ckpt = load_training_checkpoint(checkpoint)
    arch, net = checkpoint_net_config(Config(checkpoint_config(ckpt, str(checkpoint))))
    model = create_model(dict(type=arch, **net))
    model.load_state_dict({k.removeprefix("net."): v for k, v in ckpt["state_dict"].items() if k.startswith("net.")})
    return model.eval(), int(ckpt["meta"].get("iter", 0))


def score_checkpoint(checkpoint: str | Path, per_photo: int = 2, crop: int = 256) -> dict[str, Any]:
    """Mean PSNR gain per factor (factor given) on the broad validation cases, and the checkpoint's iteration."""
    from zoo.data.datasets import PresetTestSet
    from zoo.data.metrics import metric_settings, psnr

    model, iteration = network_from(Path(checkpoint))
    gains = {}
    settings = metric_settings("rgb")
    for factor in FACTORS:
        dataset = PresetTestSet("broad", factor, images="validation", crop=crop, per_photo=per_photo)
        total = 0.0
        for index in range(len(dataset)):
            item = dataset[index]
            x, gt = item["inputs"][None], item["data_samples"]["gt"]
            with torch.inference_mode():
                y = model(x, factor=factor)[0].clamp(0, 1)
            total += float(psnr(y, gt, **settings.psnr_kwargs())) - float(psnr(x[0], gt, **settings.psnr_kwargs()))
        gains[factor] = round(total / len(dataset), 4)
    return {"checkpoint": str(checkpoint), "iteration": iteration, "gain": gains}


def main(argv: list[str] | None = None) -> int:
    """Print (and optionally write) the scores of each checkpoint."""
    parser = argparse.ArgumentParser(prog="python -m zoo.benchmarks.pilot_scores", description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", help="MBN training checkpoints (iter_N.pth)")
    parser.add_argument("--per-photo", type=int, default=2, help="crops per validation photo and case (default 2)")
    parser.add_argument("--json", help="also write the scores to this JSON file")
    args = parser.parse_args(argv)
    results = [score_checkpoint(path, args.per_photo) for path in args.checkpoints]
    for result in results:
        gains = ", ".join(f"{f} {g:+.2f}" for f, g in result["gain"].items())
        print(f"{result['checkpoint']} (iteration {result['iteration']}): {gains} dB")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
