"""Combine one-step fine-tunes of the same R-MBN into one training checkpoint.

A fine-tune that trains only one step's branches (``zoo.training.campaign.frozen_but``) leaves every other parameter
bit-identical to the release it started from. Two such runs from the same release, one of the blur step and one of
the haze step say, can therefore be combined without retraining: the blur run's checkpoint with the haze run's haze
branches is what a run that trained both would have been had neither step influenced the other's gradients.

``python -m zoo.training.combine OUT.pth BASE.pth --take haze=HAZE_RUN.pth [--take ...]`` writes ``OUT.pth``, a
copy of ``BASE.pth`` whose ``heads.<factor>`` and ``tails.<factor>`` parameters come from the named run; it refuses
runs whose shared parameters differ (they did not start from the same release, or trained more than their step).
Export it as any training checkpoint (``zoo export-weights`` or ``zoo.training.release.export_release``); it holds
no optimizer state, so it is not for resuming.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import torch

from zoo.factors import FACTORS
from zoo.training.campaign import branch_prefixes
from zoo.training.safe_checkpoint import load_training_checkpoint, save_training_checkpoint

__all__ = ["combine_steps", "main", "step_prefixes"]


def step_prefixes(factor: str) -> tuple[str, str]:
    """State-dict prefixes of one step's input and output branches in a training checkpoint."""
    if factor not in FACTORS:
        raise ValueError(f"unknown factor {factor!r}; expected one of {', '.join(FACTORS)}")
    return tuple(f"net.{prefix}" for prefix in branch_prefixes(factor))


def _branch_factor(key: str) -> str | None:
    """The factor whose branch a state-dict key belongs to, or None for the shared stem."""
    for factor in FACTORS:
        if key.startswith(step_prefixes(factor)):
            return factor
    return None


def combine_steps(base: Mapping[str, torch.Tensor], donors: Mapping[str, Mapping[str, torch.Tensor]]) -> dict:
    """``base``'s state dict with each donor's step branches (``{factor: donor state dict}``).

    ``base`` may itself be a one-step fine-tune: a donor may differ from it in its own step's branches and in the
    branches of one other step, never in the shared stem.

    Raises:
        ValueError: A donor has other keys than ``base``, or differs from it in the stem or in more than one other
            step (it did not start from the same weights, or trained more than one step).
    """
    own = {f: step_prefixes(f) for f in donors}
    combined = dict(base)
    for factor, donor in donors.items():
        if set(donor) != set(base):
            raise ValueError(f"the {factor} run's network has other parameters than the base's")
        differ = [k for k in base if not torch.equal(base[k], donor[k])]
        stem = [k for k in differ if _branch_factor(k) is None]
        others = sorted({_branch_factor(k) for k in differ} - {None, factor})
        if stem or len(others) > 1:
            example = (stem or differ)[0]
            raise ValueError(
                f"the {factor} run differs from the base outside its own step ({len(differ)} tensors, e.g. "
                f"{example}): both must be one-step fine-tunes of the same release"
            )
        combined.update({k: v for k, v in donor.items() if k.startswith(own[factor])})
    return combined


def _weights(checkpoint: dict, where: str) -> dict:
    weights = checkpoint.get("state_dict")
    if not isinstance(weights, dict):
        raise ValueError(f"{where}: no 'state_dict'; give a checkpoint written by `zoo train` (iter_N.pth)")
    return weights


def main(argv: list[str] | None = None) -> int:
    """Write the combined checkpoint; print which steps came from where."""
    parser = argparse.ArgumentParser(prog="python -m zoo.training.combine", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the combined training checkpoint to write (.pth)")
    parser.add_argument("base", help="training checkpoint whose weights are kept except the taken steps")
    parser.add_argument(
        "--take", action="append", required=True, metavar="FACTOR=CKPT", help="a step's branches from another run"
    )
    args = parser.parse_args(argv)
    takes = [item.partition("=") for item in args.take]
    for factor, _, path in takes:
        if factor not in FACTORS or not path:
            parser.error(f"--take {factor}={path}: expected FACTOR=CHECKPOINT with a factor of {', '.join(FACTORS)}")
    try:
        base = load_training_checkpoint(args.base)
        donors = {factor: _weights(load_training_checkpoint(path), path) for factor, _, path in takes}
        state = combine_steps(_weights(base, args.base), donors)
    except (OSError, ValueError) as error:
        parser.exit(1, f"error: {error}\n")
    base["state_dict"] = state
    base.pop("optimizer", None)  # its moments belong to the base run's parameters: the result is for export only
    base.setdefault("meta", {})["combined_steps"] = {
        f: str(Path(p)) for f, _, p in (t.partition("=") for t in args.take)
    }
    save_training_checkpoint(base, args.out)
    print(f"wrote {args.out}: {args.base} with the {', '.join(donors)} step(s) of {', '.join(args.take)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
