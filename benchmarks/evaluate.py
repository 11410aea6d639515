"""Test sets and scoring shared by the studies: fixed-seed synthetic sets, PSNR/SSIM under a named protocol."""

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from .budgets import Budget

__all__ = ["Restorer", "evaluate", "factor_test_sets", "mean_scores", "test_set"]

# restorer(x (1, 3, H, W), factor key, params dict) -> restored (1, 3, H, W)
Restorer = Callable[[torch.Tensor, str, dict[str, Any]], torch.Tensor]


def test_set(root: Path, factors: Sequence[str] | str, budget: Budget, seed: int, images: str = "samples") -> Dataset:
    """The fixed-seed synthetic test set of a factor list (or ``"random"``) at the budget's crop and count.

    Written once as PNG under ``root/<name>`` (see ``zoo.data.datasets.FixedTestSet``) and reused afterwards.
    """
    from zoo.data.datasets import FixedTestSet

    key = factors if isinstance(factors, str) else "+".join(factors)
    folder = root / f"{key}_c{budget.eval_crop}_n{budget.eval_count}_s{seed}"
    return FixedTestSet(folder, images, factors, seed=seed, crop=budget.eval_crop, count=budget.eval_count)


def factor_test_sets(
    root: Path, factors: Sequence[str], budget: Budget, seed: int, images: str = "samples"
) -> dict[str, Dataset]:
    """One single-factor test set per factor (each with its own seed offset, like Table 4's pure subsets)."""
    from zoo.data.datasets import TABLE4_SUBSETS

    names = list(TABLE4_SUBSETS)
    return {f: test_set(root, [f], budget, seed + names.index(f), images) for f in factors}


def evaluate(restore: Restorer, dataset: Dataset, protocol: str = "standard") -> dict[str, float]:
    """Mean PSNR/SSIM of a restorer (and of the degraded input) over a paired dataset.

    Args:
        restore: ``restore(x, factor, params) -> y`` with ``x`` of shape (1, 3, H, W) in [0, 1].
        dataset: Samples in the zoo format (``inputs``, ``data_samples.gt/factor/params``).
        protocol: Metric protocol of ``zoo.data.metrics.protocols`` (``standard``, ``paper``, ``rgb``).

    Returns:
        ``psnr``, ``ssim``, ``psnr_input``, ``ssim_input``, ``n`` and ``seconds_per_image``.
    """
    from zoo.data.metrics import metric_settings, psnr, ssim

    if len(dataset) == 0:
        raise ValueError("cannot evaluate on an empty test set")
    totals = {"psnr": 0.0, "ssim": 0.0, "psnr_input": 0.0, "ssim_input": 0.0}
    seconds = 0.0
    for index in range(len(dataset)):
        item = dataset[index]
        sample = item["data_samples"]
        x, gt, factor = item["inputs"][None], sample["gt"], sample["factor"]
        params = json.loads(sample["params"]) if isinstance(sample["params"], str) else sample["params"]
        tic = time.perf_counter()
        with torch.inference_mode():
            y = restore(x, factor, params)
        seconds += time.perf_counter() - tic
        y = y[0].float().clamp(0, 1)
        if y.shape != gt.shape:
            raise ValueError(f"restored image has shape {tuple(y.shape)}, the clean one {tuple(gt.shape)}")
        settings = metric_settings(protocol, factor)
        totals["psnr"] += float(psnr(y, gt, **settings.psnr_kwargs()))
        totals["ssim"] += float(ssim(y, gt, **settings.ssim_kwargs()))
        totals["psnr_input"] += float(psnr(x[0], gt, **settings.psnr_kwargs()))
        totals["ssim_input"] += float(ssim(x[0], gt, **settings.ssim_kwargs()))
    n = len(dataset)
    scores = {k: round(v / n, 4) for k, v in totals.items()}
    return {**scores, "n": n, "seconds_per_image": round(seconds / n, 4)}


def mean_scores(results: Sequence[dict[str, float]]) -> dict[str, float]:
    """Unweighted mean PSNR and SSIM over several per-factor results (the paper's "averaged over tasks")."""
    if not results:
        raise ValueError("no results to average")
    return {
        "psnr": round(sum(r["psnr"] for r in results) / len(results), 4),
        "ssim": round(sum(r["ssim"] for r in results) / len(results), 4),
    }
