"""Average a fine-tuned training checkpoint with the release it started from, in weight space.

A network fine-tuned from a release stays close to it, and the average of the two (WiSE-FT: Wortsman et al., "Robust
fine-tuning of zero-shot models", CVPR 2022) often keeps most of what the fine-tune learned while undoing some of its
idiosyncratic changes, at no cost at inference (one network, not two).

``python -m zoo.training.soup OUT.pth RUN.pth --start RELEASE.safetensors [--weight 0.5]`` writes ``OUT.pth``, a copy
of the training checkpoint ``RUN.pth`` whose floating-point network tensors are ``weight * run + (1 - weight) *
start`` (batch-norm statistics included); integer tensors (batch-norm counters) are the run's. Export it as any
training checkpoint (``zoo export-weights`` or ``zoo.training.release.export_release``; a detector's thresholds,
averaged here like any buffer, are chosen again there on its validation samples). It holds no optimizer state, so it is
not for resuming.
"""

from __future__ import annotations

import argparse

import torch

from zoo.training.safe_checkpoint import load_training_checkpoint, save_training_checkpoint

__all__ = ["average_with_start", "main"]


def average_with_start(run: dict, start: dict[str, torch.Tensor], weight: float = 0.5) -> dict:
    """The training checkpoint ``run`` with its network tensors averaged with the release state ``start``.

    Args:
        run: A training checkpoint (``state_dict`` keys ``net.<name>``).
        start: The release's tensors (keys ``<name>``), as ``safetensors.torch.load_file`` gives them.
        weight: The run's share, in [0, 1] (1: the run unchanged).

    Raises:
        ValueError: On a weight outside [0, 1], or when a network tensor of the run is missing from the release or has
            another shape (the run did not start from it).
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    averaged = {}
    for key, value in run["state_dict"].items():
        name = key.removeprefix("net.")
        if not key.startswith("net.") or not value.is_floating_point():
            averaged[key] = value
            continue
        if name not in start or start[name].shape != value.shape:
            raise ValueError(f"{key}: not in the release with the same shape; the run did not start from it")
        averaged[key] = weight * value + (1.0 - weight) * start[name].to(value.dtype)
    meta = dict(run.get("meta") or {})
    meta["soup"] = {"weight": weight}
    return {key: value for key, value in run.items() if key not in ("optimizer", "param_schedulers")} | {
        "state_dict": averaged,
        "meta": meta,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line of :func:`average_with_start`."""
    from safetensors.torch import load_file

    parser = argparse.ArgumentParser(prog="python -m zoo.training.soup", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the averaged checkpoint to write (.pth)")
    parser.add_argument("run", help="the fine-tuned training checkpoint")
    parser.add_argument("--start", required=True, help="the release file (.safetensors) the run started from")
    parser.add_argument("--weight", type=float, default=0.5, help="the run's share (0.5)")
    args = parser.parse_args(argv)
    try:
        soup = average_with_start(load_training_checkpoint(args.run), load_file(args.start), args.weight)
    except (OSError, ValueError) as error:  # one line, as zoo.training.combine reports them
        parser.exit(1, f"error: {error}\n")
    save_training_checkpoint(soup, args.out)
    print(f"wrote {args.out}: {args.weight:g} x {args.run} + {1 - args.weight:g} x {args.start}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
